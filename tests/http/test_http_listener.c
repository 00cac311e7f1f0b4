/* The microhttpd listener with a scripted handler, seen from the wire and
 * through the hiveha client transport. Loopback only. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_handler.h"
#include "http_test_util.h"

static hiveha_http_listener *start(fake_handler *f, hiveha_http_listener_options *o)
{
	hiveha_http_listener *l = NULL;
	hiveha_http_listener_options def = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;

	if (!o) {
		o = &def;
		o->address = "127.0.0.1:0";
	}
	cr_assert_eq(hiveha_http_listener_new_handler(&l, o, fake_handle, f), 0);
	cr_assert_neq(hiveha_http_listener_port(l), 0);
	return l;
}

static void endpoint(char *ep, size_t n, hiveha_http_listener *l)
{
	tu_endpoint(ep, n, hiveha_http_listener_port(l));
}

Test(http_listener, explicit_address_required)
{
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	hiveha_http_listener *l = (hiveha_http_listener *)&o;
	fake_handler f;

	fake_handler_init(&f, 0, NULL);
	cr_expect_eq(hiveha_http_listener_new_handler(&l, &o, fake_handle, &f), HIVEHA_EINVAL);
	cr_expect_null(l);
	o.address = "";
	o.port = 8080;
	cr_expect_eq(hiveha_http_listener_new_handler(&l, &o, fake_handle, &f), HIVEHA_EINVAL);
	o.address = "127.0.0.1:8080"; /* and port: which one? */
	cr_expect_eq(hiveha_http_listener_new_handler(&l, &o, fake_handle, &f), HIVEHA_EINVAL);
	o.address = "127.0.0.1:eighty";
	o.port = 0;
	cr_expect_eq(hiveha_http_listener_new_handler(&l, &o, fake_handle, &f), HIVEHA_EINVAL);
	o.address = "127.0.0.1:0";
	o.tls_cert_file = "cert.pem"; /* without a key */
	cr_expect_eq(hiveha_http_listener_new_handler(&l, &o, fake_handle, &f), HIVEHA_EINVAL);
	o.tls_cert_file = NULL;
	cr_expect_eq(hiveha_http_listener_new_handler(&l, &o, NULL, &f), HIVEHA_EINVAL);
	cr_expect_eq(hiveha_http_listener_new(&l, &o, NULL), HIVEHA_EINVAL);
	cr_expect_eq(hiveha_http_listener_new_handler(NULL, &o, fake_handle, &f), HIVEHA_EINVAL);
	o.version = 0;
	cr_expect_eq(hiveha_http_listener_new_handler(&l, &o, fake_handle, &f), HIVEHA_EVERSION);
	cr_expect_eq(hiveha_http_listener_options_init(&o, 3), HIVEHA_EVERSION);
	cr_expect_eq(hiveha_http_listener_port(NULL), 0);
	hiveha_http_listener_free(NULL);
}

static void keep_line(int level, const char *line, void *payload)
{
	(void)level;
	(void)snprintf(payload, 512, "%s", line);
}

/* A build whose microhttpd has no TLS (the Windows sysroot) refuses a TLS
 * listener with HIVEHA_ENOTIMPL and says why; with TLS the files are read
 * (and, absent, refused for that), so there is nothing to check here. */
Test(http_listener, tls_without_tls_support_says_so)
{
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	hiveha_http_listener *l = NULL;
	fake_handler f;
	char line[512] = "";

	fake_handler_init(&f, 0, NULL);
	o.address = "127.0.0.1:0";
	o.tls_cert_file = "no-such-cert.pem";
	o.tls_key_file = "no-such-key.pem";
	o.on_log = keep_line;
	o.payload = line;
	int rc = hiveha_http_listener_new_handler(&l, &o, fake_handle, &f);
	cr_assert_neq(rc, HIVEHA_OK);
	cr_assert_null(l);
	if (rc != HIVEHA_ENOTIMPL)
		cr_skip_test("this libmicrohttpd has TLS (rc %d)", rc);
	cr_assert(strstr(line, "no TLS") != NULL, "log: %s", line);
}

