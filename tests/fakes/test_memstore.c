/*
 * test_memstore.c - the memstore's test-only behaviour: fault injection,
 * crash simulation, counters, comparison, dumps, reference counting and
 * volume. (Its hiveha_store behaviour is covered by conformance_memstore.)
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memstore.h"

static hiveha_sample sd(hiveha_time t, double d)
{
	hiveha_sample s = { .time = t, .quality = HIVEHA_QUALITY_GOOD };
	hiveha_value_set_double(&s.value, d);
	return s;
}

static size_t count_of(const hiveha_store *s, const char *item)
{
	size_t n = 0;
	int rc = memstore_sample_count(s, item, &n);
	return rc ? (size_t)-1 : n;
}

/* One transaction writing a sample, an event and a kv pair. */
static int write_txn(hiveha_store *s, hiveha_time t)
{
	hiveha_store_txn *txn;
	int rc = s->begin(s->ctx, &txn);
	if (rc)
		return rc;
	hiveha_sample smp = sd(t, (double)t);
	hiveha_event ev = { .time = t, .source_id = 1, .message = "m" };
	if ((rc = s->replace_samples(s->ctx, txn, "i", t, t + 1, &smp, 1)) ||
	    (rc = s->insert_events(s->ctx, txn, &ev, 1, NULL)) ||
	    (rc = s->kv_put(s->ctx, txn, "mark", &t, sizeof t))) {
		s->rollback(s->ctx, txn);
		return rc;
	}
	return s->commit(s->ctx, txn);
}

static int noop_item(const char *id, void *p)
{
	(void)id;
	(void)p;
	return 0;
}

Test(memstore, counts_each_member)
{
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	cr_assert_eq(write_txn(&s, 10), 0);
	cr_assert_eq(s.list_items(s.ctx, noop_item, NULL), 0);
	memstore_counts c;
	memstore_get_counts(&s, &c);
	cr_assert_eq(c.calls[MEMSTORE_BEGIN], 1);
	cr_assert_eq(c.calls[MEMSTORE_REPLACE_SAMPLES], 1);
	cr_assert_eq(c.calls[MEMSTORE_INSERT_EVENTS], 1);
	cr_assert_eq(c.calls[MEMSTORE_KV_PUT], 1);
	cr_assert_eq(c.calls[MEMSTORE_COMMIT], 1);
	cr_assert_eq(c.calls[MEMSTORE_LIST_ITEMS], 1);
	cr_assert_eq(c.calls[MEMSTORE_ROLLBACK], 0);
	cr_assert_eq(c.faults, 0);
	memstore_reset_counts(&s);
	memstore_get_counts(&s, &c);
	cr_assert_eq(c.calls[MEMSTORE_BEGIN], 0);
	/* host-side entry is not counted */
	hiveha_sample x = sd(1, 1);
	cr_assert_eq(memstore_append_samples(&s, "h", &x, 1), 0);
	memstore_get_counts(&s, &c);
	cr_assert_eq(c.calls[MEMSTORE_REPLACE_SAMPLES] + c.calls[MEMSTORE_COMMIT], 0);
	memstore_free(&s);
}

Test(memstore, fail_nth_write_fails_once_and_has_no_effect)
{
	/* each write_txn makes 5 write calls: begin, replace, insert, put, commit */
	for (uint64_t n = 1; n <= 5; n++) {
		hiveha_store s;
		cr_assert_eq(memstore_new(&s), 0);
		memstore_fail_nth(&s, MEMSTORE_WRITES, n, 0);
		cr_assert_eq(write_txn(&s, 10), HIVEHA_ESTORE, "n=%d", (int)n);
		cr_assert_eq(memstore_item_count(&s), 0, "n=%d", (int)n);
		cr_assert_eq(memstore_event_count(&s), 0);
		cr_assert_eq(memstore_kv_count(&s), 0);
		cr_assert_eq(memstore_open_txns(&s), 0, "failed txn must be gone (n=%d)", (int)n);
		cr_assert_eq(write_txn(&s, 11), 0, "only one call fails");
		cr_assert_eq(count_of(&s, "i"), 1);
		memstore_counts c;
		memstore_get_counts(&s, &c);
		cr_assert_eq(c.faults, 1);
		memstore_free(&s);
	}
}

