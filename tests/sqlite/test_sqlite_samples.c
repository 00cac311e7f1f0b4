/* Values, samples: round trips, equal timestamps, replace, paging, items. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sqtest.h"

TestSuite(sqlite_samples, .init = sqt_setup, .fini = sqt_teardown);

static void read_all(const hiveha_store *st, const char *item, sqt_samples *got)
{
	cr_assert_eq(st->read_samples(st->ctx, item, HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, 0, SIZE_MAX,
	                              sqt_collect_samples, got), 0);
}

/* Bit-exact equality (NaN payloads, -0.0) on top of hiveha_sample_compare. */
static void assert_same_sample(const hiveha_sample *a, const hiveha_sample *b, size_t i)
{
	cr_assert_eq(hiveha_sample_compare(a, b), 0, "sample %zu differs", i);
	cr_assert_eq(a->value.type, b->value.type, "sample %zu type", i);
	if (a->value.type == HIVEHA_TYPE_DOUBLE)
		cr_assert_eq(memcmp(&a->value.as.f64, &b->value.as.f64, 8), 0, "sample %zu bits", i);
	if (a->value.type == HIVEHA_TYPE_FLOAT)
		cr_assert_eq(memcmp(&a->value.as.f32, &b->value.as.f32, 4), 0, "sample %zu bits", i);
	if (a->value.type == HIVEHA_TYPE_STRING) {
		cr_assert_eq(a->value.as.str.len, b->value.as.str.len);
		cr_assert_eq(b->value.as.str.ptr[b->value.as.str.len], '\0');
	}
}

Test(sqlite_samples, every_value_type_round_trips_exactly)
{
	hiveha_store st;
	hiveha_sample in[40];
	size_t n = 0;
	sqt_samples got = { 0 };
	double nan_payload, neg_nan;
	float fnan;
	uint64_t bits = UINT64_C(0x7ff8000000abcdef);
	uint32_t fbits = 0x7fc12345u;
	static char big[100000];

	memcpy(&nan_payload, &bits, 8);
	bits = UINT64_C(0xfff0000000000001); /* negative signalling NaN */
	memcpy(&neg_nan, &bits, 8);
	memcpy(&fnan, &fbits, 4);
	memset(big, 'z', sizeof big - 1);
	memset(in, 0, sizeof in);
#define NEXT (in[n].time = (hiveha_time)n * 10 - 100, in[n].quality = (uint32_t)n * 0x10001u, &in[n++].value)
	hiveha_value_set_double(NEXT, NAN);
	hiveha_value_set_double(NEXT, nan_payload);
	hiveha_value_set_double(NEXT, neg_nan);
	hiveha_value_set_double(NEXT, -0.0);
	hiveha_value_set_double(NEXT, 0.0);
	hiveha_value_set_double(NEXT, INFINITY);
	hiveha_value_set_double(NEXT, -INFINITY);
	hiveha_value_set_double(NEXT, 4.9406564584124654e-324);
	hiveha_value_set_double(NEXT, 1.7976931348623157e308);
	hiveha_value_set_double(NEXT, 0.1);
	hiveha_value_set_float(NEXT, fnan);
	hiveha_value_set_float(NEXT, -0.0f);
	hiveha_value_set_float(NEXT, -INFINITY);
	hiveha_value_set_float(NEXT, 3.4028235e38f);
	hiveha_value_set_int64(NEXT, INT64_MIN);
	hiveha_value_set_int64(NEXT, INT64_MAX);
	hiveha_value_set_int64(NEXT, -1);
	hiveha_value_set_uint64(NEXT, UINT64_MAX);
	hiveha_value_set_uint64(NEXT, UINT64_C(9223372036854775808));
	hiveha_value_set_uint64(NEXT, 0);
	hiveha_value_set_bool(NEXT, true);
	hiveha_value_set_bool(NEXT, false);
	hiveha_value_set_time(NEXT, HIVEHA_TIME_MIN);
	hiveha_value_set_time(NEXT, HIVEHA_TIME_MAX);
	NEXT; /* EMPTY */
	cr_assert_eq(hiveha_value_set_string(NEXT, "", 0), 0);
	cr_assert_eq(hiveha_value_set_string(NEXT, "h\xc3\xa9llo \xe2\x82\xac", 10), 0);
	cr_assert_eq(hiveha_value_set_string(NEXT, big, sizeof big - 1), 0);
	in[n - 1].quality = UINT32_MAX;
#undef NEXT
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "v", in, n), 0);
	sqt_close(&st);
	sqt_open(&st, "a.db", 0); /* from the file, not from a cache */
	read_all(&st, "v", &got);
	cr_assert_eq(got.n, n);
	for (size_t i = 0; i < n; i++)
		assert_same_sample(&in[i], &got.v[i], i);
	for (size_t i = 0; i < n; i++)
		hiveha_value_clear(&in[i].value);
	sqt_samples_free(&got);
	sqt_close(&st);
}

