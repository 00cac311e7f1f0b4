/*
 * test_arrays.c - vectors and matrices of every element type, and NaN
 * payloads, through both sample encodings and the event reply: bit for bit
 * (hiveha_value_compare == 0 and the element bytes compared with memcmp),
 * with the documented bytes of the binary payload and the JSON spelling.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"

static hh_limits lim;
static const char *const ids[] = { "a" };

static void setup(void)
{
	hh_limits_default(&lim);
}

TestSuite(arrays, .init = setup);

static double dbits(uint64_t b)
{
	double d;

	memcpy(&d, &b, 8);
	return d;
}

static float fbits(uint32_t b)
{
	float f;

	memcpy(&f, &b, 4);
	return f;
}

/* Element bytes of a non-string array, for memcmp. */
static size_t elem_bytes(const hiveha_value *v)
{
	switch (v->type & HIVEHA_TYPE_SCALAR_MASK) {
	case HIVEHA_TYPE_BOOL: return sizeof(bool);
	case HIVEHA_TYPE_FLOAT: return 4;
	default: return 8;
	}
}

static void assert_same_value(const hiveha_value *a, const hiveha_value *b)
{
	size_t n, i;

	cr_assert_eq(a->type, b->type, "type %#x vs %#x", a->type, b->type);
	cr_assert_eq(hiveha_value_compare(a, b), 0);
	if (!hiveha_value_is_array(a)) {
		if (a->type == HIVEHA_TYPE_DOUBLE)
			cr_assert_eq(memcmp(&a->as.f64, &b->as.f64, 8), 0);
		if (a->type == HIVEHA_TYPE_FLOAT)
			cr_assert_eq(memcmp(&a->as.f32, &b->as.f32, 4), 0);
		return;
	}
	cr_assert_eq(hiveha_value_rows(a), hiveha_value_rows(b));
	cr_assert_eq(hiveha_value_cols(a), hiveha_value_cols(b));
	n = hiveha_value_count(a);
	if ((a->type & HIVEHA_TYPE_SCALAR_MASK) == HIVEHA_TYPE_STRING) {
		const hiveha_string *x = hiveha_value_elements(a), *y = hiveha_value_elements(b);

		for (i = 0; i < n; i++) {
			cr_assert_eq(x[i].len, y[i].len);
			cr_assert(x[i].len == 0 || !memcmp(x[i].ptr, y[i].ptr, x[i].len));
			cr_assert_eq(y[i].ptr ? y[i].ptr[y[i].len] : 0, 0, "NUL-terminated");
		}
	} else if (n) {
		cr_assert_eq(memcmp(hiveha_value_elements(a), hiveha_value_elements(b),
		                    n * elem_bytes(a)),
		             0, "element bits");
	}
}

/* Encodes one item of `n` samples (time 1000 + i) in `enc`, decodes it and
 * compares every value; returns the encoded size. */
static size_t roundtrip(const hiveha_value *vals, size_t n, uint32_t enc)
{
	hiveha_sample *s = calloc(n, sizeof(*s));
	hh_ts_item item = { "a", 0, 1, s, n };
	hh_ts_reply in = { NULL, 0, &item, 1, NULL }, out;
	hh_errbuf err;
	hh_buf b;
	size_t i, len;

	cr_assert_not_null(s);
	for (i = 0; i < n; i++) {
		s[i].time = 1000 + (hiveha_time)i;
		s[i].value = vals[i]; /* borrowed: the encoder only reads */
		s[i].quality = HIVEHA_QUALITY_GOOD;
	}
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_reply_for(&b, &in, enc, ids, 1), 0);
	cr_assert_eq(hh_decode_ts_reply_for(&out, b.data, b.len, &lim, &err, ids, 1), 0, "%s",
	             err.msg);
	cr_assert_eq(out.item_count, 1);
	cr_assert_eq(out.items[0].count, n);
	for (i = 0; i < n; i++)
		assert_same_value(&vals[i], &out.items[0].samples[i].value);
	len = b.len;
	hh_ts_reply_free(&out);
	hh_buf_free(&b);
	free(s);
	return len;
}

static void both(const hiveha_value *vals, size_t n)
{
	roundtrip(vals, n, HH_ENC_JSON);
	roundtrip(vals, n, HH_ENC_BIN);
}