Test(memstore, fail_nth_counts_reads_only_when_asked)
{
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	memstore_fail_nth(&s, MEMSTORE_WRITES, 2, 0);
	cr_assert_eq(s.list_items(s.ctx, noop_item, NULL), 0); /* reads not counted */
	cr_assert_eq(s.list_items(s.ctx, noop_item, NULL), 0);
	hiveha_store_txn *txn;
	cr_assert_eq(s.begin(s.ctx, &txn), 0);
	cr_assert_eq(s.kv_put(s.ctx, txn, "k", "v", 1), HIVEHA_ESTORE);
	s.rollback(s.ctx, txn);

	memstore_fail_nth(&s, MEMSTORE_ALL, 2, HIVEHA_ENOMEM);
	cr_assert_eq(s.list_items(s.ctx, noop_item, NULL), 0);
	cr_assert_eq(s.list_items(s.ctx, noop_item, NULL), HIVEHA_ENOMEM);
	cr_assert_eq(s.list_items(s.ctx, noop_item, NULL), 0);

	memstore_fail_nth(&s, MEMSTORE_MASK(MEMSTORE_COMMIT), 1, 0);
	cr_assert_eq(write_txn(&s, 5), HIVEHA_ESTORE);
	cr_assert_eq(memstore_item_count(&s), 0, "a failed commit keeps nothing");
	memstore_free(&s);
}

Test(memstore, fail_from_is_sticky_until_faults_off)
{
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	memstore_fail_from(&s, MEMSTORE_WRITES, 3, 0);
	cr_assert_eq(write_txn(&s, 10), HIVEHA_ESTORE); /* the insert_events call */
	for (int i = 0; i < 5; i++)
		cr_assert_eq(write_txn(&s, 20 + i), HIVEHA_ESTORE);
	memstore_counts c;
	memstore_get_counts(&s, &c);
	cr_assert_eq(c.faults, 6);
	cr_assert_eq(memstore_item_count(&s), 0);
	memstore_faults_off(&s);
	cr_assert_eq(write_txn(&s, 30), 0);
	cr_assert_eq(count_of(&s, "i"), 1);
	memstore_free(&s);
}

Test(memstore, crash_keeps_committed_and_drops_open_transactions)
{
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	cr_assert_eq(write_txn(&s, 10), 0);
	hiveha_store_txn *txn;
	cr_assert_eq(s.begin(s.ctx, &txn), 0);
	hiveha_sample x = sd(20, 2);
	cr_assert_eq(s.replace_samples(s.ctx, txn, "other", 0, 100, &x, 1), 0);
	cr_assert_eq(s.kv_put(s.ctx, txn, "mark", "zz", 2), 0);
	cr_assert_eq(memstore_open_txns(&s), 1);
	memstore_crash(&s);
	cr_assert_eq(memstore_open_txns(&s), 0);
	/* the dead handle is refused, harmlessly */
	cr_assert_eq(s.replace_samples(s.ctx, txn, "other", 0, 100, &x, 1), HIVEHA_ESTORE);
	cr_assert_eq(s.commit(s.ctx, txn), HIVEHA_ESTORE);
	s.rollback(s.ctx, txn);
	cr_assert_eq(memstore_item_count(&s), 1);
	cr_assert_eq(count_of(&s, "i"), 1);
	cr_assert_eq(memstore_event_count(&s), 1);
	cr_assert_eq(memstore_kv_count(&s), 1);
	memstore_free(&s);
}