Test(http_listener, address_forms)
{
	static const char *forms[] = { "127.0.0.1", "localhost", "[127.0.0.1]" };
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	hiveha_http_listener *l = NULL;
	fake_handler f;

	fake_handler_init(&f, 0, NULL);
	o.address = forms[0];
	l = start(&f, &o);
	hiveha_http_listener_free(l);
	o.address = forms[1];
	l = start(&f, &o);
	hiveha_http_listener_free(l);
	/* "[...]" holds IPv6 literals only. */
	o.address = forms[2];
	cr_expect_eq(hiveha_http_listener_new_handler(&l, &o, fake_handle, &f), HIVEHA_EINVAL);
}

Test(http_listener, port_in_use_is_etransport)
{
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	hiveha_http_listener *a, *b = NULL;
	char addr[64];
	fake_handler f;

	fake_handler_init(&f, 0, NULL);
	a = start(&f, NULL);
	tu_endpoint(addr, sizeof(addr), hiveha_http_listener_port(a));
	o.address = addr;
	cr_expect_eq(hiveha_http_listener_new_handler(&b, &o, fake_handle, &f), HIVEHA_ETRANSPORT);
	cr_expect_null(b);
	hiveha_http_listener_free(a);
}

Test(http_listener, unknown_path_404_wrong_method_405)
{
	fake_handler f;
	hiveha_http_listener *l;
	tu_http h;

	fake_handler_init(&f, 0, "never");
	l = start(&f, NULL);
	cr_assert_eq(tu_request(&h, hiveha_http_listener_port(l), "POST", "/hiveha/v1/config", "{}",
	                        2, NULL), 0);
	cr_expect_eq(h.status, 404);
	tu_buf_free(&h.body);
	cr_assert_eq(tu_request(&h, hiveha_http_listener_port(l), "POST", "/", "{}", 2, NULL), 0);
	cr_expect_eq(h.status, 404);
	tu_buf_free(&h.body);
	cr_assert_eq(tu_request(&h, hiveha_http_listener_port(l), "GET", "/hiveha/v1/hello", NULL, 0,
	                        NULL), 0);
	cr_expect_eq(h.status, 405);
	cr_expect_str_eq(h.allow, "POST");
	tu_buf_free(&h.body);
	cr_assert_eq(tu_request(&h, hiveha_http_listener_port(l), "PUT", "/hiveha/v1/events", "{}",
	                        2, NULL), 0);
	cr_expect_eq(h.status, 405);
	tu_buf_free(&h.body);
	cr_expect_eq(fake_calls(&f), 0);
	hiveha_http_listener_free(l);
}

Test(http_listener, round_trip_through_transport)
{
	fake_handler f;
	hiveha_http_listener *l;
	char ep[64];
	tu_buf b = { 0 };

	fake_handler_init(&f, 0, "reply-bytes");
	l = start(&f, NULL);
	endpoint(ep, sizeof(ep), l);
	cr_assert_eq(tu_exchange(NULL, ep, HIVEHA_MSG_TIMESERIES, "s3cret", "\0\1binary", 8, &b), 0);
	cr_expect_eq(b.len, 11);
	cr_expect_str_eq((char *)b.data, "reply-bytes");
	cr_expect_eq(fake_calls(&f), 1);
	cr_expect_str_eq(f.kind, HIVEHA_MSG_TIMESERIES);
	cr_expect(f.had_token);
	cr_expect_str_eq(f.token, "s3cret");
	cr_expect_eq(f.body_len, 8);
	cr_expect_arr_eq(f.body, "\0\1binary", 8);
	tu_buf_free(&b);

	/* Without a token the handler gets NULL, not "". */
	cr_assert_eq(tu_exchange(NULL, ep, HIVEHA_MSG_EVENTS, NULL, "{}", 2, &b), 0);
	cr_expect_str_eq(f.kind, HIVEHA_MSG_EVENTS);
	cr_expect_not(f.had_token);
	tu_buf_free(&b);

	/* An empty body is a valid request too. */
	cr_assert_eq(tu_exchange(NULL, ep, HIVEHA_MSG_HELLO, NULL, NULL, 0, &b), 0);
	cr_expect_eq(f.body_len, 0);
	tu_buf_free(&b);
	hiveha_http_listener_free(l);
}

/*
 * The responder's status on the wire and back through the client transport,
 * one row per status: the HTTP status the listener answers with, the body
 * it sends, and what the transport makes of it. An error reply with a body
 * is delivered (exchange returns 0) for the library's decoder to judge; one
 * without a body is mapped by its HTTP status.
 */
