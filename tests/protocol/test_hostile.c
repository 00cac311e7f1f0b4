/*
 * test_hostile.c - the decoders against truncated, oversized, deeply
 * nested, mistyped, negative and garbage input: the right error code,
 * never a crash (the sanitizer build checks for overreads and leaks).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_fixtures.h"
#include "protocol/codec.h"

static hh_limits lim;

static void setup(void)
{
	hh_limits_default(&lim);
}

TestSuite(hostile, .init = setup);

/* Runs every decoder over (data, len); returns the ts_request decoder's
 * result and stores the others in rc[]. Everything decoded is freed. */
enum { D_HELLO, D_TSQ, D_TSR, D_EVQ, D_EVR, D_COUNT };

static void decode_all(const void *data, size_t len, int rc[D_COUNT])
{
	hh_errbuf err;
	hh_hello h;
	hh_ts_request tq;
	hh_ts_reply tr;
	hh_ev_request eq;
	hh_ev_reply er;

	rc[D_HELLO] = hh_decode_hello(&h, data, len, &lim, &err);
	hh_hello_free(&h);
	rc[D_TSQ] = hh_decode_ts_request(&tq, data, len, &lim, &err);
	hh_ts_request_free(&tq);
	rc[D_TSR] = hh_decode_ts_reply_for(&tr, data, len, &lim, &err, fx_ts_items, FX_TS_ITEM_COUNT);
	hh_ts_reply_free(&tr);
	rc[D_EVQ] = hh_decode_ev_request(&eq, data, len, &lim, &err);
	hh_ev_request_free(&eq);
	rc[D_EVR] = hh_decode_ev_reply(&er, data, len, &lim, &err);
	hh_ev_reply_free(&er);
}

static int decode_kind(int kind, const char *text, hh_errbuf *err)
{
	size_t len = strlen(text);
	hh_hello h;
	hh_ts_request tq;
	hh_ts_reply tr;
	hh_ev_request eq;
	hh_ev_reply er;
	int rc = 0;

	switch (kind) {
	case D_HELLO: rc = hh_decode_hello(&h, text, len, &lim, err); hh_hello_free(&h); break;
	case D_TSQ: rc = hh_decode_ts_request(&tq, text, len, &lim, err); hh_ts_request_free(&tq); break;
	case D_TSR:
		rc = hh_decode_ts_reply_for(&tr, text, len, &lim, err, fx_ts_items, FX_TS_ITEM_COUNT);
		hh_ts_reply_free(&tr);
		break;
	case D_EVQ: rc = hh_decode_ev_request(&eq, text, len, &lim, err); hh_ev_request_free(&eq); break;
	case D_EVR: rc = hh_decode_ev_reply(&er, text, len, &lim, err); hh_ev_reply_free(&er); break;
	}
	return rc;
}

#define EXPECT(kind, code, text) do { \
	hh_errbuf e_ = { "" }; \
	int r_ = decode_kind(kind, text, &e_); \
	cr_assert_eq(r_, code, "%s -> %d (%s), want %d", text, r_, e_.msg, code); \
	cr_assert(code == 0 || e_.msg[0], "no message for %s", text); \
} while (0)

