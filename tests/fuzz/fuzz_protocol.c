/*
 * fuzz_protocol.c - every protocol decoder on arbitrary bytes.
 *
 * The first byte picks the decoder (all message kinds, both sample
 * encodings arrive through the timeseries reply decoder, which answers a
 * request for the items of `req_items`: a binary reply names them by
 * index); the rest is the message. Besides crashes, leaks and overreads it checks one property:
 * whatever a decoder accepts, the matching encoder writes again and the
 * decoder accepts that too (decode -> encode -> decode).
 */
#include <stdlib.h>
#include <string.h>

#include "protocol/protocol.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

static void hello(const unsigned char *p, size_t n, const hh_limits *lim)
{
	hh_hello m, m2;
	hh_errbuf err;
	hh_buf b;

	if (hh_decode_hello(&m, p, n, lim, &err))
		return;
	hh_buf_init(&b, NULL);
	CHECK(hh_encode_hello(&b, &m) == 0);
	CHECK(hh_decode_hello(&m2, b.data, b.len, lim, &err) == 0);
	CHECK(m2.clock == m.clock && m2.caps == m.caps && !strcmp(m2.instance_id, m.instance_id));
	hh_hello_free(&m2);
	hh_hello_free(&m);
	hh_buf_free(&b);
}

/* Both item forms: plain "items", and front-coded "items_fc" (which the
 * encoder falls back from when the ids are not strictly ascending). */
static void ts_request(const unsigned char *p, size_t n, const hh_limits *lim)
{
	static const uint32_t caps[] = { 0, HH_CAP_ITEMS_FC };
	hh_ts_request m, m2;
	hh_errbuf err;
	hh_buf b;
	size_t c, i;

	if (hh_decode_ts_request(&m, p, n, lim, &err))
		return;
	for (c = 0; c < 2; c++) {
		hh_buf_init(&b, NULL);
		CHECK(hh_encode_ts_request_caps(&b, &m, caps[c]) == 0);
		CHECK(hh_decode_ts_request(&m2, b.data, b.len, lim, &err) == 0);
		CHECK(m2.item_count == m.item_count && m2.window.from == m.window.from &&
		      m2.window.to == m.window.to && m2.window.start_skip == m.window.start_skip);
		for (i = 0; i < m.item_count; i++)
			CHECK(!strcmp(m2.items[i], m.items[i]));
		hh_ts_request_free(&m2);
		hh_buf_free(&b);
	}
	hh_ts_request_free(&m);
}

static const char *const req_items[] = { "a", "b", "c", "d", "e", "f", "g", "h" };
#define REQ_ITEMS (sizeof(req_items) / sizeof(req_items[0]))

static void ts_reply(const unsigned char *p, size_t n, const hh_limits *lim)
{
	hh_ts_reply m, m2;
	hh_errbuf err;
	hh_buf b;
	size_t i, k;
	int json = n < 3 || memcmp(p, "HHB", 3) != 0;

	if (hh_decode_ts_reply_for(&m, p, n, lim, &err, req_items, REQ_ITEMS))
		return;
	hh_buf_init(&b, NULL);
	/* Binary carries everything; JSON everything but NUL in strings, which
	 * a JSON decode never produces. JSON ids need not be the request's. */
	CHECK(hh_encode_ts_reply_for(&b, &m, json ? HH_ENC_JSON : HH_ENC_BIN, req_items, REQ_ITEMS) == 0);
	CHECK(hh_decode_ts_reply_for(&m2, b.data, b.len, lim, &err, req_items, REQ_ITEMS) == 0);
	CHECK(m2.item_count == m.item_count && m2.gap_count == m.gap_count);
	for (i = 0; i < m.item_count; i++) {
		CHECK(!strcmp(m2.items[i].id, m.items[i].id));
		CHECK(!m2.items[i].unknown == !m.items[i].unknown);
		CHECK(!m2.items[i].complete == !m.items[i].complete);
		CHECK(m2.items[i].count == m.items[i].count);
		for (k = 0; k < m.items[i].count; k++)
			CHECK(hiveha_sample_compare(&m.items[i].samples[k], &m2.items[i].samples[k]) == 0);
	}
	hh_ts_reply_free(&m2);
	hh_ts_reply_free(&m);
	hh_buf_free(&b);
}

static void ev_request(const unsigned char *p, size_t n, const hh_limits *lim)
{
	hh_ev_request m, m2;
	hh_errbuf err;
	hh_buf b;

	if (hh_decode_ev_request(&m, p, n, lim, &err))
		return;
	hh_buf_init(&b, NULL);
	CHECK(hh_encode_ev_request(&b, &m) == 0);
	CHECK(hh_decode_ev_request(&m2, b.data, b.len, lim, &err) == 0);
	CHECK(m2.window.from == m.window.from && m2.window.to == m.window.to &&
	      m2.window.start_skip == m.window.start_skip);
	hh_ev_request_free(&m2);
	hh_ev_request_free(&m);
	hh_buf_free(&b);
}

static void ev_reply(const unsigned char *p, size_t n, const hh_limits *lim)
{
	hh_ev_reply m, m2;
	hh_errbuf err;
	hh_buf b;
	size_t i;

	if (hh_decode_ev_reply(&m, p, n, lim, &err))
		return;
	hh_buf_init(&b, NULL);
	CHECK(hh_encode_ev_reply(&b, &m) == 0);
	CHECK(hh_decode_ev_reply(&m2, b.data, b.len, lim, &err) == 0);
	CHECK(m2.count == m.count);
	for (i = 0; i < m.count; i++)
		CHECK(hiveha_event_equal(&m.events[i], &m2.events[i]));
	hh_ev_reply_free(&m2);
	hh_ev_reply_free(&m);
	hh_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	hh_limits lim;

	if (size < 1)
		return 0;
	hh_limits_default(&lim);
	/* Small limits reach the limit paths with small inputs. */
	if (data[0] & 0x80) {
		lim.max_items = 4;
		lim.max_samples = 16;
		lim.max_events = 4;
		lim.max_string_bytes = 16;
		lim.max_attributes = 2;
		lim.max_ranges = 2;
		lim.max_depth = 5;
	}
	switch (data[0] & 0x7F) {
	case 0: hello(data + 1, size - 1, &lim); break;
	case 1: ts_request(data + 1, size - 1, &lim); break;
	case 2: ts_reply(data + 1, size - 1, &lim); break;
	case 3: ev_request(data + 1, size - 1, &lim); break;
	case 4: ev_reply(data + 1, size - 1, &lim); break;
	default: break;
	}
	return 0;
}
