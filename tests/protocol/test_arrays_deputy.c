/*
 * test_arrays_deputy.c - a requester announces HH_CAP_ARRAYS, in hello and
 * in every request, only when its store declares version 3 (store.h): a
 * version 2 store never receives an array; the peer's array item is left
 * untouched with the deputy's "unknown to the peer" warning, and its
 * scalar items still sync. With version 3 everything syncs, bit for bit.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"
#include "protocol/protocol.h"

typedef struct peer {
	hiveha_responder *responder;
	uint32_t hello_caps; /* what the deputy announced */
	uint32_t ts_caps;    /* and in its timeseries requests (ANDed) */
	int requests;
} peer;

static int collect(const void *data, size_t len, void *payload)
{
	return hh_buf_append(payload, data, len);
}

static int handler(const hiveha_request *req, hiveha_reply_fn write, void *write_payload, void *ctx)
{
	peer *p = ctx;
	hh_limits lim;
	hh_errbuf err;
	hh_buf b;

	hh_limits_default(&lim);
	if (!strcmp(req->kind, HIVEHA_MSG_HELLO)) {
		hh_hello in;

		cr_assert_eq(hh_decode_hello(&in, req->body, req->body_len, &lim, &err), 0, "%s",
		             err.msg);
		p->hello_caps = in.caps;
		hh_hello_free(&in);
	} else if (!strcmp(req->kind, HIVEHA_MSG_TIMESERIES)) {
		hh_ts_request q;

		cr_assert_eq(hh_decode_ts_request(&q, req->body, req->body_len, &lim, &err), 0, "%s",
		             err.msg);
		p->ts_caps = p->requests++ ? p->ts_caps & q.caps : q.caps;
		hh_ts_request_free(&q);
	}
	hh_buf_init(&b, NULL);
	int rc = hiveha_responder_handle(p->responder, req, collect, &b);
	if (b.len && write(b.data, b.len, write_payload))
		rc = HIVEHA_ECANCELLED;
	hh_buf_free(&b);
	return rc;
}

static void sync_with(unsigned store_version, peer *p, harness *h)
{
	double d[16];
	hiveha_value v;

	h_init(h);
	memset(p, 0, sizeof(*p));
	p->responder = h->responder;
	looptransport_free(&h->transport);
	cr_assert_eq(looptransport_new_with_handler(&h->transport, handler, p), 0);
	h->cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h->cfg.trend_expert_start = 10;
	h->cfg.start_time = 20;
	h->local.version = store_version; /* the governor copies the store by it */
	h_add_item(&h->local, "S");
	h_sample1(&h->peer, "S", 11, 1.5);
	h_add_item(&h->local, "V");
	for (int i = 0; i < 16; i++)
		d[i] = i * 0.5;
	memset(&v, 0, sizeof(v));
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_DOUBLE, d, 16), 0);
	hiveha_sample s = { 12, v, HIVEHA_QUALITY_GOOD };
	cr_assert_eq(memstore_append_samples(&h->peer, "V", &s, 1), 0);
	hiveha_value_clear(&v);
	cr_assert_eq(h_run(h), 0, "%s", h->log);
}

Test(arrays_deputy, a_version_2_store_never_asks_for_arrays)
{
	harness h;
	peer p;
	size_t n = 99;

	sync_with(2, &p, &h);
	cr_assert_eq(p.hello_caps & HH_CAP_ARRAYS, 0);
	cr_assert_gt(p.requests, 0);
	cr_assert_eq(p.ts_caps & HH_CAP_ARRAYS, 0);
	cr_assert_eq(memstore_sample_count(&h.local, "S", &n), 0);
	cr_assert_eq(n, 1, "the scalar item syncs");
	cr_assert_eq(memstore_sample_count(&h.local, "V", &n), 0);
	cr_assert_eq(n, 0, "the array item is left untouched");
	cr_assert(strstr(h.log, "unknown to the peer, left untouched: V"), "%s", h.log);
	h_fini(&h);
}

Test(arrays_deputy, a_version_3_store_syncs_arrays)
{
	harness h;
	peer p;
	char diff[512] = "";

	sync_with(3, &p, &h);
	cr_assert(p.hello_caps & HH_CAP_ARRAYS);
	cr_assert(p.ts_caps & HH_CAP_ARRAYS);
	cr_assert(h_equal(&h.local, &h.peer, diff, sizeof(diff)), "%s", diff);
	h_fini(&h);
}