/* Every encoded message of the fixtures, in both sample encodings. */
static void fixtures(hh_buf msgs[6])
{
	char *items[] = { "a", "b" };
	hh_hello h = { 1, "me", 5, 1, { 1024, 2, 4096, 64 } };
	hh_ts_request tq = { .window = { .from = 1, .to = 9, .has_start = 1, .start_time = 3,
	                                 .start_skip = 2, .cursor = "t1:0:3:2" },
	                     .items = items, .item_count = 2, .max_samples = 5,
	                     .encoding = HH_ENC_BIN, .max_reply_bytes = 4096 };
	hh_ev_request eq = { .window = { .from = 1, .to = 9, .cursor = "e1:3:2" }, .max_events = 5,
	                     .max_reply_bytes = 4096 };
	hh_ts_reply tr;
	hh_ev_reply er;
	int i;

	for (i = 0; i < 6; i++)
		hh_buf_init(&msgs[i], NULL);
	fx_ts_reply(&tr, 0);
	fx_ev_reply(&er);
	cr_assert_eq(hh_encode_hello(&msgs[0], &h), 0);
	cr_assert_eq(hh_encode_ts_request(&msgs[1], &tq), 0);
	cr_assert_eq(hh_encode_ts_reply(&msgs[2], &tr, HH_ENC_JSON), 0);
	cr_assert_eq(hh_encode_ts_reply_for(&msgs[3], &tr, HH_ENC_BIN, fx_ts_items, FX_TS_ITEM_COUNT), 0);
	cr_assert_eq(hh_encode_ev_request(&msgs[4], &eq), 0);
	cr_assert_eq(hh_encode_ev_reply(&msgs[5], &er), 0);
	fx_ts_reply_free(&tr);
	fx_ev_reply_free(&er);
}

Test(hostile, every_truncation_is_a_protocol_error)
{
	hh_buf msgs[6];
	int rc[D_COUNT], i, k;
	size_t n;

	fixtures(msgs);
	for (i = 0; i < 6; i++) {
		for (n = 0; n < msgs[i].len; n++) {
			decode_all(msgs[i].data, n, rc);
			for (k = 0; k < D_COUNT; k++)
				cr_assert_eq(rc[k], HIVEHA_EPROTOCOL, "message %d cut at %zu: decoder %d gave %d",
				             i, n, k, rc[k]);
		}
		hh_buf_free(&msgs[i]);
	}
}

Test(hostile, flipped_bytes_never_crash)
{
	hh_buf msgs[6];
	int rc[D_COUNT], i, k;
	size_t n;
	unsigned char *copy;

	fixtures(msgs);
	for (i = 0; i < 6; i++) {
		copy = malloc(msgs[i].len);
		cr_assert(copy);
		for (n = 0; n < msgs[i].len; n++) {
			memcpy(copy, msgs[i].data, msgs[i].len);
			copy[n] ^= (unsigned char)(0x5A + n);
			decode_all(copy, msgs[i].len, rc);
			for (k = 0; k < D_COUNT; k++)
				cr_assert(rc[k] <= 0 && rc[k] != HIVEHA_ENOMEM);
		}
		free(copy);
		hh_buf_free(&msgs[i]);
	}
}

Test(hostile, garbage)
{
	unsigned char buf[512];
	uint32_t x = 12345;
	int rc[D_COUNT], round, k;
	size_t n, i;

	for (round = 0; round < 2000; round++) {
		n = (size_t)round % sizeof(buf);
		for (i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (unsigned char)(x >> 16);
		}
		if (round % 3 == 0 && n >= 8)
			memcpy(buf, "HHB2", 4);
		decode_all(buf, n, rc);
		for (k = 0; k < D_COUNT; k++)
			cr_assert(rc[k] == HIVEHA_EPROTOCOL || rc[k] == HIVEHA_ELIMIT, "round %d: %d", round,
			          rc[k]);
	}
}

Test(hostile, oversized_message)
{
	hh_buf msgs[6];
	int rc[D_COUNT], i, k;

	fixtures(msgs);
	for (i = 0; i < 6; i++) {
		lim.max_message_bytes = msgs[i].len - 1;
		decode_all(msgs[i].data, msgs[i].len, rc);
		for (k = 0; k < D_COUNT; k++)
			cr_assert_eq(rc[k], HIVEHA_ELIMIT, "message %d decoder %d: %d", i, k, rc[k]);
		hh_buf_free(&msgs[i]);
	}
}

