/*
 * test_roundtrip.c - every message and every value type survives
 * encode -> decode unchanged (DESIGN §4 precision trap).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_fixtures.h"
#include "protocol/codec.h"

static hh_limits lim;
static const char *const x_items[] = { "x" };

static void setup(void)
{
	hh_limits_default(&lim);
}

TestSuite(roundtrip, .init = setup);

Test(roundtrip, hello)
{
	hh_hello in = { 7, "inst \"A\" \xc3\xa4", INT64_MIN, HH_CAP_BIN_SAMPLES | 0x80000000u,
		        { 1048576, 100, 0xFFFFFFFFu, 1 } }, out;
	hh_errbuf err;
	hh_buf b;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_hello(&b, &in), 0);
	cr_assert_eq(hh_decode_hello(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(out.protocol, 7);
	cr_assert_str_eq(out.instance_id, in.instance_id);
	cr_assert_eq(out.clock, INT64_MIN);
	cr_assert_eq(out.caps, in.caps);
	cr_assert_eq(out.limits.request_bytes, 1048576);
	cr_assert_eq(out.limits.items, 100);
	cr_assert_eq(out.limits.reply_bytes, 0xFFFFFFFFu);
	cr_assert_eq(out.limits.strings, 1);
	hh_hello_free(&out);
	hh_buf_free(&b);
}

Test(roundtrip, ts_request)
{
	char *items[] = { "a", "b \"quoted\" \\ \xe2\x82\xac", "c\n\t" };
	hh_ts_request in = { .window = { .from = INT64_MIN, .to = INT64_MAX, .has_start = 1,
	                                 .start_time = INT64_MAX - 1, .start_skip = UINT64_MAX,
	                                 .cursor = "t1:1:5:0" },
	                     .items = items, .item_count = 3, .max_samples = 0xFFFFFFFFu,
	                     .encoding = HH_ENC_BIN, .max_reply_bytes = 65536 }, out;
	hh_errbuf err;
	hh_buf b;
	size_t i;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_request(&b, &in), 0);
	cr_assert_eq(hh_decode_ts_request(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(out.window.from, in.window.from);
	cr_assert_eq(out.window.to, in.window.to);
	cr_assert_eq(out.item_count, 3);
	for (i = 0; i < 3; i++)
		cr_assert_str_eq(out.items[i], items[i]);
	cr_assert_eq(out.window.has_start, 1);
	cr_assert_eq(out.window.start_time, in.window.start_time);
	cr_assert_eq(out.window.start_skip, UINT64_MAX);
	cr_assert_str_eq(out.window.cursor, in.window.cursor);
	cr_assert_eq(out.max_samples, 0xFFFFFFFFu);
	cr_assert_eq(out.encoding, HH_ENC_BIN);
	cr_assert_eq(out.max_reply_bytes, 65536);
	hh_ts_request_free(&out);

	/* Without start, cursor, limit; JSON encoding. */
	in.window.has_start = 0;
	in.window.start_skip = 0;
	in.window.cursor = NULL;
	in.max_samples = 0;
	in.encoding = HH_ENC_JSON;
	b.len = 0;
	cr_assert_eq(hh_encode_ts_request(&b, &in), 0);
	cr_assert_eq(hh_decode_ts_request(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(out.window.has_start, 0);
	cr_assert_eq(out.window.start_skip, 0);
	cr_assert_null(out.window.cursor);
	cr_assert_eq(out.encoding, HH_ENC_JSON);
	hh_ts_request_free(&out);
	hh_buf_free(&b);
}

Test(roundtrip, ev_request)
{
	hh_ev_request in = { .window = { .from = -5, .to = 5, .has_start = 1, .start_time = -5,
	                                 .start_skip = 3, .cursor = "e1:-5:3" },
	                     .max_events = 10, .max_reply_bytes = 4096 }, out;
	hh_errbuf err;
	hh_buf b;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ev_request(&b, &in), 0);
	cr_assert_eq(hh_decode_ev_request(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(out.window.from, -5);
	cr_assert_eq(out.window.to, 5);
	cr_assert_eq(out.window.has_start, 1);
	cr_assert_eq(out.window.start_time, -5);
	cr_assert_eq(out.window.start_skip, 3);
	cr_assert_str_eq(out.window.cursor, "e1:-5:3");
	cr_assert_eq(out.max_events, 10);
	cr_assert_eq(out.max_reply_bytes, 4096);
	hh_ev_request_free(&out);
	hh_buf_free(&b);
}

static void ts_roundtrip(uint32_t enc, int with_nul)
{
	hh_ts_reply in, out;
	hh_errbuf err;
	hh_buf b;

	fx_ts_reply(&in, with_nul);
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, enc, fx_ts_items, FX_TS_ITEM_COUNT), 0);
	if (enc == HH_ENC_BIN)
		cr_assert_eq(memcmp(b.data, "HHB2", 4), 0);
	else
		cr_assert_eq(b.data[0], '{');
	cr_assert_eq(hh_decode_ts_reply_for(&out, b.data, b.len, &lim, &err, fx_ts_items,
	                                    FX_TS_ITEM_COUNT), 0, "%s", err.msg);
	fx_assert_ts_equal(&in, &out);
	hh_ts_reply_free(&out);
	fx_ts_reply_free(&in);
	hh_buf_free(&b);
}

