/* The libcurl client transport against sockets that misbehave. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "http_test_util.h"

Test(http_client, options_init_and_versions)
{
	hiveha_http_client_options o;
	hiveha_transport t;

	cr_expect_eq(hiveha_http_client_options_init(&o, 0), HIVEHA_EVERSION);
	cr_expect_eq(hiveha_http_client_options_init(&o, HIVEHA_HTTP_CLIENT_OPTIONS_VERSION + 1),
	             HIVEHA_EVERSION);
	cr_expect_eq(hiveha_http_client_options_init(NULL, 1), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_http_client_options_init(&o, HIVEHA_HTTP_CLIENT_OPTIONS_VERSION), 0);
	o.version = 99;
	cr_expect_eq(hiveha_http_transport_new(&t, &o), HIVEHA_EVERSION);
	o.version = HIVEHA_HTTP_CLIENT_OPTIONS_VERSION;
	o.client_cert_file = "cert.pem"; /* without its key */
	cr_expect_eq(hiveha_http_transport_new(&t, &o), HIVEHA_EINVAL);
	o.client_cert_file = NULL;
	o.timeout_ms = -1;
	cr_expect_eq(hiveha_http_transport_new(&t, &o), HIVEHA_EINVAL);
	cr_expect_eq(hiveha_http_transport_new(NULL, NULL), HIVEHA_EINVAL);
}

Test(http_client, fills_a_valid_transport)
{
	hiveha_transport t;
	char msg[128];

	cr_assert_eq(hiveha_http_transport_new(&t, NULL), 0);
	cr_expect_eq(hiveha_transport_check(&t, msg, sizeof(msg)), 0, "%s", msg);
	cr_expect_not_null(t.cancel);
	cr_expect_not_null(t.reset);
	cr_expect_not_null(t.destroy);
	t.destroy(t.ctx);
}

static void keep_line(int level, const char *line, void *payload)
{
	(void)level;
	(void)snprintf(payload, 512, "%s", line);
}

/* A libcurl on Schannel (Windows) cannot use PEM client certificates: the
 * transport refuses them at creation and says why. Elsewhere the files are
 * read only at connect, so creation succeeds and there is nothing to see. */
Test(http_client, pem_client_cert_on_schannel_says_so)
{
	hiveha_http_client_options o;
	hiveha_transport t;
	char line[512] = "";

	cr_assert_eq(hiveha_http_client_options_init(&o, HIVEHA_HTTP_CLIENT_OPTIONS_VERSION), 0);
	o.client_cert_file = "client.pem";
	o.client_key_file = "client.key";
	o.on_log = keep_line;
	o.payload = line;
	int rc = hiveha_http_transport_new(&t, &o);
	if (rc == HIVEHA_OK) {
		t.destroy(t.ctx);
		cr_skip_test("this libcurl takes PEM client certificates");
	}
	cr_assert_eq(rc, HIVEHA_ENOTIMPL);
	cr_assert(strstr(line, "Schannel") != NULL, "log: %s", line);
}

Test(http_client, bad_endpoint_is_einval)
{
	hiveha_transport t;
	hiveha_conn *c = (hiveha_conn *)&t;

	cr_assert_eq(hiveha_http_transport_new(&t, NULL), 0);
	cr_expect_eq(t.connect(t.ctx, "no-port", 0, &c), HIVEHA_EINVAL);
	cr_expect_null(c);
	cr_expect_eq(t.connect(t.ctx, "gopher://x:70", 0, &c), HIVEHA_EINVAL);
	cr_expect_eq(t.connect(t.ctx, NULL, 0, &c), HIVEHA_EINVAL);
	t.destroy(t.ctx);
}

Test(http_client, bad_request_is_einval)
{
	hiveha_transport t;
	hiveha_conn *c = NULL;
	tu_buf b = { 0 };
	hiveha_request bad_kind = { HIVEHA_REQUEST_VERSION, "../admin", NULL, "x", 1 };
	hiveha_request bad_token = { HIVEHA_REQUEST_VERSION, HIVEHA_MSG_HELLO, "a\r\nX-Evil: 1", "x", 1 };

	cr_assert_eq(hiveha_http_transport_new(&t, NULL), 0);
	cr_assert_eq(t.connect(t.ctx, "127.0.0.1:9", 0, &c), 0);
	cr_expect_eq(t.exchange(t.ctx, c, &bad_kind, tu_collect, &b, 0), HIVEHA_EINVAL);
	cr_expect_eq(t.exchange(t.ctx, c, &bad_token, tu_collect, &b, 0), HIVEHA_EINVAL);
	cr_expect_eq(b.calls, 0);
	t.close(t.ctx, c);
	t.destroy(t.ctx);
}

Test(http_client, connection_refused_is_etransport)
{
	uint16_t port;
	tu_socket fd = tu_bound_socket(&port); /* bound, not listening: refused */
	char ep[64];
	tu_buf b = { 0 };

	cr_assert_neq(fd, TU_NO_SOCKET);
	tu_endpoint(ep, sizeof(ep), port);
	cr_expect_eq(tu_exchange(NULL, ep, HIVEHA_MSG_HELLO, NULL, "{}", 2, &b), HIVEHA_ETRANSPORT);
	cr_expect_eq(b.calls, 0);
	tu_close_socket(fd);
}

