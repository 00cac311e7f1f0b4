/*
 * test_items_fc_deputy.c - the deputy front-codes the ids of its
 * timeseries requests only when the peer announced HH_CAP_ITEMS_FC in its
 * hello reply, and the sync result is the same either way.
 *
 * The peer is the real responder behind a handler that can take the cap
 * out of its hello reply (an older peer) and that records which form each
 * timeseries request used.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"
#include "protocol/protocol.h"

typedef struct peer {
	hiveha_responder *responder;
	int hide_cap;      /* take HH_CAP_ITEMS_FC out of the hello reply */
	int fc, plain;     /* timeseries requests with items_fc / with items */
	uint32_t hello_caps; /* what the deputy announced */
} peer;

typedef struct collect {
	hh_buf b;
} collect;

static int collect_write(const void *data, size_t len, void *payload)
{
	return hh_buf_append(&((collect *)payload)->b, data, len);
}

static int contains(const void *data, size_t len, const char *text)
{
	size_t n = strlen(text);

	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp((const char *)data + i, text, n))
			return 1;
	return 0;
}

static int handler(const hiveha_request *req, hiveha_reply_fn write, void *write_payload, void *ctx)
{
	peer *p = ctx;
	collect c;
	hh_buf_init(&c.b, NULL);
	int rc = hiveha_responder_handle(p->responder, req, collect_write, &c);
	if (!strcmp(req->kind, HIVEHA_MSG_TIMESERIES)) {
		p->fc += contains(req->body, req->body_len, "\"items_fc\":");
		p->plain += contains(req->body, req->body_len, "\"items\":");
	}
	if (!rc && !strcmp(req->kind, HIVEHA_MSG_HELLO)) {
		hh_limits lim;
		hh_errbuf err;
		hh_hello in, out;
		hh_limits_default(&lim);
		cr_assert_eq(hh_decode_hello(&in, req->body, req->body_len, &lim, &err), 0, "%s", err.msg);
		p->hello_caps = in.caps;
		hh_hello_free(&in);
		cr_assert_eq(hh_decode_hello(&out, c.b.data, c.b.len, &lim, &err), 0, "%s", err.msg);
		cr_assert(out.caps & HH_CAP_ITEMS_FC, "the responder announces the cap");
		if (p->hide_cap) {
			out.caps &= ~HH_CAP_ITEMS_FC;
			c.b.len = 0;
			cr_assert_eq(hh_encode_hello(&c.b, &out), 0);
		}
		hh_hello_free(&out);
	}
	if (c.b.len && write(c.b.data, c.b.len, write_payload))
		rc = HIVEHA_ECANCELLED;
	hh_buf_free(&c.b);
	return rc;
}

static void sync_with(int hide_cap, peer *p)
{
	harness h;
	char id[32];

	h_init(&h);
	memset(p, 0, sizeof(*p));
	p->responder = h.responder;
	p->hide_cap = hide_cap;
	looptransport_free(&h.transport);
	cr_assert_eq(looptransport_new_with_handler(&h.transport, handler, p), 0);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.start_time = 20;
	h.cfg.batch_items = 3; /* several requests */
	for (int i = 0; i < 7; i++) {
		snprintf(id, sizeof(id), "Plant1/Area007/Tag%07d", 100 + i);
		h_sample1(&h.peer, id, 11 + i, i);
		h_add_item(&h.local, id);
	}
	h_add_item(&h.local, "Plant1/\xc3\xa4");
	h_sample1(&h.peer, "Plant1/\xc3\xa4", 12, 1);
	h_add_item(&h.local, "Plant1/\xc3\xb6");
	h_sample1(&h.peer, "Plant1/\xc3\xb6", 13, 2);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	char diff[512] = "";
	cr_assert(h_equal(&h.local, &h.peer, diff, sizeof(diff)), "%s", diff);
	cr_assert(p->hello_caps & HH_CAP_ITEMS_FC, "the deputy announces the cap");
	h_fini(&h);
}

Test(items_fc_deputy, front_codes_when_the_peer_announced_it)
{
	peer p;

	sync_with(0, &p);
	cr_assert_eq(p.fc, 3, "9 items in batches of 3: %d front-coded requests", p.fc);
	cr_assert_eq(p.plain, 0);
}

Test(items_fc_deputy, plain_items_for_a_peer_without_the_cap)
{
	peer p;

	sync_with(1, &p);
	cr_assert_eq(p.fc, 0);
	cr_assert_eq(p.plain, 3, "%d plain requests", p.plain);
}
