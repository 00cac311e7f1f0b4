/*
 * conformance.c - what every hiveha_store must do (include/hiveha/store.h).
 *
 * Written against the public interface only; the store comes from the
 * factory in conformance.h. Each test gets a fresh, empty store in a fresh
 * scratch directory. Data is seeded through begin / replace_samples /
 * insert_events / kv_put / commit, so the write path is under test too.
 */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiveha/governor.h>
#include <hiveha/store.h>
#include <hiveha/value.h>

#include "conformance.h"
#include "scratchdir.h"

static hiveha_store S;
static char scratch[512];

static void setup(void)
{
	cr_assert_eq(scratchdir_make(scratch, sizeof scratch, "conf"), 0, "scratch directory");
	memset(&S, 0, sizeof S);
	int rc = conformance_store_open(&S, scratch);
	cr_assert_eq(rc, 0, "conformance_store_open: %s", hiveha_strerror(rc));
}

static void teardown(void)
{
	conformance_store_close(&S);
	scratchdir_remove(scratch);
}

TestSuite(store, .init = setup, .fini = teardown);

/* ---- helpers -------------------------------------------------------------- */

static hiveha_sample sd(hiveha_time t, double d)
{
	hiveha_sample s = { .time = t, .quality = HIVEHA_QUALITY_GOOD };
	hiveha_value_set_double(&s.value, d);
	return s;
}

static hiveha_store_txn *begin(void)
{
	hiveha_store_txn *txn = NULL;
	int rc = S.begin(S.ctx, &txn);
	cr_assert_eq(rc, 0, "begin: %s", hiveha_strerror(rc));
	return txn;
}

static void commit(hiveha_store_txn *txn)
{
	int rc = S.commit(S.ctx, txn);
	cr_assert_eq(rc, 0, "commit: %s", hiveha_strerror(rc));
}

static void replace(const char *item, hiveha_time from, hiveha_time to,
                    const hiveha_sample *s, size_t n)
{
	hiveha_store_txn *txn = begin();
	int rc = S.replace_samples(S.ctx, txn, item, from, to, s, n);
	cr_assert_eq(rc, 0, "replace_samples: %s", hiveha_strerror(rc));
	commit(txn);
}

static size_t insert_events(const hiveha_event *e, size_t n)
{
	size_t inserted = 999;
	hiveha_store_txn *txn = begin();
	int rc = S.insert_events(S.ctx, txn, e, n, &inserted);
	cr_assert_eq(rc, 0, "insert_events: %s", hiveha_strerror(rc));
	commit(txn);
	return inserted;
}

static void kv_put(const char *key, const void *data, size_t len)
{
	hiveha_store_txn *txn = begin();
	int rc = S.kv_put(S.ctx, txn, key, data, len);
	cr_assert_eq(rc, 0, "kv_put: %s", hiveha_strerror(rc));
	commit(txn);
}

/* Collected samples (deep copies: the store's strings live only during fn). */
typedef struct got {
	hiveha_sample s[4096];
	hiveha_event e[256];
	size_t n;
	size_t calls;
	int events;     /* 1: e[] is in use, else s[] */
	int stop_after; /* return 42 after this many calls (0 = never) */
} got;

static got G;

static int on_samples(const hiveha_sample *s, size_t n, void *payload)
{
	got *g = payload;
	g->calls++;
	for (size_t i = 0; i < n; i++) {
		cr_assert_lt(g->n, sizeof g->s / sizeof g->s[0], "too many samples");
		if (g->n > 0)
			cr_assert_geq(s[i].time, g->s[g->n - 1].time, "samples out of time order");
		g->s[g->n].time = s[i].time;
		g->s[g->n].quality = s[i].quality;
		cr_assert_eq(hiveha_value_copy(&g->s[g->n].value, &s[i].value), 0);
		g->n++;
	}
	return g->stop_after && g->calls >= (size_t)g->stop_after ? 42 : 0;
}

static int on_events(const hiveha_event *e, size_t n, void *payload)
{
	got *g = payload;
	g->calls++;
	g->events = 1;
	for (size_t i = 0; i < n; i++) {
		cr_assert_lt(g->n, sizeof g->e / sizeof g->e[0], "too many events");
		if (g->n > 0)
			cr_assert_geq(e[i].time, g->e[g->n - 1].time, "events out of time order");
		cr_assert_eq(hiveha_event_copy(&g->e[g->n], &e[i]), 0);
		g->n++;
	}
	return g->stop_after && g->calls >= (size_t)g->stop_after ? 42 : 0;
}

static void got_reset(void)
{
	for (size_t i = 0; i < G.n; i++) {
		if (G.events)
			hiveha_event_clear(&G.e[i]);
		else
			hiveha_value_clear(&G.s[i].value);
	}
	memset(&G, 0, sizeof G);
}

static int read_s(const char *item, hiveha_time from, hiveha_time to, uint64_t skip, size_t max)
{
	got_reset();
	return S.read_samples(S.ctx, item, from, to, skip, max, on_samples, &G);
}

static int read_e(hiveha_time from, hiveha_time to, uint64_t skip, size_t max)
{
	got_reset();
	return S.read_events(S.ctx, from, to, skip, max, on_events, &G);
}

/* Asserts that G holds samples with exactly these times and double values. */
static void expect_td(const hiveha_time *t, const double *v, size_t n)
{
	cr_assert_eq(G.n, n, "got %zu samples, want %zu", G.n, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(G.s[i].time, t[i], "sample %zu: time %" PRId64 ", want %" PRId64,
		             i, G.s[i].time, t[i]);
		cr_assert_eq(G.s[i].value.type, HIVEHA_TYPE_DOUBLE);
		cr_assert_eq(G.s[i].value.as.f64, v[i], "sample %zu at %" PRId64 ": %g, want %g",
		             i, t[i], G.s[i].value.as.f64, v[i]);
	}
}

/* Items from list_items. */
static char items[16][32];
static size_t nitems;
static int stop_items_after;

static int on_item(const char *id, void *payload)
{
	(void)payload;
	cr_assert_lt(nitems, 16);
	snprintf(items[nitems++], sizeof items[0], "%s", id);
	return stop_items_after && nitems >= (size_t)stop_items_after ? 7 : 0;
}

static int list(void)
{
	nitems = 0;
	return S.list_items(S.ctx, on_item, NULL);
}