Test(hostile, deep_nesting)
{
	size_t depth = 100000, i;
	char *s = malloc(2 * depth + 64);
	hh_errbuf err;
	int k;

	cr_assert(s);
	for (k = 0; k < D_COUNT; k++) {
		size_t pre;

		strcpy(s, "{\"v\":1,\"type\":\"timeseries\",\"x\":");
		pre = strlen(s);
		memset(s + pre, '[', depth);
		s[pre + depth] = '\0';
		cr_assert_eq(decode_kind(k, s, &err), HIVEHA_ELIMIT, "decoder %d", k);
	}
	/* Just over the limit, inside an otherwise valid request. */
	snprintf(s, 2 * depth + 64, "{\"v\":1,\"type\":\"events\",\"from\":\"1\",\"to\":\"2\",\"x\":");
	for (i = 0; i < (size_t)lim.max_depth; i++)
		strcat(s, "[");
	for (i = 0; i < (size_t)lim.max_depth; i++)
		strcat(s, "]");
	strcat(s, "}");
	cr_assert_eq(decode_kind(D_EVQ, s, &err), HIVEHA_ELIMIT);
	lim.max_depth++;
	cr_assert_eq(decode_kind(D_EVQ, s, &err), 0, "%s", err.msg);
	free(s);
}

Test(hostile, requests)
{
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "[]");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\",\"items\":[\"a\"]} x");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":2,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\",\"items\":[\"a\"]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"events\",\"from\":\"1\",\"to\":\"2\",\"items\":[\"a\"]}");
	/* ticks as JSON numbers are refused: they would lose precision */
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":1,\"to\":\"2\",\"items\":[\"a\"]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"01\",\"to\":\"2\",\"items\":[\"a\"]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"-0\",\"to\":\"2\",\"items\":[\"a\"]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"9223372036854775808\",\"items\":[\"a\"]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"2\",\"to\":\"2\",\"items\":[\"a\"]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\",\"items\":[]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\",\"items\":[\"\"]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\",\"items\":[\"a\",1]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\",\"items\":[\"a\",\"b\",\"a\"]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\",\"items\":\"a\"}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\",\"items\":[\"a\"],\"start\":{\"skip\":\"3\"}}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\"],\"start\":{\"time\":\"5\"}}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\"],\"start\":{\"time\":\"0\"}}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\"],\"start\":{\"time\":\"2\",\"skip\":\"-1\"}}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\"],\"max_samples\":-1}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\"],\"max_samples\":1.5}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\"],\"max_samples\":4294967296}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\"],\"encoding\":\"xml\"}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\"],\"cursor\":\"\"}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\\u0000b\"]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\xc3\"]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\xed\xa0\x80\"]}");
	EXPECT(D_TSQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"5\",\"items\":[\"a\tb\"]}");
	EXPECT(D_EVQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"events\",\"from\":\"1\"}");
	EXPECT(D_EVQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"events\",\"from\":\"3\",\"to\":\"1\"}");
	EXPECT(D_EVQ, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"events\",\"from\":\"1\",\"to\":\"3\",\"start\":[]}");
	EXPECT(D_HELLO, HIVEHA_EPROTOCOL, "{\"type\":\"hello\",\"protocol\":0,\"instance_id\":\"x\",\"clock\":\"1\"}");
	EXPECT(D_HELLO, HIVEHA_EPROTOCOL, "{\"type\":\"hello\",\"protocol\":1,\"clock\":\"1\"}");
	EXPECT(D_HELLO, HIVEHA_EPROTOCOL, "{\"type\":\"hello\",\"protocol\":1,\"instance_id\":\"x\",\"clock\":1}");
}

Test(hostile, limits_on_requests)
{
	char big[600], msg[1000];

	lim.max_items = 2;
	EXPECT(D_TSQ, HIVEHA_ELIMIT, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\",\"items\":[\"a\",\"b\",\"c\"]}");
	lim.max_string_bytes = 3;
	EXPECT(D_TSQ, HIVEHA_ELIMIT, "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\",\"items\":[\"abcd\"]}");
	EXPECT(D_HELLO, HIVEHA_ELIMIT, "{\"type\":\"hello\",\"protocol\":1,\"instance_id\":\"abcd\",\"clock\":\"1\"}");
	/* A cursor longer than any responder writes. */
	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(msg, sizeof(msg), "{\"v\":1,\"type\":\"events\",\"from\":\"1\",\"to\":\"2\",\"cursor\":\"%s\"}", big);
	EXPECT(D_EVQ, HIVEHA_EPROTOCOL, msg);
}

