/* Concurrency: readers during a write, the writer queue, whole commits. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <string.h>
#include <threads.h>

#include "sqtest.h"

TestSuite(sqlite_threads, .init = sqt_setup, .fini = sqt_teardown);

typedef struct reader_job {
	const hiveha_store *st;
	size_t samples;
	double first;
	char kv[8];
	size_t kv_len;
	int rc;
} reader_job;

static int kv_copy(const void *d, size_t len, void *p)
{
	reader_job *j = p;

	j->kv_len = len < sizeof j->kv ? len : sizeof j->kv;
	memcpy(j->kv, d, j->kv_len);
	return 0;
}

static int reader_main(void *arg)
{
	reader_job *j = arg;
	sqt_samples got = { 0 };

	j->rc = j->st->read_samples(j->st->ctx, "x", HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, 0, SIZE_MAX,
	                            sqt_collect_samples, &got);
	j->samples = got.n;
	j->first = got.n > 0 ? got.v[0].value.as.f64 : -1;
	if (j->rc == 0)
		j->rc = j->st->kv_get(j->st->ctx, "k", kv_copy, j);
	sqt_samples_free(&got);
	return 0;
}

Test(sqlite_threads, readers_proceed_during_an_open_write_transaction)
{
	hiveha_store st;
	hiveha_sample old[10], fresh[20];
	hiveha_store_txn *txn;
	reader_job jobs[4];
	thrd_t th[4];
	uint64_t n = 0;

	for (int i = 0; i < 10; i++)
		old[i] = sqt_dbl(i, 1.0);
	for (int i = 0; i < 20; i++)
		fresh[i] = sqt_dbl(i, 2.0);
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", old, 10), 0);
	txn = sqt_begin(&st);
	cr_assert_eq(st.kv_put(st.ctx, txn, "k", "old", 3), 0);
	sqt_commit(&st, txn);

	txn = sqt_begin(&st);
	cr_assert_eq(st.replace_samples(st.ctx, txn, "x", 0, 100, fresh, 20), 0);
	cr_assert_eq(st.kv_put(st.ctx, txn, "k", "new", 3), 0);
	/* The write transaction stays open until every reader has finished:
	 * a reader that waited for the writer would never return. */
	for (int i = 0; i < 4; i++) {
		memset(&jobs[i], 0, sizeof jobs[i]);
		jobs[i].st = &st;
		cr_assert_eq(thrd_create(&th[i], reader_main, &jobs[i]), thrd_success);
	}
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(thrd_join(th[i], NULL), thrd_success);
		cr_assert_eq(jobs[i].rc, 0);
		cr_assert_eq(jobs[i].samples, 10, "readers see the committed state");
		cr_assert_eq(jobs[i].first, 1.0);
		cr_assert_eq(jobs[i].kv_len, 3);
		cr_assert_eq(memcmp(jobs[i].kv, "old", 3), 0);
	}
	sqt_commit(&st, txn);
	cr_assert_eq(hiveha_sqlite_count_samples(&st, "x", 0, 100, &n), 0);
	cr_assert_eq(n, 20);
	sqt_close(&st);
}

typedef struct append_job {
	const hiveha_store *st;
	mtx_t m;
	cnd_t c;
	bool started;
	int rc;
} append_job;

static int append_main(void *arg)
{
	append_job *j = arg;
	hiveha_sample y = sqt_dbl(5, 2.0);

	mtx_lock(&j->m);
	j->started = true;
	cnd_signal(&j->c);
	mtx_unlock(&j->m);
	j->rc = hiveha_sqlite_append_samples(j->st, "x", &y, 1);
	return 0;
}

