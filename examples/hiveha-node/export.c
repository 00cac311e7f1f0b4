/*
 * export.c - `export` and `export-events`: a store's content as CSV, read
 * through the public store interface only (so it works on any store, and
 * shows how to page through read_samples / read_events with `skip`).
 *
 * Times are ISO 8601 with all seven fraction digits, doubles with 17
 * significant digits: two exports are equal exactly when the data is.
 * A vector or matrix is one field of JSON text (array_csv.c).
 */
#include "node.h"
#include "args.h"
#include "array_csv.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define PAGE 10000

int node_open_readonly(hiveha_store *out, const char *path)
{
	char err[512] = "";
	hiveha_sqlite_options so = HIVEHA_SQLITE_OPTIONS_INIT;
	so.flags = HIVEHA_SQLITE_READ_ONLY;
	so.errbuf = err;
	so.errbuf_size = sizeof(err);
	int rc = hiveha_sqlite_open(out, path, &so);
	if (rc) {
		fprintf(stderr, "hiveha-node: cannot open the store %s: %s (%s)\n", path, err,
		        hiveha_strerror(rc));
		return NODE_EXIT_DB;
	}
	return NODE_EXIT_OK;
}

static void csv_string(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_time(FILE *f, hiveha_time t)
{
	char iso[HIVEHA_ISO8601_SIZE];
	node_iso(iso, t);
	fputs(iso, f);
}

static int csv_value(FILE *f, const hiveha_value *v)
{
	if (hiveha_value_is_array(v)) {
		int rc;
		char *text = node_array_text(v, &rc);
		if (!text)
			return rc;
		csv_string(f, text); /* quoted: it holds commas and quotes */
		node_array_text_free(text);
		return HIVEHA_OK;
	}
	switch (v->type) {
	case HIVEHA_TYPE_BOOL:
		fputs(v->as.b ? "true" : "false", f);
		break;
	case HIVEHA_TYPE_INT64:
		fprintf(f, "%" PRId64, v->as.i64);
		break;
	case HIVEHA_TYPE_UINT64:
		fprintf(f, "%" PRIu64, v->as.u64);
		break;
	case HIVEHA_TYPE_FLOAT:
		fprintf(f, "%.9g", (double)v->as.f32);
		break;
	case HIVEHA_TYPE_DOUBLE:
		fprintf(f, "%.17g", v->as.f64);
		break;
	case HIVEHA_TYPE_STRING:
		csv_string(f, v->as.str.ptr);
		break;
	case HIVEHA_TYPE_TIME:
		csv_time(f, v->as.time);
		break;
	default:
		break; /* EMPTY: no value */
	}
	return HIVEHA_OK;
}

/* Where a page ended, to resume the next one exactly there. */
struct cursor {
	const char *item;
	hiveha_time last;  /* time of the last row delivered */
	uint64_t at_last;  /* rows delivered with that time in this page */
	size_t rows;
};

static void cursor_row(struct cursor *c, hiveha_time t)
{
	if (c->rows == 0 || t != c->last) {
		c->last = t;
		c->at_last = 0;
	}
	c->at_last++;
	c->rows++;
}

/* The next page starts at the last time seen, skipping the rows at that
 * time already printed (pages may end between equal timestamps). */
static void cursor_advance(const struct cursor *c, hiveha_time *from, uint64_t *skip)
{
	*skip = c->last == *from ? *skip + c->at_last : c->at_last;
	*from = c->last;
}

static int print_samples(const hiveha_sample *s, size_t n, void *payload)
{
	struct cursor *c = payload;
	for (size_t i = 0; i < n; i++) {
		csv_string(stdout, c->item);
		fputc(',', stdout);
		csv_time(stdout, s[i].time);
		fputc(',', stdout);
		int rc = csv_value(stdout, &s[i].value);
		if (rc) {
			fprintf(stderr, "hiveha-node: %s at row %zu: cannot write the value: %s\n",
			        c->item, c->rows + 1, hiveha_strerror(rc));
			return rc;
		}
		printf(",%" PRIu32 "\n", s[i].quality);
		cursor_row(c, s[i].time);
	}
	return 0;
}

struct export_ctx {
	const hiveha_store *store;
	hiveha_time from, to;
	int rc;
};

static int export_item(const char *item, void *payload)
{
	struct export_ctx *x = payload;
	hiveha_time from = x->from;
	uint64_t skip = 0;
	for (;;) {
		struct cursor c = { item, 0, 0, 0 };
		int rc = x->store->read_samples(x->store->ctx, item, from, x->to, skip, PAGE,
		                                print_samples, &c);
		if (rc) {
			fprintf(stderr, "hiveha-node: reading %s failed: %s\n", item, hiveha_strerror(rc));
			x->rc = rc;
			return rc;
		}
		if (c.rows < PAGE)
			return 0;
		cursor_advance(&c, &from, &skip);
	}
}

static int parse_range(node_args *a, hiveha_time *from, hiveha_time *to, int *handled)
{
	*handled = 1;
	if (node_args_is(a, "--from") || node_args_is(a, "--to")) {
		const char *v = node_args_value(a);
		if (!v)
			return -1;
		hiveha_time *t = node_args_is(a, "--from") ? from : to;
		if (node_parse_time(v, t)) {
			fprintf(stderr, "hiveha-node: %s: '%s' is not an ISO 8601 UTC time\n", a->flag, v);
			return -1;
		}
		return 0;
	}
	*handled = 0;
	return 0;
}

int node_export(int argc, char **argv)
{
	const char *db = NULL, *item = NULL;
	hiveha_time from = HIVEHA_TIME_MIN, to = HIVEHA_TIME_MAX;
	node_args a;
	int r, handled;
	node_args_init(&a, argc, argv, 2);
	for (;;) {
		r = node_args_next(&a);
		if (r <= 0)
			break;
		if (parse_range(&a, &from, &to, &handled))
			return NODE_EXIT_USAGE;
		if (handled)
			continue;
		if (node_args_is(&a, "--db")) {
			db = node_args_value(&a);
			if (!db)
				return NODE_EXIT_USAGE;
		} else if (node_args_is(&a, "--item")) {
			item = node_args_value(&a);
			if (!item)
				return NODE_EXIT_USAGE;
		} else {
			fprintf(stderr, "hiveha-node export: unknown flag %s\n", a.flag);
			return NODE_EXIT_USAGE;
		}
	}
	if (r < 0)
		return NODE_EXIT_USAGE;
	if (!db) {
		fprintf(stderr, "hiveha-node export: --db is required\n");
		return NODE_EXIT_USAGE;
	}
	hiveha_store store;
	int code = node_open_readonly(&store, db);
	if (code)
		return code;
	struct export_ctx x = { &store, from, to, 0 };
	printf("item,time,value,quality\n");
	int rc = item ? export_item(item, &x) : store.list_items(store.ctx, export_item, &x);
	if (rc == HIVEHA_ENOTFOUND && item)
		fprintf(stderr, "hiveha-node export: no item %s in %s\n", item, db);
	else if (rc && !x.rc)
		fprintf(stderr, "hiveha-node export: listing items failed: %s\n", hiveha_strerror(rc));
	store.destroy(store.ctx);
	if (fflush(stdout) != 0 || (rc == HIVEHA_ENOTFOUND && item))
		return NODE_EXIT_FAILURE;
	return rc ? NODE_EXIT_DB : NODE_EXIT_OK;
}

static int print_events(const hiveha_event *e, size_t n, void *payload)
{
	struct cursor *c = payload;
	for (size_t i = 0; i < n; i++) {
		csv_time(stdout, e[i].time);
		fputc(',', stdout);
		csv_time(stdout, e[i].received_time);
		printf(",%" PRIu32 ",", e[i].source_id);
		csv_string(stdout, e[i].source_name);
		printf(",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",", e[i].type_id, e[i].category,
		       e[i].state, e[i].severity);
		csv_string(stdout, e[i].message);
		fputc(',', stdout);
		csv_string(stdout, e[i].user_name);
		printf(",%zu\n", e[i].attribute_count);
		cursor_row(c, e[i].time);
	}
	return 0;
}

int node_export_events(int argc, char **argv)
{
	const char *db = NULL;
	hiveha_time from = HIVEHA_TIME_MIN, to = HIVEHA_TIME_MAX;
	node_args a;
	int r, handled;
	node_args_init(&a, argc, argv, 2);
	for (;;) {
		r = node_args_next(&a);
		if (r <= 0)
			break;
		if (parse_range(&a, &from, &to, &handled))
			return NODE_EXIT_USAGE;
		if (handled)
			continue;
		if (node_args_is(&a, "--db")) {
			db = node_args_value(&a);
			if (!db)
				return NODE_EXIT_USAGE;
		} else {
			fprintf(stderr, "hiveha-node export-events: unknown flag %s\n", a.flag);
			return NODE_EXIT_USAGE;
		}
	}
	if (r < 0)
		return NODE_EXIT_USAGE;
	if (!db) {
		fprintf(stderr, "hiveha-node export-events: --db is required\n");
		return NODE_EXIT_USAGE;
	}
	hiveha_store store;
	int code = node_open_readonly(&store, db);
	if (code)
		return code;
	printf("time,received_time,source_id,source_name,type_id,category,state,severity,message,"
	       "user_name,attributes\n");
	uint64_t skip = 0;
	int rc;
	for (;;) {
		struct cursor c = { NULL, 0, 0, 0 };
		rc = store.read_events(store.ctx, from, to, skip, PAGE, print_events, &c);
		if (rc || c.rows < PAGE)
			break;
		cursor_advance(&c, &from, &skip);
	}
	if (rc)
		fprintf(stderr, "hiveha-node export-events: reading events failed: %s\n",
		        hiveha_strerror(rc));
	store.destroy(store.ctx);
	if (fflush(stdout) != 0)
		return NODE_EXIT_FAILURE;
	return rc ? NODE_EXIT_DB : NODE_EXIT_OK;
}
