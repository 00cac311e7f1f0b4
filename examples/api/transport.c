/*
 * transport.c - the transport interface (docs/api/transport.md).
 *
 * An in-process transport: exchange() hands the request straight to the
 * peer's responder and streams its reply back, with the error mapping the
 * interface asks for and a cancel/reset pair. The program checks it with
 * hiveha_transport_check(), then drives it as a governor would: connect,
 * a hello exchange, a refused token, a reply callback that stops, a
 * cancelled exchange, close. Exits 0 when each call returns what the
 * interface says.
 */
#include <hiveha/hiveha.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* ---- the transport ------------------------------------------------------- */

typedef struct pipe_ctx {
	hiveha_responder *peer;
	atomic_int cancelled;
} pipe_ctx;

/* Remembers what on_reply returned, to tell it apart from the peer's code. */
typedef struct relay {
	hiveha_reply_fn on_reply;
	void *payload;
	int rc;
} relay;

static int relay_write(const void *data, size_t len, void *payload)
{
	relay *r = payload;
	return r->rc = r->on_reply(data, len, r->payload);
}

static int p_connect(void *ctx, const char *endpoint, int64_t timeout_ms, hiveha_conn **conn_out)
{
	pipe_ctx *p = ctx;
	(void)endpoint, (void)timeout_ms;
	if (atomic_load(&p->cancelled))
		return HIVEHA_ECANCELLED;
	*conn_out = (hiveha_conn *)p; /* nothing to open: any non-NULL handle */
	return HIVEHA_OK;
}

static int p_exchange(void *ctx, hiveha_conn *conn, const hiveha_request *req,
                      hiveha_reply_fn on_reply, void *payload, int64_t timeout_ms)
{
	pipe_ctx *p = ctx;
	relay r = { on_reply, payload, 0 };
	(void)conn, (void)timeout_ms;
	if (atomic_load(&p->cancelled))
		return HIVEHA_ECANCELLED;
	int rc = hiveha_responder_handle(p->peer, req, relay_write, &r);
	if (r.rc)
		return r.rc;       /* on_reply stopped: its value, unchanged */
	if (rc == HIVEHA_EAUTH)
		return HIVEHA_EAUTH; /* refused token: no reply was written */
	if (rc == HIVEHA_EINVAL)
		return HIVEHA_ETRANSPORT;
	return HIVEHA_OK;        /* a reply, possibly an error reply, was delivered */
}

static void p_close(void *ctx, hiveha_conn *conn)
{
	(void)ctx, (void)conn;
}

static void p_cancel(void *ctx)
{
	atomic_store(&((pipe_ctx *)ctx)->cancelled, 1);
}

static void p_reset(void *ctx)
{
	atomic_store(&((pipe_ctx *)ctx)->cancelled, 0);
}

/* ---- the peer: a responder over a store that holds nothing --------------- */

static char txn_token;

static int s_begin(void *ctx, hiveha_store_txn **txn_out)
{
	(void)ctx;
	*txn_out = (hiveha_store_txn *)&txn_token;
	return HIVEHA_OK;
}

static int s_commit(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx, (void)txn;
	return HIVEHA_OK;
}

static void s_rollback(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx, (void)txn;
}

static int s_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	(void)ctx, (void)key, (void)fn, (void)payload;
	return HIVEHA_ENOTFOUND;
}

static int s_kv_put(void *ctx, hiveha_store_txn *txn, const char *key, const void *data, size_t len)
{
	(void)ctx, (void)txn, (void)key, (void)data, (void)len;
	return HIVEHA_OK;
}

static int s_kv_delete(void *ctx, hiveha_store_txn *txn, const char *key)
{
	(void)ctx, (void)txn, (void)key;
	return HIVEHA_OK;
}

/* ---- a reply collector ----------------------------------------------------- */

typedef struct reply {
	char text[4096];
	size_t len;
	int stop; /* return HIVEHA_EUSER from the first piece */
} reply;

