/*
 * DeputyState paths (DESIGN §7) and error handling: every way a deputy
 * can end, with the transport and store faults of the fakes.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"

static harness h;
static char buf[4096];

static void setup(void)
{
	h_init(&h);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.start_time = 20;
	h_sample1(&h.peer, "X", 12, 1);
	h_sample1(&h.peer, "X", 13, 2);
	h_sample1(&h.local, "X", 15, 9);
}

static void teardown(void)
{
	h_fini(&h);
}

TestSuite(states, .init = setup, .fini = teardown);

static size_t seq(int64_t *s, size_t max)
{
	return h_states(&h, "TrendHistory", s, max);
}

static int contains(const int64_t *s, size_t n, int64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == v)
			return 1;
	return 0;
}

#define LOCAL(item) h_fmt(&h.local, item, buf, sizeof(buf))

Test(states, ok_path_goes_through_every_working_state)
{
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	int64_t s[64];
	size_t n = seq(s, 64);
	cr_assert_geq(n, 5);
	cr_assert_eq(s[0], HIVEHA_DEPUTY_STARTED);
	cr_assert_eq(s[1], HIVEHA_DEPUTY_WAITING_FOR_CONNECTION);
	cr_assert_eq(s[2], HIVEHA_DEPUTY_SENDING_SYNC_REQUEST);
	cr_assert_eq(s[3], HIVEHA_DEPUTY_WAITING_FOR_REPLY);
	cr_assert_eq(s[n - 1], HIVEHA_DEPUTY_FINISHED_OK);
	cr_assert_not(contains(s, n, HIVEHA_DEPUTY_FINISHED_WITH_ERROR));
	/* LastUpToDate published with the clock's time; snapshot agrees */
	hiveha_deputy_snapshot snap;
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(snap.state, HIVEHA_DEPUTY_FINISHED_OK);
	cr_assert_gt(snap.last_up_to_date, 0);
	int seen = 0;
	for (size_t i = 0; i < h.nstates; i++)
		if (strcmp(h.states[i].name, "TrendHistory_LastUpToDate") == 0) {
			seen = 1;
			cr_assert_eq(h.states[i].i, snap.last_up_to_date);
		}
	cr_assert(seen);
	cr_assert_str_eq(LOCAL("X"), "(12,1) (13,2)");
	/* the events deputy was disabled: it never left idle */
	cr_assert_eq(h_states(&h, "EventHistory", s, 64), 0);
}

Test(states, peer_unreachable_ends_with_error_after_attempts)
{
	looptransport_set_peer_down(&h.transport, 1);
	h.cfg.max_attempts = 3;
	cr_assert_eq(h_run(&h), HIVEHA_ETRANSPORT);
	int64_t s[64];
	size_t n = seq(s, 64);
	cr_assert_eq(s[0], HIVEHA_DEPUTY_STARTED);
	cr_assert_eq(s[1], HIVEHA_DEPUTY_WAITING_FOR_CONNECTION);
	cr_assert_eq(s[n - 1], HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
	cr_assert_not(contains(s, n, HIVEHA_DEPUTY_SENDING_SYNC_REQUEST));
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	cr_assert_eq(c.connects, 3);
	cr_assert(strstr(h_sync_state(&h, "TrendHistory"), "cannot connect"), "%s",
	          h_sync_state(&h, "TrendHistory"));
	cr_assert(strstr(hiveha_governor_errmsg(h.gov), "TrendHistory"));
	cr_assert_str_eq(LOCAL("X"), "(15,9)", "nothing may change on failure");
	/* back-off slept on the clock, never on real time */
	cr_assert_eq(fakeclock_sleeps(&h.clock), 2);
}

Test(states, connection_refused_once_then_ok)
{
	looptransport_refuse_connects(&h.transport, 1);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	int64_t s[64];
	size_t n = seq(s, 64);
	cr_assert_eq(s[n - 1], HIVEHA_DEPUTY_FINISHED_OK);
	cr_assert_str_eq(LOCAL("X"), "(12,1) (13,2)");
}

Test(states, wrong_token_is_not_retried)
{
	h.cfg.token = "wrong";
	h.cfg.max_attempts = 5;
	cr_assert_eq(h_run(&h), HIVEHA_EAUTH);
	int64_t s[64];
	size_t n = seq(s, 64);
	cr_assert_eq(s[n - 1], HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
	cr_assert(strstr(h_sync_state(&h, "TrendHistory"), "token"), "%s",
	          h_sync_state(&h, "TrendHistory"));
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	cr_assert_eq(c.connects, 1);
	cr_assert_str_eq(LOCAL("X"), "(15,9)");
}

Test(states, reply_dropped_midway_is_retried)
{
	looptransport_fail_exchange(&h.transport, 1, HIVEHA_MSG_TIMESERIES, LOOPTRANSPORT_DROP, 0, 0);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL("X"), "(12,1) (13,2)");
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	cr_assert_eq(c.faults, 1);
}

Test(states, corrupt_reply_is_rejected_and_retried)
{
	looptransport_fail_exchange(&h.transport, 1, HIVEHA_MSG_TIMESERIES, LOOPTRANSPORT_CORRUPT, 0,
	                            0xff);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL("X"), "(12,1) (13,2)");
	cr_assert(strstr(h.log, "rejected"), "%s", h.log);
}