Test(roundtrip, ts_reply_json_every_type)
{
	ts_roundtrip(HH_ENC_JSON, 0);
}

Test(roundtrip, ts_reply_bin_every_type)
{
	ts_roundtrip(HH_ENC_BIN, 0);
}

Test(roundtrip, ts_reply_bin_keeps_nul_in_strings)
{
	ts_roundtrip(HH_ENC_BIN, 1);
}

/* Issue 9 item 11: JSON carries NUL bytes too, in the lossless form. */
Test(roundtrip, ts_reply_json_keeps_nul_in_strings)
{
	ts_roundtrip(HH_ENC_JSON, 1);
}

Test(roundtrip, ts_reply_gaps)
{
	hh_gap gaps[] = { { INT64_MIN, -1, 1 }, { 5, INT64_MAX, 0 } };
	hh_ts_reply in = { gaps, 2, NULL, 0, NULL }, out;
	hh_errbuf err;
	hh_buf b;
	uint32_t enc;

	for (enc = HH_ENC_JSON; enc <= HH_ENC_BIN; enc++) {
		hh_buf_init(&b, NULL);
		cr_assert_eq(hh_encode_ts_reply_for(&b, &in, enc, x_items, 1), 0);
		cr_assert_eq(hh_decode_ts_reply_for(&out, b.data, b.len, &lim, &err, x_items, 1), 0, "%s",
		             err.msg);
		fx_assert_ts_equal(&in, &out);
		hh_ts_reply_free(&out);
		hh_buf_free(&b);
	}
}

Test(roundtrip, ts_reply_huge_time_deltas)
{
	hiveha_sample s[4] = { 0 };
	hh_ts_item it = { "x", 0, 1, s, 4 };
	hh_ts_reply in = { NULL, 0, &it, 1, NULL }, out;
	hh_errbuf err;
	hh_buf b;
	uint32_t enc;

	s[0].time = INT64_MIN;
	s[1].time = INT64_MAX;
	s[2].time = INT64_MAX;
	s[3].time = INT64_MAX;
	for (enc = HH_ENC_JSON; enc <= HH_ENC_BIN; enc++) {
		hh_buf_init(&b, NULL);
		cr_assert_eq(hh_encode_ts_reply_for(&b, &in, enc, x_items, 1), 0);
		cr_assert_eq(hh_decode_ts_reply_for(&out, b.data, b.len, &lim, &err, x_items, 1), 0, "%s",
		             err.msg);
		fx_assert_ts_equal(&in, &out);
		hh_ts_reply_free(&out);
		hh_buf_free(&b);
	}
}

Test(roundtrip, encoders_refuse_descending_times)
{
	hiveha_sample s[2] = { 0 };
	hh_ts_item it = { "x", 0, 1, s, 2 };
	hh_ts_reply in = { NULL, 0, &it, 1, NULL };
	hh_buf b;

	s[0].time = 5;
	s[1].time = 4;
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, HH_ENC_JSON, x_items, 1), HIVEHA_EINVAL);
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, HH_ENC_BIN, x_items, 1), HIVEHA_EINVAL);
	hh_buf_free(&b);
}