Test(sqlite_samples, unsupported_value_type_is_rejected_and_nothing_stored)
{
	hiveha_store st;
	hiveha_sample s[2] = { sqt_dbl(1, 1.0), sqt_dbl(2, 2.0) };
	/* Invalid tags: a flag value.h does not define, both flags, an array
	 * of EMPTY, and a valid array tag without its payload. (Before arrays
	 * existed this was ARRAY | DOUBLE, which is now a valid tag.) */
	const uint32_t bad[] = { 0x400u | HIVEHA_TYPE_DOUBLE,
	                         HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_MATRIX | HIVEHA_TYPE_DOUBLE,
	                         HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_EMPTY, 8u,
	                         HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_DOUBLE };
	uint64_t n = 7;

	sqt_open(&st, "a.db", 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&s[1].value, 0, sizeof s[1].value);
		s[1].value.type = bad[i];
		cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", s, 2), HIVEHA_EINVAL, "tag %#x", bad[i]);
		cr_assert_eq(hiveha_sqlite_count_items(&st, &n), 0);
		cr_assert_eq(n, 0, "the item was not created either (tag %#x)", bad[i]);
	}
	sqt_close(&st);
}

Test(sqlite_samples, equal_timestamps_keep_their_order_across_appends)
{
	hiveha_store st;
	hiveha_sample a[4] = { sqt_dbl(5, 0), sqt_dbl(10, 1), sqt_dbl(10, 2), sqt_dbl(10, 3) };
	hiveha_sample b[3] = { sqt_dbl(10, 4), sqt_dbl(10, 5), sqt_dbl(20, 6) };
	hiveha_sample c[2] = { sqt_dbl(10, 7), sqt_dbl(5, 8) }; /* out of order: slow path */
	double want[] = { 0, 8, 1, 2, 3, 4, 5, 7, 6 };
	sqt_samples got = { 0 };

	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", a, 4), 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", b, 3), 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", c, 2), 0);
	read_all(&st, "x", &got);
	cr_assert_eq(got.n, 9);
	for (size_t i = 0; i < 9; i++)
		cr_assert_eq(got.v[i].value.as.f64, want[i], "at %zu", i);
	sqt_samples_free(&got);
	sqt_close(&st);
}

Test(sqlite_samples, replace_deletes_the_half_open_range_then_appends)
{
	hiveha_store st;
	hiveha_sample base[10], repl[5] = { sqt_dbl(3, 103), sqt_dbl(5, 105), sqt_dbl(5, 115),
	                                    sqt_dbl(8, 108), sqt_dbl(12, 112) };
	double want[] = { 0, 1, 2, 103, 105, 115, 6, 7, 8, 108, 9, 112 };
	hiveha_store_txn *txn;
	sqt_samples got = { 0 };

	for (int i = 0; i < 10; i++)
		base[i] = sqt_dbl(i, i);
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", base, 10), 0);
	txn = sqt_begin(&st);
	/* [3, 6): 3, 4, 5 go; 6 (== to) stays; 8 and 12 lie outside and are added. */
	cr_assert_eq(st.replace_samples(st.ctx, txn, "x", 3, 6, repl, 5), 0);
	sqt_commit(&st, txn);
	read_all(&st, "x", &got);
	cr_assert_eq(got.n, 12);
	for (size_t i = 0; i < got.n; i++)
		cr_assert_eq(got.v[i].value.as.f64, want[i], "at %zu: %g", i, got.v[i].value.as.f64);
	sqt_samples_free(&got);

	/* An empty range deletes nothing; replacing twice is idempotent. */
	txn = sqt_begin(&st);
	cr_assert_eq(st.replace_samples(st.ctx, txn, "x", 6, 6, NULL, 0), 0);
	cr_assert_eq(st.replace_samples(st.ctx, txn, "x", 9, 2, NULL, 0), 0);
	cr_assert_eq(st.replace_samples(st.ctx, txn, "x", 3, 6, repl, 3), 0);
	sqt_commit(&st, txn);
	read_all(&st, "x", &got);
	cr_assert_eq(got.n, 12);
	sqt_samples_free(&got);
	sqt_close(&st);
}

