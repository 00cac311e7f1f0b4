/*
 * wiretap.c - the counting transport wrapper.
 */
#include "wiretap.h"

#include <stdlib.h>
#include <string.h>

typedef struct tap {
	hiveha_transport inner;
	wiretap_counts *counts;
	hiveha_reply_fn on_reply; /* of the exchange in progress */
	void *payload;
} tap;

static void tap_destroy(void *ctx)
{
	tap *t = ctx;

	if (t->inner.destroy)
		t->inner.destroy(t->inner.ctx);
	free(t);
}

static int tap_connect(void *ctx, const char *endpoint, int64_t timeout_ms, hiveha_conn **conn_out)
{
	tap *t = ctx;

	return t->inner.connect(t->inner.ctx, endpoint, timeout_ms, conn_out);
}

static int tap_reply(const void *data, size_t len, void *payload)
{
	tap *t = payload;

	t->counts->reply_bytes += len;
	return t->on_reply(data, len, t->payload);
}

static int tap_exchange(void *ctx, hiveha_conn *conn, const hiveha_request *req,
                        hiveha_reply_fn on_reply, void *payload, int64_t timeout_ms)
{
	tap *t = ctx;

	t->on_reply = on_reply;
	t->payload = payload;
	t->counts->exchanges++;
	if (strcmp(req->kind, HIVEHA_MSG_TIMESERIES) == 0)
		t->counts->ts_exchanges++;
	else if (strcmp(req->kind, HIVEHA_MSG_EVENTS) == 0)
		t->counts->ev_exchanges++;
	t->counts->request_bytes += req->body_len;
	return t->inner.exchange(t->inner.ctx, conn, req, tap_reply, t, timeout_ms);
}

static void tap_close(void *ctx, hiveha_conn *conn)
{
	tap *t = ctx;

	t->inner.close(t->inner.ctx, conn);
}

static void tap_cancel(void *ctx)
{
	tap *t = ctx;

	if (t->inner.cancel)
		t->inner.cancel(t->inner.ctx);
}

static void tap_reset(void *ctx)
{
	tap *t = ctx;

	if (t->inner.reset)
		t->inner.reset(t->inner.ctx);
}

int wiretap_new(hiveha_transport *out, const hiveha_transport *inner, wiretap_counts *counts)
{
	tap *t;

	if (hiveha_transport_init(out, HIVEHA_TRANSPORT_VERSION))
		return HIVEHA_EVERSION;
	if (!(t = calloc(1, sizeof *t)))
		return HIVEHA_ENOMEM;
	t->inner = *inner;
	t->counts = counts;
	out->ctx = t;
	out->destroy = tap_destroy;
	out->connect = tap_connect;
	out->exchange = tap_exchange;
	out->close = tap_close;
	if (inner->cancel && inner->reset) {
		out->cancel = tap_cancel;
		out->reset = tap_reset;
	}
	return 0;
}
