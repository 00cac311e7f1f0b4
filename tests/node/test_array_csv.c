/*
 * The export's array form (examples/hiveha-node/array_csv.c, docs/cli.md
 * "Array values") reads back to an equal value (hiveha_value_compare == 0)
 * for every element type and shape, the awkward values included, and the
 * reader refuses what is not the form.
 */
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <hiveha/hiveha.h>

#include "array_csv.h"

static double dbits(uint64_t b)
{
	double d;
	memcpy(&d, &b, sizeof(d));
	return d;
}

static float fbits(uint32_t b)
{
	float f;
	memcpy(&f, &b, sizeof(f));
	return f;
}

/* text -> value -> text: equal value, same text; returns the text. */
static char *round_trip(const hiveha_value *v)
{
	int rc = -1;
	char *text = node_array_text(v, &rc);
	cr_assert_not_null(text, "node_array_text: %s", hiveha_strerror(rc));
	cr_assert_null(strpbrk(text, "\r\n"), "a line break in %s", text);
	hiveha_value back = { 0 };
	const char *why = NULL;
	rc = node_array_parse(&back, text, strlen(text), &why);
	cr_assert_eq(rc, HIVEHA_OK, "parse %s: %s", text, why ? why : "?");
	cr_assert_eq(hiveha_value_compare(v, &back), 0, "differs after the round trip: %s", text);
	char *again = node_array_text(&back, &rc);
	cr_assert_not_null(again);
	cr_assert_str_eq(again, text);
	node_array_text_free(again);
	hiveha_value_clear(&back);
	return text;
}

/* Both shapes of one element array: a vector, and every matrix shape the
 * count allows among 1 x n, n x 1 (and 0 x 3, 3 x 0 when empty). */
static void both_shapes(uint32_t elem, const void *elems, size_t n)
{
	hiveha_value v = { 0 };
	cr_assert_eq(hiveha_value_set_vector(&v, elem, elems, n), HIVEHA_OK);
	node_array_text_free(round_trip(&v));
	hiveha_value_clear(&v);
	size_t shapes[2][2] = { { 1, n }, { n, 1 } };
	if (n == 0) {
		shapes[0][1] = 3;
		shapes[1][0] = 3;
	}
	for (size_t s = 0; s < 2; s++) {
		cr_assert_eq(hiveha_value_set_matrix(&v, elem, elems, shapes[s][0], shapes[s][1]),
		             HIVEHA_OK);
		node_array_text_free(round_trip(&v));
		hiveha_value_clear(&v);
	}
}

Test(array_csv, doubles_bit_exact)
{
	double e[] = { 0.0, -0.0, 1.5, -2.25, 0.1, 1.0 / 3.0, DBL_MAX, -DBL_MAX, DBL_MIN,
		       dbits(1), dbits(UINT64_C(0x000FFFFFFFFFFFFF)), 1e300, -1e-300,
		       INFINITY, -INFINITY, dbits(UINT64_C(0x7FF8000000000000)),
		       dbits(UINT64_C(0xFFF8000000000000)), dbits(UINT64_C(0x7FF8000000000001)),
		       dbits(UINT64_C(0x7FF0000000000001)), /* signalling */
		       dbits(UINT64_C(0xFFFFFFFFFFFFFFFF)), 9007199254740993.0, 123456789.125 };
	both_shapes(HIVEHA_TYPE_DOUBLE, e, sizeof(e) / sizeof(e[0]));
	both_shapes(HIVEHA_TYPE_DOUBLE, NULL, 0);
}

Test(array_csv, floats_bit_exact)
{
	float e[] = { 0.0f, -0.0f, 1.5f, 0.1f, FLT_MAX, -FLT_MAX, FLT_MIN, fbits(1),
		      fbits(0x007FFFFF), 16777217.0f, INFINITY, -INFINITY, fbits(0x7FC00000),
		      fbits(0xFFC00000), fbits(0x7FC00001), fbits(0x7F800001), fbits(0xFFFFFFFF),
		      3.14159274f };
	both_shapes(HIVEHA_TYPE_FLOAT, e, sizeof(e) / sizeof(e[0]));
	both_shapes(HIVEHA_TYPE_FLOAT, NULL, 0);
}