Test(sqlite_samples, replace_creates_an_unknown_item)
{
	hiveha_store st;
	hiveha_store_txn *txn;
	uint64_t n = 0;

	sqt_open(&st, "a.db", 0);
	txn = sqt_begin(&st);
	cr_assert_eq(st.replace_samples(st.ctx, txn, "new", 0, 100, NULL, 0), 0);
	sqt_commit(&st, txn);
	cr_assert_eq(hiveha_sqlite_count_samples(&st, "new", HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(hiveha_sqlite_count_items(&st, &n), 0);
	cr_assert_eq(n, 1);
	sqt_close(&st);
}

Test(sqlite_samples, read_is_half_open_and_unknown_item_is_notfound)
{
	hiveha_store st;
	hiveha_sample s[3] = { sqt_dbl(10, 1), sqt_dbl(20, 2), sqt_dbl(30, 3) };
	sqt_samples got = { 0 };

	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", s, 3), 0);
	cr_assert_eq(st.read_samples(st.ctx, "nope", 0, 100, 0, 10, sqt_collect_samples, &got),
	             HIVEHA_ENOTFOUND);
	cr_assert_eq(st.read_samples(st.ctx, "x", 10, 30, 0, 10, sqt_collect_samples, &got), 0);
	cr_assert_eq(got.n, 2);
	cr_assert_eq(got.v[0].time, 10);
	cr_assert_eq(got.v[1].time, 20);
	sqt_samples_free(&got);
	cr_assert_eq(st.read_samples(st.ctx, "x", 31, 100, 0, 10, sqt_collect_samples, &got), 0);
	cr_assert_eq(st.read_samples(st.ctx, "x", 30, 10, 0, 10, sqt_collect_samples, &got), 0);
	cr_assert_eq(st.read_samples(st.ctx, "x", 0, 100, 0, 0, sqt_collect_samples, &got), 0);
	cr_assert_eq(got.calls, 0, "nothing to deliver, no call");
	sqt_close(&st);
}

/* Pages of `page` samples resumed exactly as the responder does: from the
 * last time, skipping the samples already delivered at that time. */
static void page_through(const hiveha_store *st, size_t page, sqt_samples *all)
{
	hiveha_time from = 0;
	uint64_t skip = 0;

	for (int guard = 0; guard < 1000; guard++) {
		sqt_samples got = { 0 };
		size_t i;

		cr_assert_eq(st->read_samples(st->ctx, "x", from, 1000, skip, page, sqt_collect_samples, &got), 0);
		for (i = 0; i < got.n; i++)
			sqt_collect_samples(&got.v[i], 1, all);
		if (got.n < page) {
			sqt_samples_free(&got);
			return;
		}
		if (got.v[got.n - 1].time != from)
			skip = 0;
		from = got.v[got.n - 1].time;
		for (i = got.n; i > 0 && got.v[i - 1].time == from; i--)
			skip++;
		sqt_samples_free(&got);
	}
	cr_assert_fail("paging did not end");
}

Test(sqlite_samples, paging_with_skip_neither_drops_nor_duplicates_equal_times)
{
	hiveha_store st;
	hiveha_sample s[23];
	sqt_samples ref = { 0 };

	/* Runs of equal timestamps longer and shorter than a page. */
	for (int i = 0; i < 23; i++)
		s[i] = sqt_dbl(i < 7 ? 100 : i < 9 ? 200 : i < 20 ? 300 : 400 + i, i);
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", s, 23), 0);
	read_all(&st, "x", &ref);
	cr_assert_eq(ref.n, 23);
	for (size_t page = 1; page <= 24; page++) {
		sqt_samples all = { 0 };

		page_through(&st, page, &all);
		cr_assert_eq(all.n, 23, "page %zu", page);
		for (size_t i = 0; i < 23; i++)
			cr_assert_eq(all.v[i].value.as.f64, (double)i, "page %zu at %zu", page, i);
		sqt_samples_free(&all);
	}
	sqt_samples_free(&ref);

	/* Skipping past every sample at `from` continues after it. */
	cr_assert_eq(st.read_samples(st.ctx, "x", 200, 1000, 5, 3, sqt_collect_samples, &ref), 0);
	cr_assert_eq(ref.n, 3);
	cr_assert_eq(ref.v[0].value.as.f64, 9.0);
	sqt_samples_free(&ref);
	cr_assert_eq(st.read_samples(st.ctx, "x", 300, 1000, UINT64_MAX, 3, sqt_collect_samples, &ref), 0);
	cr_assert_eq(ref.n, 3);
	cr_assert_eq(ref.v[0].value.as.f64, 20.0);
	sqt_samples_free(&ref);
	sqt_close(&st);
}

Test(sqlite_samples, large_reads_come_in_bounded_batches_and_stop_on_request)
{
	hiveha_store st;
	enum { N = 5000 };
	hiveha_sample *s = calloc(N, sizeof *s);
	sqt_samples got = { 0 };

	for (int i = 0; i < N; i++)
		s[i] = sqt_dbl(i, i);
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", s, N), 0);
	cr_assert_eq(st.read_samples(st.ctx, "x", 0, N, 0, 3000, sqt_collect_samples, &got), 0);
	cr_assert_eq(got.n, 3000);
	cr_assert_gt(got.calls, 1);
	for (size_t i = 0; i < got.n; i++)
		cr_assert_eq(got.v[i].time, (hiveha_time)i);
	sqt_samples_free(&got);
	got.stop_after = 700;
	cr_assert_eq(st.read_samples(st.ctx, "x", 0, N, 0, N, sqt_collect_samples, &got), 42);
	cr_assert_eq(got.n, 700);
	sqt_samples_free(&got);
	free(s);
	sqt_close(&st);
}

typedef struct names {
	char v[8][16];
	int n, stop_at;
} names;

static int collect_name(const char *id, void *p)
{
	names *c = p;

	cr_assert_lt(c->n, 8);
	strcpy(c->v[c->n++], id);
	return c->n == c->stop_at ? -17 : 0;
}

Test(sqlite_samples, items_are_listed_in_byte_order_and_counted)
{
	hiveha_store st;
	const char *ids[] = { "b", "\xc3\xa4", "B", "a b", "a", "ab" };
	const char *want[] = { "B", "a", "a b", "ab", "b", "\xc3\xa4" };
	hiveha_sample s = sqt_dbl(1, 1);
	names got = { .n = 0 };
	uint64_t n = 0;

	sqt_open(&st, "a.db", 0);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(hiveha_sqlite_ensure_item(&st, ids[i]), 0);
	cr_assert_eq(hiveha_sqlite_ensure_item(&st, "a"), 0, "idempotent");
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "ab", &s, 1), 0);
	cr_assert_eq(hiveha_sqlite_count_items(&st, &n), 0);
	cr_assert_eq(n, 6);
	cr_assert_eq(st.list_items(st.ctx, collect_name, &got), 0);
	cr_assert_eq(got.n, 6);
	for (int i = 0; i < 6; i++)
		cr_assert_str_eq(got.v[i], want[i]);
	got.n = 0;
	got.stop_at = 2;
	cr_assert_eq(st.list_items(st.ctx, collect_name, &got), -17);
	cr_assert_eq(got.n, 2);
	cr_assert_eq(hiveha_sqlite_count_samples(&st, "ab", 0, 2, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(hiveha_sqlite_count_samples(&st, "zz", 0, 2, &n), HIVEHA_ENOTFOUND);
	sqt_close(&st);
}