static const struct status_row {
	const char *name;
	int handler_rc;          /* what the scripted handler returns */
	const char *reply;       /* what it writes first (NULL: nothing) */
	const char *kind;        /* message kind of the request */
	const char *path;        /* the kind's path, for the raw request */
	const char *token;       /* bearer token sent (NULL: none) */
	const char *body;        /* request body */
	long http_status;        /* on the wire; 0: not looked at */
	const char *wire_body;   /* on the wire; NULL: not looked at, "": empty */
	const char *www_auth;    /* WWW-Authenticate on the wire; NULL: not looked at */
	int exchange_rc;         /* what the client transport returns */
	const char *delivered;   /* what reaches on_reply; NULL: it is never called */
} status_rows[] = {
	{ "auth failure is 401 without its reason", HIVEHA_EAUTH, "why the token was wrong",
	  HIVEHA_MSG_HELLO, "/hiveha/v1/hello", "wrong", "{}",
	  401, "", "Bearer realm=\"hiveha\"", HIVEHA_EAUTH, NULL },
	{ "protocol error body reaches the decoder", HIVEHA_EPROTOCOL, "{\"error\":\"malformed\"}",
	  HIVEHA_MSG_TIMESERIES, "/hiveha/v1/timeseries", NULL, "x",
	  400, "{\"error\":\"malformed\"}", NULL, 0, "{\"error\":\"malformed\"}" },
	{ "store failure is 500, its body reaches the decoder", HIVEHA_ESTORE, "{\"error\":\"disk\"}",
	  HIVEHA_MSG_EVENTS, "/hiveha/v1/events", NULL, "x",
	  500, "{\"error\":\"disk\"}", NULL, 0, "{\"error\":\"disk\"}" },
	{ "failure without body is etransport", HIVEHA_ESTORE, NULL,
	  HIVEHA_MSG_EVENTS, "/hiveha/v1/events", NULL, "x",
	  0, NULL, NULL, HIVEHA_ETRANSPORT, NULL },
	{ "protocol error without body is eprotocol", HIVEHA_EPROTOCOL, NULL,
	  HIVEHA_MSG_HELLO, "/hiveha/v1/hello", NULL, "x",
	  0, NULL, NULL, HIVEHA_EPROTOCOL, NULL },
	{ "responder limit is 413, its body reaches the decoder", HIVEHA_ELIMIT,
	  "{\"error\":\"too many items\"}", HIVEHA_MSG_TIMESERIES, "/hiveha/v1/timeseries", NULL, "x",
	  413, NULL, NULL, 0, "{\"error\":\"too many items\"}" },
};

static void check_status_row(const struct status_row *row)
{
	fake_handler f;
	hiveha_http_listener *l;
	char ep[64], auth[96];
	tu_buf b = { 0 };
	size_t len = strlen(row->body);
	int rc;

	fake_handler_init(&f, row->handler_rc, row->reply);
	l = start(&f, NULL);
	endpoint(ep, sizeof(ep), l);
	if (row->http_status) {
		tu_http h;

		if (row->token)
			snprintf(auth, sizeof(auth), "Authorization: Bearer %s", row->token);
		cr_assert_eq(tu_request(&h, hiveha_http_listener_port(l), "POST", row->path, row->body,
		                        len, row->token ? auth : NULL), 0, "row \"%s\"", row->name);
		cr_expect_eq(h.status, row->http_status, "row \"%s\": HTTP %ld", row->name, h.status);
		if (row->wire_body && !row->wire_body[0])
			cr_expect_eq(h.body.len, 0, "row \"%s\": the body must be empty", row->name);
		else if (row->wire_body)
			cr_expect(h.body.data && strcmp((char *)h.body.data, row->wire_body) == 0,
			          "row \"%s\": body \"%s\"", row->name,
			          h.body.data ? (char *)h.body.data : "");
		if (row->www_auth)
			cr_expect_str_eq(h.www_authenticate, row->www_auth, "row \"%s\"", row->name);
		tu_buf_free(&h.body);
	}
	rc = tu_exchange(NULL, ep, row->kind, row->token, row->body, len, &b);
	cr_expect_eq(rc, row->exchange_rc, "row \"%s\": exchange %d, wanted %d", row->name, rc,
	             row->exchange_rc);
	if (row->delivered)
		cr_expect(b.data && strcmp((char *)b.data, row->delivered) == 0,
		          "row \"%s\": delivered \"%s\"", row->name, b.data ? (char *)b.data : "");
	else
		cr_expect_eq(b.calls, 0, "row \"%s\": nothing may be delivered", row->name);
	tu_buf_free(&b);
	hiveha_http_listener_free(l);
}

