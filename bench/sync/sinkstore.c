/*
 * sinkstore.c - the counting sink store (floor b).
 */
#define _POSIX_C_SOURCE 200809L
#include "sinkstore.h"

#include <stdlib.h>
#include <string.h>

#define KV_SLOTS 16

typedef struct sink {
	gen_params p;
	sink_counts *counts;
	char *key[KV_SLOTS];
	void *val[KV_SLOTS];
	size_t len[KV_SLOTS];
} sink;

static int sink_list(void *ctx, hiveha_item_fn fn, void *payload)
{
	sink *k = ctx;
	char id[48];
	int rc;

	for (size_t i = 0; i < k->p.items; i++) {
		gen_item_id(id, sizeof id, i);
		if ((rc = fn(id, payload)))
			return rc;
	}
	return 0;
}

/* A syncing-only store: nothing to serve. */
static int sink_read_samples(void *ctx, const char *item_id, hiveha_time from, hiveha_time to,
                             uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload)
{
	(void)ctx;
	(void)item_id;
	(void)from;
	(void)to;
	(void)skip;
	(void)max;
	(void)fn;
	(void)payload;
	return HIVEHA_ENOTFOUND;
}

static int sink_read_events(void *ctx, hiveha_time from, hiveha_time to, uint64_t skip, size_t max,
                            hiveha_events_fn fn, void *payload)
{
	(void)ctx;
	(void)from;
	(void)to;
	(void)skip;
	(void)max;
	(void)fn;
	(void)payload;
	return 0;
}

static int sink_begin(void *ctx, hiveha_store_txn **txn_out)
{
	*txn_out = (hiveha_store_txn *)ctx;
	return 0;
}

static int sink_commit(void *ctx, hiveha_store_txn *txn)
{
	(void)txn;
	((sink *)ctx)->counts->txns++;
	return 0;
}

static void sink_rollback(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx;
	(void)txn;
}

/* The sample the data set has at `got`'s time equals `got`. */
static int same_as_sent(const gen_params *p, long item, const hiveha_sample *got)
{
	hiveha_sample want;
	hiveha_time d = got->time - p->t0;

	if (d < 0 || d % HIVEHA_TICKS_PER_SECOND || (size_t)(d / HIVEHA_TICKS_PER_SECOND) >= p->samples)
		return 0;
	int same;

	if (gen_sample(&want, p, (size_t)item, (size_t)(d / HIVEHA_TICKS_PER_SECOND)))
		return 0;
	same = hiveha_sample_compare(&want, got) == 0;
	hiveha_value_clear(&want.value);
	return same;
}

static int sink_replace(void *ctx, hiveha_store_txn *txn, const char *item_id, hiveha_time a,
                        hiveha_time b, const hiveha_sample *s, size_t n)
{
	sink *k = ctx;
	long item = gen_item_index(&k->p, item_id);

	(void)txn;
	(void)a;
	(void)b;
	/* a cheap check that what arrives is what was sent: the ends of each batch */
	if (item < 0 || (n && (!same_as_sent(&k->p, item, &s[0]) || !same_as_sent(&k->p, item, &s[n - 1]))))
		return HIVEHA_ESTORE;
	k->counts->samples += n;
	return 0;
}

static int sink_insert_events(void *ctx, hiveha_store_txn *txn, const hiveha_event *e, size_t n,
                              size_t *inserted_out)
{
	(void)txn;
	(void)e;
	((sink *)ctx)->counts->events += n;
	if (inserted_out)
		*inserted_out = n;
	return 0;
}

static int slot(sink *k, const char *key)
{
	for (int i = 0; i < KV_SLOTS; i++)
		if (k->key[i] && strcmp(k->key[i], key) == 0)
			return i;
	return -1;
}

static int sink_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	sink *k = ctx;
	int i = slot(k, key);

	if (i < 0)
		return HIVEHA_ENOTFOUND;
	return fn(k->val[i], k->len[i], payload);
}

static int sink_kv_put(void *ctx, hiveha_store_txn *txn, const char *key, const void *data, size_t len)
{
	sink *k = ctx;
	int i = slot(k, key);
	void *v;

	(void)txn;
	if (i < 0) {
		for (i = 0; i < KV_SLOTS && k->key[i]; i++)
			;
		if (i == KV_SLOTS)
			return HIVEHA_ESTORE;
		if (!(k->key[i] = strdup(key)))
			return HIVEHA_ENOMEM;
	}
	if (!(v = malloc(len ? len : 1)))
		return HIVEHA_ENOMEM;
	if (len)
		memcpy(v, data, len);
	free(k->val[i]);
	k->val[i] = v;
	k->len[i] = len;
	return 0;
}

static int sink_kv_delete(void *ctx, hiveha_store_txn *txn, const char *key)
{
	sink *k = ctx;
	int i = slot(k, key);

	(void)txn;
	if (i >= 0) {
		free(k->key[i]);
		free(k->val[i]);
		k->key[i] = NULL;
		k->val[i] = NULL;
	}
	return 0;
}

static void sink_destroy(void *ctx)
{
	sink *k = ctx;

	for (int i = 0; i < KV_SLOTS; i++) {
		free(k->key[i]);
		free(k->val[i]);
	}
	free(k);
}

int sink_store_new(hiveha_store *out, const gen_params *p, sink_counts *counts)
{
	sink *k;

	if (hiveha_store_init(out, HIVEHA_STORE_VERSION))
		return HIVEHA_EVERSION;
	if (!(k = calloc(1, sizeof *k)))
		return HIVEHA_ENOMEM;
	k->p = *p;
	k->counts = counts;
	out->ctx = k;
	out->destroy = sink_destroy;
	out->list_items = sink_list;
	out->read_samples = sink_read_samples;
	out->read_events = sink_read_events;
	out->begin = sink_begin;
	out->commit = sink_commit;
	out->rollback = sink_rollback;
	out->replace_samples = sink_replace;
	out->insert_events = sink_insert_events;
	out->kv_get = sink_kv_get;
	out->kv_put = sink_kv_put;
	out->kv_delete = sink_kv_delete;
	return 0;
}
