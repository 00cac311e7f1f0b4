/* Vectors and matrices in samples and event attributes (schema v2):
 * bit-exact round trips through the file, the bounds, the stored form,
 * and damaged rows that must fail cleanly. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqtest.h"

TestSuite(sqlite_arrays, .init = sqt_setup, .fini = sqt_teardown);

static double dbl_bits(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof d);
	return d;
}

static float flt_bits(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

static size_t elem_width(uint32_t elem)
{
	switch (elem) {
	case HIVEHA_TYPE_BOOL: return sizeof(bool);
	case HIVEHA_TYPE_FLOAT: return sizeof(float);
	case HIVEHA_TYPE_STRING: return sizeof(hiveha_string);
	default: return 8;
	}
}

/* hiveha_value_compare is bit-exact (value.h); the element bytes and the
 * string terminators are checked beside it all the same. */
static void assert_same_value(const hiveha_value *want, const hiveha_value *got, size_t i)
{
	uint32_t elem = hiveha_value_element_type(want);
	size_t n = hiveha_value_count(want);

	cr_assert_eq(got->type, want->type, "value %zu: type %#x, want %#x", i, got->type, want->type);
	cr_assert_eq(hiveha_value_compare(want, got), 0, "value %zu differs", i);
	cr_assert_eq(hiveha_value_rows(got), hiveha_value_rows(want), "value %zu rows", i);
	cr_assert_eq(hiveha_value_cols(got), hiveha_value_cols(want), "value %zu cols", i);
	if (!hiveha_value_is_array(want) || n == 0)
		return;
	if (elem == HIVEHA_TYPE_STRING) {
		const hiveha_string *a = hiveha_value_elements(want), *b = hiveha_value_elements(got);

		for (size_t k = 0; k < n; k++) {
			cr_assert_eq(b[k].len, a[k].len, "value %zu element %zu", i, k);
			cr_assert(b[k].len == 0 || memcmp(a[k].ptr, b[k].ptr, a[k].len) == 0);
			cr_assert(b[k].ptr == NULL || b[k].ptr[b[k].len] == '\0');
		}
	} else {
		cr_assert_eq(memcmp(hiveha_value_elements(want), hiveha_value_elements(got),
		                    n * elem_width(elem)), 0, "value %zu element bits", i);
	}
}

static void read_all(const hiveha_store *st, const char *item, sqt_samples *got)
{
	cr_assert_eq(st->read_samples(st->ctx, item, HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, 0, SIZE_MAX,
	                              sqt_collect_samples, got), 0);
}

static hiveha_value *slot(hiveha_sample *in, size_t *n, size_t cap)
{
	cr_assert_lt(*n, cap);
	in[*n].time = 100 + (hiveha_time)*n;
	in[*n].quality = 0xABCD0000u + (uint32_t)*n;
	return &in[(*n)++].value;
}