Test(http_listener, status_table)
{
	for (size_t i = 0; i < sizeof(status_rows) / sizeof(status_rows[0]); i++)
		check_status_row(&status_rows[i]);
}

Test(http_listener, non_hiveha_error_page_is_etransport)
{
	fake_handler f;
	hiveha_http_listener *l;
	char ep[80];
	tu_buf b = { 0 };

	fake_handler_init(&f, 0, "never");
	l = start(&f, NULL);
	/* A base URL whose paths the listener does not serve: 404, not ours. */
	snprintf(ep, sizeof(ep), "http://127.0.0.1:%u/elsewhere",
	         (unsigned)hiveha_http_listener_port(l));
	cr_expect_eq(tu_exchange(NULL, ep, HIVEHA_MSG_HELLO, NULL, "{}", 2, &b), HIVEHA_ETRANSPORT);
	cr_expect_eq(b.calls, 0);
	cr_expect_eq(fake_calls(&f), 0);
	hiveha_http_listener_free(l);
}

Test(http_listener, oversized_body_refused_unread)
{
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	fake_handler f;
	hiveha_http_listener *l;
	char ep[64];
	tu_buf b = { 0 };
	tu_http h;
	static char big[8192];

	memset(big, 'x', sizeof(big));
	fake_handler_init(&f, 0, "ok");
	o.address = "127.0.0.1";
	o.max_request_bytes = 4096;
	l = start(&f, &o);
	endpoint(ep, sizeof(ep), l);
	cr_assert_eq(tu_request(&h, hiveha_http_listener_port(l), "POST", "/hiveha/v1/hello", big,
	                        sizeof(big), NULL), 0);
	cr_expect_eq(h.status, 413);
	tu_buf_free(&h.body);
	cr_expect_eq(tu_exchange(NULL, ep, HIVEHA_MSG_HELLO, NULL, big, sizeof(big), &b),
	             HIVEHA_ELIMIT);
	/* Exactly at the limit is fine. */
	cr_expect_eq(tu_exchange(NULL, ep, HIVEHA_MSG_HELLO, NULL, big, 4096, &b), 0);
	tu_buf_free(&b);
	cr_expect_eq(fake_calls(&f), 1);
	hiveha_http_listener_free(l);
}

Test(http_listener, oversized_chunked_body_refused)
{
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	fake_handler f;
	hiveha_http_listener *l;
	tu_http h;
	static char big[65536];

	memset(big, 'x', sizeof(big));
	fake_handler_init(&f, 0, "ok");
	o.address = "127.0.0.1:0";
	o.max_request_bytes = 4096;
	l = start(&f, &o);
	/* No Content-Length: the limit is found while reading. Either a 413 or
	 * a closed connection is a refusal; the handler must never run. */
	tu_request(&h, hiveha_http_listener_port(l), "POST", "/hiveha/v1/hello", big, sizeof(big),
	           "Transfer-Encoding: chunked");
	cr_expect(h.status == 413 || h.status == 0, "status %ld", h.status);
	tu_buf_free(&h.body);
	cr_expect_eq(fake_calls(&f), 0);
	hiveha_http_listener_free(l);
}

Test(http_listener, oversized_reply_is_500)
{
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	fake_handler f;
	hiveha_http_listener *l;
	tu_http h;

	fake_handler_init(&f, 0, "0123456789abcdef");
	f.repeat = 100; /* 1600 bytes */
	o.address = "127.0.0.1:0";
	o.max_reply_bytes = 1000;
	l = start(&f, &o);
	cr_assert_eq(tu_request(&h, hiveha_http_listener_port(l), "POST", "/hiveha/v1/hello", "{}", 2,
	                        NULL), 0);
	cr_expect_eq(h.status, 500);
	cr_expect_eq(h.body.len, 0);
	tu_buf_free(&h.body);
	hiveha_http_listener_free(l);
}

static int refuse_reply(const void *data, size_t len, void *payload)
{
	(void)data;
	(void)len;
	(void)payload;
	return HIVEHA_EUSER;
}