static hiveha_event ev(hiveha_time t, uint32_t src, uint32_t type, const char *msg, uint32_t sev)
{
	hiveha_event e = { .time = t, .received_time = t + 1, .source_id = src, .type_id = type,
	                   .severity = sev, .message = (char *)msg };
	return e;
}

/* kv_get collector */
static unsigned char kvbuf[256];
static size_t kvlen;
static int kvcalls;

static int on_bytes(const void *data, size_t len, void *payload)
{
	(void)payload;
	kvcalls++;
	cr_assert_leq(len, sizeof kvbuf);
	if (len)
		memcpy(kvbuf, data, len);
	kvlen = len;
	return 0;
}

static int kv_get(const char *key)
{
	kvcalls = 0;
	kvlen = 0;
	return S.kv_get(S.ctx, key, on_bytes, NULL);
}

/* ---- interface ------------------------------------------------------------ */

Test(store, has_every_member)
{
	char msg[256];
	cr_assert_eq(hiveha_store_check(&S, HIVEHA_DEPUTIES_HIVE, msg, sizeof msg), 0, "%s", msg);
}

/* ---- list_items ----------------------------------------------------------- */

Test(store, list_items_empty)
{
	cr_assert_eq(list(), 0);
	cr_assert_eq(nitems, 0);
}

Test(store, list_items_sorted_bytewise_each_once)
{
	hiveha_sample s = sd(1, 1);
	replace("b", 0, 0, &s, 1);
	replace("a", 0, 0, &s, 1);
	replace("\xc3\xa9t\xc3\xa9", 0, 0, &s, 1); /* "été": bytes above ASCII sort last */
	replace("A", 0, 0, &s, 1);
	replace("a", 0, 0, &s, 1);                 /* known already */
	replace("c", 0, 0, NULL, 0);               /* created without samples */
	cr_assert_eq(list(), 0);
	const char *want[] = { "A", "a", "b", "c", "\xc3\xa9t\xc3\xa9" };
	cr_assert_eq(nitems, 5, "%zu items", nitems);
	for (size_t i = 0; i < 5; i++)
		cr_assert_str_eq(items[i], want[i]);
}

Test(store, list_items_stops_and_passes_value_back)
{
	hiveha_sample s = sd(1, 1);
	replace("x", 0, 0, &s, 1);
	replace("y", 0, 0, &s, 1);
	replace("z", 0, 0, &s, 1);
	stop_items_after = 2;
	cr_assert_eq(list(), 7);
	cr_assert_eq(nitems, 2);
	cr_assert_str_eq(items[1], "y");
}

/* ---- read_samples --------------------------------------------------------- */

static void seed_5_to_25(void)
{
	hiveha_sample s[5] = { sd(5, 5), sd(10, 10), sd(15, 15), sd(20, 20), sd(25, 25) };
	replace("i", 0, 0, s, 5);
}

Test(store, read_samples_half_open)
{
	seed_5_to_25();
	cr_assert_eq(read_s("i", 10, 20, 0, 100), 0);
	expect_td((hiveha_time[]){ 10, 15 }, (double[]){ 10, 15 }, 2);
	cr_assert_eq(read_s("i", 9, 21, 0, 100), 0);
	expect_td((hiveha_time[]){ 10, 15, 20 }, (double[]){ 10, 15, 20 }, 3);
	cr_assert_eq(read_s("i", 10, 11, 0, 100), 0);
	expect_td((hiveha_time[]){ 10 }, (double[]){ 10 }, 1);
	cr_assert_eq(read_s("i", HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, 0, 100), 0);
	cr_assert_eq(G.n, 5);
}

Test(store, read_samples_empty_ranges)
{
	seed_5_to_25();
	cr_assert_eq(read_s("i", 20, 20, 0, 100), 0);
	cr_assert_eq(G.n, 0);
	cr_assert_eq(read_s("i", 20, 10, 0, 100), 0);
	cr_assert_eq(G.n, 0);
	cr_assert_eq(read_s("i", 11, 15, 0, 100), 0);
	cr_assert_eq(G.n, 0);
	cr_assert_eq(read_s("i", 26, 1000, 0, 100), 0);
	cr_assert_eq(G.n, 0);
}

