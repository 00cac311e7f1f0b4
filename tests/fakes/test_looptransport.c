/*
 * test_looptransport.c - the loop transport: streaming in pieces, every
 * injected fault, result mapping, cancel/reset, counters, and one round
 * trip through a real responder.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "looptransport.h"
#include "memstore.h"
#include "protocol/protocol.h"

/* The fake peer: replies with `reply_len` bytes (i % 251), or fails. */
typedef struct peer {
	size_t reply_len;
	int result;        /* returned after writing */
	size_t calls;
	char last_kind[32];
	char last_token[32];
} peer;

static int fake_handler(const hiveha_request *req, hiveha_reply_fn write, void *wp, void *ctx)
{
	peer *p = ctx;
	p->calls++;
	snprintf(p->last_kind, sizeof p->last_kind, "%s", req->kind);
	snprintf(p->last_token, sizeof p->last_token, "%s", req->token ? req->token : "");
	unsigned char chunk[100];
	for (size_t off = 0; off < p->reply_len;) {
		size_t n = p->reply_len - off < sizeof chunk ? p->reply_len - off : sizeof chunk;
		for (size_t i = 0; i < n; i++)
			chunk[i] = (unsigned char)((off + i) % 251);
		int rc = write(chunk, n, wp);
		if (rc)
			return rc;
		off += n;
	}
	return p->result;
}

/* What the caller received. */
typedef struct rx {
	unsigned char data[70000];
	size_t len;
	size_t pieces;
	size_t max_piece;
	size_t stop_after;             /* return 77 after this many pieces (0 = never) */
	const hiveha_transport *cancel; /* cancel after the first piece */
} rx;

static int on_reply(const void *data, size_t len, void *payload)
{
	rx *r = payload;
	cr_assert_leq(r->len + len, sizeof r->data);
	memcpy(r->data + r->len, data, len);
	r->len += len;
	r->pieces++;
	if (len > r->max_piece)
		r->max_piece = len;
	if (r->cancel)
		r->cancel->cancel(r->cancel->ctx);
	return r->stop_after && r->pieces >= r->stop_after ? 77 : 0;
}

static hiveha_transport T;
static peer P;
static rx R;
static hiveha_conn *C;

static void setup(void)
{
	memset(&P, 0, sizeof P);
	memset(&R, 0, sizeof R);
	P.reply_len = 1000;
	cr_assert_eq(looptransport_new_with_handler(&T, fake_handler, &P), 0);
	cr_assert_eq(T.connect(T.ctx, "peer", 1000, &C), 0);
}

static void teardown(void)
{
	if (C)
		T.close(T.ctx, C);
	looptransport_free(&T);
}

TestSuite(loop, .init = setup, .fini = teardown);

static int xchg(const char *kind)
{
	hiveha_request req = { .version = HIVEHA_REQUEST_VERSION, .kind = kind, .token = "secret", .body = "{}", .body_len = 2 };
	memset(&R, 0, offsetof(rx, stop_after));
	return T.exchange(T.ctx, C, &req, on_reply, &R, 1000);
}

static void expect_pattern(size_t len)
{
	cr_assert_eq(R.len, len, "received %zu bytes, want %zu", R.len, len);
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(R.data[i], (unsigned char)(i % 251), "byte %zu", i);
}

Test(loop, delivers_the_reply_in_pieces)
{
	char msg[128];
	cr_assert_eq(hiveha_transport_check(&T, msg, sizeof msg), 0, "%s", msg);
	looptransport_set_piece_size(&T, 64);
	cr_assert_eq(xchg(HIVEHA_MSG_TIMESERIES), 0);
	expect_pattern(1000);
	cr_assert_eq(R.pieces, 16); /* 15 * 64 + 40 */
	cr_assert_eq(R.max_piece, 64);
	cr_assert_str_eq(P.last_kind, "timeseries");
	cr_assert_str_eq(P.last_token, "secret");
	looptransport_set_piece_size(&T, 1);
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), 0);
	cr_assert_eq(R.pieces, 1000);
	expect_pattern(1000);
}

Test(loop, empty_reply)
{
	P.reply_len = 0;
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), 0);
	cr_assert_eq(R.len, 0);
	cr_assert_eq(R.pieces, 0);
}

Test(loop, refuses_the_next_n_connects)
{
	looptransport_refuse_connects(&T, 2);
	hiveha_conn *c = (hiveha_conn *)&c;
	cr_assert_eq(T.connect(T.ctx, "peer", 10, &c), HIVEHA_ETRANSPORT);
	cr_assert_null(c);
	cr_assert_eq(T.connect(T.ctx, "peer", 10, &c), HIVEHA_ETRANSPORT);
	cr_assert_eq(T.connect(T.ctx, "peer", 10, &c), 0);
	cr_assert_not_null(c);
	T.close(T.ctx, c);
	looptransport_counts n;
	looptransport_get_counts(&T, &n);
	cr_assert_eq(n.connects, 4);
	cr_assert_eq(n.connects_ok, 2);
	cr_assert_eq(n.faults, 2);
	cr_assert_eq(n.open_conns, 1, "the suite's own connection");
}