static int collect(const void *data, size_t len, void *payload)
{
	reply *r = payload;
	if (r->stop)
		return HIVEHA_EUSER;
	if (len >= sizeof r->text - r->len)
		return HIVEHA_ELIMIT;
	memcpy(r->text + r->len, data, len);
	r->len += len;
	r->text[r->len] = '\0';
	return 0;
}

int main(void)
{
	static const char hello[] =
		"{\"type\":\"hello\",\"protocol\":1,\"instance_id\":\"local\","
		"\"clock\":\"133800000000000000\",\"caps\":0}";
	hiveha_store store = HIVEHA_STORE_INIT;
	hiveha_responder_config rcfg = HIVEHA_RESPONDER_CONFIG_INIT;
	hiveha_responder *peer = NULL;
	int fails = 0, rc;

	store.begin = s_begin;
	store.commit = s_commit;
	store.rollback = s_rollback;
	store.kv_get = s_kv_get;
	store.kv_put = s_kv_put;
	store.kv_delete = s_kv_delete;
	rcfg.instance_id = "peer";
	rcfg.token = "s3cret";
	if (hiveha_responder_new(&peer, &rcfg, &store, NULL) != HIVEHA_OK)
		return 1;

	pipe_ctx p = { peer, 0 };
	hiveha_transport t;
	char why[160];
	hiveha_transport_init(&t, HIVEHA_TRANSPORT_VERSION);
	t.ctx = &p;
	t.connect = p_connect;
	t.exchange = p_exchange;
	t.close = p_close;
	t.cancel = p_cancel;
	rc = hiveha_transport_check(&t, why, sizeof why);
	printf("check with cancel but no reset: %s: %s\n", hiveha_strerror(rc), why);
	fails += rc != HIVEHA_EINVAL;
	t.reset = p_reset;
	fails += hiveha_transport_check(&t, why, sizeof why) != HIVEHA_OK;

	/* What the governor does: connect, exchange requests, close. */
	hiveha_conn *conn = NULL;
	fails += t.connect(t.ctx, "in-process", 10000, &conn) != HIVEHA_OK;
	hiveha_request req = HIVEHA_REQUEST_INIT;
	req.kind = HIVEHA_MSG_HELLO;
	req.token = "s3cret";
	req.body = hello;
	req.body_len = sizeof hello - 1;
	reply r = { "", 0, 0 };
	rc = t.exchange(t.ctx, conn, &req, collect, &r, 60000);
	printf("hello -> %s, reply %s\n", hiveha_strerror(rc), r.text);
	fails += rc != HIVEHA_OK || !strstr(r.text, "\"peer\"");

	req.token = "wrong";
	r.len = 0;
	rc = t.exchange(t.ctx, conn, &req, collect, &r, 60000);
	printf("wrong token -> %s, %zu reply bytes\n", hiveha_strerror(rc), r.len);
	fails += rc != HIVEHA_EAUTH || r.len != 0;

	req.token = "s3cret";
	r.stop = 1;
	rc = t.exchange(t.ctx, conn, &req, collect, &r, 60000);
	printf("on_reply returns HIVEHA_EUSER -> %s\n", hiveha_strerror(rc));
	fails += rc != HIVEHA_EUSER;
	r.stop = 0;

	/* hiveha_governor_stop() calls cancel (from any thread) ... */
	t.cancel(t.ctx);
	rc = t.exchange(t.ctx, conn, &req, collect, &r, 60000);
	printf("after cancel -> %s\n", hiveha_strerror(rc));
	fails += rc != HIVEHA_ECANCELLED;
	/* ... and a restarted governor calls reset before using it again. */
	t.reset(t.ctx);
	r.len = 0;
	fails += t.exchange(t.ctx, conn, &req, collect, &r, 60000) != HIVEHA_OK || r.len == 0;
	t.close(t.ctx, conn);

	hiveha_responder_free(peer);
	return fails != 0;
}
