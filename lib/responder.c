/*
 * responder.c - the serving side: authentication, size limits, dispatch on
 * the message kind, hello, error replies and streaming the reply out.
 * Timeseries and events paging live in responder_ts.c / responder_ev.c.
 */
#include <stdio.h>
#include <string.h>

#include "abi.h"
#include "alloc.h"
#include "protocol/codec.h"
#include "responder_internal.h"

#define DEFAULT_INSTANCE_ID "hiveha"
#define DEFAULT_MAX_REQUEST (UINT32_C(1) << 20)
#define DEFAULT_MAX_REPLY (UINT32_C(16) << 20)
#define DEFAULT_MAX_SAMPLES UINT32_C(65536)
#define DEFAULT_MAX_EVENTS UINT32_C(10000)
#define DEFAULT_MAX_ITEMS UINT32_C(100000)
/* Replies leave through `write` in pieces no larger than this. */
#define WRITE_PIECE ((size_t)64 << 10)

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

int hiveha_responder_new(hiveha_responder **out, const hiveha_responder_config *cfg,
                         const hiveha_store *store, hiveha_governor *governor)
{
	hiveha_responder_config c;
	const hiveha_allocator *a;
	hiveha_responder *r;
	char msg[128];
	int rc;

	if (!out)
		return HIVEHA_EINVAL;
	*out = NULL;
	if (!store)
		return HIVEHA_EINVAL;
	/* Only the copy is read from here on: by its declared version, so an
	 * older host's smaller config is never read past. */
	if (!cfg)
		hiveha_responder_config_init(&c, HIVEHA_RESPONDER_CONFIG_VERSION);
	else if (hh_abi_copy_in(&hh_abi_responder_config, &c, cfg))
		return HIVEHA_EVERSION;
	a = c.allocator;
	if (a && (!a->malloc || !a->realloc || !a->free))
		return HIVEHA_EINVAL;
	/* version 2: a version 1 config has neither (the copy zeroed them) and
	 * gets the default settle window */
	if (c.version < 2)
		c.settle_ms = HIVEHA_DEFAULT_SETTLE_MS;
	if (c.settle_ms < 0)
		return HIVEHA_EINVAL;
	if (c.clock) {
		rc = hiveha_clock_check(c.clock, msg, sizeof(msg));
		if (rc)
			return rc;
	}
	rc = hiveha_store_check(store, 0, msg, sizeof(msg));
	if (rc)
		return rc;
	r = hh_calloc(a, 1, sizeof(*r));
	if (!r)
		return HIVEHA_ENOMEM;
	if (a) {
		r->alloc_copy = *a;
		r->alloc = &r->alloc_copy;
	}
	hh_abi_copy_in(&hh_abi_store, &r->store, store); /* version checked above */
	r->governor = governor;
	r->instance_id = hh_strdup(r->alloc, c.instance_id ? c.instance_id : DEFAULT_INSTANCE_ID);
	if (c.token && c.token[0]) {
		r->token = hh_strdup(r->alloc, c.token);
		r->token_len = strlen(c.token);
		if (!r->token)
			goto nomem;
	}
	if (!r->instance_id)
		goto nomem;
	r->max_request_bytes = or_default(c.max_request_bytes, DEFAULT_MAX_REQUEST);
	r->max_reply_bytes = or_default(c.max_reply_bytes, DEFAULT_MAX_REPLY);
	r->max_samples = or_default(c.max_samples, DEFAULT_MAX_SAMPLES);
	r->max_events = or_default(c.max_events, DEFAULT_MAX_EVENTS);
	r->max_items = or_default(c.max_items, DEFAULT_MAX_ITEMS);
	r->on_log = c.on_log;
	r->log_payload = c.payload;
	if (c.clock) {
		hh_abi_copy_in(&hh_abi_clock, &r->clock, c.clock); /* version checked above */
		r->gaps.clock = &r->clock;
	}
	r->gaps.governor = governor;
	r->gaps.store = &r->store;
	r->gaps.settle_ms = c.settle_ms;
	*out = r;
	return 0;
nomem:
	r->store.destroy = NULL; /* on failure the host keeps its store */
	hiveha_responder_free(r);
	return HIVEHA_ENOMEM;
}

void hiveha_responder_free(hiveha_responder *r)
{
	const hiveha_allocator *a;

	if (!r)
		return;
	a = r->alloc;
	if (!r->governor && r->store.destroy)
		r->store.destroy(r->store.ctx);
	hh_free(a, r->instance_id);
	if (r->token) {
		memset(r->token, 0, r->token_len);
		hh_free(a, r->token);
	}
	hh_free(a, r);
}

void hh_responder_set_coverage(hiveha_responder *r, hh_unvouched_fn fn, void *ctx)
{
	r->gaps.coverage = fn;
	r->gaps.coverage_ctx = ctx;
}

/* Compares the whole configured token without an early exit, so the time
 * taken does not tell how many leading bytes were right. */
static int token_ok(const hiveha_responder *r, const char *given)
{
	volatile unsigned char diff;
	size_t glen, i;

	if (!r->token)
		return 1;
	if (!given)
		given = "";
	glen = strlen(given);
	diff = (unsigned char)(glen != r->token_len);
	for (i = 0; i < r->token_len; i++)
		diff |= (unsigned char)(r->token[i] ^ (glen ? given[i % glen] : 0));
	return diff == 0;
}