Test(array_csv, integers_bools_times)
{
	int64_t i[] = { 0, -1, 1, INT64_MIN, INT64_MAX, 9007199254740993, -9007199254740993 };
	uint64_t u[] = { 0, 1, UINT64_MAX, UINT64_C(9007199254740993), UINT64_C(1) << 63 };
	bool b[] = { true, false, false, true };
	hiveha_time t[] = { 0, 1, -1, INT64_MIN, INT64_MAX, INT64_C(133800000000000000),
			    INT64_C(133800000000000001), INT64_C(2650467743999999999) };
	both_shapes(HIVEHA_TYPE_INT64, i, sizeof(i) / sizeof(i[0]));
	both_shapes(HIVEHA_TYPE_UINT64, u, sizeof(u) / sizeof(u[0]));
	both_shapes(HIVEHA_TYPE_BOOL, b, sizeof(b) / sizeof(b[0]));
	both_shapes(HIVEHA_TYPE_TIME, t, sizeof(t) / sizeof(t[0]));
	both_shapes(HIVEHA_TYPE_INT64, NULL, 0);
	both_shapes(HIVEHA_TYPE_UINT64, NULL, 0);
	both_shapes(HIVEHA_TYPE_BOOL, NULL, 0);
	both_shapes(HIVEHA_TYPE_TIME, NULL, 0);
}

#define S(lit) { (char *)(lit), sizeof(lit) - 1 }

Test(array_csv, strings_any_bytes)
{
	static char big[70000];
	memset(big, 'x', sizeof(big) - 1);
	hiveha_string e[] = {
		S(""), S("plain"), S("nul\0inside"), S("\0"), S("\0\0\0"), S("\xff\xfe not UTF-8"),
		S("\xc3"), /* a cut sequence */ S("\xed\xa0\x80"), /* a surrogate */
		S("\xc0\xaf"), /* overlong */ S("quote\" comma, back\\slash"),
		S("line\nbreak\r\ttab\x01\x1f\x7f"), S("\\u0000 literally"), S("\\"),
		S("\xc3\x9c\xe2\x82\xac\xf0\x9f\x90\x9d"), S("{\"b64\":\"AA==\"}"), S("a"), S("ab"),
		S("abc"), { big, sizeof(big) - 1 },
	};
	both_shapes(HIVEHA_TYPE_STRING, e, sizeof(e) / sizeof(e[0]));
	both_shapes(HIVEHA_TYPE_STRING, NULL, 0);
}