Test(states, corrupt_hello_is_rejected)
{
	h.cfg.max_attempts = 1;
	looptransport_fail_exchange(&h.transport, 1, HIVEHA_MSG_HELLO, LOOPTRANSPORT_CORRUPT, 0, 0xff);
	cr_assert_neq(h_run(&h), 0);
	int64_t s[64];
	size_t n = seq(s, 64);
	cr_assert_eq(s[n - 1], HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
	cr_assert_str_eq(LOCAL("X"), "(15,9)");
}

Test(states, timeout_is_retried)
{
	looptransport_fail_exchange(&h.transport, 1, HIVEHA_MSG_TIMESERIES, LOOPTRANSPORT_TIMEOUT, 0, 0);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL("X"), "(12,1) (13,2)");
}

Test(states, persistent_timeout_ends_with_error)
{
	h.cfg.max_attempts = 2;
	looptransport_fail_exchange(&h.transport, 1, HIVEHA_MSG_TIMESERIES, LOOPTRANSPORT_TIMEOUT, 0, 0);
	looptransport_fail_exchange(&h.transport, 2, HIVEHA_MSG_TIMESERIES, LOOPTRANSPORT_TIMEOUT, 0, 0);
	int rc = h_run(&h);
	/* the fakes may keep only one scheduled fault; either way no data changes wrongly */
	if (rc) {
		cr_assert_eq(rc, HIVEHA_ETIMEOUT);
		cr_assert_str_eq(LOCAL("X"), "(15,9)");
	} else {
		cr_assert_str_eq(LOCAL("X"), "(12,1) (13,2)");
	}
}

Test(states, local_store_failure_rolls_back_and_retries)
{
	h_fail_nth(&h.local, MEMSTORE_MASK(MEMSTORE_REPLACE_SAMPLES), 1, 0);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL("X"), "(12,1) (13,2)");
	cr_assert_eq(h_open_txns(&h.local), 0);
}