Test(loop, peer_down_and_up)
{
	looptransport_set_peer_down(&T, 1);
	hiveha_conn *c;
	cr_assert_eq(T.connect(T.ctx, "peer", 10, &c), HIVEHA_ETRANSPORT);
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), HIVEHA_ETRANSPORT, "an open connection dies too");
	cr_assert_eq(P.calls, 0);
	looptransport_set_peer_down(&T, 0);
	cr_assert_eq(T.connect(T.ctx, "peer", 10, &c), 0);
	T.close(T.ctx, c);
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), 0);
}

Test(loop, timeout_on_the_nth_exchange)
{
	cr_assert_eq(looptransport_fail_exchange(&T, 2, NULL, LOOPTRANSPORT_TIMEOUT, 0, 0), 0);
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), 0);
	cr_assert_eq(xchg(HIVEHA_MSG_TIMESERIES), HIVEHA_ETIMEOUT);
	cr_assert_eq(P.calls, 1, "a timed-out request never reached the peer");
	cr_assert_eq(R.len, 0);
	cr_assert_eq(xchg(HIVEHA_MSG_TIMESERIES), 0, "only once");
}

Test(loop, drop_delivers_half_then_fails)
{
	looptransport_set_piece_size(&T, 100);
	cr_assert_eq(looptransport_fail_exchange(&T, 1, NULL, LOOPTRANSPORT_DROP, 0, 0), 0);
	cr_assert_eq(xchg(HIVEHA_MSG_EVENTS), HIVEHA_ETRANSPORT);
	expect_pattern(500);
	cr_assert_eq(xchg(HIVEHA_MSG_EVENTS), 0);
	expect_pattern(1000);
}

Test(loop, corrupt_flips_bits_at_the_offset)
{
	cr_assert_eq(looptransport_fail_exchange(&T, 1, NULL, LOOPTRANSPORT_CORRUPT, 10, 0x01), 0);
	cr_assert_eq(xchg(HIVEHA_MSG_EVENTS), 0);
	cr_assert_eq(R.len, 1000);
	cr_assert_eq(R.data[10], 10 ^ 0x01);
	R.data[10] = 10;
	expect_pattern(1000); /* nothing else touched */
	/* an offset past the end hits the last byte; mask 0 flips all bits */
	cr_assert_eq(looptransport_fail_exchange(&T, 1, NULL, LOOPTRANSPORT_CORRUPT, 5000, 0), 0);
	cr_assert_eq(xchg(HIVEHA_MSG_EVENTS), 0);
	cr_assert_eq(R.data[999], (unsigned char)~(999 % 251));
}

Test(loop, faults_can_count_one_kind_only)
{
	cr_assert_eq(looptransport_fail_exchange(&T, 2, HIVEHA_MSG_EVENTS, LOOPTRANSPORT_TIMEOUT, 0, 0), 0);
	cr_assert_eq(looptransport_fail_exchange(&T, 3, NULL, LOOPTRANSPORT_DROP, 0, 0), 0);
	cr_assert_eq(xchg(HIVEHA_MSG_EVENTS), 0);      /* events #1, any #1 */
	cr_assert_eq(xchg(HIVEHA_MSG_TIMESERIES), 0);  /* any #2 */
	cr_assert_eq(xchg(HIVEHA_MSG_TIMESERIES), HIVEHA_ETRANSPORT); /* any #3: drop */
	cr_assert_eq(xchg(HIVEHA_MSG_TIMESERIES), 0);
	cr_assert_eq(xchg(HIVEHA_MSG_EVENTS), HIVEHA_ETIMEOUT);       /* events #2 */
	cr_assert_eq(xchg(HIVEHA_MSG_EVENTS), 0);
	looptransport_counts n;
	looptransport_get_counts(&T, &n);
	cr_assert_eq(n.faults, 2);
	cr_assert_eq(n.exchanges[LOOPTRANSPORT_EVENTS], 3);
	cr_assert_eq(n.exchanges[LOOPTRANSPORT_TIMESERIES], 3);
	cr_assert_eq(n.exchanges[LOOPTRANSPORT_HELLO], 0);
	cr_assert_eq(n.exchanges_ok, 4);
	cr_assert_eq(n.request_bytes, 12);
	cr_assert_eq(n.reply_bytes, 4 * 1000 + 500);
	cr_assert_eq(looptransport_exchanges(&T), 6);
}

Test(loop, faults_off_clears_everything)
{
	cr_assert_eq(looptransport_fail_exchange(&T, 1, NULL, LOOPTRANSPORT_TIMEOUT, 0, 0), 0);
	looptransport_refuse_connects(&T, 5);
	looptransport_set_peer_down(&T, 1);
	looptransport_faults_off(&T);
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), 0);
	hiveha_conn *c;
	cr_assert_eq(T.connect(T.ctx, "peer", 10, &c), 0);
	T.close(T.ctx, c);
}

