/*
 * status.c - `status`: the persisted state items and pending gaps of a
 * store, read through the public interface (kv_get) without a governor.
 *
 * The sync state is a JSON document per deputy under the key
 * "hiveha/<DeputyName>/state" (times are decimal strings of ticks, because
 * a JSON number cannot hold 64-bit ticks exactly). Unknown members are
 * ignored, so a newer library's document still prints what we know.
 */
#include "node.h"
#include "args.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grab_json(const void *data, size_t len, void *payload)
{
	cJSON **out = payload;
	*out = cJSON_ParseWithLength(data, len);
	return *out ? 0 : HIVEHA_EPROTOCOL;
}

static int ticks(const cJSON *obj, const char *name, hiveha_time *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!cJSON_IsString(it))
		return -1;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(it->valuestring, &end, 10);
	if (errno || end == it->valuestring || *end)
		return -1;
	*out = (hiveha_time)v;
	return 0;
}

static void print_time(const char *label, const cJSON *obj, const char *name)
{
	hiveha_time t = 0;
	char iso[HIVEHA_ISO8601_SIZE];
	if (ticks(obj, name, &t) || t == 0) {
		printf("  %-16s never\n", label);
		return;
	}
	node_iso(iso, t);
	printf("  %-16s %s\n", label, iso);
}

static void print_spans(const char *label, const cJSON *obj, const char *name)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, name);
	int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
	printf("  %-16s %d\n", label, n);
	const cJSON *s;
	cJSON_ArrayForEach(s, arr) {
		hiveha_time from = 0, to = 0;
		char a[HIVEHA_ISO8601_SIZE], b[HIVEHA_ISO8601_SIZE];
		if (ticks(s, "from", &from) || ticks(s, "to", &to))
			continue;
		node_iso(a, from);
		node_iso(b, to);
		printf("    [%s, %s)  %.3f s%s\n", a, b, (double)(to - from) / HIVEHA_TICKS_PER_SECOND,
		       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "peer_lacks")) ?
		               "  (the peer lacks it too; waiting for it)" : "");
	}
}

static int print_deputy(const hiveha_store *store, int kind)
{
	char key[64];
	cJSON *doc = NULL;
	/* a cut key would read another key's value, or none */
	int len = snprintf(key, sizeof(key), "hiveha/%s/state", hiveha_deputy_name(kind));
	if (len < 0 || (size_t)len >= sizeof(key)) {
		fprintf(stderr, "hiveha-node status: the state key of %s is too long\n",
		        hiveha_deputy_name(kind));
		return NODE_EXIT_FAILURE;
	}
	printf("%s (%s)\n", hiveha_deputy_name(kind), key);
	int rc = store->kv_get(store->ctx, key, grab_json, &doc);
	if (rc == HIVEHA_ENOTFOUND) {
		printf("  no state: this deputy never ran on this store\n");
		return 0;
	}
	if (rc || !cJSON_IsObject(doc)) {
		fprintf(stderr, "hiveha-node status: %s is unreadable: %s\n", key,
		        rc ? hiveha_strerror(rc) : "not a JSON object");
		cJSON_Delete(doc);
		return NODE_EXIT_DB;
	}
	print_time("covered until", doc, "covered_until");
	print_time("last up to date", doc, "last_up_to_date");
	print_time("history start", doc, "history_start");
	print_spans("pending gaps", doc, "pending");
	print_spans("closed ranges", doc, "closed");
	/* parts of pending gaps this instance stored itself (re-read, still vouched for) */
	print_spans("held ranges", doc, "held");
	const cJSON *ck = cJSON_GetObjectItemCaseSensitive(doc, "checkpoint");
	if (cJSON_IsObject(ck)) {
		const cJSON *item = cJSON_GetObjectItemCaseSensitive(ck, "item");
		hiveha_time t = 0;
		char iso[HIVEHA_ISO8601_SIZE] = "-";
		if (!ticks(ck, "time", &t) && t)
			node_iso(iso, t);
		const cJSON *skip = cJSON_GetObjectItemCaseSensitive(ck, "skip");
		printf("  %-16s item %s%s, at %s skip %s\n", "checkpoint",
		       cJSON_IsString(item) ? item->valuestring : "-",
		       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ck, "item_done")) ? " (done)" : "",
		       iso, cJSON_IsString(skip) ? skip->valuestring : "0");
	} else {
		printf("  %-16s none\n", "checkpoint");
	}
	cJSON_Delete(doc);
	return 0;
}

struct totals {
	const hiveha_store *store;
	uint64_t items, samples;
	int rc;
};

static int count_item(const char *item, void *payload)
{
	struct totals *t = payload;
	uint64_t n = 0;
	t->rc = hiveha_sqlite_count_samples(t->store, item, HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, &n);
	t->items++;
	t->samples += n;
	return t->rc;
}

int node_status(int argc, char **argv)
{
	const char *db = NULL;
	node_args a;
	int r;
	node_args_init(&a, argc, argv, 2);
	for (;;) {
		r = node_args_next(&a);
		if (r <= 0)
			break;
		if (node_args_is(&a, "--db")) {
			db = node_args_value(&a);
			if (!db)
				return NODE_EXIT_USAGE;
		} else {
			fprintf(stderr, "hiveha-node status: unknown flag %s\n", a.flag);
			return NODE_EXIT_USAGE;
		}
	}
	if (r < 0)
		return NODE_EXIT_USAGE;
	if (!db) {
		fprintf(stderr, "hiveha-node status: --db is required\n");
		return NODE_EXIT_USAGE;
	}
	hiveha_store store;
	int code = node_open_readonly(&store, db);
	if (code)
		return code;
	printf("store %s\n", db);
	for (int k = 0; k < NODE_DEPUTY_KINDS && !code; k++)
		code = print_deputy(&store, k);
	struct totals t = { &store, 0, 0, 0 };
	uint64_t events = 0;
	int rc = code ? 0 : store.list_items(store.ctx, count_item, &t);
	if (!rc && !code)
		rc = hiveha_sqlite_count_events(&store, HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, &events);
	if (rc) {
		fprintf(stderr, "hiveha-node status: counting failed: %s\n", hiveha_strerror(rc));
		code = NODE_EXIT_DB;
	} else if (!code) {
		printf("content\n  %-16s %llu\n  %-16s %llu\n  %-16s %llu\n", "items",
		       (unsigned long long)t.items, "samples", (unsigned long long)t.samples, "events",
		       (unsigned long long)events);
	}
	store.destroy(store.ctx);
	return code;
}