Test(states, local_store_down_ends_with_error)
{
	h_fail_from(&h.local, MEMSTORE_MASK(MEMSTORE_REPLACE_SAMPLES), 1, 0);
	cr_assert_eq(h_run(&h), HIVEHA_ESTORE);
	int64_t s[64];
	size_t n = seq(s, 64);
	cr_assert_eq(s[n - 1], HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
	cr_assert(strstr(h_sync_state(&h, "TrendHistory"), "store"), "%s",
	          h_sync_state(&h, "TrendHistory"));
	cr_assert_str_eq(LOCAL("X"), "(15,9)");
	cr_assert_eq(h_open_txns(&h.local), 0);
}

Test(states, peer_store_failure_is_reported)
{
	h.cfg.max_attempts = 1;
	h_fail_from(&h.peer, MEMSTORE_MASK(MEMSTORE_READ_SAMPLES), 1, 0);
	cr_assert_neq(h_run(&h), 0);
	int64_t s[64];
	size_t n = seq(s, 64);
	cr_assert_eq(s[n - 1], HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
	cr_assert_str_eq(LOCAL("X"), "(15,9)");
}

static harness *hook_h;
static void stop_on_ts(const hiveha_request *req, uint64_t index, void *payload)
{
	(void)index;
	(void)payload;
	if (strcmp(req->kind, HIVEHA_MSG_TIMESERIES) == 0)
		hiveha_governor_stop(hook_h->gov);
}

Test(states, stop_during_sync_interrupts_and_keeps_gap)
{
	hook_h = &h;
	h.cfg.chunk_samples = 1; /* several pages: the stop lands between them */
	looptransport_set_hook(&h.transport, stop_on_ts, NULL);
	h_gov(&h);
	int rc = hiveha_governor_run(h.gov);
	cr_assert_eq(rc, HIVEHA_ECANCELLED, "%s", hiveha_strerror(rc));
	int64_t s[64];
	size_t n = seq(s, 64);
	cr_assert_eq(s[n - 1], HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
	cr_assert(strstr(h_sync_state(&h, "TrendHistory"), "stop"));
	hiveha_deputy_snapshot snap;
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(snap.pending_gaps, 1);
}

Test(states, events_deputy_paths)
{
	h.cfg.deputies = HIVEHA_DEPUTIES_HIVE;
	h.cfg.events_expert_start = 10;
	h_event(&h.peer, 12, 1, 1, "e", 1);
	looptransport_fail_exchange(&h.transport, 1, HIVEHA_MSG_EVENTS, LOOPTRANSPORT_DROP, 0, 0);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	int64_t s[64];
	size_t n = h_states(&h, "EventHistory", s, 64);
	cr_assert_eq(s[0], HIVEHA_DEPUTY_STARTED);
	cr_assert_eq(s[n - 1], HIVEHA_DEPUTY_FINISHED_OK);
	cr_assert_eq(h_event_count(&h.local), 1);
}

Test(states, no_peer_configured)
{
	h.cfg.peer = NULL;
	cr_assert_eq(h_run(&h), HIVEHA_EINVAL);
	cr_assert(strstr(h_sync_state(&h, "TrendHistory"), "no peer"));
}

Test(states, background_start_stop)
{
	fakeclock_set_mode(&h.clock, FAKECLOCK_MANUAL);
	h_gov(&h);
	cr_assert_eq(hiveha_governor_start(h.gov), 0);
	cr_assert_eq(hiveha_governor_start(h.gov), HIVEHA_ESTATE);
	/* the background loop sleeps on the fake clock; wait until it does */
	fakeclock_wait_sleepers(&h.clock, 1);
	hiveha_deputy_snapshot snap;
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(snap.state, HIVEHA_DEPUTY_FINISHED_OK, "%s", snap.sync_state);
	cr_assert_eq(hiveha_governor_stop(h.gov), 0);
	cr_assert_str_eq(LOCAL("X"), "(12,1) (13,2)");
}

Test(states, background_retries_a_failed_start_up)
{
	fakeclock_set_mode(&h.clock, FAKECLOCK_MANUAL);
	h_count_sleeps(&h);
	h.cfg.retry_initial_ms = 1000;
	h_gov(&h);
	/* the start-up transaction cannot commit: the store is briefly down */
	h_fail_from(&h.local, MEMSTORE_MASK(MEMSTORE_COMMIT), 1, 0);
	cr_assert_eq(hiveha_governor_start(h.gov), 0);
	h_wait_in_sleep(&h, 1);
	hiveha_deputy_snapshot snap;
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(snap.state, HIVEHA_DEPUTY_IDLE, "no sync may run before start-up is persisted");
	cr_assert(strstr(h.log, "start-up failed"), "%s", h.log);
	/* the store comes back; after the back-off the governor starts and syncs */
	h_faults_off(&h.local);
	fakeclock_advance(&h.clock, 1000 * 1000000LL);
	h_wait_in_sleep(&h, 2);
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(snap.state, HIVEHA_DEPUTY_FINISHED_OK, "%s", snap.sync_state);
	cr_assert_eq(hiveha_governor_stop(h.gov), 0);
	cr_assert_str_eq(LOCAL("X"), "(12,1) (13,2)");
}