/* One sample of every element type and shape, scalars between them. */
static size_t fill_shapes(hiveha_sample *in, size_t cap)
{
	const double d[] = { dbl_bits(UINT64_C(0x7ff8000000abcdef)), dbl_bits(UINT64_C(0xfff0000000000001)),
	                     -0.0, 0.0, INFINITY, -INFINITY, 4.9406564584124654e-324,
	                     1.7976931348623157e308 };
	const float f[] = { flt_bits(0x7fc12345u), flt_bits(0x7f800001u), -0.0f, -INFINITY, 3.4028235e38f };
	const int64_t i64[] = { INT64_MIN, INT64_MAX, -1, 0 };
	const uint64_t u64[] = { UINT64_MAX, UINT64_C(1) << 63, 0 };
	const bool b[] = { true, false, true };
	const hiveha_time t[] = { HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, 0 };
	const hiveha_string s[] = { { (char *)"", 0 }, { (char *)"a\0b", 3 }, { (char *)"h\xc3\xa9llo", 6 },
	                            { NULL, 0 } };
	const double m23[] = { 1, 2, 3, -0.0, NAN, 6 };
	const hiveha_string sm[] = { { (char *)"\0", 1 }, { (char *)"x", 1 }, { NULL, 0 },
	                             { (char *)"\0\0z", 3 } };
	size_t n = 0;

	memset(in, 0, cap * sizeof *in);
#define NEXT slot(in, &n, cap)
	cr_assert_eq(hiveha_value_set_vector(NEXT, HIVEHA_TYPE_DOUBLE, d, 8), 0);
	cr_assert_eq(hiveha_value_set_vector(NEXT, HIVEHA_TYPE_FLOAT, f, 5), 0);
	cr_assert_eq(hiveha_value_set_vector(NEXT, HIVEHA_TYPE_INT64, i64, 4), 0);
	cr_assert_eq(hiveha_value_set_vector(NEXT, HIVEHA_TYPE_UINT64, u64, 3), 0);
	hiveha_value_set_double(NEXT, 0.5); /* scalars between arrays */
	cr_assert_eq(hiveha_value_set_vector(NEXT, HIVEHA_TYPE_BOOL, b, 3), 0);
	cr_assert_eq(hiveha_value_set_vector(NEXT, HIVEHA_TYPE_TIME, t, 3), 0);
	cr_assert_eq(hiveha_value_set_vector(NEXT, HIVEHA_TYPE_STRING, s, 4), 0);
	cr_assert_eq(hiveha_value_set_string(NEXT, "plain", 5), 0);
	cr_assert_eq(hiveha_value_set_matrix(NEXT, HIVEHA_TYPE_DOUBLE, m23, 2, 3), 0);
	cr_assert_eq(hiveha_value_set_matrix(NEXT, HIVEHA_TYPE_STRING, sm, 2, 2), 0);
	cr_assert_eq(hiveha_value_set_matrix(NEXT, HIVEHA_TYPE_DOUBLE, NULL, 0, 3), 0);
	cr_assert_eq(hiveha_value_set_matrix(NEXT, HIVEHA_TYPE_DOUBLE, NULL, 3, 0), 0);
	cr_assert_eq(hiveha_value_set_matrix(NEXT, HIVEHA_TYPE_INT64, NULL, 0, 0), 0);
	cr_assert_eq(hiveha_value_set_matrix(NEXT, HIVEHA_TYPE_BOOL, b, 1, 1), 0);
	cr_assert_eq(hiveha_value_set_matrix(NEXT, HIVEHA_TYPE_TIME, t, 3, 1), 0);
	cr_assert_eq(hiveha_value_set_matrix(NEXT, HIVEHA_TYPE_FLOAT, f, 1, 5), 0);
	cr_assert_eq(hiveha_value_set_matrix(NEXT, HIVEHA_TYPE_UINT64, u64, 3, 1), 0);
	for (uint32_t e = HIVEHA_TYPE_BOOL; e <= HIVEHA_TYPE_TIME; e++)
		cr_assert_eq(hiveha_value_set_vector(NEXT, e, NULL, 0), 0); /* empty vectors */
	NEXT; /* EMPTY */
#undef NEXT
	return n;
}

static void clear_samples(hiveha_sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hiveha_value_clear(&s[i].value);
}

Test(sqlite_arrays, every_shape_round_trips_bit_exactly_through_the_file)
{
	hiveha_store st;
	hiveha_sample in[40];
	size_t n = fill_shapes(in, 40);
	sqt_samples got = { 0 };

	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "v", in, n), 0);
	sqt_close(&st);
	sqt_open(&st, "a.db", 0);
	read_all(&st, "v", &got);
	cr_assert_eq(got.n, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(got.v[i].time, in[i].time);
		cr_assert_eq(got.v[i].quality, in[i].quality);
		assert_same_value(&in[i].value, &got.v[i].value, i);
	}
	sqt_samples_free(&got);
	sqt_close(&st);
	clear_samples(in, n);
}