Test(loop, handler_results_are_mapped)
{
	P.result = HIVEHA_EAUTH;
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), HIVEHA_EAUTH);
	cr_assert_eq(R.len, 0, "nothing delivered on an auth failure");
	P.result = HIVEHA_EPROTOCOL; /* with an error reply written */
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), 0);
	expect_pattern(1000);
	P.reply_len = 0;
	P.result = HIVEHA_ESTORE; /* and without */
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), HIVEHA_ETRANSPORT);
}

Test(loop, on_reply_can_abort)
{
	looptransport_set_piece_size(&T, 100);
	R.stop_after = 3;
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), 77);
	cr_assert_eq(R.pieces, 3);
	cr_assert_eq(R.len, 300);
}

Test(loop, cancel_is_sticky_until_reset)
{
	T.cancel(T.ctx);
	cr_assert(looptransport_cancelled(&T));
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), HIVEHA_ECANCELLED);
	hiveha_conn *c;
	cr_assert_eq(T.connect(T.ctx, "peer", 10, &c), HIVEHA_ECANCELLED);
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), HIVEHA_ECANCELLED);
	cr_assert_eq(P.calls, 0);
	T.reset(T.ctx);
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), 0);
}

Test(loop, cancel_stops_a_reply_between_pieces)
{
	looptransport_set_piece_size(&T, 100);
	R.cancel = &T;
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), HIVEHA_ECANCELLED);
	cr_assert_eq(R.pieces, 1);
}

typedef struct hook_log {
	uint64_t indexes[8];
	size_t n;
} hook_log;

static void hook(const hiveha_request *req, uint64_t index, void *payload)
{
	hook_log *h = payload;
	(void)req;
	h->indexes[h->n++] = index;
	if (index == 2)
		P.reply_len = 10; /* the peer changes between exchanges */
}

Test(loop, hook_runs_before_each_exchange)
{
	hook_log h = { 0 };
	looptransport_set_hook(&T, hook, &h);
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), 0);
	cr_assert_eq(R.len, 1000);
	cr_assert_eq(xchg(HIVEHA_MSG_HELLO), 0);
	cr_assert_eq(R.len, 10);
	cr_assert_eq(h.n, 2);
	cr_assert_eq(h.indexes[1], 2);
}

Test(loop, too_many_pending_faults)
{
	for (int i = 0; i < 16; i++)
		cr_assert_eq(looptransport_fail_exchange(&T, 100, NULL, LOOPTRANSPORT_TIMEOUT, 0, 0), 0);
	cr_assert_eq(looptransport_fail_exchange(&T, 100, NULL, LOOPTRANSPORT_TIMEOUT, 0, 0), HIVEHA_ELIMIT);
	cr_assert_eq(looptransport_fail_exchange(&T, 0, NULL, LOOPTRANSPORT_TIMEOUT, 0, 0), HIVEHA_EINVAL);
}

/* ---- through a real responder --------------------------------------------- */

Test(loop_responder, hello_round_trip_and_auth)
{
	hiveha_store store;
	cr_assert_eq(memstore_new(&store), 0);
	hiveha_responder_config cfg = HIVEHA_RESPONDER_CONFIG_INIT;
	cfg.instance_id = "peer-b";
	cfg.token = "tok";
	hiveha_responder *r;
	memstore_ref(&store); /* without a governor the responder destroys the store */
	cr_assert_eq(hiveha_responder_new(&r, &cfg, &store, NULL), 0);
	hiveha_transport t;
	cr_assert_eq(looptransport_new_responder(&t, r), 0);
	looptransport_set_piece_size(&t, 7);

	hh_buf body;
	hh_buf_init(&body, NULL);
	hh_hello hello = { .protocol = HH_PROTOCOL_VERSION, .instance_id = "peer-a", .clock = 1 };
	cr_assert_eq(hh_encode_hello(&body, &hello), 0);
	hiveha_request req = { .version = HIVEHA_REQUEST_VERSION, .kind = HIVEHA_MSG_HELLO, .token = "tok", .body = body.data,
	                       .body_len = body.len };
	hiveha_conn *c;
	cr_assert_eq(t.connect(t.ctx, "x", 100, &c), 0);
	static rx got;
	memset(&got, 0, sizeof got);
	cr_assert_eq(t.exchange(t.ctx, c, &req, on_reply, &got, 100), 0);
	cr_assert_gt(got.pieces, 1, "streamed in pieces of 7");
	hh_hello back;
	hh_errbuf err;
	hh_limits lim;
	hh_limits_default(&lim);
	cr_assert_eq(hh_decode_hello(&back, got.data, got.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_str_eq(back.instance_id, "peer-b");
	hh_hello_free(&back);

	req.token = "wrong";
	memset(&got, 0, sizeof got);
	cr_assert_eq(t.exchange(t.ctx, c, &req, on_reply, &got, 100), HIVEHA_EAUTH);
	cr_assert_eq(got.len, 0);

	t.close(t.ctx, c);
	hh_buf_free(&body);
	looptransport_free(&t);
	hiveha_responder_free(r);
	memstore_free(&store);
}