Test(http_client, unresolvable_is_etransport)
{
	tu_buf b = { 0 };

	/* .invalid never resolves (RFC 6761). */
	cr_expect_eq(tu_exchange(NULL, "peer.invalid:8080", HIVEHA_MSG_HELLO, NULL, "{}", 2, &b),
	             HIVEHA_ETRANSPORT);
}

Test(http_client, silent_peer_times_out)
{
	hiveha_http_client_options o = HIVEHA_HTTP_CLIENT_OPTIONS_INIT;
	uint16_t port;
	tu_socket fd = tu_silent_listener(&port);
	char ep[64];
	tu_buf b = { 0 };

	cr_assert_neq(fd, TU_NO_SOCKET);
	tu_endpoint(ep, sizeof(ep), port);
	o.timeout_ms = 200; /* the mechanism under test; nothing asserts on time */
	cr_expect_eq(tu_exchange(&o, ep, HIVEHA_MSG_HELLO, NULL, "{}", 2, &b), HIVEHA_ETIMEOUT);
	tu_close_socket(fd);
}

Test(http_client, per_call_timeout_wins)
{
	hiveha_transport t;
	hiveha_conn *c = NULL;
	hiveha_request req = { HIVEHA_REQUEST_VERSION, HIVEHA_MSG_HELLO, NULL, "{}", 2 };
	uint16_t port;
	tu_socket fd = tu_silent_listener(&port);
	char ep[64];
	tu_buf b = { 0 };

	cr_assert_neq(fd, TU_NO_SOCKET);
	tu_endpoint(ep, sizeof(ep), port);
	cr_assert_eq(hiveha_http_transport_new(&t, NULL), 0); /* default: 60 s */
	cr_assert_eq(t.connect(t.ctx, ep, 0, &c), 0);
	cr_expect_eq(t.exchange(t.ctx, c, &req, tu_collect, &b, 200), HIVEHA_ETIMEOUT);
	t.close(t.ctx, c);
	t.destroy(t.ctx);
	tu_close_socket(fd);
}

typedef struct canceller {
	hiveha_transport *t;
	tu_socket fd;
	int saw_connection;
} canceller;

static void *cancel_when_connected(void *arg)
{
	canceller *k = arg;

	/* The client's connection is queued on the listener: its exchange is
	 * running (or about to poll). */
	k->saw_connection = tu_wait_pending(k->fd);
	k->t->cancel(k->t->ctx);
	return NULL;
}

Test(http_client, cancel_from_another_thread)
{
	hiveha_http_client_options o = HIVEHA_HTTP_CLIENT_OPTIONS_INIT;
	hiveha_transport t;
	hiveha_conn *c = NULL;
	hiveha_request req = { HIVEHA_REQUEST_VERSION, HIVEHA_MSG_HELLO, NULL, "{}", 2 };
	uint16_t port;
	tu_socket fd = tu_silent_listener(&port);
	char ep[64];
	tu_buf b = { 0 };
	canceller k;
	pthread_t th;

	cr_assert_neq(fd, TU_NO_SOCKET);
	tu_endpoint(ep, sizeof(ep), port);
	/* Far longer than any test run: only cancel can end this exchange
	 * with ECANCELLED; without it the result would be ETIMEOUT. */
	o.timeout_ms = 120000;
	cr_assert_eq(hiveha_http_transport_new(&t, &o), 0);
	cr_assert_eq(t.connect(t.ctx, ep, 0, &c), 0);
	k.t = &t;
	k.fd = fd;
	k.saw_connection = 0;
	cr_assert_eq(pthread_create(&th, NULL, cancel_when_connected, &k), 0);
	cr_expect_eq(t.exchange(t.ctx, c, &req, tu_collect, &b, 0), HIVEHA_ECANCELLED);
	pthread_join(th, NULL);
	cr_expect(k.saw_connection);

	/* Sticky until reset. */
	cr_expect_eq(t.exchange(t.ctx, c, &req, tu_collect, &b, 0), HIVEHA_ECANCELLED);
	t.close(t.ctx, c);
	c = NULL;
	cr_expect_eq(t.connect(t.ctx, ep, 0, &c), HIVEHA_ECANCELLED);
	cr_expect_null(c);

	t.reset(t.ctx);
	cr_assert_eq(t.connect(t.ctx, ep, 0, &c), 0);
	cr_expect_eq(t.exchange(t.ctx, c, &req, tu_collect, &b, 200), HIVEHA_ETIMEOUT);
	t.close(t.ctx, c);
	t.destroy(t.ctx);
	tu_close_socket(fd);
}

Test(http_client, tls_required_refuses_plain_url)
{
	hiveha_http_client_options o = HIVEHA_HTTP_CLIENT_OPTIONS_INIT;
	hiveha_transport t;
	hiveha_conn *c = NULL;

	o.use_tls = 1;
	cr_assert_eq(hiveha_http_transport_new(&t, &o), 0);
	cr_expect_eq(t.connect(t.ctx, "http://127.0.0.1:8080", 0, &c), HIVEHA_EINVAL);
	t.destroy(t.ctx);
}