Test(store, read_samples_unknown_item_vs_empty_range)
{
	seed_5_to_25();
	cr_assert_eq(read_s("nope", 0, 100, 0, 100), HIVEHA_ENOTFOUND);
	cr_assert_eq(G.calls, 0);
	replace("empty", 0, 0, NULL, 0);
	cr_assert_eq(read_s("empty", 0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 0);
}

Test(store, read_samples_skip_counts_only_samples_at_from)
{
	hiveha_sample s[4] = { sd(10, 1), sd(10, 2), sd(10, 3), sd(11, 4) };
	replace("i", 0, 0, s, 4);
	cr_assert_eq(read_s("i", 10, 20, 2, 100), 0);
	expect_td((hiveha_time[]){ 10, 11 }, (double[]){ 3, 4 }, 2);
	cr_assert_eq(read_s("i", 10, 20, 5, 100), 0);
	expect_td((hiveha_time[]){ 11 }, (double[]){ 4 }, 1);
	/* no sample at `from`: skip has nothing to skip */
	cr_assert_eq(read_s("i", 9, 20, 2, 100), 0);
	cr_assert_eq(G.n, 4);
}

Test(store, read_samples_max_and_exhaustion)
{
	hiveha_sample s[10];
	for (int i = 0; i < 10; i++)
		s[i] = sd(100 + i, i);
	replace("i", 0, 0, s, 10);
	cr_assert_eq(read_s("i", 0, 1000, 0, 3), 0);
	expect_td((hiveha_time[]){ 100, 101, 102 }, (double[]){ 0, 1, 2 }, 3);
	cr_assert_eq(read_s("i", 0, 1000, 0, 10), 0);
	cr_assert_eq(G.n, 10);
	cr_assert_eq(read_s("i", 0, 1000, 0, 11), 0);
	cr_assert_eq(G.n, 10, "fewer than max means exhausted");
	cr_assert_eq(read_s("i", 0, 1000, 0, 0), 0);
	cr_assert_eq(G.n, 0);
}

/* Pages through [from, to) with (time, skip) resumption, as the responder does. */
static size_t page_all(const char *item, hiveha_time from, hiveha_time to, size_t page,
                       hiveha_sample *out, size_t cap)
{
	size_t total = 0;
	hiveha_time at = from;
	uint64_t skip = 0;
	for (int guard = 0; guard < 10000; guard++) {
		cr_assert_eq(read_s(item, at, to, skip, page), 0);
		for (size_t i = 0; i < G.n; i++) {
			cr_assert_lt(total, cap);
			out[total].time = G.s[i].time;
			out[total].quality = G.s[i].quality;
			cr_assert_eq(hiveha_value_copy(&out[total].value, &G.s[i].value), 0);
			total++;
			if (G.s[i].time == at) {
				skip++;
			} else {
				at = G.s[i].time;
				skip = 1;
			}
		}
		if (G.n < page)
			return total;
	}
	cr_assert_fail("paging does not end");
	return total;
}

Test(store, read_samples_paging_between_equal_timestamps)
{
	/* MERGE-CASES T6 at store level: equal times survive a page limit of 2 */
	hiveha_sample s[7] = { sd(15, 1), sd(15, 2), sd(15, 3), sd(16, 4), sd(16, 5), sd(16, 6), sd(17, 7) };
	replace("i", 0, 0, s, 7);
	hiveha_sample out[16];
	for (size_t page = 1; page <= 8; page++) {
		size_t n = page_all("i", 10, 20, page, out, 16);
		cr_assert_eq(n, 7, "page %zu: %zu samples", page, n);
		for (size_t i = 0; i < n; i++) {
			cr_assert_eq(hiveha_sample_compare(&out[i], &s[i]), 0, "page %zu sample %zu", page, i);
			hiveha_value_clear(&out[i].value);
		}
	}
}

Test(store, read_samples_batches_join_in_order)
{
	static hiveha_sample s[3000];
	for (int i = 0; i < 3000; i++)
		s[i] = sd(1000 + i / 3, i);
	replace("i", 0, 0, s, 3000);
	cr_assert_eq(read_s("i", 0, 100000, 0, 3000), 0);
	cr_assert_eq(G.n, 3000);
	cr_assert_geq(G.calls, 1);
	for (size_t i = 0; i < 3000; i++)
		cr_assert_eq(hiveha_sample_compare(&G.s[i], &s[i]), 0, "sample %zu", i);
}

Test(store, read_samples_visitor_stop_is_passed_back)
{
	static hiveha_sample s[3000];
	for (int i = 0; i < 3000; i++)
		s[i] = sd(i, i);
	replace("i", 0, 0, s, 3000);
	got_reset();
	G.stop_after = 1;
	size_t first;
	cr_assert_eq(S.read_samples(S.ctx, "i", 0, 3000, 0, 3000, on_samples, &G), 42);
	cr_assert_eq(G.calls, 1, "not called again after a non-zero return");
	first = G.n;
	cr_assert_leq(first, 3000);
}

Test(store, equal_timestamps_keep_store_order)
{
	hiveha_sample a[3] = { sd(15, 1), sd(15, 2), sd(15, 3) };
	replace("i", 0, 0, a, 3);
	hiveha_sample b[2] = { sd(14, 0), sd(15, 4) };
	replace("i", 0, 0, b, 2); /* empty delete range: 15 goes after the existing 15s */
	hiveha_sample c[2] = { sd(15, 5), sd(15, 6) };
	replace("i", 16, 20, c, 2);
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	expect_td((hiveha_time[]){ 14, 15, 15, 15, 15, 15, 15 }, (double[]){ 0, 1, 2, 3, 4, 5, 6 }, 7);
}

/* ---- replace_samples ------------------------------------------------------ */

Test(store, replace_deletes_half_open_range_then_inserts)
{
	hiveha_sample s[21];
	for (int i = 0; i < 21; i++)
		s[i] = sd(5 + i, 5 + i); /* 5..25 */
	replace("i", 0, 0, s, 21);
	hiveha_sample y = sd(12, -12);
	replace("i", 10, 20, &y, 1);
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	expect_td((hiveha_time[]){ 5, 6, 7, 8, 9, 12, 20, 21, 22, 23, 24, 25 },
	          (double[]){ 5, 6, 7, 8, 9, -12, 20, 21, 22, 23, 24, 25 }, 12);
}

Test(store, replace_merge_cases_t2_t3_t5)
{
	/* T2: peer wins; T3: local-only sample in the range goes; T5: edges untouched */
	hiveha_sample local[4] = { sd(9, 90), sd(12, 120), sd(13, 130), sd(20, 200) };
	replace("i", 0, 0, local, 4);
	hiveha_sample peer[3] = { sd(10, 1), sd(12, 2), sd(19, 3) };
	replace("i", 10, 20, peer, 3);
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	expect_td((hiveha_time[]){ 9, 10, 12, 19, 20 }, (double[]){ 90, 1, 2, 3, 200 }, 5);
}

Test(store, replace_with_samples_outside_deleted_range)
{
	hiveha_sample local[3] = { sd(5, 50), sd(15, 150), sd(25, 250) };
	replace("i", 0, 0, local, 3);
	hiveha_sample add[3] = { sd(5, 51), sd(12, 120), sd(25, 251) };
	replace("i", 10, 20, add, 3);
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	expect_td((hiveha_time[]){ 5, 5, 12, 25, 25 }, (double[]){ 50, 51, 120, 250, 251 }, 5);
}

Test(store, replace_with_empty_delete_range_deletes_nothing)
{
	hiveha_sample local[2] = { sd(10, 1), sd(15, 2) };
	replace("i", 0, 0, local, 2);
	replace("i", 15, 15, NULL, 0);
	replace("i", 20, 10, NULL, 0);
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	expect_td((hiveha_time[]){ 10, 15 }, (double[]){ 1, 2 }, 2);
	replace("i", 15, 16, NULL, 0); /* delete only */
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	expect_td((hiveha_time[]){ 10 }, (double[]){ 1 }, 1);
}

Test(store, replace_creates_unknown_item)
{
	replace("new", 0, 100, NULL, 0);
	cr_assert_eq(read_s("new", 0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 0);
	cr_assert_eq(list(), 0);
	cr_assert_eq(nitems, 1);
	cr_assert_str_eq(items[0], "new");
}

Test(store, replace_touches_only_its_item)
{
	hiveha_sample s[2] = { sd(10, 1), sd(11, 2) };
	replace("a", 0, 0, s, 2);
	replace("b", 0, 0, s, 2);
	replace("a", 0, 100, NULL, 0);
	cr_assert_eq(read_s("a", 0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 0);
	cr_assert_eq(read_s("b", 0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 2);
}

Test(store, replaces_in_one_transaction_apply_in_order)
{
	hiveha_store_txn *txn = begin();
	hiveha_sample first[2] = { sd(12, 1), sd(15, 2) };
	hiveha_sample second[1] = { sd(16, 3) };
	cr_assert_eq(S.replace_samples(S.ctx, txn, "i", 10, 20, first, 2), 0);
	cr_assert_eq(S.replace_samples(S.ctx, txn, "i", 14, 20, second, 1), 0);
	commit(txn);
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	expect_td((hiveha_time[]){ 12, 16 }, (double[]){ 1, 3 }, 2);
}

Test(store, replace_is_idempotent)
{
	/* T8 at store level: the same replace twice gives the same samples */
	hiveha_sample local[2] = { sd(9, 9), sd(13, 13) };
	replace("i", 0, 0, local, 2);
	hiveha_sample peer[3] = { sd(10, 1), sd(10, 2), sd(19, 3) };
	replace("i", 10, 20, peer, 3);
	replace("i", 10, 20, peer, 3);
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	expect_td((hiveha_time[]){ 9, 10, 10, 19 }, (double[]){ 9, 1, 2, 3 }, 4);
}

/* ---- values --------------------------------------------------------------- */

Test(store, every_value_type_and_quality_round_trips)
{
	hiveha_sample s[20];
	size_t n = 0;
	memset(s, 0, sizeof s);
	s[n].quality = 0; n++;                                    /* EMPTY */
	hiveha_value_set_bool(&s[n].value, true); s[n].quality = 192; n++;
	hiveha_value_set_bool(&s[n].value, false); s[n].quality = 0xFFFFFFFFu; n++;
	hiveha_value_set_int64(&s[n].value, INT64_MIN); s[n].quality = 0x10000u | 64u; n++;
	hiveha_value_set_int64(&s[n].value, INT64_MAX); n++;
	hiveha_value_set_int64(&s[n].value, -1); n++;
	hiveha_value_set_uint64(&s[n].value, UINT64_MAX); n++;
	hiveha_value_set_uint64(&s[n].value, (UINT64_C(1) << 53) + 1); n++;
	hiveha_value_set_float(&s[n].value, 1.1f); n++;
	hiveha_value_set_float(&s[n].value, -0.0f); n++;
	hiveha_value_set_double(&s[n].value, 0.1); n++;
	hiveha_value_set_double(&s[n].value, -0.0); n++;
	hiveha_value_set_double(&s[n].value, NAN); n++;
	hiveha_value_set_double(&s[n].value, INFINITY); n++;
	hiveha_value_set_double(&s[n].value, -INFINITY); n++;
	hiveha_value_set_double(&s[n].value, 4.9e-324); n++;
	hiveha_value_set_time(&s[n].value, INT64_C(133000000000000001)); n++;
	const char *utf8 = "Gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x98\x80 \"q\" \\ \n";
	cr_assert_eq(hiveha_value_set_string(&s[n].value, utf8, strlen(utf8)), 0); n++;
	cr_assert_eq(hiveha_value_set_string(&s[n].value, "", 0), 0); n++;
	for (size_t i = 0; i < n; i++) {
		s[i].time = 1000 + (hiveha_time)i;
		if (i > 3)
			s[i].quality = (uint32_t)i * 1000003u;
	}
	replace("i", 0, 0, s, n);
	cr_assert_eq(read_s("i", 0, 2000, 0, 100), 0);
	cr_assert_eq(G.n, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(G.s[i].value.type, s[i].value.type, "sample %zu type", i);
		cr_assert_eq(G.s[i].quality, s[i].quality, "sample %zu quality", i);
		cr_assert_eq(hiveha_sample_compare(&G.s[i], &s[i]), 0, "sample %zu differs", i);
	}
	/* what compare does not see: the sign of zero, exact bits, string length */
	cr_assert(signbit(G.s[9].value.as.f32));
	cr_assert(signbit(G.s[11].value.as.f64));
	cr_assert(isnan(G.s[12].value.as.f64));
	cr_assert_eq(G.s[17].value.as.str.len, strlen(utf8));
	cr_assert_eq(G.s[17].value.as.str.ptr[strlen(utf8)], '\0');
	cr_assert_str_eq(G.s[18].value.as.str.ptr, "");
	for (size_t i = 0; i < n; i++)
		hiveha_value_clear(&s[i].value);
}

Test(store, extreme_times_round_trip)
{
	hiveha_sample s[3] = { sd(HIVEHA_TIME_MIN + 1, 1), sd(0, 2), sd(HIVEHA_TIME_MAX - 1, 3) };
	replace("i", 0, 0, s, 3);
	cr_assert_eq(read_s("i", HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, 0, 100), 0);
	expect_td((hiveha_time[]){ HIVEHA_TIME_MIN + 1, 0, HIVEHA_TIME_MAX - 1 }, (double[]){ 1, 2, 3 }, 3);
}

Test(store, many_samples_round_trip)
{
	enum { N = 20000 };
	hiveha_sample *s = calloc(N, sizeof *s);
	cr_assert_not_null(s);
	for (int i = 0; i < N; i++)
		s[i] = sd(INT64_C(130000000000000000) + i * 10, i);
	replace("big", 0, 0, s, N);
	/* count through the visitor without keeping copies */
	size_t total = 0;
	hiveha_time at = HIVEHA_TIME_MIN;
	uint64_t skip = 0;
	for (;;) {
		cr_assert_eq(read_s("big", at, HIVEHA_TIME_MAX, skip, 4000), 0);
		for (size_t i = 0; i < G.n; i++)
			cr_assert_eq(hiveha_sample_compare(&G.s[i], &s[total + i]), 0, "sample %zu", total + i);
		total += G.n;
		if (G.n < 4000)
			break;
		at = G.s[G.n - 1].time;
		skip = 1;
	}
	cr_assert_eq(total, N);
	free(s);
}

/* ---- events --------------------------------------------------------------- */

Test(store, events_e1_identity_dedupe_against_existing)
{
	hiveha_event e1 = ev(12, 1, 2, "hi", 100);
	cr_assert_eq(insert_events(&e1, 1), 1);
	hiveha_event peer[2] = { e1, ev(13, 1, 2, "there", 100) };
	cr_assert_eq(insert_events(peer, 2), 1);
	cr_assert_eq(read_e(0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 2);
	cr_assert(hiveha_event_equal(&G.e[0], &e1));
	cr_assert(hiveha_event_equal(&G.e[1], &peer[1]));
}

Test(store, events_dedupe_within_one_call_keeps_the_first)
{
	hiveha_event a = ev(12, 1, 2, "hi", 100);
	hiveha_event b = a;
	b.severity = 900;
	hiveha_event batch[3] = { a, a, b };
	cr_assert_eq(insert_events(batch, 3), 1);
	cr_assert_eq(read_e(0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 1);
	cr_assert_eq(G.e[0].severity, 100);
}

Test(store, events_dedupe_across_calls_in_one_transaction)
{
	hiveha_event a = ev(12, 1, 2, "hi", 100);
	hiveha_store_txn *txn = begin();
	size_t n1 = 9, n2 = 9;
	cr_assert_eq(S.insert_events(S.ctx, txn, &a, 1, &n1), 0);
	cr_assert_eq(S.insert_events(S.ctx, txn, &a, 1, &n2), 0);
	commit(txn);
	cr_assert_eq(n1, 1);
	cr_assert_eq(n2, 0);
	cr_assert_eq(read_e(0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 1);
}

Test(store, events_e2_e3_identity_fields)
{
	hiveha_event e3 = ev(14, 1, 2, "x", 1);
	cr_assert_eq(insert_events(&e3, 1), 1);
	hiveha_event others[5] = {
		ev(15, 1, 2, "a", 1),
		ev(15, 1, 2, "b", 1),  /* E3: other message, other event */
		ev(15, 3, 2, "a", 1),  /* other source */
		ev(15, 1, 4, "a", 1),  /* other type */
		ev(16, 1, 2, "a", 1),  /* other time */
	};
	cr_assert_eq(insert_events(others, 5), 5);
	cr_assert_eq(read_e(0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 6, "E2: the local event stays, every distinct identity stored");
	cr_assert(hiveha_event_equal(&G.e[0], &e3));
	for (size_t i = 0; i < 5; i++)
		cr_assert(hiveha_event_equal(&G.e[1 + i], &others[i]), "event %zu", i);
}

Test(store, events_e4_existing_never_overwritten)
{
	hiveha_event e1 = ev(12, 1, 2, "hi", 100);
	e1.category = 3;
	e1.user_name = "alice";
	cr_assert_eq(insert_events(&e1, 1), 1);
	hiveha_event e1b = e1;
	e1b.severity = 999;
	e1b.category = 4;
	e1b.user_name = "mallory";
	e1b.received_time = 77;
	cr_assert_eq(insert_events(&e1b, 1), 0);
	cr_assert_eq(read_e(0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 1);
	cr_assert(hiveha_event_equal(&G.e[0], &e1));
}

Test(store, events_null_message_is_empty_message)
{
	hiveha_event a = ev(12, 1, 2, NULL, 1);
	hiveha_event b = ev(12, 1, 2, "", 1);
	cr_assert_eq(insert_events(&a, 1), 1);
	cr_assert_eq(insert_events(&b, 1), 0);
}

Test(store, events_inserted_out_may_be_null_and_count_zero_is_fine)
{
	hiveha_event a = ev(12, 1, 2, "m", 1);
	hiveha_store_txn *txn = begin();
	cr_assert_eq(S.insert_events(S.ctx, txn, &a, 1, NULL), 0);
	size_t n = 9;
	cr_assert_eq(S.insert_events(S.ctx, txn, NULL, 0, &n), 0);
	cr_assert_eq(n, 0);
	commit(txn);
	cr_assert_eq(read_e(0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 1);
}

Test(store, read_events_half_open_skip_max_and_store_order)
{
	/* E5 at store level: [10,20) holds 10 but not 20 */
	hiveha_event e[6] = {
		ev(20, 1, 1, "e6", 1), ev(10, 1, 1, "e7", 1), ev(15, 1, 1, "c", 1),
		ev(15, 1, 1, "a", 1), ev(15, 1, 1, "b", 1), ev(9, 1, 1, "early", 1),
	};
	cr_assert_eq(insert_events(e, 6), 6);
	cr_assert_eq(read_e(10, 20, 0, 100), 0);
	cr_assert_eq(G.n, 4);
	const char *want[] = { "e7", "c", "a", "b" }; /* equal times: insertion order */
	for (size_t i = 0; i < 4; i++)
		cr_assert_str_eq(G.e[i].message, want[i]);
	cr_assert_eq(read_e(15, 20, 2, 100), 0);
	cr_assert_eq(G.n, 1);
	cr_assert_str_eq(G.e[0].message, "b");
	cr_assert_eq(read_e(0, 100, 0, 2), 0);
	cr_assert_eq(G.n, 2);
	cr_assert_str_eq(G.e[0].message, "early");
	cr_assert_eq(read_e(21, 100, 0, 100), 0);
	cr_assert_eq(G.n, 0);
	cr_assert_eq(read_e(15, 15, 0, 100), 0);
	cr_assert_eq(G.n, 0);
	hiveha_event late = ev(15, 1, 1, "d", 1); /* a later insert goes after equal times */
	cr_assert_eq(insert_events(&late, 1), 1);
	cr_assert_eq(read_e(15, 16, 3, 100), 0);
	cr_assert_eq(G.n, 1);
	cr_assert_str_eq(G.e[0].message, "d");
}

Test(store, read_events_visitor_stop_is_passed_back)
{
	hiveha_event e[40];
	char msg[40][8];
	for (int i = 0; i < 40; i++) {
		snprintf(msg[i], sizeof msg[i], "m%d", i);
		e[i] = ev(100 + i, 1, 1, msg[i], 1);
	}
	cr_assert_eq(insert_events(e, 40), 40);
	got_reset();
	G.stop_after = 1;
	cr_assert_eq(S.read_events(S.ctx, 0, 1000, 0, 1000, on_events, &G), 42);
	cr_assert_eq(G.calls, 1);
	/* and the whole set in batches */
	cr_assert_eq(read_e(0, 1000, 0, 1000), 0);
	cr_assert_eq(G.n, 40);
	for (int i = 0; i < 40; i++)
		cr_assert(hiveha_event_equal(&G.e[i], &e[i]), "event %d", i);
}

Test(store, event_fields_and_attributes_round_trip)
{
	hiveha_attribute attrs[6];
	memset(attrs, 0, sizeof attrs);
	attrs[0].name = "d";
	hiveha_value_set_double(&attrs[0].value, -0.0);
	attrs[1].name = "i";
	hiveha_value_set_int64(&attrs[1].value, INT64_MIN);
	attrs[2].name = "u";
	hiveha_value_set_uint64(&attrs[2].value, UINT64_MAX);
	attrs[3].name = "s";
	cr_assert_eq(hiveha_value_set_string(&attrs[3].value, "\xe2\x82\xac 5", 5), 0);
	attrs[4].name = "t";
	hiveha_value_set_time(&attrs[4].value, 123456789012345678);
	attrs[5].name = "b";
	hiveha_value_set_bool(&attrs[5].value, true);
	hiveha_event e = {
		.time = INT64_C(133000000000000000), .received_time = INT64_C(133000000000000007),
		.source_id = UINT32_MAX, .type_id = 7, .category = 0x80000001u, .state = 0xF0F0F0F0u,
		.severity = 1000, .source_name = "Boiler \xc3\xa9", .message = "Over temp \"high\"",
		.user_name = "op1", .attributes = attrs, .attribute_count = 6,
	};
	hiveha_event bare = ev(5, 0, 0, NULL, 0); /* NULL strings, no attributes */
	cr_assert_eq(insert_events(&e, 1), 1);
	cr_assert_eq(insert_events(&bare, 1), 1);
	cr_assert_eq(read_e(HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, 0, 100), 0);
	cr_assert_eq(G.n, 2);
	cr_assert(hiveha_event_equal(&G.e[1], &e));
	cr_assert(hiveha_event_equal(&G.e[0], &bare));
	cr_assert_eq(G.e[1].attribute_count, 6);
	cr_assert_str_eq(G.e[1].attributes[3].name, "s");
	cr_assert(signbit(G.e[1].attributes[0].value.as.f64));
	hiveha_value_clear(&attrs[3].value);
}

/* ---- vectors and matrices ------------------------------------------------- */

/* A store says it keeps arrays losslessly by declaring store.h version 3.
 * Until the header has it, every store built against this header is held
 * to the array cases; once it has, a store of an older version skips them
 * (the library does not hand it arrays). */
#if HIVEHA_STORE_VERSION >= 3
#define ARRAYS_SINCE 3u
#else
#define ARRAYS_SINCE HIVEHA_STORE_VERSION
#endif

static void need_arrays(void)
{
	if (S.version < ARRAYS_SINCE)
		cr_skip_test("store version %u keeps no arrays", (unsigned)S.version);
}

static double bits_double(uint64_t u)
{
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

/* Element i of a test array of `elem`: NaN payloads, signed zeros and
 * extremes among them, and strings with NULs. */
static void fill_elem(uint32_t elem, void *elems, size_t i, char (*text)[8])
{
	static const uint64_t dbits[] = { UINT64_C(0x7ff8000000abcdef), UINT64_C(0xfff0000000000001),
	                                  UINT64_C(0x8000000000000000), 0, UINT64_C(0x7fefffffffffffff),
	                                  1 };
	static const uint32_t fbits[] = { 0x7fc12345u, 0x7f800001u, 0x80000000u, 0, 0x7f7fffffu, 1 };
	switch (elem) {
	case HIVEHA_TYPE_BOOL: ((bool *)elems)[i] = i % 2 == 0; break;
	case HIVEHA_TYPE_INT64: ((int64_t *)elems)[i] = i % 2 ? INT64_MIN + (int64_t)i : INT64_MAX - (int64_t)i; break;
	case HIVEHA_TYPE_UINT64: ((uint64_t *)elems)[i] = UINT64_MAX - i; break;
	case HIVEHA_TYPE_FLOAT: memcpy((float *)elems + i, &fbits[i % 6], 4); break;
	case HIVEHA_TYPE_DOUBLE: ((double *)elems)[i] = bits_double(dbits[i % 6]); break;
	case HIVEHA_TYPE_TIME: ((hiveha_time *)elems)[i] = i % 2 ? HIVEHA_TIME_MIN : HIVEHA_TIME_MAX - (hiveha_time)i; break;
	case HIVEHA_TYPE_STRING: {
		hiveha_string *s = elems;
		memcpy(text[i], "s\0?", 4); /* a NUL inside, then a digit and the terminator */
		text[i][2] = (char)('0' + i % 10);
		s[i].ptr = text[i];
		s[i].len = i % 3 == 2 ? 0 : 3;
		break;
	}
	}
}

/* A vector (rows 0) or rows x cols matrix of `elem` with fill_elem's data. */
static void make_array(hiveha_value *v, uint32_t elem, size_t rows, size_t cols)
{
	union { bool b[16]; int64_t i[16]; uint64_t u[16]; float f[16]; double d[16];
	        hiveha_string s[16]; } buf;
	char text[16][8];
	size_t n = rows ? rows * cols : cols;
	cr_assert_leq(n, 16);
	memset(&buf, 0, sizeof buf);
	for (size_t i = 0; i < n; i++)
		fill_elem(elem, &buf, i, text);
	int rc = rows ? hiveha_value_set_matrix(v, elem, &buf, rows, cols)
	              : hiveha_value_set_vector(v, elem, &buf, cols);
	cr_assert_eq(rc, 0, "make_array(%u, %zu, %zu): %s", elem, rows, cols, hiveha_strerror(rc));
}

/* Equal by value.h's bit-exact order, and the same shape. */
static void expect_same_value(const hiveha_value *have, const hiveha_value *want, const char *what,
                              size_t i)
{
	cr_assert_eq(have->type, want->type, "%s %zu: type %#x, want %#x", what, i, have->type, want->type);
	cr_assert_eq(hiveha_value_rows(have), hiveha_value_rows(want), "%s %zu rows", what, i);
	cr_assert_eq(hiveha_value_cols(have), hiveha_value_cols(want), "%s %zu cols", what, i);
	cr_assert_eq(hiveha_value_compare(have, want), 0, "%s %zu differs", what, i);
}

/* Every element type as a vector of 5, a 2 x 3 matrix, an empty vector, a
 * 0 x 3 and a 3 x 0 matrix: 35 samples, two per timestamp. */
static size_t seed_arrays(hiveha_sample *s, size_t cap)
{
	const size_t shapes[5][2] = { { 0, 5 }, { 2, 3 }, { 0, 0 }, { 0, 3 }, { 3, 0 } };
	size_t n = 0;
	memset(s, 0, cap * sizeof *s);
	for (uint32_t e = HIVEHA_TYPE_BOOL; e <= HIVEHA_TYPE_TIME; e++) {
		for (size_t k = 0; k < 5; k++) {
			cr_assert_lt(n, cap);
			s[n].time = 1000 + (hiveha_time)(n / 2);
			s[n].quality = 0x10000u * (uint32_t)n + 192u;
			if (k == 3)
				cr_assert_eq(hiveha_value_set_matrix(&s[n].value, e, NULL, 0, 3), 0);
			else if (k == 4)
				cr_assert_eq(hiveha_value_set_matrix(&s[n].value, e, NULL, 3, 0), 0);
			else
				make_array(&s[n].value, e, shapes[k][0], shapes[k][1]);
			n++;
		}
	}
	return n;
}

static void clear_samples(hiveha_sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hiveha_value_clear(&s[i].value);
}

Test(store, arrays_of_every_type_round_trip)
{
	need_arrays();
	hiveha_sample s[40];
	size_t n = seed_arrays(s, 40);
	replace("arr", 0, 0, s, n);
	cr_assert_eq(read_s("arr", 0, 2000, 0, 100), 0);
	cr_assert_eq(G.n, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(G.s[i].time, s[i].time, "sample %zu time", i);
		cr_assert_eq(G.s[i].quality, s[i].quality, "sample %zu quality", i);
		expect_same_value(&G.s[i].value, &s[i].value, "sample", i);
		cr_assert_eq(hiveha_sample_compare(&G.s[i], &s[i]), 0, "sample %zu", i);
	}
	/* what compare already says, spelled out: NaN bits and -0.0 survive */
	const double *d = hiveha_value_elements(&G.s[20].value);
	cr_assert_eq(hiveha_value_element_type(&G.s[20].value), HIVEHA_TYPE_DOUBLE);
	cr_assert_not_null(d);
	uint64_t b0, b2;
	memcpy(&b0, &d[0], 8);
	memcpy(&b2, &d[2], 8);
	cr_assert_eq(b0, UINT64_C(0x7ff8000000abcdef));
	cr_assert_eq(b2, UINT64_C(0x8000000000000000));
	const hiveha_string *str = hiveha_value_elements(&G.s[25].value);
	cr_assert_eq(hiveha_value_element_type(&G.s[25].value), HIVEHA_TYPE_STRING);
	cr_assert_eq(str[0].len, 3);
	cr_assert_eq(memcmp(str[0].ptr, "s\0" "0", 4), 0, "the NUL inside and the terminator");
	clear_samples(s, n);
}

Test(store, arrays_and_scalars_share_an_item_and_replace_each_other)
{
	need_arrays();
	hiveha_sample s[4];
	memset(s, 0, sizeof s);
	s[0] = sd(10, 1);
	make_array(&s[1].value, HIVEHA_TYPE_DOUBLE, 0, 4);
	s[1].time = 11;
	make_array(&s[2].value, HIVEHA_TYPE_STRING, 2, 2);
	s[2].time = 12;
	s[3] = sd(13, 4);
	replace("i", 0, 0, s, 4);
	hiveha_sample y[2];
	memset(y, 0, sizeof y);
	y[0] = sd(11, -11);
	make_array(&y[1].value, HIVEHA_TYPE_INT64, 1, 3);
	y[1].time = 12;
	replace("i", 11, 13, y, 2); /* the arrays at 11 and 12 go */
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 4);
	expect_same_value(&G.s[0].value, &s[0].value, "sample", 0);
	expect_same_value(&G.s[1].value, &y[0].value, "sample", 1);
	expect_same_value(&G.s[2].value, &y[1].value, "sample", 2);
	expect_same_value(&G.s[3].value, &s[3].value, "sample", 3);
	clear_samples(s, 4);
	clear_samples(y, 2);
}

Test(store, equal_timestamp_arrays_keep_order_and_skip_counts_them)
{
	need_arrays();
	hiveha_sample s[7];
	memset(s, 0, sizeof s);
	for (size_t i = 0; i < 7; i++) {
		s[i].time = i < 5 ? 15 : 16;
		s[i].quality = (uint32_t)i;
		make_array(&s[i].value, i % 2 ? HIVEHA_TYPE_STRING : HIVEHA_TYPE_DOUBLE, i % 3 ? 0 : 2,
		           i % 3 ? i : 2);
	}
	replace("i", 0, 0, s, 3);
	replace("i", 0, 0, s + 3, 4); /* after the stored 15s */
	cr_assert_eq(read_s("i", 15, 20, 3, 100), 0);
	cr_assert_eq(G.n, 4);
	for (size_t i = 0; i < 4; i++)
		expect_same_value(&G.s[i].value, &s[3 + i].value, "after skip 3", i);
	hiveha_sample out[16];
	for (size_t page = 1; page <= 4; page++) {
		size_t n = page_all("i", 10, 20, page, out, 16);
		cr_assert_eq(n, 7, "page %zu: %zu samples", page, n);
		for (size_t i = 0; i < n; i++) {
			cr_assert_eq(hiveha_sample_compare(&out[i], &s[i]), 0, "page %zu sample %zu", page, i);
			hiveha_value_clear(&out[i].value);
		}
	}
	clear_samples(s, 7);
}

Test(store, event_attributes_with_arrays_round_trip)
{
	need_arrays();
	hiveha_attribute attrs[16];
	char names[16][8];
	size_t n = 0;
	memset(attrs, 0, sizeof attrs);
	for (uint32_t e = HIVEHA_TYPE_BOOL; e <= HIVEHA_TYPE_TIME; e++) {
		snprintf(names[n], sizeof names[n], "v%u", e);
		attrs[n].name = names[n];
		make_array(&attrs[n++].value, e, 0, 4);
		snprintf(names[n], sizeof names[n], "m%u", e);
		attrs[n].name = names[n];
		make_array(&attrs[n++].value, e, 3, 2);
	}
	attrs[n].name = "empty";
	cr_assert_eq(hiveha_value_set_matrix(&attrs[n++].value, HIVEHA_TYPE_DOUBLE, NULL, 0, 3), 0);
	attrs[n].name = "scalar";
	hiveha_value_set_double(&attrs[n++].value, -0.0);
	hiveha_event e = ev(50, 1, 2, "with arrays", 10);
	e.attributes = attrs;
	e.attribute_count = n;
	hiveha_event plain = ev(50, 1, 2, "plain", 10);
	hiveha_event batch[2] = { e, plain };
	cr_assert_eq(insert_events(batch, 2), 2);
	cr_assert_eq(insert_events(&e, 1), 0, "identity ignores the attributes");
	cr_assert_eq(read_e(0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 2);
	cr_assert(hiveha_event_equal(&G.e[0], &e));
	cr_assert(hiveha_event_equal(&G.e[1], &plain));
	cr_assert_eq(G.e[0].attribute_count, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(G.e[0].attributes[i].name, attrs[i].name);
		expect_same_value(&G.e[0].attributes[i].value, &attrs[i].value, "attribute", i);
	}
	cr_assert_eq(read_e(50, 51, 1, 100), 0);
	cr_assert_eq(G.n, 1, "skip passes the event with arrays");
	cr_assert_str_eq(G.e[0].message, "plain");
	for (size_t i = 0; i < n; i++)
		hiveha_value_clear(&attrs[i].value);
}

/* ---- key/value ------------------------------------------------------------ */

Test(store, kv_missing_key)
{
	cr_assert_eq(kv_get("nothing"), HIVEHA_ENOTFOUND);
	cr_assert_eq(kvcalls, 0);
}

Test(store, kv_put_get_replace_delete)
{
	kv_put("k", "one", 3);
	cr_assert_eq(kv_get("k"), 0);
	cr_assert_eq(kvcalls, 1);
	cr_assert_eq(kvlen, 3);
	cr_assert_eq(memcmp(kvbuf, "one", 3), 0);
	kv_put("k", "second", 6);
	cr_assert_eq(kv_get("k"), 0);
	cr_assert_eq(kvlen, 6);
	cr_assert_eq(memcmp(kvbuf, "second", 6), 0);
	hiveha_store_txn *txn = begin();
	cr_assert_eq(S.kv_delete(S.ctx, txn, "k"), 0);
	cr_assert_eq(S.kv_delete(S.ctx, txn, "never-there"), 0);
	commit(txn);
	cr_assert_eq(kv_get("k"), HIVEHA_ENOTFOUND);
}

Test(store, kv_binary_and_empty_values)
{
	const unsigned char bin[6] = { 0, 1, 0, 0xFF, 0x80, 0 };
	kv_put("bin", bin, sizeof bin);
	kv_put("empty", "", 0);
	kv_put("other", "x", 1);
	cr_assert_eq(kv_get("bin"), 0);
	cr_assert_eq(kvlen, 6);
	cr_assert_eq(memcmp(kvbuf, bin, 6), 0);
	cr_assert_eq(kv_get("empty"), 0);
	cr_assert_eq(kvcalls, 1);
	cr_assert_eq(kvlen, 0);
}

static int kv_refuse(const void *data, size_t len, void *payload)
{
	(void)data;
	(void)len;
	(void)payload;
	return -1234;
}

Test(store, kv_get_passes_callback_value_back)
{
	kv_put("k", "v", 1);
	cr_assert_eq(S.kv_get(S.ctx, "k", kv_refuse, NULL), -1234);
}

/* ---- transactions --------------------------------------------------------- */

static void write_all_three(hiveha_store_txn *txn)
{
	hiveha_sample s[2] = { sd(10, 1), sd(11, 2) };
	hiveha_event e = ev(10, 1, 1, "t", 1);
	cr_assert_eq(S.replace_samples(S.ctx, txn, "i", 0, 100, s, 2), 0);
	cr_assert_eq(S.insert_events(S.ctx, txn, &e, 1, NULL), 0);
	cr_assert_eq(S.kv_put(S.ctx, txn, "k", "new", 3), 0);
	cr_assert_eq(S.kv_delete(S.ctx, txn, "gone"), 0);
}

static void seed_before_txn(void)
{
	hiveha_sample old = sd(50, 5);
	replace("i", 0, 0, &old, 1);
	kv_put("k", "old", 3);
	kv_put("gone", "g", 1);
}

static void expect_before_txn(void)
{
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	expect_td((hiveha_time[]){ 50 }, (double[]){ 5 }, 1);
	cr_assert_eq(read_e(0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 0);
	cr_assert_eq(kv_get("k"), 0);
	cr_assert_eq(memcmp(kvbuf, "old", 3), 0);
	cr_assert_eq(kv_get("gone"), 0);
}

Test(store, rollback_discards_samples_events_and_kv_together)
{
	seed_before_txn();
	hiveha_store_txn *txn = begin();
	write_all_three(txn);
	S.rollback(S.ctx, txn);
	expect_before_txn();
	cr_assert_eq(list(), 0);
	cr_assert_eq(nitems, 1);
}

Test(store, rollback_does_not_create_items)
{
	hiveha_store_txn *txn = begin();
	cr_assert_eq(S.replace_samples(S.ctx, txn, "ghost", 0, 10, NULL, 0), 0);
	S.rollback(S.ctx, txn);
	cr_assert_eq(list(), 0);
	cr_assert_eq(nitems, 0);
	cr_assert_eq(read_s("ghost", 0, 10, 0, 10), HIVEHA_ENOTFOUND);
}

Test(store, reads_see_committed_state_only)
{
	seed_before_txn();
	hiveha_store_txn *txn = begin();
	write_all_three(txn);
	expect_before_txn(); /* not visible before commit */
	commit(txn);
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	expect_td((hiveha_time[]){ 10, 11 }, (double[]){ 1, 2 }, 2);
	cr_assert_eq(read_e(0, 100, 0, 100), 0);
	cr_assert_eq(G.n, 1);
	cr_assert_eq(kv_get("k"), 0);
	cr_assert_eq(memcmp(kvbuf, "new", 3), 0);
	cr_assert_eq(kv_get("gone"), HIVEHA_ENOTFOUND);
}

Test(store, transactions_follow_each_other)
{
	seed_before_txn();
	hiveha_store_txn *txn = begin();
	write_all_three(txn);
	S.rollback(S.ctx, txn);
	txn = begin();
	hiveha_sample s = sd(60, 6);
	cr_assert_eq(S.replace_samples(S.ctx, txn, "i", 0, 0, &s, 1), 0);
	commit(txn);
	txn = begin();
	commit(txn); /* an empty transaction commits */
	cr_assert_eq(read_s("i", 0, 100, 0, 100), 0);
	expect_td((hiveha_time[]){ 50, 60 }, (double[]){ 5, 6 }, 2);
}
