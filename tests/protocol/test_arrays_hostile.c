/*
 * test_arrays_hostile.c - the vector and matrix payload decoders against
 * hostile input: dimension overflow, rows x cols != elements, counts the
 * bytes cannot hold, truncated strings inside a string vector, bounds of
 * value.h - the right status, a clear message, never a crash or a leak
 * (the sanitizer build checks), and nothing allocated before the checks.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"

static hh_limits lim;
static hh_errbuf err;

static void setup(void)
{
	hh_limits_default(&lim);
}

TestSuite(arrays_hostile, .init = setup);

/* ---- JSON ------------------------------------------------------------------- */

static int json_value(uint32_t type, const char *json)
{
	cJSON *p = cJSON_Parse(json);
	hiveha_value v;
	int rc;

	cr_assert_not_null(p, "%s", json);
	memset(&v, 0xA5, sizeof(v));
	rc = hh_json_value_decode(&v, type, p, &lim, &err);
	if (!rc)
		hiveha_value_clear(&v);
	else
		cr_assert_eq(v.type, HIVEHA_TYPE_EMPTY, "a failed decode leaves the value empty");
	cJSON_Delete(p);
	return rc;
}

#define VEC(t) (HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_##t)
#define MAT(t) (HIVEHA_TYPE_MATRIX | HIVEHA_TYPE_##t)

