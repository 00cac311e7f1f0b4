/* The real responder behind the listener, reached through the client
 * transport over 127.0.0.1: transport -> listener -> responder -> memstore. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "http_test_util.h"
#include "memstore.h"
#include "protocol/protocol.h"

static hiveha_responder *responder;
static hiveha_http_listener *listener;
static char ep[64];

static void start(void)
{
	hiveha_responder_config rc = HIVEHA_RESPONDER_CONFIG_INIT;
	hiveha_http_listener_options lo = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	hiveha_store store;

	cr_assert_eq(memstore_new(&store), 0);
	rc.instance_id = "peer-B";
	rc.token = "t0ken";
	cr_assert_eq(hiveha_responder_new(&responder, &rc, &store, NULL), 0);
	lo.address = "127.0.0.1:0";
	cr_assert_eq(hiveha_http_listener_new(&listener, &lo, responder), 0);
	tu_endpoint(ep, sizeof(ep), hiveha_http_listener_port(listener));
}

static void stop(void)
{
	hiveha_http_listener_free(listener);
	hiveha_responder_free(responder);
}

TestSuite(http_responder, .init = start, .fini = stop);

static void hello_body(hh_buf *b)
{
	hh_hello h = { HH_PROTOCOL_VERSION, (char *)"node-A", 133000000000000000LL, 0,
		       { 0, 0, 0, 0 } };

	hh_buf_init(b, NULL);
	cr_assert_eq(hh_encode_hello(b, &h), 0);
}

Test(http_responder, hello_round_trip)
{
	hh_buf req;
	tu_buf reply = { 0 };
	hh_hello peer;
	hh_limits lim;
	hh_errbuf err;

	hello_body(&req);
	cr_assert_eq(tu_exchange(NULL, ep, HIVEHA_MSG_HELLO, "t0ken", req.data, req.len, &reply), 0);
	hh_limits_default(&lim);
	cr_assert_eq(hh_decode_hello(&peer, reply.data, reply.len, &lim, &err), 0, "%s", err.msg);
	cr_expect_str_eq(peer.instance_id, "peer-B");
	cr_expect_eq(peer.protocol, HH_PROTOCOL_VERSION);
	hh_hello_free(&peer);
	tu_buf_free(&reply);
	hh_buf_free(&req);
}

Test(http_responder, wrong_token_is_eauth_and_401)
{
	hh_buf req;
	tu_buf reply = { 0 };
	tu_http h;

	hello_body(&req);
	cr_expect_eq(tu_exchange(NULL, ep, HIVEHA_MSG_HELLO, "wrong", req.data, req.len, &reply),
	             HIVEHA_EAUTH);
	cr_expect_eq(tu_exchange(NULL, ep, HIVEHA_MSG_HELLO, NULL, req.data, req.len, &reply),
	             HIVEHA_EAUTH);
	cr_expect_eq(reply.calls, 0);
	cr_assert_eq(tu_request(&h, hiveha_http_listener_port(listener), "POST", "/hiveha/v1/hello",
	                        req.data, req.len, "Authorization: Bearer wrong"), 0);
	cr_expect_eq(h.status, 401);
	cr_expect_eq(h.body.len, 0, "a refusal says nothing");
	tu_buf_free(&h.body);
	hh_buf_free(&req);
}

Test(http_responder, malformed_request_reports_the_peer_error)
{
	tu_buf reply = { 0 };
	hh_hello peer;
	hh_limits lim;
	hh_errbuf err;
	tu_http h;

	cr_assert_eq(tu_request(&h, hiveha_http_listener_port(listener), "POST",
	                        "/hiveha/v1/timeseries", "{not json", 9,
	                        "Authorization: Bearer t0ken"), 0);
	cr_expect_eq(h.status, 400);
	cr_expect_gt(h.body.len, 0);
	tu_buf_free(&h.body);

	/* The transport hands the error reply on; decoding it yields the
	 * peer's code, as with any transport. */
	cr_assert_eq(tu_exchange(NULL, ep, HIVEHA_MSG_HELLO, "t0ken", "{not json", 9, &reply), 0);
	hh_limits_default(&lim);
	cr_expect_eq(hh_decode_hello(&peer, reply.data, reply.len, &lim, &err), HIVEHA_EPROTOCOL);
	tu_buf_free(&reply);
}

Test(http_responder, oversized_request_is_elimit)
{
	size_t n = (1u << 20) + 1; /* listener and responder default: 1 MiB */
	char *big = malloc(n);
	tu_buf reply = { 0 };

	cr_assert_not_null(big);
	memset(big, ' ', n);
	cr_expect_eq(tu_exchange(NULL, ep, HIVEHA_MSG_TIMESERIES, "t0ken", big, n, &reply),
	             HIVEHA_ELIMIT);
	free(big);
}
