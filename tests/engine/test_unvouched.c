/*
 * MERGE-CASES.md U1/U2 and DESIGN §5 rule 4: a range the peer does not
 * vouch for stays pending only while the peer is filling it itself;
 * otherwise it is closed with a warning. Two peers never retry each
 * other's holes forever.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deputy.h"
#include "gaps.h"
#include "harness.h"
#include "syncstate.h"

static harness h;
static char buf[4096];

#define FAR 1000000000 /* peer covered-until far beyond the test's times */

static void setup(void)
{
	h_init(&h);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.start_time = 20;
	h_sample1(&h.local, "X", 15, 1);
	h_sample1(&h.peer, "X", 11, 2);
	h_sample1(&h.peer, "X", 18, 3);
}

static void teardown(void)
{
	h_fini(&h);
}

TestSuite(unvouched, .init = setup, .fini = teardown);

static hh_syncstate local_state(void)
{
	return h_load_state(&h.local, HIVEHA_DEPUTY_TREND);
}

Test(unvouched, u1_peer_still_filling_keeps_range_pending)
{
	hiveha_time pending[] = { 14, 17 };
	h_put_state(&h.peer, HIVEHA_DEPUTY_TREND, FAR, 0, pending, 1, NULL, 0, 0);
	h_peer_responder(&h, 1); /* the peer's governor is there: it is filling [14,17) */
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2) (15,1) (18,3)");
	hh_syncstate st = local_state();
	cr_assert_eq(st.pending.n, 1);
	cr_assert_eq(st.pending.v[0].from, 14);
	cr_assert_eq(st.pending.v[0].to, 17);
	cr_assert(st.pending.v[0].flags & HH_SPAN_PEER_LACKS);
	cr_assert_eq(st.closed.n, 0);
	hh_syncstate_free(&st);
	int64_t next = 0;
	cr_assert_eq(hiveha_governor_poll(h.gov, &next), 0);
	cr_assert_gt(next, 0);
	cr_assert(strstr(h_sync_state(&h, "TrendHistory"), "still filling"), "%s",
	          h_sync_state(&h, "TrendHistory"));

	/* the peer fills its hole; the retry after back-off completes ours */
	h_put_state(&h.peer, HIVEHA_DEPUTY_TREND, FAR, 0, NULL, 0, NULL, 0, 0);
	h_sample1(&h.peer, "X", 15, 7);
	h_peer_responder(&h, 1);
	/* the governor keeps the old transport: point a new one at the new responder */
	h_gov_free(&h);
	h.cfg.trend_expert_start = 0;
	h.cfg.start_time = 20;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2) (15,7) (18,3)");
	st = local_state();
	cr_assert_eq(st.pending.n, 0);
	hh_syncstate_free(&st);
}

Test(unvouched, u2_nobody_has_it_closes_with_warning)
{
	hiveha_time pending[] = { 14, 17 };
	h_put_state(&h.peer, HIVEHA_DEPUTY_TREND, FAR, 0, pending, 1, NULL, 0, 0);
	/* no governor at the peer: nobody is filling [14,17) */
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2) (15,1) (18,3)");
	hh_syncstate st = local_state();
	cr_assert_eq(st.pending.n, 0);
	cr_assert_eq(st.closed.n, 1);
	cr_assert_eq(st.closed.v[0].from, 14);
	cr_assert_eq(st.closed.v[0].to, 17);
	hh_syncstate_free(&st);
	cr_assert(strstr(h_sync_state(&h, "TrendHistory"), "closed"), "%s",
	          h_sync_state(&h, "TrendHistory"));
	int64_t next = 0;
	cr_assert_eq(hiveha_governor_poll(h.gov, &next), 0);
	cr_assert_gt(next, 0);
	hiveha_deputy_snapshot s;
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &s, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(s.pending_gaps, 0, "no retry loop");
}

Test(unvouched, closed_peer_range_is_never_vouched)
{
	hiveha_time closed[] = { 14, 17 };
	h_put_state(&h.peer, HIVEHA_DEPUTY_TREND, FAR, 0, NULL, 0, closed, 1, 0);
	h_peer_responder(&h, 1);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2) (15,1) (18,3)");
}