Test(hostile, replies)
{
	static const char *h = "{\"v\":1,\"type\":\"timeseries_reply\",";

	char m[512];
#define TSR(code, body) do { snprintf(m, sizeof(m), "%s%s", h, body); EXPECT(D_TSR, code, m); } while (0)
	TSR(HIVEHA_EPROTOCOL, "\"items\":{}}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":-1}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":\"1\"}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\"}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"\",\"count\":0}]}");
	TSR(HIVEHA_ELIMIT, "\"items\":[{\"id\":\"a\",\"count\":4000000000}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":2,\"t\":[\"1\"],\"v\":[1,2],\"vt\":5,\"q\":192}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":2,\"t\":[\"1\",-1],\"v\":[1,2],\"vt\":5,\"q\":192}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":2,\"t\":[\"9223372036854775807\",1],\"v\":[1,2],\"vt\":5,\"q\":192}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":1,\"t\":[\"1\"],\"v\":[1],\"vt\":9,\"q\":192}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":1,\"t\":[\"1\"],\"v\":[\"1\"],\"vt\":5,\"q\":192}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":1,\"t\":[\"1\"],\"v\":[1e999],\"vt\":5,\"q\":192}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":1,\"t\":[\"1\"],\"v\":[1e39],\"vt\":4,\"q\":192}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":1,\"t\":[\"1\"],\"v\":[1],\"vt\":2,\"q\":192}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":1,\"t\":[\"1\"],\"v\":[\"-1\"],\"vt\":3,\"q\":192}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":1,\"t\":[\"1\"],\"v\":[1],\"vt\":1,\"q\":192}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":1,\"t\":[\"1\"],\"v\":[1],\"vt\":0,\"q\":192}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":1,\"t\":[\"1\"],\"v\":[1],\"vt\":5,\"q\":-1}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"count\":1,\"t\":[\"1\"],\"v\":[1],\"vt\":5,\"q\":[1,2]}]}");
	TSR(HIVEHA_EPROTOCOL, "\"items\":[{\"id\":\"a\",\"unknown\":true,\"count\":1,\"t\":[\"1\"],\"v\":[1],\"vt\":5,\"q\":1}]}");
	TSR(HIVEHA_EPROTOCOL, "\"gaps\":[{\"from\":\"2\",\"to\":\"1\"}],\"items\":[]}");
	TSR(HIVEHA_EPROTOCOL, "\"gaps\":[{\"from\":\"1\",\"to\":\"2\"}],\"items\":[{\"id\":\"a\",\"count\":0}]}");
	TSR(HIVEHA_EPROTOCOL, "\"gaps\":[{\"from\":\"1\",\"to\":\"2\"}],\"items\":[],\"cursor\":\"x\"}");
	TSR(HIVEHA_EPROTOCOL, "\"gaps\":{},\"items\":[]}");
	TSR(0, "\"gaps\":[{\"from\":\"1\",\"to\":\"2\",\"filling\":true}],\"items\":[]}");
	TSR(0, "\"items\":[{\"id\":\"a\",\"count\":2,\"t\":[\"1\",\"0\"],\"v\":[\"NaN\",\"-Inf\"],\"vt\":[5,4],\"q\":[1,2]}]}");
	lim.max_samples = 1;
	TSR(HIVEHA_ELIMIT, "\"items\":[{\"id\":\"a\",\"count\":2,\"t\":[\"1\",\"0\"],\"v\":[1,2],\"vt\":5,\"q\":1}]}");
	lim.max_ranges = 1;
	TSR(HIVEHA_ELIMIT, "\"gaps\":[{\"from\":\"1\",\"to\":\"2\"},{\"from\":\"3\",\"to\":\"4\"}],\"items\":[]}");
	/* Error replies with codes that are not errors. */
	EXPECT(D_TSR, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"error\",\"code\":0,\"message\":\"x\"}");
	EXPECT(D_TSR, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"error\",\"code\":\"-7\"}");
	EXPECT(D_TSR, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"error\",\"code\":-1.5}");
	EXPECT(D_TSR, HIVEHA_ESTORE, "{\"v\":1,\"type\":\"error\",\"code\":-7}");

	EXPECT(D_EVR, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"events_reply\",\"events\":[{\"time\":\"1\"}]}");
	EXPECT(D_EVR, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"events_reply\",\"events\":[{\"time\":\"1\",\"received\":\"1\",\"source_id\":1,\"type_id\":1,\"category\":1,\"state\":1,\"severity\":1001}]}");
	EXPECT(D_EVR, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"events_reply\",\"events\":[{\"time\":\"2\",\"received\":\"1\",\"source_id\":1,\"type_id\":1,\"category\":1,\"state\":1,\"severity\":1},{\"time\":\"1\",\"received\":\"1\",\"source_id\":1,\"type_id\":1,\"category\":1,\"state\":1,\"severity\":1}]}");
	EXPECT(D_EVR, HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"events_reply\",\"events\":[{\"time\":\"1\",\"received\":\"1\",\"source_id\":1,\"type_id\":1,\"category\":1,\"state\":1,\"severity\":1,\"attributes\":[{\"name\":\"a\",\"type\":2,\"value\":5}]}]}");
	lim.max_attributes = 1;
	EXPECT(D_EVR, HIVEHA_ELIMIT, "{\"v\":1,\"type\":\"events_reply\",\"events\":[{\"time\":\"1\",\"received\":\"1\",\"source_id\":1,\"type_id\":1,\"category\":1,\"state\":1,\"severity\":1,\"attributes\":[{\"name\":\"a\",\"type\":0},{\"name\":\"b\",\"type\":0}]}]}");
	lim.max_events = 0;
	EXPECT(D_EVR, HIVEHA_ELIMIT, "{\"v\":1,\"type\":\"events_reply\",\"events\":[{}]}");
