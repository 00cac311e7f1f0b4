/*
 * Clocks (DESIGN §5 rule 1, issue 9 item 2): a peer whose clock is behind
 * ours must not make us delete samples it cannot replace. The peer never
 * vouches beyond its own now, and a skew larger than the overlap stops the
 * replace: the gap stays pending, TrendHistory ends finished_with_error
 * with the reason in SyncState, and the retry measures the skew again.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "deputy.h"
#include "gaps.h"
#include "harness.h"
#include "syncstate.h"

#define SEC HIVEHA_TICKS_PER_SECOND
#define HOUR (3600 * SEC)
#define T H_NOW             /* the local's now and start time */
#define C (T - 60 * SEC)    /* the local's covered-until: down for a minute */
#define NLOCAL 100          /* local samples in [C - 10 s, C): its overlap window */

static harness h;
static hiveha_clock behind; /* the peer's clock, an hour behind ours */

static void setup(void)
{
	h_init(&h);
	cr_assert_eq(fakeclock_new(&behind, T - HOUR, 0), 0);
	h.peer_resp_clock = &behind;
	h_peer_responder(&h, 0);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.start_time = T;
	h.cfg.max_attempts = 1;
	h_put_state(&h.local, HIVEHA_DEPUTY_TREND, C, 0, NULL, 0, NULL, 0, 0);
	for (int i = 0; i < NLOCAL; i++)
		h_sample1(&h.local, "X", C - 10 * SEC + i * (SEC / 10), i);
	/* what the peer took meanwhile, stamped by its clock: an hour earlier */
	for (int i = 0; i < 600; i++)
		h_sample1(&h.peer, "X", C - HOUR + i * (SEC / 10), 1000 + i);
}

static void teardown(void)
{
	h_fini(&h);
	fakeclock_free(&behind);
}

TestSuite(clocks, .init = setup, .fini = teardown);

static size_t local_in(hiveha_time from, hiveha_time to)
{
	hiveha_sample *s = NULL;
	size_t n = 0, k = 0;
	cr_assert_eq(h_get_samples(&h.local, "X", &s, &n), 0);
	for (size_t i = 0; i < n; i++)
		k += s[i].time >= from && s[i].time < to;
	memstore_free_samples(s, n);
	return k;
}

static hh_syncstate local_state(void)
{
	return h_load_state(&h.local, HIVEHA_DEPUTY_TREND);
}

Test(clocks, skew_beyond_overlap_stops_the_replace)
{
	h.cfg.overlap_ms = 10000;
	int rc = h_run(&h);
	cr_assert_eq(rc, HIVEHA_ERANGE, "%s; %s", hiveha_strerror(rc), h.log);
	cr_assert_eq(local_in(C - 10 * SEC, T), NLOCAL, "local samples deleted");
	hiveha_deputy_snapshot s;
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &s, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(s.state, HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
	cr_assert(strstr(s.sync_state, "clock skew to the peer is 3600000 ms"), "%s", s.sync_state);
	cr_assert(strstr(s.sync_state, "the gap stays pending"), "%s", s.sync_state);
	hh_syncstate st = local_state();
	cr_assert_eq(st.pending.n, 1);
	cr_assert(st.pending.v[0].from == C - 10 * SEC && st.pending.v[0].to == T);
	hh_syncstate_free(&st);
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	cr_assert_eq(c.exchanges[LOOPTRANSPORT_TIMESERIES], 0, "a timeseries request was sent");

	/* NTP fixes the peer's clock: the retry says hello again and fills */
	fakeclock_set_now(&behind, T);
	int64_t next = 0;
	cr_assert_eq(hiveha_governor_poll(h.gov, &next), 0);
	cr_assert_gt(next, 0, "no retry scheduled");
	fakeclock_advance(&h.clock, next * 1000000);
	cr_assert_eq(hiveha_governor_poll(h.gov, NULL), 0, "%s", h.log);
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &s, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(s.state, HIVEHA_DEPUTY_FINISHED_OK, "%s", s.sync_state);
	cr_assert_eq(s.pending_gaps, 0, "%s", s.sync_state);
	cr_assert_eq(local_in(C - 10 * SEC, T), 0, "the peer has nothing there: replaced away");
}

/* The same skew within a larger overlap: the sync goes ahead, but the peer
 * answers only for what is behind its own now; our samples after it stay. */
Test(clocks, peer_never_vouches_beyond_its_now)
{
	h.cfg.overlap_ms = 2 * 3600 * 1000;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_eq(local_in(C - 10 * SEC, T), NLOCAL, "local samples in the peer's future deleted");
	/* before the peer's now its samples replaced ours */
	cr_assert_eq(local_in(C - HOUR, C - HOUR + 60 * SEC), 600);
	hh_syncstate st = local_state();
	cr_assert_eq(st.pending.n, 1, "the peer's future must stay pending");
	cr_assert(st.pending.v[0].from == T - HOUR && st.pending.v[0].to == T);
	cr_assert(st.pending.v[0].flags & HH_SPAN_PEER_LACKS);
	hh_syncstate_free(&st);
}

/* Events are only inserted, never deleted: a skew does not stop them. */
Test(clocks, skew_does_not_stop_events)
{
	h.cfg.deputies = HIVEHA_DEPUTIES_HIVE;
	h.cfg.overlap_ms = 10000;
	h_put_state(&h.local, HIVEHA_DEPUTY_EVENTS, C, 0, NULL, 0, NULL, 0, 0);
	h_event(&h.peer, C - HOUR - 5 * SEC, 1, 2, "behind", 500);
	fakeclock_set_now(&behind, T - 30 * SEC); /* 30 s behind: beyond the overlap */
	h_event(&h.peer, C - 5 * SEC, 1, 2, "in the gap", 500);
	cr_assert_eq(h_run(&h), HIVEHA_ERANGE, "%s", h.log);
	hiveha_deputy_snapshot s;
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_EVENTS, &s, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(s.state, HIVEHA_DEPUTY_FINISHED_OK, "%s", s.sync_state);
	cr_assert(strstr(s.sync_state, "clock skew"), "%s", s.sync_state);
	cr_assert_eq(h_event_count(&h.local), 1);
	cr_assert_eq(local_in(C - 10 * SEC, T), NLOCAL);
}

/* A slow network is not a skew: the peer read its clock somewhere between
 * our hello and its reply; only a distance outside that interval counts. */
static int slow_peer(const hiveha_request *req, hiveha_reply_fn write, void *write_payload,
                     void *ctx)
{
	harness *hp = ctx;
	fakeclock_advance(&hp->clock, 20 * INT64_C(1000000000)); /* 20 s there ... */
	int rc = hiveha_responder_handle(hp->responder, req, write, write_payload);
	fakeclock_advance(&hp->clock, 20 * INT64_C(1000000000)); /* ... and 20 s back */
	return rc;
}

Test(clocks, round_trip_is_not_skew)
{
	h.peer_resp_clock = NULL; /* the peer reads our clock: no skew at all */
	h_peer_responder(&h, 0);
	looptransport_free(&h.transport);
	cr_assert_eq(looptransport_new_with_handler(&h.transport, slow_peer, &h), 0);
	h.cfg.overlap_ms = 10000;
	cr_assert_eq(h_run(&h), 0, "a 40 s round trip was taken for a skew: %s", h.log);
	cr_assert(!strstr(h.log, "clock skew"), "%s", h.log);
	cr_assert_eq(local_in(C - 10 * SEC, T), 0, "the peer has nothing there: replaced away");
}