Test(unvouched, before_peer_history_start_is_not_vouched)
{
	h_put_state(&h.peer, HIVEHA_DEPUTY_TREND, FAR, 16, NULL, 0, NULL, 0, 0);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	/* [10,16) closed (the peer's history starts at 16: its (11,2) is not
	 * vouched for), [16,20) filled */
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(15,1) (18,3)");
}

/* Pure coverage rules. */
Test(unvouched, coverage_rules)
{
	hh_syncstate st;
	hh_syncstate_init(&st, NULL);
	st.present = 1;
	st.history_start = 5;
	st.covered_until = 100;
	cr_assert_eq(hh_spans_set(&st.pending, 20, 30, 0), 0);
	cr_assert_eq(hh_spans_set(&st.pending, 40, 50, HH_SPAN_PEER_LACKS), 0);
	cr_assert_eq(hh_spans_add(&st.closed, 60, 70), 0);
	hh_gap *g = NULL;
	size_t n = 0;
	hh_vouch_input in = { .st = &st, .have_governor = 1, .enabled = 1, .started = 1, .filling = 1 };
	cr_assert_eq(hh_unvouched(&in, 0, 80, NULL, &g, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert(g[0].from == 0 && g[0].to == 5 && !g[0].filling);
	cr_assert(g[1].from == 20 && g[1].to == 30 && g[1].filling);
	cr_assert(g[2].from == 40 && g[2].to == 50 && !g[2].filling);
	cr_assert(g[3].from == 60 && g[3].to == 70 && !g[3].filling);
	free(g);
	/* a range fully covered is vouched */
	cr_assert_eq(hh_unvouched(&in, 30, 40, NULL, &g, &n), 0);
	cr_assert_eq(n, 0);
	/* before start-up: everything after covered-until - overlap is pending */
	hh_vouch_input early = { .st = &st, .have_governor = 1, .enabled = 1, .filling = 1 };
	cr_assert_eq(hh_unvouched(&early, 90, 200, NULL, &g, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert(g[0].from == 100 && g[0].to == 200 && g[0].filling);
	free(g);
	/* without a governor nothing is being filled */
	hh_vouch_input none = { .st = &st, .enabled = 1, .started = 1, .filling = 1 };
	cr_assert_eq(hh_unvouched(&none, 20, 30, NULL, &g, &n), 0);
	cr_assert(n == 1 && !g[0].filling);
	free(g);
	/* a disabled deputy fills nothing */
	hh_vouch_input off = { .st = &st, .have_governor = 1, .started = 1 };
	cr_assert_eq(hh_unvouched(&off, 20, 30, NULL, &g, &n), 0);
	cr_assert(n == 1 && !g[0].filling);
	free(g);
	hh_syncstate_free(&st);
}

/* Routes a looptransport to whatever responder the slot holds by then:
 * responders need governors, governors need transports, transports need
 * responders - the slot breaks the cycle. */
static int via_slot(const hiveha_request *req, hiveha_reply_fn write, void *write_payload, void *ctx)
{
	hiveha_responder **slot = ctx;
	return hiveha_responder_handle(*slot, req, write, write_payload);
}

static size_t pending_of(hiveha_governor *g)
{
	hiveha_deputy_snapshot s;
	cr_assert_eq(hiveha_governor_snapshot(g, HIVEHA_DEPUTY_TREND, &s, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	return s.pending_gaps;
}

/*
 * Both instances were down during [14,17) and each has it pending. Each
 * serves the other through a responder backed by its live governor; they
 * take turns retrying. It must settle with [14,17) closed on both sides,
 * and no retry left, after a bounded number of rounds.
 */
Test(unvouched, mutual_hole_terminates)
{
	hiveha_store sa, sb;
	h_store_new(&sa);
	h_store_new(&sb);
	hiveha_time pending[] = { 14, 17 };
	h_put_state(&sa, HIVEHA_DEPUTY_TREND, 20, 0, pending, 1, NULL, 0, 0);
	h_put_state(&sb, HIVEHA_DEPUTY_TREND, 20, 0, pending, 1, NULL, 0, 0);
	h_sample1(&sa, "X", 12, 1);
	h_sample1(&sb, "X", 12, 1);
	hiveha_clock clock;
	cr_assert_eq(fakeclock_new(&clock, 1000, 0), 0);

	hiveha_governor_config cfg;
	hiveha_governor_config_init(&cfg, HIVEHA_GOVERNOR_CONFIG_VERSION);
	cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	cfg.peer = "other";
	cfg.overlap_ms = 0;
	cfg.start_time = 20;
	cfg.max_attempts = 1;
	hiveha_responder_config rc;
	hiveha_responder_config_init(&rc, HIVEHA_RESPONDER_CONFIG_VERSION);

	hiveha_responder *ra = NULL, *rb = NULL;
	hiveha_transport ta, tb;
	cr_assert_eq(looptransport_new_with_handler(&ta, via_slot, &rb), 0); /* A asks B */
	cr_assert_eq(looptransport_new_with_handler(&tb, via_slot, &ra), 0); /* B asks A */
	hiveha_governor *ga = NULL, *gb = NULL;
	h_store_ref(&sa);
	fakeclock_ref(&clock);
	cr_assert_eq(hiveha_governor_new(&ga, &cfg, &sa, &ta, &clock), 0);
	h_store_ref(&sb);
	fakeclock_ref(&clock);
	cr_assert_eq(hiveha_governor_new(&gb, &cfg, &sb, &tb, &clock), 0);
	cr_assert_eq(hiveha_responder_new(&ra, &rc, &sa, ga), 0);
	cr_assert_eq(hiveha_responder_new(&rb, &rc, &sb, gb), 0);

	/* A starts while B is not started yet: B vouches for nothing after its
	 * covered-until, and has [14,17) pending and fresh: "filling". */
	cr_assert_eq(hiveha_governor_run(ga), 0);
	cr_assert_eq(pending_of(ga), 1);
	/* B starts: A now marks [14,17) as lacking at the peer: not filling. */
	cr_assert_eq(hiveha_governor_run(gb), 0);
	cr_assert_eq(pending_of(gb), 0, "B must close the hole nobody has");
	/* A retries after back-off: B has closed it, so A closes too. */
	int rounds = 0;
	while (pending_of(ga) && rounds++ < 10) {
		int64_t next = 0;
		cr_assert_eq(hiveha_governor_poll(ga, &next), 0);
		fakeclock_advance(&clock, (next + 1) * 1000000);
	}
	cr_assert_eq(pending_of(ga), 0, "A still retries after %d rounds", rounds);
	cr_assert_lt(rounds, 3);
	/* nothing left to retry on either side */
	int64_t next_a = 0, next_b = 0;
	cr_assert_eq(hiveha_governor_poll(ga, &next_a), 0);
	cr_assert_eq(hiveha_governor_poll(gb, &next_b), 0);
	cr_assert_eq(pending_of(ga) + pending_of(gb), 0);

	hiveha_responder_free(ra);
	hiveha_responder_free(rb);
	ra = rb = NULL;
	hiveha_governor_free(ga);
	hiveha_governor_free(gb);
	fakeclock_free(&clock);
	h_store_free(&sa);
	h_store_free(&sb);
}

/* ---- U3: a peer governor that will not fill its gap is not "filling" --- */

static size_t local_pending(void)
{
	hh_syncstate st = local_state();
	size_t n = st.pending.n;
	hh_syncstate_free(&st);
	return n;
}

/* The peer's governor ran once and failed (its own peer is unreachable):
 * [14,17) stays pending there, with a retry scheduled. */
static void peer_ran_and_failed(void)
{
	hiveha_time pending[] = { 14, 17 };
	h_put_state(&h.peer, HIVEHA_DEPUTY_TREND, FAR, 0, pending, 1, NULL, 0, 0);
	h_peer_responder(&h, 1);
	cr_assert_neq(hiveha_governor_run(h.peer_gov), 0);
	hiveha_deputy_snapshot s;
	cr_assert_eq(hiveha_governor_snapshot(h.peer_gov, HIVEHA_DEPUTY_TREND, &s, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(s.state, HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
}

Test(unvouched, u1_peer_retry_due_keeps_range_pending)
{
	peer_ran_and_failed();
	/* its retry is due within its back-off: it is filling */
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2) (15,1) (18,3)");
	cr_assert_eq(local_pending(), 1);
}

Test(unvouched, u3_peer_that_never_polls_is_not_filling)
{
	peer_ran_and_failed();
	/* nobody polls the peer's governor: its retry is overdue by more than
	 * its longest back-off (60 s), and will never run */
	fakeclock_advance(&h.peer_clock, 3600 * INT64_C(1000000000));
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2) (15,1) (18,3)");
	hh_syncstate st = local_state();
	cr_assert_eq(st.pending.n, 0, "the local retries a hole nobody fills");
	cr_assert_eq(st.closed.n, 1);
	cr_assert(st.closed.v[0].from == 14 && st.closed.v[0].to == 17);
	hh_syncstate_free(&st);
	cr_assert(strstr(h_sync_state(&h, "TrendHistory"), "closed"), "%s",
	          h_sync_state(&h, "TrendHistory"));
}

Test(unvouched, u3_stopped_peer_governor_is_not_filling)
{
	peer_ran_and_failed();
	/* the peer's host stopped its governor: no retry will come */
	cr_assert_eq(hiveha_governor_stop(h.peer_gov), 0);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2) (15,1) (18,3)");
	cr_assert_eq(local_pending(), 0);
}

/* The peer's governor never starts: it claims to be about to fill [14,17)
 * for ever. The local asks again a bounded number of rounds, then closes
 * the range with a warning and keeps its own sample there. */
Test(unvouched, filling_range_is_closed_after_max_rounds)
{
	hiveha_time pending[] = { 14, 17 };
	h_put_state(&h.peer, HIVEHA_DEPUTY_TREND, FAR, 0, pending, 1, NULL, 0, 0);
	h_peer_responder(&h, 1);
	h.cfg.retry_max_ms = 1000;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	for (int i = 0; local_pending() && i < 10 * HH_MAX_FILLING_ROUNDS; i++) {
		int64_t next = 0;
		cr_assert_eq(hiveha_governor_poll(h.gov, &next), 0, "%s", h.log);
		fakeclock_advance(&h.clock, (next + 1) * 1000000);
	}
	/* the first round asks for [10,20), then [10,14) and [17,20); each
	 * retry asks for [14,17) once, and the 60th retry (its 61st ask) closes it */
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	uint64_t rounds = c.exchanges[LOOPTRANSPORT_TIMESERIES];
	cr_assert_eq(local_pending(), 0, "still pending after %llu rounds", (unsigned long long)rounds);
	cr_assert_eq(rounds, 2 + HH_MAX_FILLING_ROUNDS + 1, "closed after %llu rounds",
	             (unsigned long long)rounds);
	hh_syncstate st = local_state();
	cr_assert(st.closed.n == 1 && st.closed.v[0].from == 14 && st.closed.v[0].to == 17);
	hh_syncstate_free(&st);
	cr_assert(strstr(h_sync_state(&h, "TrendHistory"), "still says it is filling"), "%s",
	          h_sync_state(&h, "TrendHistory"));
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2) (15,1) (18,3)");
}

/* The rounds survive a restart: they are part of the persisted state. */
Test(unvouched, filling_rounds_are_persisted)
{
	hiveha_time pending[] = { 14, 17 };
	h_put_state(&h.peer, HIVEHA_DEPUTY_TREND, FAR, 0, pending, 1, NULL, 0, 0);
	h_peer_responder(&h, 1);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	h_gov_free(&h);
	hh_syncstate st = local_state();
	cr_assert_eq(st.pending.n, 1);
	cr_assert_eq(HH_SPAN_ROUNDS(st.pending.v[0].flags), 1);
	cr_assert(st.pending.v[0].flags & HH_SPAN_PEER_LACKS);
	hh_syncstate_free(&st);
}

/* ---- S1: the peer's unstored tail (DESIGN §5 rule 5) -------------------- */

Test(unvouched, s1_young_tail_waits_for_the_settle_window)
{
	/* settle 1 ms = 10000 ticks; the peer's (and our) clock just after the
	 * gap's end: all of [10,20) is younger than the settle window */
	h.peer_settle_ms = 1;
	h_peer_responder(&h, 0);
	fakeclock_set_now(&h.clock, 20 + 5000);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(15,1)", "replaced before settled");
	hh_syncstate st = local_state();
	cr_assert_eq(st.pending.n, 1, "the young tail was closed before it settled");
	cr_assert(st.pending.v[0].from == 10 && st.pending.v[0].to == 20);
	cr_assert_eq(st.closed.n, 0);
	hh_syncstate_free(&st);

	/* the peer stores what it had received: (14,9) */
	h_sample1(&h.peer, "X", 14, 9);
	int64_t next = 0;
	cr_assert_eq(hiveha_governor_poll(h.gov, &next), 0);
	cr_assert_gt(next, 0);
	fakeclock_advance(&h.clock, next * 1000000); /* 20 + 5 has passed on the peer's clock */
	cr_assert_eq(hiveha_governor_poll(h.gov, NULL), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2) (14,9) (18,3)");
	cr_assert_eq(local_pending(), 0);
}

/* A gap closes only up to the peer's now - settle; the rest waits. */
Test(unvouched, s1_settled_part_is_filled_the_tail_waits)
{
	h.peer_settle_ms = 1;
	h_peer_responder(&h, 0);
	fakeclock_set_now(&h.clock, 16 + 10000); /* settled up to 16 */
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2)",
	                 "[10,16) replaced; [16,20), where the local has nothing, not yet");
	hh_syncstate st = local_state();
	cr_assert_eq(st.pending.n, 1);
	cr_assert(st.pending.v[0].from == 16 && st.pending.v[0].to == 20);
	hh_syncstate_free(&st);
}

/* A host that says how far it has stored (set_stored_until) is believed
 * over the settle window: the peer vouches up to there and no further,
 * however late its clock, and the tail is fetched once the host has
 * stored it - a peer whose ingest lags more than the settle window (a
 * loaded machine) still leaves no permanent hole. */
Test(unvouched, peer_vouches_only_up_to_its_hosts_stored_until)
{
	h_put_state(&h.peer, HIVEHA_DEPUTY_TREND, 1000000, 0, NULL, 0, NULL, 0, 0);
	h_peer_responder(&h, 1);
	fakeclock_set_now(&h.clock, 1000000); /* settle 0: the clock alone vouches all */
	fakeclock_set_now(&h.peer_clock, 1000000);
	cr_assert_eq(hiveha_governor_set_stored_until(h.peer_gov, 16), 0);
	hiveha_governor_run(h.peer_gov); /* started; its own gap cannot be filled */
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2)",
	                 "[10,16) replaced; nothing at or after the peer's stored-until");
	hh_syncstate st = local_state();
	cr_assert_eq(st.pending.n, 1, "the unstored tail was closed");
	cr_assert(st.pending.v[0].from == 16 && st.pending.v[0].to == 20);
	cr_assert_eq(st.closed.n, 0);
	hh_syncstate_free(&st);

	/* the peer's host has stored on: the retry fills the tail */
	cr_assert_eq(hiveha_governor_set_stored_until(h.peer_gov, 30), 0);
	int64_t next = 0;
	cr_assert_eq(hiveha_governor_poll(h.gov, &next), 0);
	fakeclock_advance(&h.clock, next * 1000000);
	cr_assert_eq(hiveha_governor_poll(h.gov, NULL), 0, "%s", h.log);
	cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(11,2) (18,3)");
	cr_assert_eq(local_pending(), 0);
}

/* The persisted count is checked like every other field. */
Test(unvouched, filling_rounds_codec)
{
	hh_syncstate st;
	hh_syncstate_init(&st, NULL);
	st.present = 1;
	cr_assert_eq(hh_spans_set(&st.pending, 14, 17, HH_SPAN_WITH_ROUNDS(HH_SPAN_PEER_LACKS, 7)), 0);
	char *json = NULL;
	size_t len = 0;
	cr_assert_eq(hh_syncstate_encode(&st, &json, &len), 0);
	cr_assert(strstr(json, "\"filling_rounds\":7"), "%s", json);
	hh_syncstate back;
	hh_syncstate_init(&back, NULL);
	hh_errbuf err = { .msg = "" };
	cr_assert_eq(hh_syncstate_decode(&back, json, len, &err), 0, "%s", err.msg);
	cr_assert_eq(back.pending.v[0].flags, HH_SPAN_WITH_ROUNDS(HH_SPAN_PEER_LACKS, 7));
	hh_syncstate_free(&back);
	free(json);
	hh_syncstate_free(&st);
	static const char *const bad[] = { "-1", "65536", "\"3\"", "1e9" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char doc[256];
		snprintf(doc, sizeof(doc),
		         "{\"format\":1,\"pending\":[{\"from\":\"14\",\"to\":\"17\",\"filling_rounds\":%s}]}",
		         bad[i]);
		hh_syncstate_init(&back, NULL);
		cr_assert_neq(hh_syncstate_decode(&back, doc, strlen(doc), &err), 0, "%s", bad[i]);
		hh_syncstate_free(&back);
	}
}
