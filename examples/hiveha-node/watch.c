/*
 * watch.c - a transport that wraps another and remembers how it last failed.
 *
 * The governor reports a failed sync through DeputyState and a SyncState
 * text; the node wants the status code too, to choose its exit code
 * (unreachable peer vs wrong token). Wrapping the transport gives it
 * without parsing messages - and shows how a host can decorate any
 * transport (metrics, logging, fault injection) with the public API alone.
 */
#include "node.h"

#include <stdatomic.h>
#include <stdlib.h>

struct watch {
	hiveha_transport inner;
};

static atomic_int last_error;

int node_watch_last_error(void)
{
	return atomic_load(&last_error);
}

static void note(int rc)
{
	if (rc != HIVEHA_OK && rc != HIVEHA_ECANCELLED)
		atomic_store(&last_error, rc);
}

static void w_destroy(void *ctx)
{
	struct watch *w = ctx;
	if (w->inner.destroy)
		w->inner.destroy(w->inner.ctx);
	free(w);
}

static int w_connect(void *ctx, const char *endpoint, int64_t timeout_ms, hiveha_conn **out)
{
	struct watch *w = ctx;
	int rc = w->inner.connect(w->inner.ctx, endpoint, timeout_ms, out);
	note(rc);
	return rc;
}

static int w_exchange(void *ctx, hiveha_conn *conn, const hiveha_request *req,
                      hiveha_reply_fn on_reply, void *payload, int64_t timeout_ms)
{
	struct watch *w = ctx;
	int rc = w->inner.exchange(w->inner.ctx, conn, req, on_reply, payload, timeout_ms);
	note(rc);
	return rc;
}

static void w_close(void *ctx, hiveha_conn *conn)
{
	struct watch *w = ctx;
	w->inner.close(w->inner.ctx, conn);
}

static void w_cancel(void *ctx)
{
	struct watch *w = ctx;
	w->inner.cancel(w->inner.ctx);
}

static void w_reset(void *ctx)
{
	struct watch *w = ctx;
	w->inner.reset(w->inner.ctx);
}

int node_watch_transport(hiveha_transport *inout)
{
	struct watch *w = calloc(1, sizeof(*w));
	if (!w)
		return HIVEHA_ENOMEM;
	w->inner = *inout;
	hiveha_transport t = HIVEHA_TRANSPORT_INIT;
	t.ctx = w;
	t.destroy = w_destroy;
	t.connect = w_connect;
	t.exchange = w_exchange;
	t.close = w_close;
	if (inout->cancel && inout->reset) {
		t.cancel = w_cancel;
		t.reset = w_reset;
	}
	*inout = t;
	return HIVEHA_OK;
}
