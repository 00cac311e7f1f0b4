/*
 * Issue 9 item 1 and DESIGN §5 rule 1: a range an instance stored is never
 * declared missing by either side, even while its own start-up gap (the
 * overlap it re-reads) covers it.
 *
 * Two full instances, each a store, a governor and a responder attached
 * to that governor, wired to each other by looptransports. Times are ms
 * (U ticks); item X has one sample per ms where an instance collected.
 *
 *   B collected [0, 100), then was down; A collected [0, 200), then was
 *   killed (covered-until 200). B came back first at 300 and could not
 *   reach A; A came back at 350. Overlap 10: A's start-up gap is
 *   [190, 350), of which A itself stored [190, 200).
 *
 * Nobody has [200, 300). Everything else must end up on both sides, in
 * particular A's last overlap [190, 200) on B.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "coverage.h"
#include "deputy.h"
#include "gaps.h"
#include "harness.h"
#include "syncstate.h"

#define U HIVEHA_TICKS_PER_MS
#define NOW (100000 * U) /* both clocks: far after the data, past any settle window */

typedef struct instance {
	const char *name;
	hiveha_store store;   /* the test's reference */
	hiveha_clock clock;   /* the test's reference */
	hiveha_transport transport;
	hiveha_governor *gov;
	hiveha_responder *responder;
	struct instance *peer;
	char log[8192];
} instance;

static instance A, B;

static int to_peer(const hiveha_request *req, hiveha_reply_fn write, void *write_payload, void *ctx)
{
	instance *self = ctx;
	return hiveha_responder_handle(self->peer->responder, req, write, write_payload);
}

static void on_log(int level, const char *msg, void *payload)
{
	instance *in = payload;
	(void)level;
	size_t used = strlen(in->log);
	if (used + strlen(msg) + 2 < sizeof(in->log))
		snprintf(in->log + used, sizeof(in->log) - used, "%s\n", msg);
}

static void collect(instance *in, int from_ms, int to_ms)
{
	for (int i = from_ms; i < to_ms; i++)
		h_sample1(&in->store, "X", i * U, i);
}

static void put_state(instance *in, hiveha_time covered_until)
{
	h_put_state(&in->store, HIVEHA_DEPUTY_TREND, covered_until, 0, NULL, 0, NULL, 0, 0);
}

static void start(instance *in, hiveha_time start_time)
{
	hiveha_governor_config cfg;
	hiveha_governor_config_init(&cfg, HIVEHA_GOVERNOR_CONFIG_VERSION);
	cfg.instance_id = in->name;
	cfg.peer = "peer";
	cfg.token = "secret";
	cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	cfg.overlap_ms = 10;
	cfg.start_time = start_time;
	cfg.max_attempts = 1;
	cfg.on_log = on_log;
	cfg.payload = in;
	h_store_ref(&in->store);
	looptransport_ref(&in->transport);
	fakeclock_ref(&in->clock);
	cr_assert_eq(hiveha_governor_new(&in->gov, &cfg, &in->store, &in->transport, &in->clock), 0);
	hiveha_responder_config rc;
	hiveha_responder_config_init(&rc, HIVEHA_RESPONDER_CONFIG_VERSION);
	rc.token = "secret";
	rc.instance_id = in->name;
	cr_assert_eq(hiveha_responder_new(&in->responder, &rc, &in->store, in->gov), 0);
}

static void init(instance *in, const char *name, instance *peer)
{
	memset(in, 0, sizeof(*in));
	in->name = name;
	in->peer = peer;
	h_store_new(&in->store);
	cr_assert_eq(fakeclock_new(&in->clock, NOW, 0), 0);
	cr_assert_eq(looptransport_new_with_handler(&in->transport, to_peer, in), 0);
}

static void fini(instance *in)
{
	hiveha_responder_free(in->responder);
	hiveha_governor_free(in->gov);
	looptransport_free(&in->transport);
	fakeclock_free(&in->clock);
	h_store_free(&in->store);
}

/* Lets the due retry of `in` run: advances time to it, then polls. Both
 * clocks advance: a skew between them beyond the overlap would stop the
 * replace (DESIGN §5 rule 1). */
static void retry(instance *in)
{
	int64_t next = 0;
	cr_assert_eq(hiveha_governor_poll(in->gov, &next), 0, "%s", in->log);
	fakeclock_advance(&in->clock, (next + 1) * 1000000);
	fakeclock_advance(&in->peer->clock, (next + 1) * 1000000);
	(void)hiveha_governor_poll(in->gov, NULL);
}