Test(roundtrip, ev_reply_every_field)
{
	hh_ev_reply in, out;
	hh_errbuf err;
	hh_buf b;

	fx_ev_reply(&in);
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ev_reply(&b, &in), 0);
	cr_assert_eq(hh_decode_ev_reply(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
	fx_assert_ev_equal(&in, &out);
	cr_assert_null(out.events[0].message);
	cr_assert_str_eq(out.events[1].message, "");
	hh_ev_reply_free(&out);
	fx_ev_reply_free(&in);
	hh_buf_free(&b);
}

Test(roundtrip, error_reply_reaches_every_reply_decoder)
{
	hh_errbuf err;
	hh_ts_reply ts;
	hh_ev_reply ev;
	hh_hello h;
	hh_buf b;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_error(&b, HIVEHA_ESTORE, "disk \"full\" \xc3\xa4"), 0);
	cr_assert_eq(hh_decode_ts_reply(&ts, b.data, b.len, &lim, &err), HIVEHA_ESTORE);
	cr_assert(strstr(err.msg, "disk \"full\" \xc3\xa4"), "%s", err.msg);
	cr_assert_eq(ts.item_count, 0);
	cr_assert_eq(hh_decode_ev_reply(&ev, b.data, b.len, &lim, &err), HIVEHA_ESTORE);
	cr_assert_eq(hh_decode_hello(&h, b.data, b.len, &lim, &err), HIVEHA_ESTORE);
	cr_assert_null(h.instance_id);
	cr_assert_eq(hh_encode_error(&b, 0, "x"), HIVEHA_EINVAL);
	cr_assert_eq(hh_encode_error(&b, 5, "x"), HIVEHA_EINVAL);
	hh_buf_free(&b);
}

Test(roundtrip, error_text_is_kept_valid)
{
	hh_errbuf err;
	hh_ts_reply ts;
	hh_buf b;

	/* A message cut inside a UTF-8 sequence, with a control byte. */
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_error(&b, HIVEHA_EPROTOCOL, "item \"\xc3\" \x01"), 0);
	cr_assert_eq(hh_decode_ts_reply(&ts, b.data, b.len, &lim, &err), HIVEHA_EPROTOCOL);
	cr_assert(strstr(err.msg, "item \"?\" ?"), "%s", err.msg);
	hh_buf_free(&b);
}

Test(roundtrip, json_doubles_are_short_and_exact)
{
	hiveha_sample s = { 0 };
	hh_ts_item it = { "x", 0, 1, &s, 1 };
	hh_ts_reply in = { NULL, 0, &it, 1, NULL };
	hh_buf b;

	hiveha_value_set_double(&s.value, 0.1);
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_reply(&b, &in, HH_ENC_JSON), 0);
	cr_assert_eq(hh_buf_append(&b, "", 1), 0);
	cr_assert(strstr((char *)b.data, "\"v\":[0.1]"), "%s", (char *)b.data);
	cr_assert(strstr((char *)b.data, "\"t\":[\"0\"]"), "%s", (char *)b.data);
	hh_buf_free(&b);
}

Test(roundtrip, bin_bytes_per_sample_1hz_doubles)
{
	enum { N = 10000 };
	hiveha_sample *s = fx_doubles_1hz(N);
	hh_ts_item it = { "x", 0, 1, s, N };
	hh_ts_reply in = { NULL, 0, &it, 1, NULL }, out;
	hh_errbuf err;
	hh_buf b;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, HH_ENC_BIN, x_items, 1), 0);
	cr_assert_leq(b.len, (size_t)12 * N, "%zu bytes for %d samples", b.len, N);
	/* 1 byte of time and 8 of value per sample, plus the framing. */
	cr_assert_leq(b.len, (size_t)9 * N + 300, "%zu bytes", b.len);
	cr_assert_eq(hh_decode_ts_reply_for(&out, b.data, b.len, &lim, &err, x_items, 1), 0, "%s",
	             err.msg);
	fx_assert_ts_equal(&in, &out);
	hh_ts_reply_free(&out);
	hh_buf_free(&b);
	hh_samples_free(s, N);
}