/* The forms docs/cli.md shows, spelled exactly. */
Test(array_csv, documented_text)
{
	double d[] = { 1.5, -0.0, 0.1, INFINITY, dbits(UINT64_C(0x7FF8000000000000)),
		       dbits(UINT64_C(0xFFF8000000000001)) };
	int64_t m[] = { 1, -2, 3, INT64_MIN, 5, 9223372036854775807 };
	hiveha_string s[] = { S(""), S("a\"b"), S("nul\0x") };
	hiveha_time t[] = { INT64_C(133800000000000000) };
	struct {
		uint32_t elem;
		const void *e;
		size_t rows, cols;
		const char *want;
	} rows[] = {
		{ HIVEHA_TYPE_DOUBLE, d, 0, 6,
		  "{\"type\":\"vector<double>\",\"e\":[1.5,-0,0.10000000000000001,\"Inf\",\"NaN\","
		  "\"NaN:0xFFF8000000000001\"]}" },
		{ HIVEHA_TYPE_INT64, m, 2, 3,
		  "{\"type\":\"matrix<int64>\",\"rows\":2,\"cols\":3,\"e\":[\"1\",\"-2\",\"3\","
		  "\"-9223372036854775808\",\"5\",\"9223372036854775807\"]}" },
		{ HIVEHA_TYPE_INT64, NULL, 2, 0, "{\"type\":\"matrix<int64>\",\"rows\":2,\"cols\":0,\"e\":[]}" },
		{ HIVEHA_TYPE_STRING, s, 0, 3,
		  "{\"type\":\"vector<string>\",\"e\":[\"\",\"a\\\"b\",{\"b64\":\"bnVsAHg=\"}]}" },
		{ HIVEHA_TYPE_TIME, t, 0, 1,
		  "{\"type\":\"vector<time>\",\"e\":[\"2024-12-30T02:40:00.0000000Z\"]}" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		hiveha_value v = { 0 };
		int rc = rows[i].rows ? hiveha_value_set_matrix(&v, rows[i].elem, rows[i].e, rows[i].rows,
		                                                rows[i].cols)
		                      : hiveha_value_set_vector(&v, rows[i].elem, rows[i].e, rows[i].cols);
		cr_assert_eq(rc, HIVEHA_OK);
		char *text = round_trip(&v);
		cr_expect_str_eq(text, rows[i].want);
		node_array_text_free(text);
		hiveha_value_clear(&v);
	}
	cr_expect_str_eq(node_array_type_name(HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_DOUBLE),
	                 "vector<double>");
	cr_expect_str_eq(node_array_type_name(HIVEHA_TYPE_MATRIX | HIVEHA_TYPE_INT64),
	                 "matrix<int64>");
	cr_expect_null(node_array_type_name(HIVEHA_TYPE_DOUBLE));
	cr_expect_null(node_array_type_name(HIVEHA_TYPE_ARRAY));
}

Test(array_csv, refuses_what_is_not_the_form)
{
	static const char *const bad[] = {
		"", "[]", "null", "{}", "{\"type\":\"vector<double>\"}",
		"{\"type\":\"vector<double>\",\"e\":[1]} ",          /* trailing */
		"{\"type\":\"vector<double>\",\"e\":[1]}x",
		"{\"type\":\"vector<empty>\",\"e\":[]}", "{\"type\":\"double\",\"e\":[1]}",
		"{\"type\":\"vector<double>\",\"e\":[1],\"x\":1}",
		"{\"type\":\"vector<double>\",\"e\":[1],\"e\":[2]}",
		"{\"type\":\"vector<double>\",\"rows\":1,\"cols\":1,\"e\":[1]}",
		"{\"type\":\"matrix<double>\",\"e\":[1]}",
		"{\"type\":\"matrix<double>\",\"rows\":2,\"cols\":2,\"e\":[1,2,3]}",
		"{\"type\":\"matrix<double>\",\"rows\":1.5,\"cols\":2,\"e\":[1,2,3]}",
		"{\"type\":\"matrix<double>\",\"rows\":-1,\"cols\":0,\"e\":[]}",
		"{\"type\":\"matrix<double>\",\"rows\":65537,\"cols\":0,\"e\":[]}",
		"{\"type\":\"vector<double>\",\"e\":[\"1\"]}", "{\"type\":\"vector<double>\",\"e\":[null]}",
		"{\"type\":\"vector<double>\",\"e\":[\"nan\"]}",
		"{\"type\":\"vector<double>\",\"e\":[\"NaN:0x7FF0000000000000\"]}", /* +Inf bits */
		"{\"type\":\"vector<double>\",\"e\":[\"NaN:0x7ff8000000000001\"]}", /* lower case */
		"{\"type\":\"vector<double>\",\"e\":[\"NaN:0x7FF800000000001\"]}",
		"{\"type\":\"vector<double>\",\"e\":[1e999]}",
		"{\"type\":\"vector<float>\",\"e\":[1e39]}",
		"{\"type\":\"vector<float>\",\"e\":[\"NaN:0x7FF8000000000001\"]}",
		"{\"type\":\"vector<int64>\",\"e\":[1]}",
		"{\"type\":\"vector<int64>\",\"e\":[\"9223372036854775808\"]}",
		"{\"type\":\"vector<int64>\",\"e\":[\"+1\"]}", "{\"type\":\"vector<int64>\",\"e\":[\" 1\"]}",
		"{\"type\":\"vector<int64>\",\"e\":[\"1x\"]}", "{\"type\":\"vector<int64>\",\"e\":[\"\"]}",
		"{\"type\":\"vector<uint64>\",\"e\":[\"-1\"]}",
		"{\"type\":\"vector<uint64>\",\"e\":[\"18446744073709551616\"]}",
		"{\"type\":\"vector<bool>\",\"e\":[1]}", "{\"type\":\"vector<time>\",\"e\":[\"yesterday\"]}",
		"{\"type\":\"vector<string>\",\"e\":[1]}",
		"{\"type\":\"vector<string>\",\"e\":[\"a\\u0000b\"]}",
		"{\"type\":\"vector<string>\",\"e\":[{\"b64\":\"AA=\"}]}",
		"{\"type\":\"vector<string>\",\"e\":[{\"b64\":\"A===\"}]}",
		"{\"type\":\"vector<string>\",\"e\":[{\"b64\":\"AA=A\"}]}",
		"{\"type\":\"vector<string>\",\"e\":[{\"b64\":\"AA==\",\"x\":1}]}",
		"{\"type\":\"vector<string>\",\"e\":[{\"b64\":1}]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hiveha_value v = { 0 };
		const char *why = NULL;
		int rc = node_array_parse(&v, bad[i], strlen(bad[i]), &why);
		cr_expect_neq(rc, HIVEHA_OK, "accepted: %s", bad[i]);
		cr_expect_not_null(why, "no reason for: %s", bad[i]);
		cr_expect_eq(v.type, HIVEHA_TYPE_EMPTY, "left a value for: %s", bad[i]);
	}
	/* the escaped backslash before u0000 is text, not a NUL */
	const char *ok = "{\"type\":\"vector<string>\",\"e\":[\"a\\\\u0000b\"]}";
	hiveha_value v = { 0 };
	const char *why = NULL;
	cr_assert_eq(node_array_parse(&v, ok, strlen(ok), &why), HIVEHA_OK, "%s", why);
	cr_assert_str_eq(((const hiveha_string *)hiveha_value_elements(&v))[0].ptr, "a\\u0000b");
	hiveha_value_clear(&v);
}

/* Not a vector or matrix: the writer refuses it. */
Test(array_csv, scalars_are_not_arrays)
{
	hiveha_value v = { 0 };
	int rc = 0;
	hiveha_value_set_double(&v, 1.0);
	cr_expect_null(node_array_text(&v, &rc));
	cr_expect_eq(rc, HIVEHA_EINVAL);
}