static void clear_all(hiveha_value *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		hiveha_value_clear(&v[i]);
}

/* Three elements of every type, its edges included. */
static const bool e_bool[] = { true, false, true };
static const int64_t e_i64[] = { INT64_MIN, -1, INT64_MAX };
static const uint64_t e_u64[] = { 0, 1, UINT64_MAX };
static const hiveha_time e_time[] = { HIVEHA_TIME_MIN, 0, HIVEHA_TIME_MAX };
static const char nul_str[] = "a\0b";
static const char bad_utf8[] = "\xff\xfe";

static const void *elems_of(uint32_t elem, float *f, double *d, hiveha_string *s)
{
	f[0] = -0.0f;
	f[1] = fbits(0x7fc00001u); /* a NaN payload */
	f[2] = FLT_MAX;
	d[0] = -0.0;
	d[1] = dbits(UINT64_C(0xfff8000000000000)); /* negative quiet NaN */
	d[2] = DBL_TRUE_MIN;
	s[0].ptr = (char *)nul_str;
	s[0].len = 3;
	s[1].ptr = NULL;
	s[1].len = 0;
	s[2].ptr = (char *)bad_utf8;
	s[2].len = 2;
	switch (elem) {
	case HIVEHA_TYPE_BOOL: return e_bool;
	case HIVEHA_TYPE_INT64: return e_i64;
	case HIVEHA_TYPE_UINT64: return e_u64;
	case HIVEHA_TYPE_FLOAT: return f;
	case HIVEHA_TYPE_DOUBLE: return d;
	case HIVEHA_TYPE_STRING: return s;
	default: return e_time;
	}
}

Test(arrays, every_type_vector_and_matrix_in_both_encodings)
{
	uint32_t elem;

	for (elem = HIVEHA_TYPE_BOOL; elem <= HIVEHA_TYPE_TIME; elem++) {
		float f[3];
		double d[3];
		hiveha_string s[3];
		const void *e = elems_of(elem, f, d, s);
		hiveha_value v[7];

		memset(v, 0, sizeof(v));
		cr_assert_eq(hiveha_value_set_vector(&v[0], elem, e, 3), 0);
		cr_assert_eq(hiveha_value_set_vector(&v[1], elem, NULL, 0), 0); /* empty */
		cr_assert_eq(hiveha_value_set_matrix(&v[2], elem, e, 1, 3), 0);
		cr_assert_eq(hiveha_value_set_matrix(&v[3], elem, e, 3, 1), 0);
		cr_assert_eq(hiveha_value_set_matrix(&v[4], elem, NULL, 0, 3), 0);
		cr_assert_eq(hiveha_value_set_matrix(&v[5], elem, NULL, 3, 0), 0);
		hiveha_value_set_int64(&v[6], 5); /* a scalar among them */
		both(v, 7);
		/* one type per item: the uniform type column */
		both(v, 1);
		clear_all(v, 7);
	}
}

Test(arrays, a_matrix_0x3_is_not_3x0)
{
	hiveha_value v[2];
	hh_ts_item item;

	memset(v, 0, sizeof(v));
	memset(&item, 0, sizeof(item));
	cr_assert_eq(hiveha_value_set_matrix(&v[0], HIVEHA_TYPE_DOUBLE, NULL, 0, 3), 0);
	cr_assert_eq(hiveha_value_set_matrix(&v[1], HIVEHA_TYPE_DOUBLE, NULL, 3, 0), 0);
	cr_assert_neq(hiveha_value_compare(&v[0], &v[1]), 0);
	both(v, 2);
	clear_all(v, 2);
}