Test(roundtrip, bin_block_exact_bytes)
{
	/* Pins the documented layout (docs/protocol.md, binary sample block). */
	hiveha_sample s[3] = { 0 };
	hh_buf b;
	static const unsigned char want[] = {
		0x14,                   /* zigzag(10 - 0) */
		0x14,                   /* zigzag(d1 - 0): d1 = 10 */
		0x01,                   /* zigzag(-1): d2 = 9 */
		0x02, 0x05, 0x01, 0x06, /* types: 2 x DOUBLE, 1 x STRING */
		0x03, 0xc0, 0x01,       /* quality: 3 x 192 */
		0, 0, 0, 0, 0, 0, 0xf0, 0x3f, /* 1.0 */
		0, 0, 0, 0, 0, 0, 0, 0x80,    /* -0.0 */
		0x02, 'h', 'i'          /* "hi" */
	};

	s[0].time = 10;
	s[1].time = 20;
	s[2].time = 29;
	hiveha_value_set_double(&s[0].value, 1.0);
	hiveha_value_set_double(&s[1].value, -0.0);
	cr_assert_eq(hiveha_value_set_string(&s[2].value, "hi", 2), 0);
	s[0].quality = s[1].quality = s[2].quality = 192;
	hh_bin_ctx ctx = { 0, 0, 0, 0 };
	unsigned flags;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_samples_bin_encode(&b, s, 3, &ctx, &flags), 0);
	cr_assert_eq(flags, 0);
	cr_assert_eq(b.len, sizeof(want));
	cr_assert_eq(memcmp(b.data, want, sizeof(want)), 0);
	/* What the next block is coded against. */
	cr_assert_eq(ctx.t0, 10);
	cr_assert_eq(ctx.d1, 10);
	cr_assert_eq(ctx.type, HIVEHA_TYPE_STRING);
	cr_assert_eq(ctx.quality, 192);
	hh_buf_free(&b);
	hiveha_value_clear(&s[2].value);
}

/* Two doubles at `t`, t + 10 (and t + 20) of quality 192. */
static void doubles(hiveha_sample *s, size_t n, hiveha_time t)
{
	size_t i;

	for (i = 0; i < n; i++) {
		s[i].time = t + 10 * (hiveha_time)i;
		s[i].quality = 192;
		hiveha_value_set_double(&s[i].value, (double)(i + 1));
	}
}