#undef TSR
}

/* A binary container built by hand: header JSON, then the raw item table
 * and block bytes, answering a request for the items "a", "b", "c". */
static const char *const abc[] = { "a", "b", "c" };

static int bin_decode(const char *header, const unsigned char *blk, size_t blen, hh_errbuf *err)
{
	size_t hl = strlen(header);
	/* exactly the message, so that the sanitizer build sees any overread */
	unsigned char *buf = malloc(8 + hl + blen);
	hh_ts_reply r;
	int rc;

	cr_assert(buf);

	memcpy(buf, "HHB2", 4);
	buf[4] = (unsigned char)hl;
	buf[5] = (unsigned char)(hl >> 8);
	buf[6] = buf[7] = 0;
	memcpy(buf + 8, header, hl);
	if (blen)
		memcpy(buf + 8 + hl, blk, blen);
	rc = hh_decode_ts_reply_for(&r, buf, 8 + hl + blen, &lim, err, abc, 3);
	hh_ts_reply_free(&r);
	free(buf);
	return rc;
}

#define HDR "{\"v\":1,\"type\":\"timeseries_reply\",\"encoding\":\"bin\"}"

#define BIN_H(code, hdr, ...) do { \
	static const unsigned char b_[] = { __VA_ARGS__ }; \
	hh_errbuf e_ = { "" }; \
	int r_ = bin_decode(hdr, b_, sizeof(b_), &e_); \
	cr_assert_eq(r_, code, "line %d -> %d (%s)", __LINE__, r_, e_.msg); \
	cr_assert(code == 0 || e_.msg[0]); \
} while (0)

/* Table and blocks after a plain header. */
#define BIN(code, ...) BIN_H(code, HDR, __VA_ARGS__)

