/*
 * MERGE-CASES.md W1..W6: which gap a start opens, from the persisted
 * state and the config. Times are in milliseconds (U ticks) so that the
 * overlap and look-back (configured in ms) line up with MERGE-CASES.
 * The peer holds one sample per ms for [0, 300) of item X; what arrives
 * locally shows which window was synced.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "syncstate.h"

#define U HIVEHA_TICKS_PER_MS

static harness h;

static void setup(void)
{
	h_init(&h);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	for (int i = 0; i < 300; i++)
		h_sample1(&h.peer, "X", i * U, i);
	h_add_item(&h.local, "X");
}

static void teardown(void)
{
	h_fini(&h);
}

TestSuite(windows, .init = setup, .fini = teardown);

/* The local samples as "[a..b] [c..d]" runs of ms. */
static const char *runs(char *buf, size_t size)
{
	return h_runs(&h.local, "X", U, buf, size);
}

static hh_syncstate load_local(int kind)
{
	hh_syncstate st;
	hh_syncstate_init(&st, NULL);
	hh_errbuf err = { .msg = "" };
	cr_assert_eq(hh_syncstate_load(&st, &h.local, kind, &err), 0, "%s", err.msg);
	return st;
}

static char buf[4096];

Test(windows, w1_restart_with_overlap)
{
	h_put_state(&h.local, HIVEHA_DEPUTY_TREND, 100 * U, 0, NULL, 0, NULL, 0, 0);
	h.cfg.overlap_ms = 5;
	h.cfg.start_time = 200 * U;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(runs(buf, sizeof(buf)), "[95..199]");
}

Test(windows, w2_expert_start)
{
	h_put_state(&h.local, HIVEHA_DEPUTY_TREND, 100 * U, 0, NULL, 0, NULL, 0, 0);
	h.cfg.trend_expert_start = 50 * U;
	h.cfg.start_time = 200 * U;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(runs(buf, sizeof(buf)), "[50..199]");
}

Test(windows, w3_first_start_without_lookback)
{
	h.cfg.start_time = 200 * U;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(runs(buf, sizeof(buf)), "");
	hiveha_deputy_snapshot s;
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &s, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(s.state, HIVEHA_DEPUTY_FINISHED_OK);
	cr_assert(strstr(s.sync_state, "no previous state"), "%s", s.sync_state);
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	cr_assert_eq(c.connects, 0, "nothing to sync, yet the peer was contacted");
	hh_syncstate st = load_local(HIVEHA_DEPUTY_TREND);
	cr_assert_eq(st.covered_until, 200 * U);
	hh_syncstate_free(&st);
}

Test(windows, w3b_clean_stop_leaves_a_mark)
{
	h.cfg.start_time = 100 * U;
	fakeclock_set_now(&h.clock, 100 * U);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	fakeclock_set_now(&h.clock, 150 * U);
	cr_assert_eq(hiveha_governor_stop(h.gov), 0);
	h_gov_free(&h);
	hh_syncstate st = load_local(HIVEHA_DEPUTY_TREND);
	cr_assert_eq(st.covered_until, 150 * U);
	hh_syncstate_free(&st);

	h.cfg.overlap_ms = 5;
	h.cfg.start_time = 200 * U;
	fakeclock_set_now(&h.clock, 200 * U); /* the peer vouches up to its now */
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(runs(buf, sizeof(buf)), "[145..199]");
}

Test(windows, w4_first_start_with_lookback)
{
	h.cfg.lookback_ms = 30;
	h.cfg.start_time = 200 * U;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(runs(buf, sizeof(buf)), "[170..199]");
}

Test(windows, w5_pending_gap_kept_from_failed_sync)
{
	hiveha_time pending[] = { 40 * U, 60 * U };
	h_put_state(&h.local, HIVEHA_DEPUTY_TREND, 100 * U, 0, pending, 1, NULL, 0, 0);
	h.cfg.overlap_ms = 0;
	h.cfg.start_time = 200 * U;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(runs(buf, sizeof(buf)), "[40..59] [100..199]");
	hh_syncstate st = load_local(HIVEHA_DEPUTY_TREND);
	cr_assert_eq(st.pending.n, 0, "filled gaps must be removed");
	hh_syncstate_free(&st);
}

