/*
 * DESIGN §9: many items per request, memory bounded by the chunk size and
 * not by the gap size. These are counts, not timings: round trips are
 * counted by the transport, memory is the heap in use (glibc's mallinfo2,
 * the CRT heap walked with _heapwalk on Windows) sampled
 * at every progress report while the sync runs into a counting sink store,
 * so that the stores' own data does not blur the picture.
 */
#include <criterion/criterion.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

Test(bounds, hundred_thousand_items_in_few_round_trips)
{
	harness h;
	h_init(&h);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.start_time = 20;
	enum { N = 100000 };
	char id[32];
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "plant.area%02d.tag%06d", i % 50, i);
		h_sample1(&h.peer, id, 10 + i % 10, i);
		h_add_item(&h.local, id);
	}
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	/* default batch of 1000 items: 100 requests, one page each */
	cr_assert_leq(c.exchanges[LOOPTRANSPORT_TIMESERIES], 200, "%llu round trips",
	              (unsigned long long)c.exchanges[LOOPTRANSPORT_TIMESERIES]);
	cr_assert_geq(c.exchanges[LOOPTRANSPORT_TIMESERIES], N / 1000);
	cr_assert_eq(h_total_samples(&h.local), N);
	char diff[256];
	cr_assert(h_equal(&h.local, &h.peer, diff, sizeof(diff)), "%s", diff);
	h_fini(&h);
}

/* ---- a store that keeps only counts ------------------------------------ */

static size_t peak_in_use;

/* Bytes of the C heap in use. */
static size_t heap_in_use(void)
{
#ifdef _WIN32
	_HEAPINFO hi;
	memset(&hi, 0, sizeof(hi));
	size_t used = 0;
	for (;;) {
		int st = _heapwalk(&hi);
		if (st != _HEAPOK)
			break;
		if (hi._useflag == _USEDENTRY)
			used += hi._size;
	}
	return used;
#else
	return mallinfo2().uordblks;
#endif
}

static void sample_heap(void)
{
	size_t used = heap_in_use();
	if (used > peak_in_use)
		peak_in_use = used;
}

typedef struct sink {
	uint64_t samples;
	char kv_key[2][64];
	char *kv_val[2];
	size_t kv_len[2];
} sink;

static int sink_list(void *ctx, hiveha_item_fn fn, void *payload)
{
	(void)ctx;
	return fn("X", payload);
}
/* never served from: the sink is a syncing-only store */
static int sink_read(void *ctx, const char *item, hiveha_time a, hiveha_time b, uint64_t skip,
                     size_t max, hiveha_samples_fn fn, void *payload)
{
	(void)ctx;
	(void)item;
	(void)a;
	(void)b;
	(void)skip;
	(void)max;
	(void)fn;
	(void)payload;
	return HIVEHA_ENOTFOUND;
}
static int sink_begin(void *ctx, hiveha_store_txn **txn)
{
	*txn = (hiveha_store_txn *)ctx;
	return 0;
}
static int sink_commit(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx;
	(void)txn;
	return 0;
}
static void sink_rollback(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx;
	(void)txn;
}
static int sink_replace(void *ctx, hiveha_store_txn *txn, const char *item, hiveha_time a,
                        hiveha_time b, const hiveha_sample *s, size_t n)
{
	(void)txn;
	(void)item;
	(void)a;
	(void)b;
	(void)s;
	((sink *)ctx)->samples += n;
	sample_heap(); /* the page and the reply are alive here: the real peak */
	return 0;
}
static int sink_slot(sink *k, const char *key, int create)
{
	for (int i = 0; i < 2; i++)
		if (strcmp(k->kv_key[i], key) == 0)
			return i;
	if (!create)
		return -1;
	for (int i = 0; i < 2; i++)
		if (!k->kv_key[i][0]) {
			snprintf(k->kv_key[i], sizeof(k->kv_key[i]), "%s", key);
			return i;
		}
	return -1;
}
static int sink_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	sink *k = ctx;
	int i = sink_slot(k, key, 0);
	if (i < 0)
		return HIVEHA_ENOTFOUND;
	return fn(k->kv_val[i], k->kv_len[i], payload);
}
static int sink_put(void *ctx, hiveha_store_txn *txn, const char *key, const void *d, size_t len)
{
	(void)txn;
	sink *k = ctx;
	int i = sink_slot(k, key, 1);
	cr_assert_geq(i, 0);
	free(k->kv_val[i]);
	k->kv_val[i] = malloc(len);
	memcpy(k->kv_val[i], d, len);
	k->kv_len[i] = len;
	return 0;
}
static int sink_del(void *ctx, hiveha_store_txn *txn, const char *key)
{
	(void)ctx;
	(void)txn;
	(void)key;
	return 0;
}

static void on_progress(const hiveha_progress *p, void *payload)
{
	(void)p;
	(void)payload;
	sample_heap();
}

/* Peak heap growth of a sync of `n` samples into the sink. */
static size_t sync_growth(size_t n, uint32_t chunk)
{
	harness h;
	h_init(&h);
	hiveha_sample *s = calloc(n, sizeof(*s));
	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++) {
		s[i].time = 1000 + (hiveha_time)i;
		hiveha_value_set_double(&s[i].value, (double)i);
		s[i].quality = HIVEHA_QUALITY_GOOD;
	}
	h_append(&h.peer, "X", s, n);
	free(s);

	sink k;
	memset(&k, 0, sizeof(k));
	hiveha_store store = HIVEHA_STORE_INIT;
	store.ctx = &k;
	store.list_items = sink_list;
	store.read_samples = sink_read;
	store.begin = sink_begin;
	store.commit = sink_commit;
	store.rollback = sink_rollback;
	store.replace_samples = sink_replace;
	store.kv_get = sink_get;
	store.kv_put = sink_put;
	store.kv_delete = sink_del;
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 1000;
	h.cfg.start_time = 1000 + (hiveha_time)n;
	h.cfg.chunk_samples = chunk;
	h.cfg.on_progress = on_progress;
	looptransport_ref(&h.transport);
	fakeclock_ref(&h.clock);
	hiveha_governor *gov = NULL;
	cr_assert_eq(hiveha_governor_new(&gov, &h.cfg, &store, &h.transport, &h.clock), 0);
	size_t base = heap_in_use();
	peak_in_use = base;
	cr_assert_eq(hiveha_governor_run(gov), 0, "%s", h.log);
	hiveha_governor_free(gov);
	cr_assert_eq(k.samples, n);
	for (int i = 0; i < 2; i++)
		free(k.kv_val[i]);
	h_fini(&h);
	return peak_in_use - base;
}

Test(bounds, memory_follows_chunk_not_gap)
{
	size_t small = sync_growth(100000, 10000);
	size_t large = sync_growth(1000000, 10000);
	cr_log_info("peak heap growth: %zu bytes (1e5 samples), %zu bytes (1e6 samples)", small, large);
	/* 10x the gap: the working set must not grow with it. A sync that held
	 * the gap would need > 1e6 * sizeof(hiveha_sample) = 32 MB here. */
	cr_assert_lt(large, 8u << 20, "peak heap growth %zu bytes for 1e6 samples", large);
	cr_assert_lt(large, small * 2 + (1u << 20), "growth %zu (1e6) vs %zu (1e5)", large, small);
}
