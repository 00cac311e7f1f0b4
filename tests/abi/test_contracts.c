/*
 * test_contracts.c - the API contracts issue 10 settled:
 *  - a failed store begin() leaves no transaction: the core never commits
 *    or rolls back what it did not get, and a successful begin() may hand
 *    back a NULL handle;
 *  - deputies = 0 means HIVEHA_DEPUTIES_HIVE, and a bit of a kind this
 *    library does not know is refused rather than taken as "all";
 *  - hiveha_responder_handle() reports a failing writer as HIVEHA_EWRITE,
 *    never as one of its own codes.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <hiveha/hiveha.h>

#include "fakeclock.h"
#include "looptransport.h"
#include "memstore.h"

/* ---- a store with unusual transaction handles, around a memstore --------- */

static char bogus_txn; /* what a failing begin() leaves behind */
#define BOGUS ((hiveha_store_txn *)&bogus_txn)

typedef struct odd {
	hiveha_store inner;
	int fail_begin;          /* begin() writes BOGUS, then fails */
	int null_handle;         /* begin() succeeds with *txn_out = NULL */
	hiveha_store_txn *held;  /* the inner transaction in null_handle mode */
	unsigned begins, ok_begins, commits, rollbacks, bogus_ends;
} odd;

/* The inner store's transaction for the handle the library passed. */
static hiveha_store_txn *inner_txn(odd *o, hiveha_store_txn *txn)
{
	return o->null_handle ? o->held : txn;
}

static int o_list_items(void *ctx, hiveha_item_fn fn, void *payload)
{
	odd *o = ctx;
	return o->inner.list_items(o->inner.ctx, fn, payload);
}

static int o_read_samples(void *ctx, const char *id, hiveha_time from, hiveha_time to,
                          uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload)
{
	odd *o = ctx;
	return o->inner.read_samples(o->inner.ctx, id, from, to, skip, max, fn, payload);
}

static int o_read_events(void *ctx, hiveha_time from, hiveha_time to, uint64_t skip, size_t max,
                         hiveha_events_fn fn, void *payload)
{
	odd *o = ctx;
	return o->inner.read_events(o->inner.ctx, from, to, skip, max, fn, payload);
}

static int o_begin(void *ctx, hiveha_store_txn **txn_out)
{
	odd *o = ctx;
	hiveha_store_txn *t = NULL;
	int rc;

	o->begins++;
	if (o->fail_begin) {
		*txn_out = BOGUS; /* careless, but the contract lets the library ignore it */
		return HIVEHA_ESTORE;
	}
	if ((rc = o->inner.begin(o->inner.ctx, &t)))
		return rc;
	o->ok_begins++;
	if (o->null_handle) {
		cr_assert_null(o->held, "a second transaction while one is open");
		o->held = t;
		t = NULL;
	}
	*txn_out = t;
	return 0;
}

static int o_commit(void *ctx, hiveha_store_txn *txn)
{
	odd *o = ctx;
	if (txn == BOGUS) {
		o->bogus_ends++;
		return HIVEHA_ESTORE;
	}
	o->commits++;
	hiveha_store_txn *t = inner_txn(o, txn);
	o->held = NULL;
	return o->inner.commit(o->inner.ctx, t);
}

static void o_rollback(void *ctx, hiveha_store_txn *txn)
{
	odd *o = ctx;
	if (txn == BOGUS) {
		o->bogus_ends++;
		return;
	}
	o->rollbacks++;
	hiveha_store_txn *t = inner_txn(o, txn);
	o->held = NULL;
	o->inner.rollback(o->inner.ctx, t);
}

static int o_replace_samples(void *ctx, hiveha_store_txn *txn, const char *id, hiveha_time from,
                             hiveha_time to, const hiveha_sample *s, size_t n)
{
	odd *o = ctx;
	return o->inner.replace_samples(o->inner.ctx, inner_txn(o, txn), id, from, to, s, n);
}

static int o_insert_events(void *ctx, hiveha_store_txn *txn, const hiveha_event *e, size_t n,
                           size_t *inserted)
{
	odd *o = ctx;
	return o->inner.insert_events(o->inner.ctx, inner_txn(o, txn), e, n, inserted);
}

static int o_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	odd *o = ctx;
	return o->inner.kv_get(o->inner.ctx, key, fn, payload);
}

static int o_kv_put(void *ctx, hiveha_store_txn *txn, const char *key, const void *d, size_t n)
{
	odd *o = ctx;
	return o->inner.kv_put(o->inner.ctx, inner_txn(o, txn), key, d, n);
}

static int o_kv_delete(void *ctx, hiveha_store_txn *txn, const char *key)
{
	odd *o = ctx;
	return o->inner.kv_delete(o->inner.ctx, inner_txn(o, txn), key);
}