Test(sqlite_arrays, the_row_holds_the_tag_and_the_public_packed_form)
{
	hiveha_store st;
	hiveha_sample in[40];
	size_t n = fill_shapes(in, 40);
	char sql[160];

	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "v", in, n), 0);
	sqt_close(&st);
	cr_assert_eq(sqt_query_int("a.db", "SELECT version FROM formats WHERE name = 'value_blob'"), 1);
	cr_assert_eq(sqt_query_int("a.db", "SELECT count(*) FROM samples WHERE type > 7 AND "
	                                   "typeof(value) <> 'blob'"), 0);
	cr_assert_eq(sqt_query_int("a.db", "SELECT count(*) FROM samples WHERE type <= 7 AND "
	                                   "typeof(value) = 'blob'"), 0, "scalars are not packed");
	for (size_t i = 0; i < n; i++) {
		unsigned char buf[512];
		char hex[1100];
		size_t len = 0;

		snprintf(sql, sizeof sql, "SELECT type FROM samples WHERE time = %lld",
		         (long long)in[i].time);
		cr_assert_eq(sqt_query_int("a.db", sql), (long long)in[i].value.type, "sample %zu", i);
		if (!hiveha_value_is_array(&in[i].value))
			continue;
		cr_assert_eq(hiveha_value_pack(&in[i].value, buf, sizeof buf, &len), 0);
		for (size_t k = 0; k < len; k++)
			snprintf(hex + 2 * k, 3, "%02X", buf[k]);
		snprintf(sql, sizeof sql, "SELECT hex(value) FROM samples WHERE time = %lld",
		         (long long)in[i].time);
		cr_assert_str_eq(sqt_query_text("a.db", sql), hex, "sample %zu", i);
	}
	clear_samples(in, n);
}

Test(sqlite_arrays, the_largest_arrays_round_trip)
{
	hiveha_store st;
	hiveha_sample in[4];
	sqt_samples got = { 0 };
	double *d = malloc(HIVEHA_VALUE_MAX_ELEMENTS * sizeof *d);
	hiveha_string *s = calloc(HIVEHA_VALUE_MAX_ELEMENTS, sizeof *s);
	char *bytes = malloc(HIVEHA_VALUE_MAX_BYTES);

	cr_assert(d && s && bytes);
	memset(in, 0, sizeof in);
	for (size_t i = 0; i < HIVEHA_VALUE_MAX_ELEMENTS; i++) {
		uint64_t u = UINT64_C(0x7ff0000000000001) + i * UINT64_C(0x100000001);

		d[i] = i % 3 ? dbl_bits(u) : -(double)i;
	}
	for (size_t i = 0; i < HIVEHA_VALUE_MAX_BYTES; i++)
		bytes[i] = (char)(i * 7);
	/* 65536 strings of 16 bytes: both bounds at once. */
	for (size_t i = 0; i < HIVEHA_VALUE_MAX_ELEMENTS; i++) {
		s[i].ptr = bytes + i * 16;
		s[i].len = 16;
	}
	for (int i = 0; i < 4; i++)
		in[i].time = 10 * i;
	cr_assert_eq(hiveha_value_set_vector(&in[0].value, HIVEHA_TYPE_DOUBLE, d,
	                                     HIVEHA_VALUE_MAX_ELEMENTS), 0);
	cr_assert_eq(hiveha_value_set_matrix(&in[1].value, HIVEHA_TYPE_DOUBLE, d, 256, 256), 0);
	cr_assert_eq(hiveha_value_set_vector(&in[2].value, HIVEHA_TYPE_STRING, s,
	                                     HIVEHA_VALUE_MAX_ELEMENTS), 0);
	s[0].ptr = bytes;
	s[0].len = HIVEHA_VALUE_MAX_BYTES;
	cr_assert_eq(hiveha_value_set_vector(&in[3].value, HIVEHA_TYPE_STRING, s, 1), 0);
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "big", in, 4), 0);
	sqt_close(&st);
	sqt_open(&st, "a.db", 0);
	read_all(&st, "big", &got);
	cr_assert_eq(got.n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_same_value(&in[i].value, &got.v[i].value, i);
	sqt_samples_free(&got);
	sqt_close(&st);
	clear_samples(in, 4);
	free(d);
	free(s);
	free(bytes);
}