Test(windows, failed_sync_keeps_gap_pending_for_the_next_start)
{
	h_put_state(&h.local, HIVEHA_DEPUTY_TREND, 100 * U, 0, NULL, 0, NULL, 0, 0);
	h.cfg.overlap_ms = 0;
	h.cfg.start_time = 200 * U;
	h.cfg.max_attempts = 1;
	fakeclock_set_now(&h.clock, 200 * U); /* the clean stop below writes covered-until = now */
	looptransport_set_peer_down(&h.transport, 1);
	cr_assert_neq(h_run(&h), 0);
	h_gov_free(&h);
	hh_syncstate st = load_local(HIVEHA_DEPUTY_TREND);
	cr_assert_eq(st.pending.n, 1);
	cr_assert_eq(st.pending.v[0].from, 100 * U);
	cr_assert_eq(st.pending.v[0].to, 200 * U);
	hh_syncstate_free(&st);
	cr_assert_str_eq(runs(buf, sizeof(buf)), "");

	/* next start, peer back: the old gap and the new one are filled */
	looptransport_set_peer_down(&h.transport, 0);
	h.cfg.start_time = 250 * U;
	fakeclock_set_now(&h.clock, 250 * U); /* the peer vouches up to its now */
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(runs(buf, sizeof(buf)), "[100..249]");
}

Test(windows, poll_retries_pending_gap_with_backoff)
{
	h_put_state(&h.local, HIVEHA_DEPUTY_TREND, 100 * U, 0, NULL, 0, NULL, 0, 0);
	h.cfg.overlap_ms = 0;
	h.cfg.start_time = 200 * U;
	h.cfg.retry_initial_ms = 1000;
	looptransport_set_peer_down(&h.transport, 1);
	cr_assert_neq(h_run(&h), 0);
	int64_t next = 0;
	cr_assert_eq(hiveha_governor_poll(h.gov, &next), 0);
	cr_assert_gt(next, 0, "a retry must be scheduled after back-off");
	cr_assert_str_eq(runs(buf, sizeof(buf)), "");
	looptransport_set_peer_down(&h.transport, 0);
	fakeclock_advance(&h.clock, next * 1000000);
	cr_assert_eq(hiveha_governor_poll(h.gov, NULL), 0, "%s", h.log);
	cr_assert_str_eq(runs(buf, sizeof(buf)), "[100..199]");
	hiveha_deputy_snapshot s;
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &s, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(s.state, HIVEHA_DEPUTY_FINISHED_OK);
	cr_assert_eq(s.pending_gaps, 0);
}

Test(windows, heartbeat_advances_covered_until)
{
	h.cfg.start_time = 100 * U;
	h.cfg.heartbeat_ms = 1000;
	fakeclock_set_now(&h.clock, 100 * U);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	fakeclock_set_now(&h.clock, 5000 * U);
	fakeclock_advance(&h.clock, 1000 * 1000000LL);
	cr_assert_eq(hiveha_governor_poll(h.gov, NULL), 0);
	hh_syncstate st = load_local(HIVEHA_DEPUTY_TREND);
	cr_assert_geq(st.covered_until, 5000 * U);
	hh_syncstate_free(&st);
}

/* Issue 9 item 6: a clock that jumped back at restart (covered-until in
 * the future) is reported, and covered-until is not moved back. */