static hiveha_store odd_store(odd *o)
{
	hiveha_store s = HIVEHA_STORE_INIT;
	s.ctx = o;
	s.list_items = o_list_items;
	s.read_samples = o_read_samples;
	s.read_events = o_read_events;
	s.begin = o_begin;
	s.commit = o_commit;
	s.rollback = o_rollback;
	s.replace_samples = o_replace_samples;
	s.insert_events = o_insert_events;
	s.kv_get = o_kv_get;
	s.kv_put = o_kv_put;
	s.kv_delete = o_kv_delete;
	return s; /* no destroy: the test owns `o` and its memstore */
}

/* ---- two instances: a peer with one minute of "A", a local governor ------ */

#define SEC HIVEHA_TICKS_PER_SECOND
static const hiveha_time T = 133800000000000000; /* local start */

typedef struct pair {
	hiveha_store peer;
	hiveha_responder *resp;
	hiveha_transport transport;
	hiveha_clock clock;
	hiveha_governor_config cfg;
} pair;

static void pair_init(pair *p)
{
	hiveha_sample s[3];

	cr_assert_eq(memstore_new(&p->peer), 0);
	for (int i = 0; i < 3; i++) {
		memset(&s[i], 0, sizeof s[i]);
		s[i].time = T - 30 * SEC + i * SEC;
		s[i].quality = HIVEHA_QUALITY_GOOD;
		hiveha_value_set_double(&s[i].value, i);
	}
	cr_assert_eq(memstore_append_samples(&p->peer, "A", s, 3), 0);
	/* both instances on the fake time base: a skew beyond the overlap would
	 * stop the sync (the responder keeps a reference to the clock) */
	cr_assert_eq(fakeclock_new(&p->clock, T, 0), 0);
	fakeclock_ref(&p->clock);
	hiveha_responder_config rcfg;
	hiveha_responder_config_init(&rcfg, HIVEHA_RESPONDER_CONFIG_VERSION);
	rcfg.clock = &p->clock;
	cr_assert_eq(hiveha_responder_new(&p->resp, &rcfg, &p->peer, NULL), 0);
	cr_assert_eq(looptransport_new_responder(&p->transport, p->resp), 0);
	hiveha_governor_config_init(&p->cfg, HIVEHA_GOVERNOR_CONFIG_VERSION);
	p->cfg.peer = "peer";
	p->cfg.start_time = T;
	p->cfg.lookback_ms = 60000; /* first start: sync [T - 60 s, T) */
	p->cfg.max_attempts = 1;
}

static void pair_fini(pair *p)
{
	hiveha_responder_free(p->resp); /* destroys the peer store */
	fakeclock_free(&p->clock);       /* the responder's reference */
}

static int pair_run(pair *p, const hiveha_store *local, hiveha_governor **gov_out)
{
	hiveha_governor *gov = NULL;
	int rc = hiveha_governor_new(&gov, &p->cfg, local, &p->transport, &p->clock);
	cr_assert_eq(rc, 0, "%s", hiveha_strerror(rc));
	rc = hiveha_governor_run(gov);
	if (gov_out)
		*gov_out = gov;
	else
		hiveha_governor_free(gov); /* destroys transport and clock */
	return rc;
}

/* A local odd store that knows item "A", and the pair to sync it from. */
static hiveha_store odd_local(pair *p, odd *o)
{
	pair_init(p);
	cr_assert_eq(memstore_new(&o->inner), 0);
	cr_assert_eq(memstore_add_item(&o->inner, "A"), 0);
	return odd_store(o);
}

Test(contracts, a_failed_begin_is_never_committed_or_rolled_back)
{
	pair p;
	odd o = { 0 };
	hiveha_store s = odd_local(&p, &o);

	o.fail_begin = 1;
	cr_assert_neq(pair_run(&p, &s, NULL), 0);
	cr_assert_gt(o.begins, 0);
	cr_assert_eq(o.bogus_ends, 0, "the library ended a transaction whose begin failed");
	cr_assert_eq(o.commits + o.rollbacks, 0);
	memstore_free(&o.inner);
	pair_fini(&p);
}

Test(contracts, a_null_transaction_handle_is_a_transaction)
{
	pair p;
	odd o = { 0 };
	hiveha_store s = odd_local(&p, &o);
	size_t n = 0;

	o.null_handle = 1;
	cr_assert_eq(pair_run(&p, &s, NULL), 0);
	cr_assert_gt(o.ok_begins, 0);
	cr_assert_eq(o.commits + o.rollbacks, o.ok_begins, "every transaction begun was ended");
	cr_assert_eq(memstore_open_txns(&o.inner), 0);
	cr_assert_eq(memstore_sample_count(&o.inner, "A", &n), 0);
	cr_assert_eq(n, 3, "the gap was filled through NULL-handle transactions");
	cr_assert_gt(memstore_kv_count(&o.inner), 0, "the sync state was committed");
	memstore_free(&o.inner);
	pair_fini(&p);
}