Test(roundtrip, bin_container_exact_bytes)
{
	/* Pins the documented container (docs/protocol.md, binary encoding):
	 * items named by index, the second block coded against the first. */
	static const char *const req[] = { "a", "b", "c", "d" };
	static const char head[] = "{\"v\":1,\"type\":\"timeseries_reply\",\"encoding\":\"bin\","
	                           "\"gaps\":[],\"cursor\":\"t1:3:120:1\"}";
	static const unsigned char table_and_blocks[] = {
		0x03,                         /* 3 items */
		0x01, 0x02, 0x02, 0x18,       /* index 0 + 1 = 1 ("b"), complete, 2 samples, 24 bytes */
		0x00, 0x03, 0x00, 0x00,       /* index 2 ("c"), unknown + complete, 0, 0 */
		0x00, 0x0c, 0x03, 0x1b,       /* index 3 ("d"), same type + quality, 3 samples, 27 bytes */
		/* block of "b" */
		0xc8, 0x01,                   /* zigzag(100 - 0) */
		0x14,                         /* zigzag(10 - 0) */
		0x02, 0x05,                   /* types: 2 x DOUBLE */
		0x02, 0xc0, 0x01,             /* quality: 2 x 192 */
		0, 0, 0, 0, 0, 0, 0xf0, 0x3f, /* 1.0 */
		0, 0, 0, 0, 0, 0, 0x00, 0x40, /* 2.0 */
		/* block of "d" */
		0x00,                         /* zigzag(100 - 100) */
		0x00,                         /* zigzag(10 - 10) */
		0x00,                         /* zigzag(10 - 10) */
		0, 0, 0, 0, 0, 0, 0xf0, 0x3f, /* 1.0 */
		0, 0, 0, 0, 0, 0, 0x00, 0x40, /* 2.0 */
		0, 0, 0, 0, 0, 0, 0x08, 0x40, /* 3.0 */
	};
	hiveha_sample sb[2] = { 0 }, sd[3] = { 0 };
	hh_ts_item items[3] = { { "b", 0, 1, sb, 2 }, { "c", 1, 1, NULL, 0 }, { "d", 0, 0, sd, 3 } };
	hh_ts_reply in = { NULL, 0, items, 3, "t1:3:120:1" }, out;
	size_t hl = sizeof(head) - 1;
	hh_errbuf err;
	hh_buf b;

	doubles(sb, 2, 100);
	doubles(sd, 3, 100);
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, HH_ENC_BIN, req, 4), 0);
	cr_assert_eq(b.len, 8 + hl + sizeof(table_and_blocks), "%zu bytes", b.len);
	cr_assert_eq(memcmp(b.data, "HHB2", 4), 0);
	cr_assert_eq(b.data[4] | b.data[5] << 8 | b.data[6] << 16 | b.data[7] << 24, (int)hl);
	cr_assert_eq(memcmp(b.data + 8, head, hl), 0, "%.*s", (int)hl, (const char *)b.data + 8);
	cr_assert_eq(memcmp(b.data + 8 + hl, table_and_blocks, sizeof(table_and_blocks)), 0);
	cr_assert_eq(hh_decode_ts_reply_for(&out, b.data, b.len, &lim, &err, req, 4), 0, "%s", err.msg);
	fx_assert_ts_equal(&in, &out);
	hh_ts_reply_free(&out);
	hh_buf_free(&b);
}

Test(roundtrip, bin_many_short_items_cost_little_more_than_their_samples)
{
	/* 1000 items of ten 1 Hz doubles with 25-byte ids, as a deputy batch
	 * of a 10-second gap: about 4 bytes of table per item, the block 1
	 * byte of time + 8 of value per sample. The ids are not repeated. */
	enum { M = 1000, S = 10 };
	char **ids = calloc(M, sizeof(*ids));
	hh_ts_item *items = calloc(M, sizeof(*items));
	hh_ts_reply in = { NULL, 0, items, M, NULL }, out;
	hh_errbuf err;
	hh_buf b;
	size_t i;

	cr_assert(ids && items);
	for (i = 0; i < M; i++) {
		ids[i] = malloc(32);
		cr_assert(ids[i]);
		snprintf(ids[i], 32, "Plant1/Area%03zu/Tag%07zu", i / 100, i);
		items[i].id = ids[i];
		items[i].complete = 1;
		items[i].samples = fx_doubles_1hz(S);
		items[i].count = S;
	}
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, HH_ENC_BIN, (const char *const *)ids, M), 0);
	cr_assert_leq(b.len, (size_t)M * (4 + 9 * S) + 100, "%zu bytes for %d samples", b.len, M * S);
	cr_assert_eq(hh_decode_ts_reply_for(&out, b.data, b.len, &lim, &err, (const char *const *)ids,
	                                    M), 0, "%s", err.msg);
	fx_assert_ts_equal(&in, &out);
	hh_ts_reply_free(&out);
	hh_buf_free(&b);
	for (i = 0; i < M; i++) {
		hh_samples_free(items[i].samples, S);
		free(ids[i]);
	}
	free(items);
	free(ids);
}