Test(arrays_hostile, json_matrix_shape)
{
	static const struct {
		const char *json;
		int rc;
	} cases[] = {
		{ "{\"rows\":2,\"cols\":2,\"e\":[\"1\",\"2\",\"3\"]}", HIVEHA_EPROTOCOL },
		{ "{\"rows\":2,\"cols\":2,\"e\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}", HIVEHA_EPROTOCOL },
		{ "{\"rows\":0,\"cols\":2,\"e\":[\"1\"]}", HIVEHA_EPROTOCOL },
		{ "{\"rows\":4294967295,\"cols\":4294967295,\"e\":[]}", HIVEHA_ELIMIT },
		{ "{\"rows\":65536,\"cols\":65536,\"e\":[]}", HIVEHA_ELIMIT },
		{ "{\"rows\":65537,\"cols\":0,\"e\":[]}", HIVEHA_ELIMIT },
		{ "{\"rows\":0,\"cols\":65537,\"e\":[]}", HIVEHA_ELIMIT },
		{ "{\"rows\":4294967296,\"cols\":1,\"e\":[\"1\"]}", HIVEHA_EPROTOCOL },
		{ "{\"rows\":-1,\"cols\":1,\"e\":[\"1\"]}", HIVEHA_EPROTOCOL },
		{ "{\"rows\":1.5,\"cols\":1,\"e\":[\"1\"]}", HIVEHA_EPROTOCOL },
		{ "{\"rows\":\"1\",\"cols\":1,\"e\":[\"1\"]}", HIVEHA_EPROTOCOL },
		{ "{\"cols\":1,\"e\":[\"1\"]}", HIVEHA_EPROTOCOL },
		{ "{\"rows\":1,\"cols\":1}", HIVEHA_EPROTOCOL },
		{ "{\"rows\":1,\"cols\":1,\"e\":\"1\"}", HIVEHA_EPROTOCOL },
		{ "{\"rows\":1,\"cols\":1,\"e\":[\"1\"],\"x\":0}", HIVEHA_EPROTOCOL },
		{ "[\"1\"]", HIVEHA_EPROTOCOL },
		{ "null", HIVEHA_EPROTOCOL },
		{ "{\"rows\":1,\"cols\":1,\"e\":[1]}", HIVEHA_EPROTOCOL }, /* int64 as a number */
		{ "{\"rows\":1,\"cols\":1,\"e\":[[\"1\"]]}", HIVEHA_EPROTOCOL },
		{ "{\"rows\":1,\"cols\":2,\"e\":[\"1\",\"2\"]}", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(json_value(MAT(INT64), cases[i].json), cases[i].rc, "%s: %s",
		             cases[i].json, err.msg);
}

Test(arrays_hostile, json_vector_payloads)
{
	cr_assert_eq(json_value(VEC(DOUBLE), "{\"rows\":1,\"cols\":1,\"e\":[1]}"), HIVEHA_EPROTOCOL);
	cr_assert_eq(json_value(VEC(DOUBLE), "1"), HIVEHA_EPROTOCOL);
	cr_assert_eq(json_value(VEC(DOUBLE), "[1,\"x\"]"), HIVEHA_EPROTOCOL);
	cr_assert_eq(json_value(VEC(BOOL), "[true,1]"), HIVEHA_EPROTOCOL);
	cr_assert_eq(json_value(VEC(UINT64), "[\"-1\"]"), HIVEHA_EPROTOCOL);
	cr_assert_eq(json_value(VEC(FLOAT), "[1e39]"), HIVEHA_EPROTOCOL);
	cr_assert_eq(json_value(VEC(STRING), "[\"a\",null]"), HIVEHA_EPROTOCOL);
	cr_assert_eq(json_value(VEC(STRING), "[\"a\",{\"b64\":\"YQ==\"}]"), HIVEHA_EPROTOCOL,
	             "b64 of what a plain string holds: one spelling each");
	cr_assert_eq(json_value(VEC(STRING), "[\"a\",{\"b64\":\"YQBi\"}]"), 0, "%s", err.msg);
	/* tags value.h does not define */
	cr_assert_eq(json_value(HIVEHA_TYPE_ARRAY, "[]"), HIVEHA_EPROTOCOL);
	cr_assert_eq(json_value(HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_MATRIX | HIVEHA_TYPE_BOOL, "[]"),
	             HIVEHA_EPROTOCOL);
	cr_assert_eq(json_value(HIVEHA_TYPE_ARRAY | 8, "[]"), HIVEHA_EPROTOCOL);
}

static char *repeat_json(const char *elem, size_t n)
{
	size_t el = strlen(elem), i;
	char *s = malloc(n * (el + 1) + 3), *p = s;

	cr_assert_not_null(s);
	*p++ = '[';
	for (i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		memcpy(p, elem, el);
		p += el;
	}
	*p++ = ']';
	*p = '\0';
	return s;
}

Test(arrays_hostile, json_bounds_of_value_h)
{
	char *s = repeat_json("true", HIVEHA_VALUE_MAX_ELEMENTS);
	char *big;
	size_t half = HIVEHA_VALUE_MAX_BYTES / 2 + 1;

	cr_assert_eq(json_value(VEC(BOOL), s), 0, "%s", err.msg);
	free(s);
	s = repeat_json("true", HIVEHA_VALUE_MAX_ELEMENTS + 1);
	cr_assert_eq(json_value(VEC(BOOL), s), HIVEHA_ELIMIT);
	free(s);
	/* two strings of just over half the bound each: each fits, both not */
	big = malloc(half + 3);
	cr_assert_not_null(big);
	memset(big, 'x', half + 2);
	big[0] = '"';
	big[half + 1] = '"';
	big[half + 2] = '\0';
	s = repeat_json(big, 2);
	cr_assert_eq(json_value(VEC(STRING), s), HIVEHA_ELIMIT);
	free(s);
	s = repeat_json(big, 1);
	cr_assert_eq(json_value(VEC(STRING), s), 0, "%s", err.msg);
	free(s);
	free(big);
}

/* A whole reply: an array in the "v" column with its "vt". */
Test(arrays_hostile, json_reply_with_bad_arrays)
{
	static const char *const ids[] = { "a" };
	static const char *const bad[] = {
		"{\"v\":1,\"type\":\"timeseries_reply\",\"items\":[{\"id\":\"a\",\"complete\":true,"
		"\"n\":1,\"t\":[\"5\"],\"vt\":517,\"v\":[{\"rows\":1,\"cols\":2,\"e\":[1]}],\"q\":192}]}",
		"{\"v\":1,\"type\":\"timeseries_reply\",\"items\":[{\"id\":\"a\",\"complete\":true,"
		"\"n\":1,\"t\":[\"5\"],\"vt\":256,\"v\":[[]],\"q\":192}]}",
		"{\"v\":1,\"type\":\"timeseries_reply\",\"items\":[{\"id\":\"a\",\"complete\":true,"
		"\"n\":1,\"t\":[\"5\"],\"vt\":[774],\"v\":[[\"a\",5]],\"q\":192}]}",
	};
	hh_ts_reply out;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(hh_decode_ts_reply_for(&out, bad[i], strlen(bad[i]), &lim, &err, ids, 1),
		             HIVEHA_EPROTOCOL, "%s: %s", bad[i], err.msg);
}

/* ---- binary ----------------------------------------------------------------- */

/* A one-sample block at time 0 of `type` with the value bytes `v`. */
static int bin_value(uint32_t type, const unsigned char *v, size_t vlen)
{
	unsigned char *blk = malloc(16 + vlen), *p = blk;
	hiveha_sample s;
	hh_bin_ctx ctx;
	int rc;

	cr_assert_not_null(blk);
	*p++ = 0x00;                /* time 0 */
	*p++ = 0x01;                /* a run of 1 */
	p = hh_put_varint(p, type); /* of `type` */
	if (vlen)
		memcpy(p, v, vlen);
	p += vlen;
	memset(&s, 0, sizeof(s));
	memset(&ctx, 0, sizeof(ctx));
	rc = hh_samples_bin_decode(&s, 1, HH_BIN_SAME_QUALITY, blk, (size_t)(p - blk), &ctx, &lim,
	                           &err);
	/* a failed decode leaves what the caller frees (hh_samples_free) */
	hiveha_value_clear(&s.value);
	free(blk);
	return rc;
}

#define BIN(type, ...)                                                                  \
	bin_value(type, (const unsigned char[]){ __VA_ARGS__ },                          \
	          sizeof((const unsigned char[]){ __VA_ARGS__ }))

Test(arrays_hostile, bin_dimensions)
{
	cr_assert_eq(BIN(VEC(BOOL), 0x02, 0x01, 0x00), 0, "%s", err.msg);
	cr_assert_eq(BIN(VEC(BOOL), 0x00), 0, "%s", err.msg);
	cr_assert_eq(BIN(MAT(BOOL), 0x00, 0x03), 0, "%s", err.msg);
	/* 65537 elements */
	cr_assert_eq(BIN(VEC(BOOL), 0x81, 0x80, 0x04), HIVEHA_ELIMIT);
	/* rows 2^40 */
	cr_assert_eq(BIN(MAT(BOOL), 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00), HIVEHA_ELIMIT);
	/* 65536 x 2, and 2^32 x 2^32 (a product that wraps a 64-bit size) */
	cr_assert_eq(BIN(MAT(BOOL), 0x80, 0x80, 0x04, 0x02), HIVEHA_ELIMIT);
	cr_assert_eq(BIN(MAT(BOOL), 0x80, 0x80, 0x80, 0x80, 0x10, 0x80, 0x80, 0x80, 0x80, 0x10),
	             HIVEHA_ELIMIT);
	/* truncated dimensions */
	cr_assert_eq(BIN(MAT(INT64), 0x80), HIVEHA_EPROTOCOL);
	cr_assert_eq(BIN(MAT(INT64), 0x01), HIVEHA_EPROTOCOL);
	/* 65536 elements claimed, 3 bytes left: refused before allocating */
	cr_assert_eq(BIN(VEC(BOOL), 0x80, 0x80, 0x04, 0x01, 0x01, 0x01), HIVEHA_EPROTOCOL);
	cr_assert(strstr(err.msg, "65536 array elements, fewer bytes left"), "%s", err.msg);
	/* 2 doubles, 15 bytes */
	cr_assert_eq(BIN(VEC(DOUBLE), 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
	             HIVEHA_EPROTOCOL);
	cr_assert(strstr(err.msg, "fewer bytes left"), "%s", err.msg);
	/* a 2 x 2 matrix of 3 elements */
	cr_assert_eq(BIN(MAT(INT64), 0x02, 0x02, 0x01, 0x02, 0x03), HIVEHA_EPROTOCOL);
	/* trailing bytes after the elements */
	cr_assert_eq(BIN(VEC(INT64), 0x01, 0x02, 0x03), HIVEHA_EPROTOCOL);
}

Test(arrays_hostile, bin_elements)
{
	cr_assert_eq(BIN(VEC(BOOL), 0x01, 0x02), HIVEHA_EPROTOCOL, "a bool is 0 or 1");
	cr_assert_eq(BIN(VEC(UINT64), 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	                 0x02),
	             HIVEHA_EPROTOCOL, "a varint beyond 64 bits");
	cr_assert_eq(BIN(VEC(FLOAT), 0x01, 0x00, 0x00, 0xC0, 0x7F), 0, "%s", err.msg);
	cr_assert_eq(BIN(VEC(FLOAT), 0x01, 0x00, 0x00, 0xC0), HIVEHA_EPROTOCOL);
}

Test(arrays_hostile, bin_tags_value_h_does_not_define)
{
	cr_assert_eq(BIN(HIVEHA_TYPE_ARRAY, 0x00), HIVEHA_EPROTOCOL, "a vector of EMPTY");
	cr_assert_eq(BIN(HIVEHA_TYPE_MATRIX, 0x00, 0x00), HIVEHA_EPROTOCOL);
	cr_assert_eq(BIN(HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_MATRIX | 1, 0x00), HIVEHA_EPROTOCOL);
	cr_assert_eq(BIN(HIVEHA_TYPE_ARRAY | 8, 0x00), HIVEHA_EPROTOCOL);
	cr_assert_eq(BIN(0x400 | 1, 0x00), HIVEHA_EPROTOCOL);
	cr_assert_eq(BIN(8), HIVEHA_EPROTOCOL);
}

Test(arrays_hostile, bin_truncated_strings_in_a_string_vector)
{
	/* two strings, the second cut */
	cr_assert_eq(BIN(VEC(STRING), 0x02, 0x01, 'a', 0x05, 'a', 'b', 'c'), HIVEHA_EPROTOCOL);
	cr_assert(strstr(err.msg, "string element 1 of 2 truncated"), "%s", err.msg);
	/* the length itself cut */
	cr_assert_eq(BIN(VEC(STRING), 0x02, 0x01, 'a', 0x85), HIVEHA_EPROTOCOL);
	cr_assert(strstr(err.msg, "string element 1 of 2"), "%s", err.msg);
	/* the count itself claims more strings than bytes */
	cr_assert_eq(BIN(VEC(STRING), 0x03, 0x00, 0x00), HIVEHA_EPROTOCOL);
	cr_assert_eq(BIN(MAT(STRING), 0x01, 0x03, 0x00, 0x01, 0x00, 0x00), 0, "%s", err.msg);
}

Test(arrays_hostile, bin_string_bytes_bounded)
{
	size_t half = HIVEHA_VALUE_MAX_BYTES / 2 + 1, n;
	unsigned char *v = calloc(1, 2 * (half + 4) + 4), *p = v;

	cr_assert_not_null(v);
	*p++ = 0x02;
	p = hh_put_varint(p, half);
	p += half;
	p = hh_put_varint(p, half);
	p += half;
	n = (size_t)(p - v);
	cr_assert_eq(bin_value(VEC(STRING), v, n), HIVEHA_ELIMIT, "%s", err.msg);
	v[0] = 0x01;
	cr_assert_eq(bin_value(VEC(STRING), v, 1 + (size_t)(hh_put_varint(v + 1, half) - (v + 1)) +
	                                           half),
	             0, "%s", err.msg);
	free(v);
}

/* Every prefix of a valid block of every array type fails cleanly. */
Test(arrays_hostile, bin_every_truncation)
{
	static const char *const strs[] = { "ab", "", "c" };
	hiveha_string s[3];
	double d[2] = { 1, 2 };
	hiveha_sample smp[3];
	hh_bin_ctx ctx;
	unsigned flags;
	hh_buf b;
	size_t cut, i;

	for (i = 0; i < 3; i++) {
		s[i].ptr = (char *)strs[i];
		s[i].len = strlen(strs[i]);
	}
	memset(smp, 0, sizeof(smp));
	cr_assert_eq(hiveha_value_set_vector(&smp[0].value, HIVEHA_TYPE_STRING, s, 3), 0);
	cr_assert_eq(hiveha_value_set_matrix(&smp[1].value, HIVEHA_TYPE_DOUBLE, d, 2, 1), 0);
	cr_assert_eq(hiveha_value_set_matrix(&smp[2].value, HIVEHA_TYPE_STRING, s, 1, 3), 0);
	smp[1].time = 1;
	smp[2].time = 2;
	memset(&ctx, 0, sizeof(ctx));
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_samples_bin_encode(&b, smp, 3, &ctx, &flags), 0);
	for (cut = 0; cut < b.len; cut++) {
		hiveha_sample out[3];

		memset(out, 0, sizeof(out));
		memset(&ctx, 0, sizeof(ctx));
		cr_assert_lt(hh_samples_bin_decode(out, 3, flags, b.data, cut, &ctx, &lim, &err), 0,
		             "cut at %zu", cut);
		for (i = 0; i < 3; i++)
			hiveha_value_clear(&out[i].value);
	}
	hh_buf_free(&b);
	for (i = 0; i < 3; i++)
		hiveha_value_clear(&smp[i].value);
}