Test(memstore, replace_rejects_unsorted_input)
{
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	hiveha_sample bad[2] = { sd(5, 1), sd(4, 2) };
	cr_assert_eq(memstore_append_samples(&s, "i", bad, 2), HIVEHA_EINVAL);
	hiveha_store_txn *txn;
	cr_assert_eq(s.begin(s.ctx, &txn), 0);
	cr_assert_eq(s.replace_samples(s.ctx, txn, "i", 0, 9, bad, 2), HIVEHA_EINVAL);
	cr_assert_eq(s.replace_samples(s.ctx, txn, NULL, 0, 9, NULL, 0), HIVEHA_EINVAL);
	s.rollback(s.ctx, txn);
	cr_assert_eq(memstore_item_count(&s), 0);
	memstore_free(&s);
}

static int count_calls(const hiveha_sample *x, size_t n, void *p)
{
	(void)x;
	size_t *calls = p;
	calls[0]++;
	calls[1] += n;
	return 0;
}

Test(memstore, batch_size_bounds_each_visitor_call)
{
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	hiveha_sample x[25];
	for (int i = 0; i < 25; i++)
		x[i] = sd(i, i);
	cr_assert_eq(memstore_append_samples(&s, "i", x, 25), 0);
	memstore_set_batch(&s, 10);
	size_t calls[2] = { 0, 0 };
	cr_assert_eq(s.read_samples(s.ctx, "i", 0, 100, 0, 100, count_calls, calls), 0);
	cr_assert_eq(calls[0], 3);
	cr_assert_eq(calls[1], 25);
	memstore_free(&s);
}

Test(memstore, equal_reports_the_first_difference)
{
	hiveha_store a, b;
	char diff[256];
	cr_assert_eq(memstore_new(&a), 0);
	cr_assert_eq(memstore_new(&b), 0);
	cr_assert(memstore_equal(&a, &b, MEMSTORE_CMP_KV, diff, sizeof diff));
	cr_assert_str_eq(diff, "");

	hiveha_sample x[2] = { sd(1, 1), sd(2, 2) };
	cr_assert_eq(memstore_append_samples(&a, "i", x, 2), 0);
	cr_assert_not(memstore_equal(&a, &b, 0, diff, sizeof diff));
	cr_assert_not_null(strstr(diff, "item count"), "%s", diff);
	cr_assert_eq(memstore_append_samples(&b, "i", x, 1), 0);
	cr_assert_not(memstore_equal(&a, &b, 0, diff, sizeof diff));
	cr_assert_not_null(strstr(diff, "samples"), "%s", diff);
	hiveha_sample y = sd(2, 2);
	y.quality = 0;
	cr_assert_eq(memstore_append_samples(&b, "i", &y, 1), 0);
	cr_assert_not(memstore_equal(&a, &b, 0, diff, sizeof diff));
	cr_assert_not_null(strstr(diff, "sample #1"), "%s", diff);

	hiveha_store c, d;
	cr_assert_eq(memstore_new(&c), 0);
	cr_assert_eq(memstore_new(&d), 0);
	hiveha_event e = { .time = 5, .message = "m", .severity = 1 };
	hiveha_event f = e;
	f.severity = 2;
	cr_assert_eq(memstore_add_events(&c, &e, 1, NULL), 0);
	cr_assert_eq(memstore_add_events(&d, &f, 1, NULL), 0);
	cr_assert_not(memstore_equal(&c, &d, 0, diff, sizeof diff));
	cr_assert_not_null(strstr(diff, "event #0"), "%s", diff);

	hiveha_store g, h;
	cr_assert_eq(memstore_new(&g), 0);
	cr_assert_eq(memstore_new(&h), 0);
	cr_assert_eq(memstore_put_kv(&g, "k", "1", 1), 0);
	cr_assert_eq(memstore_put_kv(&h, "k", "2", 1), 0);
	cr_assert(memstore_equal(&g, &h, 0, diff, sizeof diff), "kv ignored without the flag");
	cr_assert_not(memstore_equal(&g, &h, MEMSTORE_CMP_KV, diff, sizeof diff));
	cr_assert_not_null(strstr(diff, "kv \"k\""), "%s", diff);
	cr_assert_eq(memstore_delete_kv(&h, "k"), 0);
	cr_assert_not(memstore_equal(&g, &h, MEMSTORE_CMP_KV, NULL, 0));

	memstore_free(&a);
	memstore_free(&b);
	memstore_free(&c);
	memstore_free(&d);
	memstore_free(&g);
	memstore_free(&h);
}