Test(roundtrip, plain_entry_points_are_json_only)
{
	hh_ts_reply in, out;
	hh_errbuf err;
	hh_buf b;

	fx_ts_reply(&in, 0);
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_reply(&b, &in, HH_ENC_BIN), HIVEHA_EINVAL);
	cr_assert_eq(b.len, 0);
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, HH_ENC_BIN, fx_ts_items, FX_TS_ITEM_COUNT), 0);
	cr_assert_eq(hh_decode_ts_reply(&out, b.data, b.len, &lim, &err), HIVEHA_EINVAL);
	cr_assert(strstr(err.msg, "index"), "%s", err.msg);
	cr_assert_eq(out.item_count, 0);
	b.len = 0;
	cr_assert_eq(hh_encode_ts_reply(&b, &in, HH_ENC_JSON), 0);
	cr_assert_eq(hh_decode_ts_reply(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
	fx_assert_ts_equal(&in, &out);
	hh_ts_reply_free(&out);
	fx_ts_reply_free(&in);
	hh_buf_free(&b);
}

Test(roundtrip, bin_encoder_refuses_items_not_in_request_order)
{
	static const char *const req[] = { "a", "b" };
	static const char *const other[] = { "a", "c" };
	hh_ts_item items[2] = { { "b", 1, 1, NULL, 0 }, { "a", 1, 1, NULL, 0 } };
	hh_ts_reply in = { NULL, 0, items, 2, NULL };
	hh_buf b;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, HH_ENC_BIN, req, 2), HIVEHA_EINVAL);
	items[0].id = "a";
	items[1].id = "b";
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, HH_ENC_BIN, other, 2), HIVEHA_EINVAL);
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, HH_ENC_BIN, req, 1), HIVEHA_EINVAL);
	cr_assert_eq(b.len, 0, "a failed encoder leaves nothing behind");
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, HH_ENC_BIN, req, 2), 0);
	hh_buf_free(&b);
}

static void expect_hello_bytes(const hh_hello *m, const char *want)
{
	hh_buf b;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_hello(&b, m), 0);
	cr_assert_eq(b.len, strlen(want), "%.*s", (int)b.len, b.data);
	cr_assert_eq(memcmp(b.data, want, b.len), 0, "%.*s", (int)b.len, b.data);
	hh_buf_free(&b);
}

/* docs/protocol.md §3 "Limits" quotes these bytes. */
Test(roundtrip, hello_limits_bytes_as_documented)
{
	hh_hello r = { 1, "hiveha", 133800000000000000LL, HH_CAPS,
		       { 1048576, 100000, 16777216, 1048576 } };
	hh_hello c = { 1, "hive-a", 133800000000000000LL, HH_CAPS, { 0, 100000, 67108864, 1048576 } };

	expect_hello_bytes(&r, "{\"type\":\"hello\",\"protocol\":1,\"instance_id\":\"hiveha\","
	                       "\"clock\":\"133800000000000000\",\"caps\":15,\"limits\":{"
	                       "\"request_bytes\":1048576,\"items\":100000,\"reply_bytes\":16777216,"
	                       "\"strings\":1048576}}");
	expect_hello_bytes(&c, "{\"type\":\"hello\",\"protocol\":1,\"instance_id\":\"hive-a\","
	                       "\"clock\":\"133800000000000000\",\"caps\":15,\"limits\":{"
	                       "\"items\":100000,\"reply_bytes\":67108864,\"strings\":1048576}}");
}

/* ---- the lossless string form (issue 9 item 11) ------------------------- */

/* Event text fields and string attributes JSON cannot hold as plain
 * strings - NUL bytes, bytes that are not UTF-8 - travel as {"b64": ...}
 * and come back bit for bit; the skipped list survives too. */