Test(http_listener, on_reply_stop_is_returned)
{
	fake_handler f;
	hiveha_http_listener *l;
	hiveha_transport t;
	hiveha_conn *c = NULL;
	hiveha_request req = { HIVEHA_REQUEST_VERSION, HIVEHA_MSG_HELLO, NULL, "{}", 2 };
	char ep[64];

	fake_handler_init(&f, 0, "data");
	l = start(&f, NULL);
	endpoint(ep, sizeof(ep), l);
	cr_assert_eq(hiveha_http_transport_new(&t, NULL), 0);
	cr_assert_eq(t.connect(t.ctx, ep, 0, &c), 0);
	cr_expect_eq(t.exchange(t.ctx, c, &req, refuse_reply, NULL, 0), HIVEHA_EUSER);
	t.close(t.ctx, c);
	t.destroy(t.ctx);
	hiveha_http_listener_free(l);
}

Test(http_listener, gzip_when_accepted)
{
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	hiveha_http_client_options co = HIVEHA_HTTP_CLIENT_OPTIONS_INIT;
	fake_handler f;
	hiveha_http_listener *l;
	char ep[64];
	tu_buf b = { 0 };
	tu_http h;

	fake_handler_init(&f, 0, "sample,sample,sample,sample;");
	f.repeat = 1000; /* 28000 compressible bytes */
	o.address = "127.0.0.1:0";
	o.gzip = 1;
	l = start(&f, &o);
	endpoint(ep, sizeof(ep), l);

	cr_assert_eq(tu_request(&h, hiveha_http_listener_port(l), "POST", "/hiveha/v1/hello", "{}", 2,
	                        "Accept-Encoding: gzip"), 0);
	cr_expect_eq(h.status, 200);
	cr_expect_str_eq(h.content_encoding, "gzip");
	cr_expect_lt(h.body.len, 28000);
	tu_buf_free(&h.body);

	cr_assert_eq(tu_request(&h, hiveha_http_listener_port(l), "POST", "/hiveha/v1/hello", "{}", 2,
	                        NULL), 0);
	cr_expect_str_eq(h.content_encoding, "");
	cr_expect_eq(h.body.len, 28000);
	tu_buf_free(&h.body);

	/* The client decompresses: on_reply sees the plain bytes. */
	co.accept_gzip = 1;
	cr_assert_eq(tu_exchange(&co, ep, HIVEHA_MSG_HELLO, NULL, "{}", 2, &b), 0);
	cr_assert_eq(b.len, 28000);
	cr_expect_arr_eq(b.data, "sample,sample,sample,sample;sample", 34);
	tu_buf_free(&b);
	hiveha_http_listener_free(l);
}

Test(http_listener, gzip_asked_but_not_offered_is_harmless)
{
	hiveha_http_client_options co = HIVEHA_HTTP_CLIENT_OPTIONS_INIT;
	fake_handler f;
	hiveha_http_listener *l;
	char ep[64];
	tu_buf b = { 0 };

	fake_handler_init(&f, 0, "plain reply");
	l = start(&f, NULL);
	endpoint(ep, sizeof(ep), l);
	co.accept_gzip = 1;
	cr_assert_eq(tu_exchange(&co, ep, HIVEHA_MSG_HELLO, NULL, "{}", 2, &b), 0);
	cr_expect_str_eq((char *)b.data, "plain reply");
	tu_buf_free(&b);
	hiveha_http_listener_free(l);
}

/* Counts the client's debug lines about new and reused connections. */
typedef struct conn_log {
	int fresh, reused;
} conn_log;

static void count_conns(int level, const char *msg, void *payload)
{
	conn_log *cl = payload;

	if (level != HIVEHA_LOG_DEBUG)
		return;
	if (strstr(msg, "new connection"))
		cl->fresh++;
	else if (strstr(msg, "reused connection"))
		cl->reused++;
}