Test(arrays, maximal_arrays_travel)
{
	size_t n = HIVEHA_VALUE_MAX_ELEMENTS, i;
	double *d = malloc(n * sizeof(*d));
	int64_t *k = malloc(n * sizeof(*k));
	hiveha_string s[16];
	char *big = malloc(HIVEHA_VALUE_MAX_BYTES / 16);
	hiveha_value v[5];

	cr_assert(d && k && big);
	for (i = 0; i < n; i++) {
		uint64_t b = UINT64_C(0x9E3779B97F4A7C15) * (i + 1);

		d[i] = dbits(b); /* every bit pattern class, NaNs included */
		k[i] = (int64_t)b;
	}
	for (i = 0; i < HIVEHA_VALUE_MAX_BYTES / 16; i++)
		big[i] = (char)(i * 7); /* NUL and invalid UTF-8: the b64 form in JSON */
	for (i = 0; i < 16; i++) {
		s[i].ptr = big;
		s[i].len = HIVEHA_VALUE_MAX_BYTES / 16;
	}
	memset(v, 0, sizeof(v));
	cr_assert_eq(hiveha_value_set_vector(&v[0], HIVEHA_TYPE_DOUBLE, d, n), 0);
	cr_assert_eq(hiveha_value_set_matrix(&v[1], HIVEHA_TYPE_INT64, k, 256, 256), 0);
	cr_assert_eq(hiveha_value_set_matrix(&v[2], HIVEHA_TYPE_UINT64, k, 1, n), 0);
	cr_assert_eq(hiveha_value_set_matrix(&v[3], HIVEHA_TYPE_BOOL, NULL, n, 1), 0);
	cr_assert_eq(hiveha_value_set_vector(&v[4], HIVEHA_TYPE_STRING, s, 16), 0);
	both(v, 5);
	/* a 16-double vector of regular data: at most 8.5 bytes an element
	 * (issue 13 item 6), here for one sample with its block overhead */
	clear_all(v, 5);
	free(d);
	free(k);
	free(big);
}

Test(arrays, bin_bytes_of_a_16_double_vector_series)
{
	enum { N = 600, E = 16 };
	hiveha_value *v = calloc(N, sizeof(*v));
	double d[E];
	size_t i, j, len;

	cr_assert_not_null(v);
	for (i = 0; i < N; i++) {
		for (j = 0; j < E; j++)
			d[j] = 20.0 + 0.01 * (double)(i + j);
		cr_assert_eq(hiveha_value_set_vector(&v[i], HIVEHA_TYPE_DOUBLE, d, E), 0);
	}
	len = roundtrip(v, N, HH_ENC_BIN);
	cr_assert_leq((double)len / (N * E), 8.5, "%.3f bytes an element",
	              (double)len / (N * E));
	clear_all(v, N);
	free(v);
}

/* The payload bytes docs/protocol.md quotes: a type run of 0x105 (vector
 * of DOUBLE) and 0x202 (matrix of INT64). */
Test(arrays, bin_payload_exact_bytes)
{
	static const unsigned char want_vec[] = {
		0x02,                                           /* count */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F, /* 1.0 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, /* -0.0 */
	};
	static const unsigned char want_mat[] = { 0x01, 0x02, 0x01, 0x03 }; /* 1x2: -1, -2 */
	double d[2] = { 1.0, -0.0 };
	int64_t k[2] = { -1, -2 };
	hiveha_sample s[2];
	hh_bin_ctx ctx;
	unsigned flags;
	hh_buf b;

	memset(s, 0, sizeof(s));
	memset(&ctx, 0, sizeof(ctx));
	cr_assert_eq(hiveha_value_set_vector(&s[0].value, HIVEHA_TYPE_DOUBLE, d, 2), 0);
	cr_assert_eq(hiveha_value_set_matrix(&s[1].value, HIVEHA_TYPE_INT64, k, 1, 2), 0);
	s[1].time = 1;
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_samples_bin_encode(&b, s, 2, &ctx, &flags), 0);
	/* times: 00 02; types: (1, 0x105) (1, 0x202); quality: (2, 0) is the
	 * context's, left out */
	cr_assert_eq(flags, HH_BIN_SAME_QUALITY);
	cr_assert_eq(b.len, 2 + 6 + sizeof(want_vec) + sizeof(want_mat));
	cr_assert_eq(memcmp(b.data, "\x00\x02\x01\x85\x02\x01\x82\x04", 8), 0);
	cr_assert_eq(memcmp(b.data + 8, want_vec, sizeof(want_vec)), 0);
	cr_assert_eq(memcmp(b.data + 8 + sizeof(want_vec), want_mat, sizeof(want_mat)), 0);
	hh_buf_free(&b);
	hiveha_value_clear(&s[0].value);
	hiveha_value_clear(&s[1].value);
}