Test(roundtrip, ev_reply_lossless_strings_and_skipped)
{
	hiveha_attribute at[2];
	hiveha_event e;
	hh_skipped sk = { 42, 7, 9, (char *)"severity above 1000" };
	hh_ev_reply in, out;
	hh_errbuf err;
	hh_buf b;

	memset(at, 0, sizeof(at));
	memset(&e, 0, sizeof(e));
	at[0].name = (char *)"nul";
	cr_assert_eq(hiveha_value_set_string(&at[0].value, "a\0b\0", 4), 0);
	at[1].name = (char *)"n\xff";
	cr_assert_eq(hiveha_value_set_string(&at[1].value, "\xc3", 1), 0);
	e.time = 5;
	e.message = (char *)"caf\xe9";
	e.source_name = (char *)"\xed\xa0\x80"; /* a surrogate: not UTF-8 */
	e.attributes = at;
	e.attribute_count = 2;
	memset(&in, 0, sizeof(in));
	in.events = &e;
	in.count = 1;
	in.skipped = &sk;
	in.skipped_count = 1;
	in.skipped_total = 3;
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ev_reply(&b, &in), 0);
	cr_assert_eq(hh_buf_append(&b, "", 1), 0); /* a C string to search */
	char *text = (char *)b.data;
	cr_assert_not_null(strstr(text, "\"message\":{\"b64\":\"Y2Fm6Q==\"}"), "%s", text);
	cr_assert_eq(hh_decode_ev_reply(&out, b.data, b.len - 1, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(out.count, 1);
	cr_assert(hiveha_event_equal(&e, &out.events[0]));
	cr_assert_eq(out.events[0].attributes[0].value.as.str.len, 4);
	cr_assert_eq(memcmp(out.events[0].attributes[0].value.as.str.ptr, "a\0b\0", 4), 0);
	cr_assert_eq(out.skipped_total, 3);
	cr_assert_eq(out.skipped_count, 1);
	cr_assert_eq(out.skipped[0].time, 42);
	cr_assert_eq(out.skipped[0].source_id, 7);
	cr_assert_eq(out.skipped[0].type_id, 9);
	cr_assert_str_eq(out.skipped[0].reason, "severity above 1000");
	hh_ev_reply_free(&out);
	hh_buf_free(&b);
	hiveha_value_clear(&at[0].value);
	hiveha_value_clear(&at[1].value);
}

static int decode_ev_text(const char *json)
{
	hh_ev_reply out;
	hh_errbuf err;
	int rc = hh_decode_ev_reply(&out, json, strlen(json), &lim, &err);
	hh_ev_reply_free(&out);
	return rc;
}

#define EV_WITH(member) "{\"v\":1,\"type\":\"events_reply\",\"events\":[{\"time\":\"1\"," \
	"\"received\":\"1\",\"source_id\":1,\"type_id\":1,\"category\":0,\"state\":0," \
	"\"severity\":0," member "}],\"cursor\":null}"

/* One spelling per string: a decoder takes only canonical base64 of bytes
 * a plain string cannot carry, and never a NUL in a text field. */
Test(roundtrip, lossless_form_is_strict)
{
	cr_assert_eq(decode_ev_text(EV_WITH("\"message\":{\"b64\":\"Y2Fm6Q==\"}")), 0);
	/* "caf" is plain UTF-8: its b64 form is refused */
	cr_assert_eq(decode_ev_text(EV_WITH("\"message\":{\"b64\":\"Y2Fm\"}")), HIVEHA_EPROTOCOL);
	/* NUL in a C-string field */
	cr_assert_eq(decode_ev_text(EV_WITH("\"message\":{\"b64\":\"YQBi\"}")), HIVEHA_EPROTOCOL);
	/* not padded, bad alphabet, non-zero unused bits, extra member */
	cr_assert_eq(decode_ev_text(EV_WITH("\"message\":{\"b64\":\"Y2Fm6Q\"}")), HIVEHA_EPROTOCOL);
	cr_assert_eq(decode_ev_text(EV_WITH("\"message\":{\"b64\":\"Y2F*6Q==\"}")), HIVEHA_EPROTOCOL);
	cr_assert_eq(decode_ev_text(EV_WITH("\"message\":{\"b64\":\"Y2Fm6R==\"}")), HIVEHA_EPROTOCOL);
	cr_assert_eq(decode_ev_text(EV_WITH("\"message\":{\"b64\":\"Y2Fm6Q==\",\"x\":1}")),
	             HIVEHA_EPROTOCOL);
	cr_assert_eq(decode_ev_text(EV_WITH("\"message\":{\"b64\":\"Y2Fm=Q==\"}")), HIVEHA_EPROTOCOL);
	/* a string attribute may hold NUL */
	cr_assert_eq(decode_ev_text(EV_WITH("\"attributes\":[{\"name\":\"a\",\"type\":6,"
	                                    "\"value\":{\"b64\":\"YQBi\"}}]")), 0);
	cr_assert_eq(decode_ev_text(EV_WITH("\"attributes\":[{\"name\":\"a\",\"type\":6,"
	                                    "\"value\":{\"hex\":\"00\"}}]")), HIVEHA_EPROTOCOL);
}