static void three_exchanges(int no_reuse, conn_log *log)
{
	hiveha_http_client_options co = HIVEHA_HTTP_CLIENT_OPTIONS_INIT;
	fake_handler f;
	hiveha_http_listener *l;
	hiveha_transport t;
	hiveha_conn *c = NULL;
	hiveha_request req = { HIVEHA_REQUEST_VERSION, HIVEHA_MSG_HELLO, NULL, "{}", 2 };
	char ep[64];
	tu_buf b = { 0 };

	fake_handler_init(&f, 0, "r");
	l = start(&f, NULL);
	endpoint(ep, sizeof(ep), l);
	co.no_reuse = no_reuse;
	co.on_log = count_conns;
	co.payload = log;
	cr_assert_eq(hiveha_http_transport_new(&t, &co), 0);
	cr_assert_eq(t.connect(t.ctx, ep, 0, &c), 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(t.exchange(t.ctx, c, &req, tu_collect, &b, 0), 0);
	t.close(t.ctx, c);
	t.destroy(t.ctx);
	cr_expect_eq(b.len, 3);
	tu_buf_free(&b);
	hiveha_http_listener_free(l);
}

Test(http_listener, keep_alive_reuses_the_connection)
{
	conn_log log = { 0, 0 };

	three_exchanges(0, &log);
	cr_expect_eq(log.fresh, 1);
	cr_expect_eq(log.reused, 2);
}

Test(http_listener, no_reuse_opens_one_per_request)
{
	conn_log log = { 0, 0 };

	three_exchanges(1, &log);
	cr_expect_eq(log.fresh, 3);
	cr_expect_eq(log.reused, 0);
}

/* ---- listener stopped in the middle of a reply ---- */

typedef struct mid {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int got_first, freed;
	size_t received;
	const char *endpoint;
	int rc;
} mid;

static int hold_after_first(const void *data, size_t len, void *payload)
{
	mid *m = payload;

	(void)data;
	pthread_mutex_lock(&m->mu);
	m->received += len;
	if (!m->got_first) {
		struct timespec until;
		m->got_first = 1;
		pthread_cond_broadcast(&m->cv);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 20;
		while (!m->freed)
			if (pthread_cond_timedwait(&m->cv, &m->mu, &until) != 0)
				break;
	}
	pthread_mutex_unlock(&m->mu);
	return 0;
}

static void *mid_client(void *arg)
{
	mid *m = arg;
	hiveha_transport t;
	hiveha_conn *c = NULL;
	hiveha_request req = { HIVEHA_REQUEST_VERSION, HIVEHA_MSG_TIMESERIES, NULL, "{}", 2 };

	m->rc = hiveha_http_transport_new(&t, NULL);
	if (m->rc == 0)
		m->rc = t.connect(t.ctx, m->endpoint, 0, &c);
	if (m->rc == 0) {
		m->rc = t.exchange(t.ctx, c, &req, hold_after_first, m, 0);
		t.close(t.ctx, c);
	}
	if (t.destroy)
		t.destroy(t.ctx);
	return NULL;
}

Test(http_listener, stopped_mid_transfer_is_etransport)
{
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	enum { PIECE = 65536, PIECES = 640 }; /* 40 MiB: more than the socket buffers hold */
	char *piece = malloc(PIECE + 1);
	fake_handler f;
	hiveha_http_listener *l;
	char ep[64];
	mid m;
	pthread_t th;
	struct timespec until;

	cr_assert_not_null(piece);
	memset(piece, 'p', PIECE);
	piece[PIECE] = 0;
	fake_handler_init(&f, 0, piece);
	f.repeat = PIECES;
	o.address = "127.0.0.1:0";
	o.max_reply_bytes = 48u << 20;
	l = start(&f, &o);
	endpoint(ep, sizeof(ep), l);

	memset(&m, 0, sizeof(m));
	pthread_mutex_init(&m.mu, NULL);
	pthread_cond_init(&m.cv, NULL);
	m.endpoint = ep;
	cr_assert_eq(pthread_create(&th, NULL, mid_client, &m), 0);

	pthread_mutex_lock(&m.mu);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 20;
	while (!m.got_first)
		if (pthread_cond_timedwait(&m.cv, &m.mu, &until) != 0)
			break;
	cr_assert(m.got_first, "the reply never started");
	pthread_mutex_unlock(&m.mu);

	hiveha_http_listener_free(l); /* the client is not reading: reply in flight */

	pthread_mutex_lock(&m.mu);
	m.freed = 1;
	pthread_cond_broadcast(&m.cv);
	pthread_mutex_unlock(&m.mu);
	pthread_join(th, NULL);

	cr_expect_eq(m.rc, HIVEHA_ETRANSPORT);
	cr_expect_lt(m.received, (size_t)PIECE * PIECES);
	free(piece);
}