Test(sqlite_arrays, replace_and_equal_times_with_arrays)
{
	hiveha_store st;
	hiveha_sample a[3], b[2];
	sqt_samples got = { 0 };
	hiveha_store_txn *txn;

	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	for (int i = 0; i < 3; i++) {
		int64_t v[2] = { i, -i };

		a[i].time = 10;
		cr_assert_eq(hiveha_value_set_vector(&a[i].value, HIVEHA_TYPE_INT64, v, 2), 0);
	}
	b[0].time = 10;
	cr_assert_eq(hiveha_value_set_matrix(&b[0].value, HIVEHA_TYPE_INT64, NULL, 1, 1), 0);
	b[1] = sqt_dbl(12, 1);
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", a, 3), 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", b, 1), 0); /* after the 10s */
	read_all(&st, "x", &got);
	cr_assert_eq(got.n, 4);
	for (size_t i = 0; i < 3; i++)
		assert_same_value(&a[i].value, &got.v[i].value, i);
	assert_same_value(&b[0].value, &got.v[3].value, 3);
	sqt_samples_free(&got);
	/* skip 2 at 10 resumes at the third array */
	cr_assert_eq(st.read_samples(st.ctx, "x", 10, 20, 2, 10, sqt_collect_samples, &got), 0);
	cr_assert_eq(got.n, 2);
	assert_same_value(&a[2].value, &got.v[0].value, 0);
	sqt_samples_free(&got);
	txn = sqt_begin(&st);
	cr_assert_eq(st.replace_samples(st.ctx, txn, "x", 10, 11, &b[1], 1), 0);
	sqt_commit(&st, txn);
	read_all(&st, "x", &got);
	cr_assert_eq(got.n, 1);
	cr_assert_eq(got.v[0].value.type, HIVEHA_TYPE_DOUBLE);
	sqt_samples_free(&got);
	sqt_close(&st);
	clear_samples(a, 3);
	clear_samples(b, 1);
}

Test(sqlite_arrays, a_damaged_array_row_is_an_error_not_a_crash)
{
	static const char *damage[] = {
		"UPDATE samples SET type = 260 WHERE time = 2",                      /* tag differs */
		"UPDATE samples SET value = substr(value, 1, 11) WHERE time = 2",    /* truncated */
		"UPDATE samples SET value = x'0501000002000000000000000000F03F"
		"000000000000004000' WHERE time = 2",                                /* trailing */
		"UPDATE samples SET value = 5 WHERE time = 2",                       /* not a blob */
		"UPDATE samples SET value = NULL WHERE time = 2",
		"UPDATE samples SET type = 4294967557 WHERE time = 2",               /* 2^32 + 0x105 */
		"UPDATE samples SET type = 1029 WHERE time = 2",                     /* 0x405 */
		"UPDATE samples SET value = x'05010000FFFFFFFF' WHERE time = 2",     /* count too big */
		"UPDATE samples SET value = x'0501000000000100' WHERE time = 2",     /* 65536, no bytes */
	};
	const double v[2] = { 1, 2 };

	for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
		hiveha_store st;
		hiveha_sample s[2] = { sqt_dbl(1, 1), { .time = 2 } };
		sqt_samples got = { 0 };
		char name[32], msg[256];

		snprintf(name, sizeof name, "d%zu.db", i);
		cr_assert_eq(hiveha_value_set_vector(&s[1].value, HIVEHA_TYPE_DOUBLE, v, 2), 0);
		sqt_open(&st, name, 0);
		cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", s, 2), 0);
		sqt_exec(name, damage[i]);
		cr_assert_eq(st.read_samples(st.ctx, "x", 0, 10, 0, 10, sqt_collect_samples, &got),
		             HIVEHA_ESTORE, "%s", damage[i]);
		cr_assert_eq(hiveha_sqlite_last_error(&st, msg, sizeof msg), 0);
		cr_assert_not_null(strstr(msg, "sample value"), "%s", msg);
		sqt_samples_free(&got);
		sqt_close(&st);
		hiveha_value_clear(&s[1].value);
	}
}

/* ---- event attributes ---------------------------------------------------- */

