/*
 * MERGE-CASES.md U1/U2 and DESIGN §5 rule 4: a range the peer does not
 * vouch for stays pending only while the peer is filling it itself;
 * otherwise it is closed with a warning. Two peers never retry each
 * other's holes forever.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "governor_internal.h"
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
	hh_syncstate st;
	hh_syncstate_init(&st, NULL);
	char err[256] = "";
	cr_assert_eq(hh_syncstate_load(&st, &h.local, HIVEHA_DEPUTY_TREND, err, sizeof(err)), 0);
	return st;
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
