/* Transactions and the key/value area. */
#include <criterion/criterion.h>
#include <string.h>

#include "sqtest.h"

TestSuite(sqlite_txn, .init = sqt_setup, .fini = sqt_teardown);

typedef struct bytes {
	char v[64];
	size_t len;
	int calls;
} bytes;

static int get_bytes(const void *d, size_t len, void *p)
{
	bytes *b = p;

	cr_assert_not_null(d);
	cr_assert_leq(len, sizeof b->v);
	memcpy(b->v, d, len);
	b->len = len;
	b->calls++;
	return 0;
}

static int refuse(const void *d, size_t len, void *p)
{
	(void)d;
	(void)len;
	(void)p;
	return -17;
}

Test(sqlite_txn, kv_put_get_replace_delete)
{
	hiveha_store st;
	hiveha_store_txn *txn;
	bytes b = { .len = 0 };

	sqt_open(&st, "a.db", 0);
	cr_assert_eq(st.kv_get(st.ctx, "k", get_bytes, &b), HIVEHA_ENOTFOUND);
	cr_assert_eq(b.calls, 0);
	txn = sqt_begin(&st);
	cr_assert_eq(st.kv_put(st.ctx, txn, "k", "one\0two", 7), 0);
	cr_assert_eq(st.kv_put(st.ctx, txn, "empty", NULL, 0), 0);
	/* kv_get reads committed state only. */
	cr_assert_eq(st.kv_get(st.ctx, "k", get_bytes, &b), HIVEHA_ENOTFOUND);
	sqt_commit(&st, txn);
	cr_assert_eq(st.kv_get(st.ctx, "k", get_bytes, &b), 0);
	cr_assert_eq(b.len, 7);
	cr_assert_eq(memcmp(b.v, "one\0two", 7), 0);
	cr_assert_eq(st.kv_get(st.ctx, "empty", get_bytes, &b), 0);
	cr_assert_eq(b.len, 0);
	cr_assert_eq(st.kv_get(st.ctx, "k", refuse, NULL), -17);

	txn = sqt_begin(&st);
	cr_assert_eq(st.kv_put(st.ctx, txn, "k", "new", 3), 0);
	cr_assert_eq(st.kv_delete(st.ctx, txn, "empty"), 0);
	cr_assert_eq(st.kv_delete(st.ctx, txn, "never-was"), 0);
	sqt_commit(&st, txn);
	cr_assert_eq(st.kv_get(st.ctx, "k", get_bytes, &b), 0);
	cr_assert_eq(b.len, 3);
	cr_assert_eq(memcmp(b.v, "new", 3), 0);
	cr_assert_eq(st.kv_get(st.ctx, "empty", get_bytes, &b), HIVEHA_ENOTFOUND);
	sqt_close(&st);
}

static void write_all_kinds(const hiveha_store *st, hiveha_store_txn *txn)
{
	hiveha_sample s[2] = { sqt_dbl(1, 10), sqt_dbl(2, 20) };
	hiveha_event e = sqt_event(3, 1, 1, "new");

	cr_assert_eq(st->replace_samples(st->ctx, txn, "x", 0, 100, s, 2), 0);
	cr_assert_eq(st->insert_events(st->ctx, txn, &e, 1, NULL), 0);
	cr_assert_eq(st->kv_put(st->ctx, txn, "gap", "g", 1), 0);
	cr_assert_eq(st->kv_delete(st->ctx, txn, "mark"), 0);
}

static void assert_untouched(const hiveha_store *st)
{
	uint64_t n = 9;
	bytes b = { .len = 0 };

	cr_assert_eq(hiveha_sqlite_count_samples(st, "x", HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, &n), 0);
	cr_assert_eq(n, 1, "the old sample is back, the new ones are gone");
	cr_assert_eq(hiveha_sqlite_count_events(st, HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(st->kv_get(st->ctx, "gap", get_bytes, &b), HIVEHA_ENOTFOUND);
	cr_assert_eq(st->kv_get(st->ctx, "mark", get_bytes, &b), 0);
	cr_assert_eq(b.len, 1);
}

static void seed(const hiveha_store *st)
{
	hiveha_sample old = sqt_dbl(50, 5);
	hiveha_store_txn *txn;

	cr_assert_eq(hiveha_sqlite_append_samples(st, "x", &old, 1), 0);
	txn = sqt_begin(st);
	cr_assert_eq(st->kv_put(st->ctx, txn, "mark", "m", 1), 0);
	sqt_commit(st, txn);
}

Test(sqlite_txn, rollback_discards_samples_events_and_kv_together)
{
	hiveha_store st;
	hiveha_store_txn *txn;
	uint64_t n = 0;

	sqt_open(&st, "a.db", 0);
	seed(&st);
	txn = sqt_begin(&st);
	write_all_kinds(&st, txn);
	st.rollback(st.ctx, txn);
	assert_untouched(&st);

	/* The store is usable again, and commit keeps all of it. */
	txn = sqt_begin(&st);
	write_all_kinds(&st, txn);
	sqt_commit(&st, txn);
	cr_assert_eq(hiveha_sqlite_count_samples(&st, "x", HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(hiveha_sqlite_count_events(&st, HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, &n), 0);
	cr_assert_eq(n, 1);
	sqt_close(&st);
}

Test(sqlite_txn, destroy_with_an_open_transaction_keeps_nothing_of_it)
{
	hiveha_store st;
	hiveha_store_txn *txn;

	sqt_open(&st, "a.db", 0);
	seed(&st);
	txn = sqt_begin(&st);
	write_all_kinds(&st, txn);
	sqt_close(&st);
	sqt_open(&st, "a.db", 0);
	assert_untouched(&st);
	sqt_close(&st);
}

Test(sqlite_txn, members_refuse_a_foreign_or_finished_transaction)
{
	hiveha_store st, other;
	hiveha_store_txn *txn, *txn2;
	hiveha_sample s = sqt_dbl(1, 1);

	sqt_open(&st, "a.db", 0);
	sqt_open(&other, "b.db", 0);
	txn = sqt_begin(&st);
	txn2 = sqt_begin(&other);
	cr_assert_eq(st.kv_put(st.ctx, txn2, "k", "v", 1), HIVEHA_EINVAL);
	cr_assert_eq(st.replace_samples(st.ctx, NULL, "x", 0, 1, &s, 1), HIVEHA_EINVAL);
	cr_assert_eq(st.begin(st.ctx, NULL), HIVEHA_EINVAL);
	sqt_commit(&st, txn);
	cr_assert_eq(st.commit(st.ctx, txn), HIVEHA_EINVAL, "already committed");
	st.rollback(st.ctx, txn); /* a no-op, not a crash */
	other.rollback(other.ctx, txn2);
	cr_assert_eq(st.kv_delete(st.ctx, txn, "k"), HIVEHA_EINVAL);
	sqt_close(&other);
	sqt_close(&st);
}