/* ---- JSON spelling --------------------------------------------------------- */

static char *json_of(const hiveha_value *v)
{
	int rc;
	cJSON *it = hh_json_value_encode(v, &rc);
	char *text;

	cr_assert_not_null(it, "rc %d", rc);
	text = cJSON_PrintUnformatted(it);
	cJSON_Delete(it);
	return text;
}

static void expect_json(const hiveha_value *v, const char *want)
{
	char *text = json_of(v);

	cr_assert_str_eq(text, want);
	cJSON_free(text);
}

Test(arrays, json_spelling_of_arrays_and_nans)
{
	double d[4] = { 1.5, -0.0, dbits(UINT64_C(0x7ff8000000000000)),
		        dbits(UINT64_C(0x7ff0000000000001)) };
	float f[2] = { fbits(0x7fc00000u), fbits(0xffc00000u) };
	int64_t k[4] = { 1, -2, 3, INT64_MIN };
	hiveha_string s[2] = { { (char *)"x", 1 }, { (char *)nul_str, 3 } };
	hiveha_value v;

	memset(&v, 0, sizeof(v));
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_DOUBLE, d, 4), 0);
	expect_json(&v, "[1.5,-0,\"NaN\",\"NaN:7ff0000000000001\"]");
	hiveha_value_clear(&v);
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_FLOAT, f, 2), 0);
	expect_json(&v, "[\"NaN\",\"NaN:ffc00000\"]");
	hiveha_value_clear(&v);
	cr_assert_eq(hiveha_value_set_matrix(&v, HIVEHA_TYPE_INT64, k, 2, 2), 0);
	expect_json(&v, "{\"rows\":2,\"cols\":2,\"e\":[\"1\",\"-2\",\"3\",\"-9223372036854775808\"]}");
	hiveha_value_clear(&v);
	cr_assert_eq(hiveha_value_set_matrix(&v, HIVEHA_TYPE_BOOL, NULL, 0, 3), 0);
	expect_json(&v, "{\"rows\":0,\"cols\":3,\"e\":[]}");
	hiveha_value_clear(&v);
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_STRING, s, 2), 0);
	expect_json(&v, "[\"x\",{\"b64\":\"YQBi\"}]");
	hiveha_value_clear(&v);
	hiveha_value_set_double(&v, dbits(UINT64_C(0x7ff4000000000000))); /* signalling */
	expect_json(&v, "\"NaN:7ff4000000000000\"");
	hiveha_value_set_float(&v, fbits(0x7f800001u));
	expect_json(&v, "\"NaN:7f800001\"");
	hiveha_value_set_double(&v, -0.0);
	expect_json(&v, "-0");
}

Test(arrays, scalar_nan_payloads_and_negative_zero_in_both_encodings)
{
	hiveha_value v[6];

	memset(v, 0, sizeof(v));
	hiveha_value_set_double(&v[0], dbits(UINT64_C(0x7ff8000000000000)));
	hiveha_value_set_double(&v[1], dbits(UINT64_C(0xfff8000000000001)));
	hiveha_value_set_double(&v[2], -0.0);
	hiveha_value_set_float(&v[3], fbits(0x7fc00000u));
	hiveha_value_set_float(&v[4], fbits(0xff800001u));
	hiveha_value_set_float(&v[5], -0.0f);
	both(v, 6);
}

/* One spelling each: "NaN:" only for a NaN that is not the canonical one,
 * lowercase, of the type's width. */
static int decode_payload(uint32_t type, const char *json)
{
	cJSON *p = cJSON_Parse(json);
	hiveha_value v;
	hh_errbuf err;
	int rc;

	cr_assert_not_null(p, "%s", json);
	rc = hh_json_value_decode(&v, type, p, &lim, &err);
	if (!rc)
		hiveha_value_clear(&v);
	cJSON_Delete(p);
	return rc;
}