Test(memstore, format_and_dump)
{
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	hiveha_sample x[3] = { sd(1, 1.5), sd(2, 2), sd(3, 3) };
	cr_assert_eq(hiveha_value_set_string(&x[2].value, "abc", 3), 0);
	cr_assert_eq(memstore_append_samples(&s, "i", x, 3), 0);
	char buf[200];
	cr_assert_eq(memstore_format_samples(&s, "i", buf, sizeof buf), 0);
	cr_assert_str_eq(buf, "(1,d:1.5,q192) (2,d:2,q192) (3,s:\"abc\",q192)");
	char small[24];
	cr_assert_eq(memstore_format_samples(&s, "i", small, sizeof small), 0);
	cr_assert_not_null(strstr(small, "..."), "%s", small);
	cr_assert_lt(strlen(small), sizeof small);
	cr_assert_eq(memstore_format_samples(&s, "nope", buf, sizeof buf), HIVEHA_ENOTFOUND);

	/* tmpfile(), not POSIX open_memstream(): this runs on Windows too. */
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	memstore_dump(&s, f);
	long len = ftell(f);
	cr_assert_gt(len, 0);
	char *text = calloc(1, (size_t)len + 1);
	cr_assert_not_null(text);
	rewind(f);
	cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	cr_assert_not_null(strstr(text, "item \"i\" (3 samples)"), "%s", text);
	free(text);
	hiveha_value_clear(&x[2].value);
	memstore_free(&s);
}

