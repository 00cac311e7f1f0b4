/*
 * MERGE-CASES.md W6 and DESIGN §6: the store fails on its Nth call (any
 * N); after a restart the stores equal those of an uninterrupted run.
 * Checkpoints are written in the transaction of the data they cover, so a
 * crash at any point resumes without losing or doubling a sample or event.
 *
 * The scenario has several items, runs of equal timestamps, local samples
 * inside and outside the gap, events with local duplicates, a chunk limit
 * of 3 samples / 2 events so that most transactions are mid-gap, and both
 * deputies. The local state says covered-until 10 with no overlap, start
 * 20: the gap is [10, 20) and a restart reopens nothing but what is pending.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void scenario(harness *h)
{
	h_init(h);
	h->cfg.chunk_samples = 3;
	h->cfg.chunk_events = 2;
	h->cfg.batch_items = 2;
	h->cfg.start_time = 20;
	h->cfg.max_attempts = 1;
	h_put_state(&h->local, HIVEHA_DEPUTY_TREND, 10, 0, NULL, 0, NULL, 0, 0);
	h_put_state(&h->local, HIVEHA_DEPUTY_EVENTS, 10, 0, NULL, 0, NULL, 0, 0);
	const char *items[] = { "A", "B", "C", "D", "E" };
	for (int i = 0; i < 5; i++) {
		hiveha_time t[] = { 9, 10, 11, 11, 11, 12, 15, 15, 19, 20 };
		double v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
		for (int k = 0; k < 10; k++)
			v[k] += 100 * i;
		if (i != 3) /* D is unknown to the peer */
			h_samples(&h->peer, items[i], t, v, 10);
		h_sample1(&h->local, items[i], 8, -1);
		h_sample1(&h->local, items[i], 13, -2);
		h_sample1(&h->local, items[i], 20, -3);
	}
	for (int k = 0; k < 7; k++) {
		char m[16];
		snprintf(m, sizeof(m), "ev%d", k);
		h_event(&h->peer, 10 + k / 2, 1, 1, m, 1);
	}
	h_event(&h->local, 11, 1, 1, "ev2", 1);
	h_event(&h->local, 14, 9, 9, "local", 1);
}

static void check_same(harness *got, harness *want, const char *what, uint64_t n)
{
	char diff[512];
	cr_assert(h_equal(&got->local, &want->local, diff, sizeof(diff)),
	          "%s at N=%llu: %s\nlog:\n%s", what, (unsigned long long)n, diff, got->log);
}

static void crash_every_n(unsigned mask, const char *what)
{
	harness ref;
	scenario(&ref);
	h_reset_counts(&ref.local);
	cr_assert_eq(h_run(&ref), 0, "%s", ref.log);
	h_gov_free(&ref);
	memstore_counts c;
	h_get_counts(&ref.local, &c);
	uint64_t calls = 0;
	for (int m = 0; m < MEMSTORE_MEMBER_COUNT; m++)
		if (mask & MEMSTORE_MASK(m))
			calls += c.calls[m];
	cr_assert_gt(calls, 20, "the scenario is too small to test much");

	for (uint64_t n = 1; n <= calls + 1; n++) {
		harness h;
		scenario(&h);
		h_fail_from(&h.local, mask, n, 0);
		(void)h_try_run(&h);
		/* the process dies: open transactions vanish, no clean stop */
		h_crash(&h.local);
		h_gov_free(&h);
		h_faults_off(&h.local);
		/* restart, maybe more than once if the first restart found
		 * the gap still pending because start-up never got written */
		int rc = h_run(&h);
		cr_assert_eq(rc, 0, "restart after N=%llu failed: %s\n%s", (unsigned long long)n,
		             hiveha_strerror(rc), h.log);
		check_same(&h, &ref, what, n);
		h_fini(&h);
	}
	h_fini(&ref);
}

Test(crash, store_writes_fail_from_n_then_restart, .timeout = 120)
{
	crash_every_n(MEMSTORE_WRITES, "write crash");
}

Test(crash, any_store_call_fails_from_n_then_restart, .timeout = 120)
{
	crash_every_n(MEMSTORE_ALL, "any-call crash");
}

Test(crash, single_transient_failure_at_n, .timeout = 120)
{
	harness ref;
	scenario(&ref);
	cr_assert_eq(h_run(&ref), 0, "%s", ref.log);
	h_gov_free(&ref);
	for (uint64_t n = 1; n <= 60; n++) {
		harness h;
		scenario(&h);
		h.cfg.max_attempts = 3;
		h_fail_nth(&h.local, MEMSTORE_WRITES, n, 0);
		if (h_run(&h) != 0) {
			/* only a failure of the start-up write itself is fatal to this run */
			h_gov_free(&h);
			cr_assert_eq(h_run(&h), 0, "%s", h.log);
		}
		check_same(&h, &ref, "transient failure", n);
		h_fini(&h);
	}
	h_fini(&ref);
}

Test(crash, resume_does_not_refetch_finished_items)
{
	harness h;
	scenario(&h);
	/* let the first chunk commit, then crash */
	h_fail_from(&h.local, MEMSTORE_MASK(MEMSTORE_COMMIT), 3, 0);
	(void)h_run(&h);
	h_crash(&h.local);
	h_gov_free(&h);
	h_faults_off(&h.local);
	looptransport_reset_counts(&h.transport);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	looptransport_counts resumed;
	looptransport_get_counts(&h.transport, &resumed);
	h_fini(&h);

	harness full;
	scenario(&full);
	cr_assert_eq(h_run(&full), 0);
	looptransport_counts all;
	looptransport_get_counts(&full.transport, &all);
	h_fini(&full);
	cr_assert_lt(resumed.exchanges[LOOPTRANSPORT_TIMESERIES], all.exchanges[LOOPTRANSPORT_TIMESERIES],
	             "a resumed sync must continue from its checkpoint");
}