Test(arrays, json_nan_spelling_is_strict)
{
	static const char *const bad_d[] = {
		"\"NaN:7ff8000000000000\"", /* canonical: "NaN" */
		"\"NaN:7ff0000000000000\"", /* +Inf, not a NaN */
		"\"NaN:3ff0000000000000\"", /* 1.0 */
		"\"NaN:7FF0000000000001\"", /* uppercase */
		"\"NaN:7ff000000000001\"",  /* 15 digits */
		"\"NaN:7ff00000000000001\"", "\"NaN:\"", "\"nan\"", "\"NaN:7fc00001\"",
	};
	static const char *const bad_f[] = {
		"\"NaN:7fc00000\"", "\"NaN:7f800000\"", "\"NaN:3f800000\"", "\"NaN:7FC00001\"",
		"\"NaN:7ff0000000000001\"", "\"NaN:7fc0001\"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad_d) / sizeof(bad_d[0]); i++)
		cr_assert_eq(decode_payload(HIVEHA_TYPE_DOUBLE, bad_d[i]), HIVEHA_EPROTOCOL, "%s",
		             bad_d[i]);
	for (i = 0; i < sizeof(bad_f) / sizeof(bad_f[0]); i++)
		cr_assert_eq(decode_payload(HIVEHA_TYPE_FLOAT, bad_f[i]), HIVEHA_EPROTOCOL, "%s",
		             bad_f[i]);
	cr_assert_eq(decode_payload(HIVEHA_TYPE_DOUBLE, "\"NaN:fff8000000000000\""), 0);
	cr_assert_eq(decode_payload(HIVEHA_TYPE_FLOAT, "\"NaN:ffc00000\""), 0);
	cr_assert_eq(decode_payload(HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_DOUBLE,
	                            "[\"NaN:7ff8000000000000\"]"),
	             HIVEHA_EPROTOCOL);
}

Test(arrays, canonical_nan_for_old_peers)
{
	hiveha_value v;
	uint64_t b;
	uint32_t b32;

	hiveha_value_set_double(&v, dbits(UINT64_C(0xfff8000000000123)));
	cr_assert_eq(hh_value_canonical_nan(&v), 1);
	memcpy(&b, &v.as.f64, 8);
	cr_assert_eq(b, HH_DOUBLE_QNAN);
	cr_assert_eq(hh_value_canonical_nan(&v), 0);
	hiveha_value_set_float(&v, fbits(0x7f800001u));
	cr_assert_eq(hh_value_canonical_nan(&v), 1);
	memcpy(&b32, &v.as.f32, 4);
	cr_assert_eq(b32, (uint32_t)HH_FLOAT_QNAN);
	hiveha_value_set_double(&v, -0.0);
	cr_assert_eq(hh_value_canonical_nan(&v), 0);
}

/* ---- events --------------------------------------------------------------- */

Test(arrays, event_attributes_carry_arrays)
{
	double d[3] = { 1, dbits(UINT64_C(0x7ff0000000000002)), -0.0 };
	hiveha_string s[2] = { { (char *)nul_str, 3 }, { (char *)"ok", 2 } };
	hiveha_attribute at[3];
	hiveha_event e;
	hh_ev_reply in, out;
	hh_errbuf err;
	hh_buf b;
	size_t i;

	memset(at, 0, sizeof(at));
	memset(&e, 0, sizeof(e));
	memset(&in, 0, sizeof(in));
	at[0].name = "vec";
	at[1].name = "mat";
	at[2].name = "strs";
	cr_assert_eq(hiveha_value_set_vector(&at[0].value, HIVEHA_TYPE_DOUBLE, d, 3), 0);
	cr_assert_eq(hiveha_value_set_matrix(&at[1].value, HIVEHA_TYPE_TIME, NULL, 2, 0), 0);
	cr_assert_eq(hiveha_value_set_vector(&at[2].value, HIVEHA_TYPE_STRING, s, 2), 0);
	e.time = 5;
	e.attributes = at;
	e.attribute_count = 3;
	in.events = &e;
	in.count = 1;
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ev_reply(&b, &in), 0);
	cr_assert_eq(hh_decode_ev_reply(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(out.count, 1);
	cr_assert_eq(out.events[0].attribute_count, 3);
	for (i = 0; i < 3; i++)
		assert_same_value(&at[i].value, &out.events[0].attributes[i].value);
	hh_ev_reply_free(&out);
	hh_buf_free(&b);
	for (i = 0; i < 3; i++)
		hiveha_value_clear(&at[i].value);
}