Test(windows, clock_behind_covered_until_keeps_the_mark)
{
	h_put_state(&h.local, HIVEHA_DEPUTY_TREND, 200 * U, 0, NULL, 0, NULL, 0, 0);
	h.cfg.overlap_ms = 5;
	h.cfg.start_time = 150 * U;
	h.cfg.heartbeat_ms = 1;
	fakeclock_set_now(&h.clock, 150 * U);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	hiveha_deputy_snapshot s;
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &s,
	                                      HIVEHA_DEPUTY_SNAPSHOT_VERSION),
	             0);
	cr_assert(strstr(s.sync_state, "clock went back"), "%s", s.sync_state);
	cr_assert_eq(s.covered_until, 200 * U);
	/* neither the heartbeat nor the clean stop pulls it back */
	fakeclock_set_now(&h.clock, 160 * U);
	fakeclock_advance(&h.clock, 1000000); /* the heartbeat is due (the clock says 161) */
	cr_assert_eq(hiveha_governor_poll(h.gov, NULL), 0);
	cr_assert_eq(hiveha_governor_stop(h.gov), 0);
	hh_syncstate st = load_local(HIVEHA_DEPUTY_TREND);
	cr_assert_eq(st.covered_until, 200 * U, "%lld ms", (long long)(st.covered_until / U));
	hh_syncstate_free(&st);
	cr_assert_str_eq(runs(buf, sizeof(buf)), "", "nothing before the start time was missing");
}

/* Issue 9 item 5: once the host says how far it has stored, no
 * covered-until mark passes it; with no overlap the next start refills
 * exactly what was not stored. */
Test(windows, marks_never_pass_stored_until)
{
	h.cfg.start_time = 100 * U;
	h.cfg.heartbeat_ms = 1000;
	fakeclock_set_now(&h.clock, 100 * U);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_eq(hiveha_governor_set_stored_until(h.gov, 120 * U), 0);
	cr_assert_eq(hiveha_governor_set_stored_until(NULL, 1), HIVEHA_EINVAL);
	fakeclock_set_now(&h.clock, 130 * U);
	fakeclock_advance(&h.clock, 1000 * 1000000LL);
	cr_assert_eq(hiveha_governor_poll(h.gov, NULL), 0);
	hh_syncstate st = load_local(HIVEHA_DEPUTY_TREND);
	cr_assert_eq(st.covered_until, 120 * U, "heartbeat wrote %lld ms", (long long)(st.covered_until / U));
	hh_syncstate_free(&st);
	/* the last store commit failed: stored-until stays at 125 */
	cr_assert_eq(hiveha_governor_set_stored_until(h.gov, 125 * U), 0);
	fakeclock_set_now(&h.clock, 150 * U);
	cr_assert_eq(hiveha_governor_stop(h.gov), 0);
	h_gov_free(&h);
	st = load_local(HIVEHA_DEPUTY_TREND);
	cr_assert_eq(st.covered_until, 125 * U, "clean stop wrote %lld ms", (long long)(st.covered_until / U));
	hh_syncstate_free(&st);

	h.cfg.overlap_ms = 0;
	h.cfg.start_time = 200 * U;
	fakeclock_set_now(&h.clock, 200 * U); /* the peer vouches up to its now */
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(runs(buf, sizeof(buf)), "[125..199]");
}

/* hiveha_governor_set_stored_until is thread-safe: the host calls it from
 * its collecting thread while the background thread writes heartbeats
 * (run under ThreadSanitizer by the TSan stage). */
Test(windows, stored_until_from_the_host_thread_while_running)
{
	h.cfg.start_time = 100 * U;
	h.cfg.heartbeat_ms = 1;
	fakeclock_set_now(&h.clock, 100 * U);
	fakeclock_set_mode(&h.clock, FAKECLOCK_MANUAL);
	h_gov(&h);
	cr_assert_eq(hiveha_governor_start(h.gov), 0);
	fakeclock_wait_sleepers(&h.clock, 1);
	for (int i = 1; i <= 200; i++) {
		cr_assert_eq(hiveha_governor_set_stored_until(h.gov, (100 + i) * U - 1), 0);
		fakeclock_advance(&h.clock, 1000000); /* a heartbeat is due */
	}
	cr_assert_eq(hiveha_governor_stop(h.gov), 0);
	hh_syncstate st = load_local(HIVEHA_DEPUTY_TREND);
	cr_assert_eq(st.covered_until, 300 * U - 1, "%lld", (long long)st.covered_until);
	hh_syncstate_free(&st);
}