/* ---- the deputy mask ---------------------------------------------------- */

Test(contracts, deputies_0_is_the_two_hive_deputies_and_unknown_bits_are_refused)
{
	pair p;
	hiveha_store local;
	hiveha_governor *gov = NULL;
	hiveha_deputy_snapshot snap;
	char msg[256];

	pair_init(&p);
	cr_assert_eq(memstore_new(&local), 0);
	cr_assert_eq(HIVEHA_DEPUTIES_HIVE, HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND) |
	                                       HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS));

	/* A kind this library does not know is an error, not "all". */
	p.cfg.deputies = HIVEHA_DEPUTIES_HIVE | HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS + 1);
	cr_assert_eq(hiveha_governor_new(&gov, &p.cfg, &local, &p.transport, &p.clock),
	             HIVEHA_EINVAL);
	cr_assert_null(gov);
	cr_assert_eq(hiveha_store_check(&local, HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS + 1), msg,
	                                sizeof msg),
	             HIVEHA_EINVAL);

	p.cfg.deputies = 0;
	cr_assert_eq(pair_run(&p, &local, &gov), 0);
	for (int k = HIVEHA_DEPUTY_TREND; k <= HIVEHA_DEPUTY_EVENTS; k++) {
		int rc = hiveha_governor_snapshot(gov, k, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION);
		cr_assert_eq(rc, 0);
		cr_assert_eq(snap.enabled, 1, "%s", hiveha_deputy_name(k));
	}
	cr_assert_eq(hiveha_governor_snapshot(gov, HIVEHA_DEPUTY_EVENTS + 1, &snap,
	                                      HIVEHA_DEPUTY_SNAPSHOT_VERSION),
	             HIVEHA_EINVAL);
	hiveha_governor_free(gov);
	pair_fini(&p);
}

/* ---- the responder's writer --------------------------------------------- */

typedef struct writer {
	int fail_with; /* 0: collect */
	size_t bytes;
	unsigned calls;
} writer;

static int w_write(const void *data, size_t len, void *payload)
{
	writer *w = payload;
	(void)data;
	w->calls++;
	if (w->fail_with)
		return w->fail_with;
	w->bytes += len;
	return 0;
}

static int handle(hiveha_responder *r, const char *body, size_t len, writer *w)
{
	hiveha_request req = HIVEHA_REQUEST_INIT;
	req.kind = HIVEHA_MSG_HELLO;
	req.body = body;
	req.body_len = len;
	return hiveha_responder_handle(r, &req, w_write, w);
}

Test(contracts, a_failing_writer_is_hiveha_ewrite_whatever_it_returned)
{
	static const char hello[] = "{\"type\":\"hello\",\"protocol\":1,\"instance_id\":\"b\","
	                            "\"clock\":\"133800000000000000\",\"caps\":0}";
	static char big[2048];
	hiveha_store st;
	hiveha_responder_config cfg;
	hiveha_responder *r = NULL;
	const int codes[] = { HIVEHA_ELIMIT, HIVEHA_ENOMEM, HIVEHA_EAUTH, HIVEHA_EUSER, 5 };

	cr_assert_eq(memstore_new(&st), 0);
	hiveha_responder_config_init(&cfg, HIVEHA_RESPONDER_CONFIG_VERSION);
	cfg.max_request_bytes = 1024;
	cr_assert_eq(hiveha_responder_new(&r, &cfg, &st, NULL), 0);
	memset(big, ' ', sizeof big);

	/* The request's own outcomes, with a writer that works. */
	writer ok = { 0, 0, 0 };
	cr_assert_eq(handle(r, hello, sizeof hello - 1, &ok), 0);
	cr_assert_gt(ok.bytes, 0);
	cr_assert_eq(handle(r, big, sizeof big, &ok), HIVEHA_ELIMIT); /* an error reply */

	/* A writer that fails: HIVEHA_EWRITE, on a good and on a refused request
	 * alike, so that a listener's overflowing writer (HIVEHA_ELIMIT) is not
	 * taken for a request that was too large. */
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		writer w = { codes[i], 0, 0 };
		cr_assert_eq(handle(r, hello, sizeof hello - 1, &w), HIVEHA_EWRITE, "writer %d",
		             codes[i]);
		cr_assert_eq(w.calls, 1, "no more is written after the writer failed");
		cr_assert_eq(handle(r, big, sizeof big, &w), HIVEHA_EWRITE, "writer %d", codes[i]);
	}
	hiveha_responder_free(r);
}