int hiveha_responder_check_token(const hiveha_responder *r, const char *token)
{
	if (!r)
		return HIVEHA_EINVAL;
	return token_ok(r, token) ? 0 : HIVEHA_EAUTH;
}

static int serve_hello(hiveha_responder *r, const void *body, size_t len, hh_buf *out,
                       hh_errbuf *err)
{
	hh_hello in, reply;
	hh_limits lim;
	int rc;

	hh_responder_limits(r, &lim);
	rc = hh_decode_hello(&in, body, len, &lim, err);
	if (rc)
		return rc < 0 && rc != HIVEHA_ENOMEM && rc != HIVEHA_ELIMIT ? HIVEHA_EPROTOCOL : rc;
	hh_hello_free(&in);
	memset(&reply, 0, sizeof(reply));
	/* Both sides announce their highest version; each uses the lower. */
	reply.protocol = HH_PROTOCOL_VERSION;
	reply.instance_id = r->instance_id;
	reply.clock = hh_gap_view_now(&r->gaps);
	reply.caps = HH_CAPS;
	/* what hh_responder_limits() lets a request carry, and our page cap */
	reply.limits.request_bytes = r->max_request_bytes;
	reply.limits.items = r->max_items;
	reply.limits.reply_bytes = r->max_reply_bytes;
	reply.limits.strings = (uint32_t)lim.max_string_bytes;
	return hh_encode_hello(out, &reply);
}

/* One entry per message kind: serves a request body into `out`, or
 * returns a negative status with a message in err. */
typedef struct serve_kind {
	const char *kind; /* HIVEHA_MSG_* */
	int (*serve)(hiveha_responder *r, const void *body, size_t len, hh_buf *out, hh_errbuf *err);
} serve_kind;

static const serve_kind serve_kinds[] = {
	{ .kind = HIVEHA_MSG_HELLO, .serve = serve_hello },
	{ .kind = HIVEHA_MSG_TIMESERIES, .serve = hh_responder_ts },
	{ .kind = HIVEHA_MSG_EVENTS, .serve = hh_responder_ev },
};

static const serve_kind *serve_kind_of(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(serve_kinds) / sizeof(serve_kinds[0]); i++)
		if (!strcmp(kind, serve_kinds[i].kind))
			return &serve_kinds[i];
	return NULL;
}

static int write_all(const hh_buf *b, hiveha_reply_fn write, void *payload)
{
	size_t off = 0, n;
	int rc;

	while (off < b->len) {
		n = b->len - off < WRITE_PIECE ? b->len - off : WRITE_PIECE;
		rc = write(b->data + off, n, payload);
		if (rc)
			return rc;
		off += n;
	}
	return 0;
}

static void log_failure(const hiveha_responder *r, const char *kind, int rc, const char *msg)
{
	char line[400];

	if (!r->on_log)
		return;
	/* cut to the buffer if longer, on purpose */
	(void)snprintf(line, sizeof(line), "responder: %.32s request failed: %s (%s)",
	               kind ? kind : "?", msg, hiveha_strerror(rc));
	r->on_log(rc == HIVEHA_ESTORE || rc == HIVEHA_ENOMEM ? HIVEHA_LOG_ERROR : HIVEHA_LOG_WARN,
	          line, r->log_payload);
}

int hiveha_responder_handle(hiveha_responder *r, const hiveha_request *host_req,
                            hiveha_reply_fn write, void *payload)
{
	hh_errbuf err = { "" };
	hiveha_request rq;
	const hiveha_request *req = &rq;
	const serve_kind *sk;
	hh_buf out;
	int rc;

	if (!r || !host_req || !write)
		return HIVEHA_EINVAL;
	if (hh_abi_copy_in(&hh_abi_request, &rq, host_req))
		return HIVEHA_EVERSION;
	if (!req->body && req->body_len)
		return HIVEHA_EINVAL;
	if (!token_ok(r, req->token))
		return HIVEHA_EAUTH;
	hh_buf_init(&out, r->alloc);
	sk = req->kind ? serve_kind_of(req->kind) : NULL;
	if (req->body_len > r->max_request_bytes)
		rc = hh_err(&err, HIVEHA_ELIMIT, "request of %zu bytes exceeds the limit of %u",
		            req->body_len, (unsigned)r->max_request_bytes);
	else if (!req->kind)
		rc = hh_err(&err, HIVEHA_EPROTOCOL, "request without a message kind");
	else if (!sk)
		rc = hh_err(&err, HIVEHA_EPROTOCOL, "unknown message kind \"%.32s\"", req->kind);
	else
		rc = sk->serve(r, req->body, req->body_len, &out, &err);
	if (rc) {
		if (!err.msg[0])
			hh_err(&err, rc, "%s", hiveha_strerror(rc));
		log_failure(r, req->kind, rc, err.msg);
		out.len = 0;
		if (hh_encode_error(&out, rc < 0 ? rc : HIVEHA_ERROR, err.msg)) {
			hh_buf_free(&out);
			return rc;
		}
	}
	/* A writer's failure gets its own code: passed back unchanged it could
	 * not be told from the request's outcome (a listener's writer that
	 * overflows returns HIVEHA_ELIMIT, like a request that is too large). */
	if (write_all(&out, write, payload))
		rc = HIVEHA_EWRITE;
	hh_buf_free(&out);
	return rc;
}