Test(sqlite_threads, host_data_entry_waits_for_the_library_transaction)
{
	hiveha_store st;
	hiveha_sample x = sqt_dbl(5, 1.0);
	hiveha_store_txn *txn;
	append_job j;
	sqt_samples got = { 0 };
	thrd_t th;

	memset(&j, 0, sizeof j);
	cr_assert_eq(mtx_init(&j.m, mtx_plain), thrd_success);
	cr_assert_eq(cnd_init(&j.c), thrd_success);
	sqt_open(&st, "a.db", 0);
	j.st = &st;
	txn = sqt_begin(&st);
	cr_assert_eq(st.replace_samples(st.ctx, txn, "x", 0, 10, &x, 1), 0);
	cr_assert_eq(thrd_create(&th, append_main, &j), thrd_success);
	mtx_lock(&j.m);
	while (!j.started)
		cnd_wait(&j.c, &j.m);
	mtx_unlock(&j.m);
	/* Whenever the append runs, it must neither join nor commit our
	 * transaction: after the rollback only its own sample remains. */
	st.rollback(st.ctx, txn);
	cr_assert_eq(thrd_join(th, NULL), thrd_success);
	cr_assert_eq(j.rc, 0);
	cr_assert_eq(st.read_samples(st.ctx, "x", 0, 10, 0, 10, sqt_collect_samples, &got), 0);
	cr_assert_eq(got.n, 1);
	cr_assert_eq(got.v[0].value.as.f64, 2.0);
	sqt_samples_free(&got);
	sqt_close(&st);
	mtx_destroy(&j.m);
	cnd_destroy(&j.c);
}

typedef struct watch_job {
	const hiveha_store *st;
	atomic_bool *done;
	int bad;
	long reads;
} watch_job;

static int watch_main(void *arg)
{
	watch_job *j = arg;
	bool last = false;

	/* One more read after the writer finished, so the final state is seen. */
	while (!last) {
		uint64_t n = 0;
		int rc;

		last = atomic_load(j->done);
		rc = hiveha_sqlite_count_samples(j->st, "x", HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, &n);
		if ((rc != 0 && rc != HIVEHA_ENOTFOUND) || n % 10 != 0)
			j->bad++;
		j->reads++;
	}
	return 0;
}

Test(sqlite_threads, readers_only_ever_see_whole_commits)
{
	hiveha_store st;
	hiveha_sample s[10];
	atomic_bool done = false;
	watch_job jobs[3];
	thrd_t th[3];
	uint64_t n = 0;

	sqt_open(&st, "a.db", 0);
	for (int i = 0; i < 3; i++) {
		jobs[i] = (watch_job){ &st, &done, 0, 0 };
		cr_assert_eq(thrd_create(&th[i], watch_main, &jobs[i]), thrd_success);
	}
	for (int round = 0; round < 60; round++) {
		hiveha_store_txn *txn = sqt_begin(&st);

		/* Ten samples in two calls: a torn read would see five. */
		for (int i = 0; i < 10; i++)
			s[i] = sqt_dbl(round * 10 + i, round);
		cr_assert_eq(st.replace_samples(st.ctx, txn, "x", 0, 0, s, 5), 0);
		cr_assert_eq(st.replace_samples(st.ctx, txn, "x", 0, 0, s + 5, 5), 0);
		sqt_commit(&st, txn);
	}
	atomic_store(&done, true);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(thrd_join(th[i], NULL), thrd_success);
		cr_assert_eq(jobs[i].bad, 0);
		cr_assert_gt(jobs[i].reads, 0);
	}
	cr_assert_eq(hiveha_sqlite_count_samples(&st, "x", HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, &n), 0);
	cr_assert_eq(n, 600);
	sqt_close(&st);
}

typedef struct nest {
	const hiveha_store *st;
	int inner_rc;
	size_t len;
} nest;

static int nest_kv(const void *d, size_t len, void *p)
{
	(void)d;
	((nest *)p)->len = len;
	return 0;
}

static int nest_samples(const hiveha_sample *s, size_t n, void *p)
{
	nest *x = p;

	(void)s;
	(void)n;
	x->inner_rc = x->st->kv_get(x->st->ctx, "k", nest_kv, x);
	return 0;
}

Test(sqlite_threads, a_visitor_may_read_the_store_again)
{
	hiveha_store st;
	hiveha_sqlite_options o = HIVEHA_SQLITE_OPTIONS_INIT;
	hiveha_sample s = sqt_dbl(1, 1);
	hiveha_store_txn *txn;
	nest x = { &st, -1, 0 };

	o.max_idle_readers = 1;
	cr_assert_eq(hiveha_sqlite_open(&st, sqt_path("a.db"), &o), 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", &s, 1), 0);
	txn = sqt_begin(&st);
	cr_assert_eq(st.kv_put(st.ctx, txn, "k", "abcd", 4), 0);
	sqt_commit(&st, txn);
	cr_assert_eq(st.read_samples(st.ctx, "x", 0, 10, 0, 10, nest_samples, &x), 0);
	cr_assert_eq(x.inner_rc, 0);
	cr_assert_eq(x.len, 4);
	sqt_close(&st);
}
