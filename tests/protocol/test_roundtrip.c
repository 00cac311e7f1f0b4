/*
 * test_roundtrip.c - every message and every value type survives
 * encode -> decode unchanged (DESIGN §4 precision trap).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "proto_fixtures.h"
#include "protocol_codec.h"

static hh_limits lim;

static void setup(void)
{
	hh_limits_default(&lim);
}

TestSuite(roundtrip, .init = setup);

Test(roundtrip, hello)
{
	hh_hello in = { 7, "inst \"A\" \xc3\xa4", INT64_MIN, HH_CAP_BIN_SAMPLES | 0x80000000u }, out;
	hh_errbuf err;
	hh_buf b;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_hello(&b, &in), 0);
	cr_assert_eq(hh_decode_hello(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(out.protocol, 7);
	cr_assert_str_eq(out.instance_id, in.instance_id);
	cr_assert_eq(out.clock, INT64_MIN);
	cr_assert_eq(out.caps, in.caps);
	hh_hello_free(&out);
	hh_buf_free(&b);
}

Test(roundtrip, ts_request)
{
	char *items[] = { "a", "b \"quoted\" \\ \xe2\x82\xac", "c\n\t" };
	hh_ts_request in = { INT64_MIN, INT64_MAX, items, 3, 1, INT64_MAX - 1, UINT64_MAX,
	                     "t1:1:5:0", 0xFFFFFFFFu, HH_ENC_BIN }, out;
	hh_errbuf err;
	hh_buf b;
	size_t i;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_request(&b, &in), 0);
	cr_assert_eq(hh_decode_ts_request(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(out.from, in.from);
	cr_assert_eq(out.to, in.to);
	cr_assert_eq(out.item_count, 3);
	for (i = 0; i < 3; i++)
		cr_assert_str_eq(out.items[i], items[i]);
	cr_assert_eq(out.has_start, 1);
	cr_assert_eq(out.start_time, in.start_time);
	cr_assert_eq(out.start_skip, UINT64_MAX);
	cr_assert_str_eq(out.cursor, in.cursor);
	cr_assert_eq(out.max_samples, 0xFFFFFFFFu);
	cr_assert_eq(out.encoding, HH_ENC_BIN);
	hh_ts_request_free(&out);

	/* Without start, cursor, limit; JSON encoding. */
	in.has_start = 0;
	in.start_skip = 0;
	in.cursor = NULL;
	in.max_samples = 0;
	in.encoding = HH_ENC_JSON;
	b.len = 0;
	cr_assert_eq(hh_encode_ts_request(&b, &in), 0);
	cr_assert_eq(hh_decode_ts_request(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(out.has_start, 0);
	cr_assert_eq(out.start_skip, 0);
	cr_assert_null(out.cursor);
	cr_assert_eq(out.encoding, HH_ENC_JSON);
	hh_ts_request_free(&out);
	hh_buf_free(&b);
}

Test(roundtrip, ev_request)
{
	hh_ev_request in = { -5, 5, 1, -5, 3, "e1:-5:3", 10 }, out;
	hh_errbuf err;
	hh_buf b;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ev_request(&b, &in), 0);
	cr_assert_eq(hh_decode_ev_request(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(out.from, -5);
	cr_assert_eq(out.to, 5);
	cr_assert_eq(out.has_start, 1);
	cr_assert_eq(out.start_time, -5);
	cr_assert_eq(out.start_skip, 3);
	cr_assert_str_eq(out.cursor, "e1:-5:3");
	cr_assert_eq(out.max_events, 10);
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
	cr_assert_eq(hh_encode_ts_reply(&b, &in, enc), 0);
	if (enc == HH_ENC_BIN)
		cr_assert_eq(memcmp(b.data, "HHB1", 4), 0);
	else
		cr_assert_eq(b.data[0], '{');
	cr_assert_eq(hh_decode_ts_reply(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
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

Test(roundtrip, ts_reply_json_refuses_nul_in_strings)
{
	hh_ts_reply in;
	hh_buf b;

	fx_ts_reply(&in, 1);
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_reply(&b, &in, HH_ENC_JSON), HIVEHA_EINVAL);
	cr_assert_eq(b.len, 0, "a failed encoder leaves nothing behind");
	fx_ts_reply_free(&in);
	hh_buf_free(&b);
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
		cr_assert_eq(hh_encode_ts_reply(&b, &in, enc), 0);
		cr_assert_eq(hh_decode_ts_reply(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
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
		cr_assert_eq(hh_encode_ts_reply(&b, &in, enc), 0);
		cr_assert_eq(hh_decode_ts_reply(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
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
	cr_assert_eq(hh_encode_ts_reply(&b, &in, HH_ENC_JSON), HIVEHA_EINVAL);
	cr_assert_eq(hh_encode_ts_reply(&b, &in, HH_ENC_BIN), HIVEHA_EINVAL);
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
	hh_ts_item it = { "plant/area/unit/temperature", 0, 1, s, N };
	hh_ts_reply in = { NULL, 0, &it, 1, NULL }, out;
	hh_errbuf err;
	hh_buf b;

	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_reply(&b, &in, HH_ENC_BIN), 0);
	cr_assert_leq(b.len, (size_t)12 * N, "%zu bytes for %d samples", b.len, N);
	/* 1 byte of time and 8 of value per sample, plus the framing. */
	cr_assert_leq(b.len, (size_t)9 * N + 300, "%zu bytes", b.len);
	cr_assert_eq(hh_decode_ts_reply(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
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
		0x14,                   /* zigzag(10) */
		0x0a,                   /* d1 = 10 */
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
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_samples_bin_encode(&b, s, 3), 0);
	cr_assert_eq(b.len, sizeof(want));
	cr_assert_eq(memcmp(b.data, want, sizeof(want)), 0);
	hh_buf_free(&b);
	hiveha_value_clear(&s[2].value);
}
