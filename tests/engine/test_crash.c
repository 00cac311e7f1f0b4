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

Test(crash, store_writes_fail_from_n_then_restart)
{
	crash_every_n(MEMSTORE_WRITES, "write crash");
}

Test(crash, any_store_call_fails_from_n_then_restart)
{
	crash_every_n(MEMSTORE_ALL, "any-call crash");
}

Test(crash, single_transient_failure_at_n)
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

/* Runs until the Nth commit fails, then the process dies: open
 * transactions vanish, no clean stop. */
static void die_at_commit(harness *h, uint64_t n)
{
	h_fail_from(&h->local, MEMSTORE_MASK(MEMSTORE_COMMIT), n, 0);
	(void)h_try_run(h);
	h_crash(&h->local);
	h_gov_free(h);
	h_faults_off(&h->local);
}

Test(crash, resume_does_not_refetch_finished_items)
{
	harness h;
	scenario(&h);
	die_at_commit(&h, 3); /* the start-up and the first chunk commit */
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

/* The TrendHistory snapshot after h_run(). */
static hiveha_deputy_snapshot trend_snapshot(harness *h)
{
	hiveha_deputy_snapshot s;
	cr_assert_eq(hiveha_governor_snapshot(h->gov, HIVEHA_DEPUTY_TREND, &s,
	                                      HIVEHA_DEPUTY_SNAPSHOT_VERSION),
	             0);
	return s;
}

/* Issue 9 item 4: a restart later than the killed run opens a new gap
 * behind the pending one; the pending gap keeps its checkpoint and is
 * resumed, not merged into one gap and refetched whole. */
Test(crash, later_restart_resumes_the_pending_gap)
{
	harness full;
	scenario(&full);
	full.cfg.start_time = 30;
	cr_assert_eq(h_run(&full), 0, "%s", full.log);
	hiveha_deputy_snapshot all = trend_snapshot(&full);

	harness h;
	scenario(&h);
	die_at_commit(&h, 3); /* the start-up and the first chunk commit */
	h.cfg.start_time = 30;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	hiveha_deputy_snapshot resumed = trend_snapshot(&h);
	check_same(&h, &full, "later restart", 0);
	cr_assert_lt(resumed.progress.samples_done, all.progress.samples_done,
	             "the restart refetched %llu samples of %llu: the checkpoint was lost",
	             (unsigned long long)resumed.progress.samples_done,
	             (unsigned long long)all.progress.samples_done);
	h_fini(&h);
	h_fini(&full);
}

/* Lists the local items without "A": the host trends one item fewer. */
static int (*inner_list)(void *ctx, hiveha_item_fn fn, void *payload);
struct without_a {
	hiveha_item_fn fn;
	void *payload;
};

static int skip_a(const char *id, void *payload)
{
	struct without_a *w = payload;
	return strcmp(id, "A") == 0 ? 0 : w->fn(id, w->payload);
}

static int list_without_a(void *ctx, hiveha_item_fn fn, void *payload)
{
	struct without_a w = { fn, payload };
	return inner_list(ctx, skip_a, &w);
}

static void assert_gap_filled(const harness *h, const char *item, uint64_t n)
{
	hiveha_sample *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	cr_assert_eq(h_get_samples(&h->local, item, &a, &na), 0);
	cr_assert_eq(h_get_samples(&h->peer, item, &b, &nb), 0);
	size_t ia = 0, ib = 0, got = 0, want = 0;
	for (; ia < na; ia++)
		if (a[ia].time >= 10 && a[ia].time < 20)
			got++;
	for (; ib < nb; ib++)
		if (b[ib].time >= 10 && b[ib].time < 20)
			want++;
	cr_assert_eq(got, want, "N=%llu: item %s has %zu of the peer's %zu samples in the gap\n%s",
	             (unsigned long long)n, item, got, want, h->log);
	memstore_free_samples(a, na);
	memstore_free_samples(b, nb);
}

/* MERGE-CASES W7: killed mid-gap (at every commit); on restart the host
 * trends one more item ("AB", sorting before most checkpoints) and one
 * fewer ("A"): the resumed gap fills AB and every remaining item, and
 * nothing is closed as filled that was not. */
Test(crash, w7_resume_with_a_changed_item_set)
{
	for (uint64_t n = 2; n <= 12; n++) {
		harness h;
		scenario(&h);
		h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
		hiveha_time t[] = { 10, 14, 19 };
		double v[] = { 1, 2, 3 };
		h_samples(&h.peer, "AB", t, v, 3);
		die_at_commit(&h, n);
		h_add_item(&h.local, "AB");
		hiveha_store changed = h.local;
		inner_list = changed.list_items;
		changed.list_items = list_without_a;
		h_store_ref(&h.local);
		looptransport_ref(&h.transport);
		fakeclock_ref(&h.clock);
		cr_assert_eq(hiveha_governor_new(&h.gov, &h.cfg, &changed, &h.transport, &h.clock), 0);
		cr_assert_eq(hiveha_governor_run(h.gov), 0, "N=%llu: %s", (unsigned long long)n, h.log);
		const char *items[] = { "AB", "B", "C", "E" };
		for (int i = 0; i < 4; i++)
			assert_gap_filled(&h, items[i], n);
		hiveha_deputy_snapshot s = trend_snapshot(&h);
		cr_assert_eq(s.pending_gaps, 0);
		h_fini(&h);
	}
}

/* Issue 9 item 13: a store that lists no items (qsort must not get NULL). */
Test(crash, gap_without_items)
{
	harness h;
	h_init(&h);
	h.cfg.start_time = 20;
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h_put_state(&h.local, HIVEHA_DEPUTY_TREND, 10, 0, NULL, 0, NULL, 0, 0);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	hiveha_deputy_snapshot s = trend_snapshot(&h);
	cr_assert_eq(s.pending_gaps, 0);
	h_fini(&h);
}