/* X's samples as "[a..b] [c..d]" runs of ms. */
static const char *runs(const instance *in, char *buf, size_t size)
{
	return h_runs(&in->store, "X", U, buf, size);
}

static hh_syncstate state_of(const instance *in)
{
	hh_syncstate st;
	hh_syncstate_init(&st, NULL);
	hh_errbuf err = { .msg = "" };
	cr_assert_eq(hh_syncstate_load(&st, &in->store, HIVEHA_DEPUTY_TREND, &err), 0, "%s",
	             err.msg);
	return st;
}

static void assert_closed_only_nobodys(const instance *in)
{
	hh_syncstate st = state_of(in);
	cr_assert_eq(st.pending.n, 0, "%s: still pending\n%s", in->name, in->log);
	cr_assert_eq(st.closed.n, 1, "%s: %zu closed ranges\n%s", in->name, st.closed.n, in->log);
	cr_assert_eq(st.closed.v[0].from, 200 * U, "%s closed from %lld ms\n%s", in->name,
	             (long long)(st.closed.v[0].from / U), in->log);
	cr_assert_eq(st.closed.v[0].to, 300 * U, "%s", in->log);
	cr_assert_eq(st.held.n, 0, "%s: held ranges outlive their gap", in->name);
	hh_syncstate_free(&st);
}

Test(held, both_restarted_keep_what_either_stored)
{
	init(&A, "A", &B);
	init(&B, "B", &A);
	collect(&A, 0, 200);
	put_state(&A, 200 * U);
	collect(&B, 0, 100);
	put_state(&B, 100 * U);

	/* B comes back first; A is down */
	looptransport_set_peer_down(&B.transport, 1);
	start(&B, 300 * U);
	cr_assert_neq(hiveha_governor_run(B.gov), 0, "A is down, B's sync must fail");
	collect(&B, 300, 400);
	looptransport_set_peer_down(&B.transport, 0);

	/* A comes back */
	start(&A, 350 * U);
	(void)hiveha_governor_run(A.gov);
	collect(&A, 350, 400);
	char buf[256];
	/* A vouches for [190, 200) while its own gap re-reads it */
	hh_gap_list l;
	cr_assert_eq(hh_governor_unvouched(A.gov, HIVEHA_DEPUTY_TREND, 100 * U, 300 * U, 0, &l),
	             0);
	cr_assert_eq(l.count, 1);
	cr_assert_eq(l.gaps[0].from, 200 * U, "A refuses to vouch from %lld ms on",
	             (long long)(l.gaps[0].from / U));
	hh_gap_list_free(&l);

	/* each retries until nothing is pending */
	for (int round = 0; round < 4; round++) {
		retry(&B);
		retry(&A);
	}
	cr_assert_str_eq(runs(&B, buf, sizeof(buf)), "[0..199] [300..399]", "B:\n%s", B.log);
	cr_assert_str_eq(runs(&A, buf, sizeof(buf)), "[0..199] [300..399]", "A:\n%s", A.log);
	assert_closed_only_nobodys(&A);
	assert_closed_only_nobodys(&B);
	fini(&A);
	fini(&B);
}

Test(held, a_start_never_closes_what_it_stored)
{
	/* A's own overlap is reported "not filling" by a peer that lacks it:
	 * A stops re-reading it, but does not record it as nobody's. */
	init(&A, "A", &B);
	init(&B, "B", &A);
	collect(&A, 0, 200);
	put_state(&A, 200 * U);
	hiveha_time pending[] = { 150 * U, 300 * U };
	h_put_state(&B.store, HIVEHA_DEPUTY_TREND, NOW, 0, pending, 1, NULL, 0, 1);
	hiveha_responder_config rc;
	hiveha_responder_config_init(&rc, HIVEHA_RESPONDER_CONFIG_VERSION);
	rc.token = "secret";
	rc.clock = &B.clock; /* the test's time base, not the system clock */
	h_store_ref(&B.store); /* a responder without a governor owns its store */
	cr_assert_eq(hiveha_responder_new(&B.responder, &rc, &B.store, NULL), 0);
	start(&A, 300 * U);
	cr_assert_eq(hiveha_governor_run(A.gov), 0, "%s", A.log);
	hh_syncstate st = state_of(&A);
	cr_assert_eq(st.pending.n, 0, "%s", A.log);
	cr_assert_eq(st.closed.n, 1, "%s", A.log);
	cr_assert_eq(st.closed.v[0].from, 200 * U, "A closed its own [190, 200)\n%s", A.log);
	cr_assert_eq(st.closed.v[0].to, 300 * U);
	hh_syncstate_free(&st);
	fini(&A);
	fini(&B);
}