/* One item "a" (index 0, complete) of `count` samples in a block of `bytes`. */
#define ONE(count, bytes) 0x01, 0x00, 0x02, count, bytes

Test(hostile, binary_blocks)
{
	/* valid: t=1, EMPTY, quality 0 (the types and quality written out) */
	BIN(0, ONE(1, 5), 0x02, 0x01, 0x00, 0x01, 0x00);
	/* valid: two doubles */
	BIN(0, ONE(2, 22), 0x02, 0x00, 0x02, 0x05, 0x02, 0x00, 0,0,0,0,0,0,0xf0,0x3f, 0,0,0,0,0,0,0,0);
	/* valid: type EMPTY and quality 0 from the (zeroed) context */
	BIN(0, 0x01, 0x00, 0x0e, 0x01, 0x01, 0x02);
	/* bytes beyond the message */
	BIN(HIVEHA_EPROTOCOL, ONE(1, 6), 0x02, 0x01, 0x00, 0x01, 0x00);
	/* trailing bytes after the block / after the last block */
	BIN(HIVEHA_EPROTOCOL, ONE(1, 5), 0x02, 0x01, 0x00, 0x01, 0x00, 0x00);
	BIN(HIVEHA_EPROTOCOL, ONE(1, 6), 0x02, 0x01, 0x00, 0x01, 0x00, 0x00);
	/* count larger than the block can hold: refused before allocating */
	BIN(HIVEHA_EPROTOCOL, 0x01, 0x00, 0x02, 0xc0, 0x84, 0x3d, 0x05, 0x02, 0x01, 0x00, 0x01, 0x00);
	/* a run of 0, a run longer than the samples */
	BIN(HIVEHA_EPROTOCOL, ONE(1, 5), 0x02, 0x00, 0x00, 0x01, 0x00);
	BIN(HIVEHA_EPROTOCOL, ONE(1, 5), 0x02, 0x02, 0x00, 0x01, 0x00);
	/* invalid type, quality over 32 bits */
	BIN(HIVEHA_EPROTOCOL, ONE(1, 5), 0x02, 0x01, 0x08, 0x01, 0x00);
	BIN(HIVEHA_EPROTOCOL, ONE(1, 9), 0x02, 0x01, 0x00, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10);
	/* times going backwards (delta overflow) */
	BIN(HIVEHA_EPROTOCOL, ONE(2, 15), 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	    0x0a, 0x02, 0x00, 0x02, 0x00);
	/* an overlong varint */
	BIN(HIVEHA_EPROTOCOL, ONE(1, 15), 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	    0x00, 0x01, 0x00, 0x01, 0x00);
	/* bool other than 0/1; truncated double; string longer than the block */
	BIN(HIVEHA_EPROTOCOL, ONE(1, 6), 0x02, 0x01, 0x01, 0x01, 0x00, 0x02);
	BIN(HIVEHA_EPROTOCOL, ONE(1, 8), 0x02, 0x01, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00);
	BIN(HIVEHA_EPROTOCOL, ONE(1, 8), 0x02, 0x01, 0x06, 0x01, 0x00, 0x05, 'a', 'b');
	/* an item of zero samples with bytes, or with "same" flags */
	BIN(HIVEHA_EPROTOCOL, ONE(0, 1), 0x00);
	BIN(HIVEHA_EPROTOCOL, 0x01, 0x00, 0x06, 0x00, 0x00);
	/* string over the limit */
	lim.max_string_bytes = 1;
	BIN(HIVEHA_ELIMIT, ONE(1, 8), 0x02, 0x01, 0x06, 0x01, 0x00, 0x02, 'a', 'b');
}