Test(memstore, get_samples_and_events_are_deep_copies)
{
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	hiveha_sample x = { .time = 4 };
	cr_assert_eq(hiveha_value_set_string(&x.value, "abc", 3), 0);
	cr_assert_eq(memstore_append_samples(&s, "i", &x, 1), 0);
	hiveha_event e = { .time = 5, .message = "m" };
	size_t ins = 0;
	cr_assert_eq(memstore_add_events(&s, &e, 1, &ins), 0);
	cr_assert_eq(ins, 1);
	cr_assert_eq(memstore_add_events(&s, &e, 1, &ins), 0);
	cr_assert_eq(ins, 0);

	hiveha_sample *got;
	size_t n;
	cr_assert_eq(memstore_get_samples(&s, "i", &got, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(hiveha_sample_compare(&got[0], &x), 0);
	cr_assert_neq(got[0].value.as.str.ptr, x.value.as.str.ptr);
	hiveha_event *ev;
	cr_assert_eq(memstore_get_events(&s, &ev, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert(hiveha_event_equal(&ev[0], &e));
	memstore_free(&s);
	/* the copies outlive the store */
	cr_assert_str_eq(got[0].value.as.str.ptr, "abc");
	cr_assert_str_eq(ev[0].message, "m");
	memstore_free_samples(got, 1);
	memstore_free_events(ev, 1);
	hiveha_value_clear(&x.value);
}

Test(memstore, foreign_store_aborts, .signal = SIGABRT)
{
	hiveha_store bogus = HIVEHA_STORE_INIT;
	memstore_item_count(&bogus);
}

Test(memstore, reference_counting)
{
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	memstore_ref(&s);
	s.destroy(s.ctx); /* what a governor does when freed */
	cr_assert_eq(memstore_put_kv(&s, "k", "v", 1), 0, "still alive after one destroy");
	cr_assert_eq(memstore_kv_count(&s), 1);
	memstore_free(&s); /* the last reference; ASan reports a leak otherwise */
}

Test(memstore, a_million_samples_in_chunks)
{
	/* MERGE-CASES T9 volume: the engine puts 10^6 samples through the fake */
	enum { N = 1000000, CHUNK = 65536 };
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	hiveha_sample local[3] = { sd(-5, 1), sd(500, 2), sd(N + 10, 3) };
	cr_assert_eq(memstore_append_samples(&s, "big", local, 3), 0);
	hiveha_sample *chunk = malloc(CHUNK * sizeof *chunk);
	cr_assert_not_null(chunk);
	for (hiveha_time from = 0; from < N; from += CHUNK) {
		hiveha_time to = from + CHUNK < N ? from + CHUNK : N;
		for (hiveha_time t = from; t < to; t++)
			chunk[t - from] = sd(t, (double)t);
		hiveha_store_txn *txn;
		cr_assert_eq(s.begin(s.ctx, &txn), 0);
		cr_assert_eq(s.replace_samples(s.ctx, txn, "big", from, to, chunk, (size_t)(to - from)), 0);
		cr_assert_eq(s.commit(s.ctx, txn), 0);
	}
	free(chunk);
	cr_assert_eq(count_of(&s, "big"), N + 2, "500 replaced, -5 and N+10 kept");
	hiveha_sample *all;
	size_t n;
	cr_assert_eq(memstore_get_samples(&s, "big", &all, &n), 0);
	cr_assert_eq(all[0].time, -5);
	for (size_t i = 1; i <= N; i++)
		cr_assert_eq(all[i].value.as.f64, (double)(i - 1));
	cr_assert_eq(all[N + 1].time, N + 10);
	memstore_free_samples(all, n);
	memstore_free(&s);
}

/* ---- threads -------------------------------------------------------------- */

#include <pthread.h>

enum { GEN_SAMPLES = 50, GENERATIONS = 300 };

static int same_generation(const hiveha_sample *x, size_t n, void *p)
{
	double *first = p;
	for (size_t i = 0; i < n; i++) {
		if (*first < 0)
			*first = x[i].value.as.f64;
		if (x[i].value.as.f64 != *first)
			return 1; /* a read saw two commits at once */
	}
	return 0;
}

static void *reader(void *p)
{
	hiveha_store *s = p;
	for (int i = 0; i < GENERATIONS; i++) {
		double first = -1;
		int rc = s->read_samples(s->ctx, "i", 0, 1000, 0, 1000, same_generation, &first);
		if (rc)
			return (void *)(intptr_t)rc;
	}
	return NULL;
}

Test(memstore, readers_see_whole_commits_while_a_writer_runs)
{
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	memstore_set_batch(&s, 3); /* a read spans many visitor calls */
	hiveha_sample x[GEN_SAMPLES];
	for (int i = 0; i < GEN_SAMPLES; i++)
		x[i] = sd(i, 0);
	cr_assert_eq(memstore_append_samples(&s, "i", x, GEN_SAMPLES), 0);
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, reader, &s), 0);
	for (int g = 1; g <= GENERATIONS; g++) {
		for (int i = 0; i < GEN_SAMPLES; i++)
			x[i] = sd(i, g);
		hiveha_store_txn *txn;
		cr_assert_eq(s.begin(s.ctx, &txn), 0);
		cr_assert_eq(s.replace_samples(s.ctx, txn, "i", 0, 1000, x, GEN_SAMPLES / 2), 0);
		cr_assert_eq(s.replace_samples(s.ctx, txn, "i", GEN_SAMPLES / 2, 1000,
		                               x + GEN_SAMPLES / 2, GEN_SAMPLES / 2), 0);
		cr_assert_eq(s.commit(s.ctx, txn), 0);
	}
	for (int i = 0; i < 3; i++) {
		void *rc;
		pthread_join(th[i], &rc);
		cr_assert_null(rc, "reader %d saw a torn commit", i);
	}
	cr_assert_eq(count_of(&s, "i"), GEN_SAMPLES);
	memstore_free(&s);
}