Test(sqlite_arrays, array_attributes_round_trip_bit_exactly)
{
	hiveha_store st;
	hiveha_attribute attrs[6];
	hiveha_event e = sqt_event(5, 1, 2, "arrays");
	const double d[3] = { dbl_bits(UINT64_C(0x7ff4000000000123)), -0.0, 1e300 };
	const hiveha_string s[3] = { { (char *)"n\0l", 3 }, { "", 0 }, { (char *)"\xe2\x82\xac", 3 } };
	double *big = calloc(HIVEHA_VALUE_MAX_ELEMENTS, sizeof *big);
	sqt_events got = { 0 };

	cr_assert_not_null(big);
	big[7] = -0.0;
	memset(attrs, 0, sizeof attrs);
	attrs[0].name = "vec";
	cr_assert_eq(hiveha_value_set_vector(&attrs[0].value, HIVEHA_TYPE_DOUBLE, d, 3), 0);
	attrs[1].name = "names";
	cr_assert_eq(hiveha_value_set_matrix(&attrs[1].value, HIVEHA_TYPE_STRING, s, 3, 1), 0);
	attrs[2].name = "scalar";
	hiveha_value_set_uint64(&attrs[2].value, UINT64_MAX);
	attrs[3].name = "empty";
	cr_assert_eq(hiveha_value_set_vector(&attrs[3].value, HIVEHA_TYPE_TIME, NULL, 0), 0);
	attrs[4].name = "0x3";
	cr_assert_eq(hiveha_value_set_matrix(&attrs[4].value, HIVEHA_TYPE_BOOL, NULL, 0, 3), 0);
	attrs[5].name = "big";
	cr_assert_eq(hiveha_value_set_vector(&attrs[5].value, HIVEHA_TYPE_DOUBLE, big,
	                                     HIVEHA_VALUE_MAX_ELEMENTS), 0);
	e.attributes = attrs;
	e.attribute_count = 6;
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_add_events(&st, &e, 1, NULL), 0);
	sqt_close(&st);
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(st.read_events(st.ctx, 0, 10, 0, 10, sqt_collect_events, &got), 0);
	cr_assert_eq(got.n, 1);
	cr_assert(hiveha_event_equal(&got.v[0], &e));
	cr_assert_eq(got.v[0].attribute_count, 6);
	for (size_t i = 0; i < 6; i++) {
		cr_assert_str_eq(got.v[0].attributes[i].name, attrs[i].name);
		assert_same_value(&attrs[i].value, &got.v[0].attributes[i].value, i);
	}
	sqt_events_free(&got);
	sqt_close(&st);
	for (size_t i = 0; i < 6; i++)
		hiveha_value_clear(&attrs[i].value);
	free(big);
}

Test(sqlite_arrays, an_invalid_array_attribute_is_refused_before_anything_is_stored)
{
	hiveha_store st;
	hiveha_attribute a = { .name = "bad" };
	hiveha_event e = sqt_event(5, 1, 2, "x");
	uint64_t n = 9;

	a.value.type = HIVEHA_TYPE_MATRIX | HIVEHA_TYPE_DOUBLE; /* no payload */
	e.attributes = &a;
	e.attribute_count = 1;
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_add_events(&st, &e, 1, NULL), HIVEHA_EINVAL);
	a.value.type = HIVEHA_TYPE_MATRIX | HIVEHA_TYPE_EMPTY;
	cr_assert_eq(hiveha_sqlite_add_events(&st, &e, 1, NULL), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_sqlite_count_events(&st, HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, &n), 0);
	cr_assert_eq(n, 0);
	sqt_close(&st);
}

Test(sqlite_arrays, a_damaged_array_attribute_is_an_error_not_a_crash)
{
	/* count 1, name "", then type / length / packed bytes */
	static const char *blobs[] = {
		"x'01000000" "00000000" "05010000" "08000000" "05010000FFFFFFFF'", /* count too big */
		"x'01000000" "00000000" "05010000" "08000000" "0201000000000000'", /* tag differs */
		"x'01000000" "00000000" "05010000" "FF000000" "0501000000000000'", /* length past end */
		"x'01000000" "00000000" "05010000" "07000000" "05010000000000'",   /* packed cut */
		"x'01000000" "00000000" "05040000" "08000000" "0504000000000000'", /* 0x405 */
	};
	hiveha_store st;
	hiveha_event e = sqt_event(1, 1, 1, "x");
	hiveha_attribute a = { .name = "" };
	sqt_events got = { 0 };
	char sql[200];

	cr_assert_eq(hiveha_value_set_vector(&a.value, HIVEHA_TYPE_DOUBLE, NULL, 0), 0);
	e.attributes = &a;
	e.attribute_count = 1;
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_add_events(&st, &e, 1, NULL), 0);
	/* the stored blob is what the layout says */
	cr_assert_str_eq(sqt_query_text("a.db", "SELECT hex(attributes) FROM events"),
	                 "01000000000000000501000008000000" "0501000000000000");
	for (size_t i = 0; i < sizeof blobs / sizeof blobs[0]; i++) {
		snprintf(sql, sizeof sql, "UPDATE events SET attributes = %s", blobs[i]);
		sqt_exec("a.db", sql);
		cr_assert_eq(st.read_events(st.ctx, 0, 10, 0, 10, sqt_collect_events, &got),
		             HIVEHA_ESTORE, "%s", blobs[i]);
		cr_assert_eq(got.n, 0);
	}
	sqt_close(&st);
	hiveha_value_clear(&a.value);
}