Test(hostile, binary_item_table)
{
	/* valid: "a" and "c" (index 0, then 0 + 1 + 1), both unknown */
	BIN(0, 0x02, 0x00, 0x03, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00);
	/* no items at all; gaps without items */
	BIN(0, 0x00);
	BIN_H(0, "{\"v\":1,\"type\":\"timeseries_reply\",\"gaps\":[{\"from\":\"1\",\"to\":\"2\"}]}", 0x00);
	/* the table is missing or cut inside a varint */
	BIN(HIVEHA_EPROTOCOL);
	BIN(HIVEHA_EPROTOCOL, 0x80);
	BIN(HIVEHA_EPROTOCOL, 0x01, 0x00, 0x02, 0x80);
	BIN(HIVEHA_EPROTOCOL, 0x01, 0x00, 0x02, 0x00, 0x80);
	BIN(HIVEHA_EPROTOCOL, 0x01, 0x80, 0x80, 0x80, 0x80);
	/* an index beyond the request: first entry, after others, huge delta */
	BIN(HIVEHA_EPROTOCOL, 0x01, 0x03, 0x03, 0x00, 0x00);
	BIN(HIVEHA_EPROTOCOL, 0x02, 0x02, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00);
	BIN(HIVEHA_EPROTOCOL, 0x02, 0x00, 0x03, 0x00, 0x00,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x03, 0x00, 0x00);
	/* indices only increase: a fourth entry has no index left after "c" */
	BIN(HIVEHA_EPROTOCOL, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00,
	    0x00, 0x00, 0x03, 0x00, 0x00);
	BIN(HIVEHA_EPROTOCOL, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00,
	    0x00, 0x00, 0x03, 0x00, 0x00);
	/* block lengths whose sum wraps around 2^64 to the bytes that are there:
	 * 18 (more than is left after the table) + (2^64 - 13) = 5; the block
	 * (a double with its value missing) would be read past the message */
	BIN(HIVEHA_EPROTOCOL, 0x02, 0x00, 0x02, 0x01, 0x12,
	    0x00, 0x02, 0x01, 0xf3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	    0x02, 0x01, 0x05, 0x01, 0x00);
	/* the blocks together longer than the message, each one alone not */
	BIN(HIVEHA_EPROTOCOL, 0x02, 0x00, 0x02, 0x01, 0x05, 0x00, 0x02, 0x01, 0x05,
	    0x02, 0x01, 0x00, 0x01, 0x00);
	/* more entries announced than the bytes can hold (refused before allocating) */
	BIN(HIVEHA_EPROTOCOL, 0x03, 0x00, 0x03, 0x00, 0x00);
	/* huge counts: items, samples (before anything is allocated) */
	BIN(HIVEHA_ELIMIT, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
	BIN(HIVEHA_ELIMIT, 0x01, 0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0x01, 0x01, 0x00);
	BIN(HIVEHA_EPROTOCOL, 0x01, 0x00, 0x02, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0x01);
	/* undefined flags; an unknown item with samples */
	BIN(HIVEHA_EPROTOCOL, 0x01, 0x00, 0x12, 0x00, 0x00);
	BIN(HIVEHA_EPROTOCOL, 0x01, 0x00, 0x03, 0x01, 0x05, 0x02, 0x01, 0x00, 0x01, 0x00);
	/* items with gaps */
	BIN_H(HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries_reply\",\"gaps\":[{\"from\":\"1\",\"to\":\"2\"}]}",
	      0x01, 0x00, 0x03, 0x00, 0x00);
	/* a header with JSON items (a mix of the two encodings) */
	BIN_H(HIVEHA_EPROTOCOL, "{\"v\":1,\"type\":\"timeseries_reply\",\"items\":[]}", 0x00);
	lim.max_items = 1;
	BIN(HIVEHA_ELIMIT, 0x02, 0x00, 0x03, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00);
	lim.max_items = 100000;
	lim.max_samples = 1;
	BIN(HIVEHA_ELIMIT, 0x02, 0x00, 0x02, 0x01, 0x05, 0x00, 0x02, 0x01, 0x05,
	    0x02, 0x01, 0x00, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x00);
}

Test(hostile, binary_header)
{
	static const unsigned char shortlen[] = { 'H', 'H', 'B', '2', 0x10 };
	static const unsigned char longhdr[] = { 'H', 'H', 'B', '2', 0xff, 0xff, 0xff, 0xff, '{', '}' };
	static const unsigned char v1[] = { 'H', 'H', 'B', '1', 2, 0, 0, 0, '{', '}' };
	hh_ts_reply r;
	hh_errbuf err;

	cr_assert_eq(hh_decode_ts_reply_for(&r, shortlen, sizeof(shortlen), &lim, &err, abc, 3),
	             HIVEHA_EPROTOCOL);
	cr_assert_eq(hh_decode_ts_reply_for(&r, longhdr, sizeof(longhdr), &lim, &err, abc, 3),
	             HIVEHA_EPROTOCOL);
	/* a stale peer's container is refused by its name, not as bad JSON */
	cr_assert_eq(hh_decode_ts_reply_for(&r, v1, sizeof(v1), &lim, &err, abc, 3), HIVEHA_EPROTOCOL);
	cr_assert(strstr(err.msg, "HHB2"), "%s", err.msg);
	cr_assert_eq(hh_decode_ts_reply_for(&r, v1, 3, &lim, &err, abc, 3), HIVEHA_EPROTOCOL);
	/* without the request's items a binary reply cannot be named */
	cr_assert_eq(hh_decode_ts_reply(&r, longhdr, sizeof(longhdr), &lim, &err), HIVEHA_EINVAL);
	/* an error message inside a binary container is not an error reply */
	cr_assert_eq(bin_decode("{\"v\":1,\"type\":\"error\",\"code\":-7}", NULL, 0, &err), HIVEHA_EPROTOCOL);
}

/* docs/protocol.md §2: no byte order mark, no duplicate member names (cJSON
 * would skip the one and silently keep the first of the other). */
Test(hostile, bom_and_duplicate_members)
{
	const char *ok = "{\"v\":1,\"type\":\"events\",\"from\":\"1\",\"to\":\"2\"}";
	char *big;
	size_t i, off;

	EXPECT(D_EVQ, 0, ok);
	EXPECT(D_EVQ, HIVEHA_EPROTOCOL,
	       "\xEF\xBB\xBF{\"v\":1,\"type\":\"events\",\"from\":\"1\",\"to\":\"2\"}");
	EXPECT(D_HELLO, HIVEHA_EPROTOCOL, "\xEF\xBB\xBF{\"type\":\"hello\"}");
	EXPECT(D_EVQ, HIVEHA_EPROTOCOL,
	       "{\"v\":1,\"type\":\"events\",\"from\":\"1\",\"to\":\"9\",\"to\":\"2\"}");
	EXPECT(D_EVQ, HIVEHA_EPROTOCOL,
	       "{\"v\":1,\"type\":\"events\",\"from\":\"1\",\"to\":\"9\","
	       "\"start\":{\"time\":\"1\",\"skip\":\"0\",\"skip\":\"1\"}}");
	/* Also inside members the decoder ignores. */
	EXPECT(D_EVQ, HIVEHA_EPROTOCOL,
	       "{\"v\":1,\"type\":\"events\",\"from\":\"1\",\"to\":\"2\",\"x\":[{\"a\":1,\"a\":2}]}");
	/* A large object goes through the sorted check. */
	big = malloc(64 + 1000 * 16);
	cr_assert(big);
	off = (size_t)sprintf(big, "{\"v\":1,\"type\":\"events\",\"from\":\"1\",\"to\":\"2\",\"x\":{");
	for (i = 0; i < 1000; i++)
		off += (size_t)sprintf(big + off, "%s\"k%zu\":0", i ? "," : "", i);
	strcpy(big + off, "}}");
	EXPECT(D_EVQ, 0, big);
	strcpy(big + off, ",\"k500\":1}}");
	EXPECT(D_EVQ, HIVEHA_EPROTOCOL, big);
	free(big);
}
