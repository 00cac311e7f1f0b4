/*
 * Values and samples: setters, strings, copy, total order, clear.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include <hiveha/value.h>

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

Test(value, setters_tag_and_store)
{
	hiveha_value v;

	memset(&v, 0xAB, sizeof(v));
	hiveha_value_set_bool(&v, true);
	cr_assert_eq(v.type, HIVEHA_TYPE_BOOL);
	cr_assert(v.as.b);
	cr_assert_eq(v.reserved, 0);
	hiveha_value_set_int64(&v, INT64_MIN);
	cr_assert_eq(v.type, HIVEHA_TYPE_INT64);
	cr_assert_eq(v.as.i64, INT64_MIN);
	hiveha_value_set_uint64(&v, UINT64_MAX);
	cr_assert_eq(v.type, HIVEHA_TYPE_UINT64);
	cr_assert_eq(v.as.u64, UINT64_MAX);
	hiveha_value_set_float(&v, 1.5f);
	cr_assert_eq(v.type, HIVEHA_TYPE_FLOAT);
	cr_assert_eq(v.as.f32, 1.5f);
	hiveha_value_set_double(&v, -2.25);
	cr_assert_eq(v.type, HIVEHA_TYPE_DOUBLE);
	cr_assert_eq(v.as.f64, -2.25);
	hiveha_value_set_time(&v, INT64_C(133000000000000000));
	cr_assert_eq(v.type, HIVEHA_TYPE_TIME);
	cr_assert_eq(v.as.time, INT64_C(133000000000000000));
}

Test(value, zero_initialised_is_empty)
{
	hiveha_value a = { 0 }, b = { 0 };

	cr_assert_eq(a.type, HIVEHA_TYPE_EMPTY);
	cr_assert_eq(hiveha_value_compare(&a, &b), 0);
	hiveha_value_clear(&a);
	cr_assert_eq(a.type, HIVEHA_TYPE_EMPTY);
}

Test(value, string_with_embedded_nul)
{
	hiveha_value v = { 0 };
	const char src[] = { 'a', '\0', 'b', 'X' };

	cr_assert_eq(hiveha_value_set_string(&v, src, 3), HIVEHA_OK);
	cr_assert_eq(v.type, HIVEHA_TYPE_STRING);
	cr_assert_eq(v.as.str.len, 3);
	cr_assert_neq(v.as.str.ptr, src, "the string must be copied");
	cr_assert_eq(memcmp(v.as.str.ptr, "a\0b", 3), 0);
	cr_assert_eq(v.as.str.ptr[3], '\0', "must be NUL-terminated");
	hiveha_value_clear(&v);
	cr_assert_eq(v.type, HIVEHA_TYPE_EMPTY);
	cr_assert_null(v.as.str.ptr);
}

Test(value, empty_and_invalid_strings)
{
	hiveha_value v = { 0 };

	cr_assert_eq(hiveha_value_set_string(&v, NULL, 0), HIVEHA_OK);
	cr_assert_eq(v.type, HIVEHA_TYPE_STRING);
	cr_assert_eq(v.as.str.len, 0);
	cr_assert_not_null(v.as.str.ptr);
	cr_assert_str_eq(v.as.str.ptr, "");
	hiveha_value_clear(&v);

	cr_assert_eq(hiveha_value_set_string(&v, NULL, 5), HIVEHA_EINVAL);
	cr_assert_eq(v.type, HIVEHA_TYPE_EMPTY);
	cr_assert_eq(hiveha_value_set_string(NULL, "x", 1), HIVEHA_EINVAL);
}

Test(value, copy_is_independent)
{
	hiveha_value src = { 0 }, dst = { 0 };

	cr_assert_eq(hiveha_value_set_string(&src, "hello", 5), HIVEHA_OK);
	cr_assert_eq(hiveha_value_copy(&dst, &src), HIVEHA_OK);
	cr_assert_eq(hiveha_value_compare(&dst, &src), 0);
	cr_assert_neq(dst.as.str.ptr, src.as.str.ptr);
	src.as.str.ptr[0] = 'J';
	cr_assert_str_eq(dst.as.str.ptr, "hello");
	hiveha_value_clear(&src);
	cr_assert_str_eq(dst.as.str.ptr, "hello");
	cr_assert_eq(dst.as.str.len, 5);
	hiveha_value_clear(&dst);
}

Test(value, copy_every_scalar_type)
{
	hiveha_value vals[7] = { { 0 } }, dst;
	size_t i;

	hiveha_value_set_bool(&vals[1], true);
	hiveha_value_set_int64(&vals[2], -77);
	hiveha_value_set_uint64(&vals[3], UINT64_MAX - 3);
	hiveha_value_set_float(&vals[4], -0.0f);
	hiveha_value_set_double(&vals[5], NAN);
	hiveha_value_set_time(&vals[6], -5);
	for (i = 0; i < 7; i++) {
		memset(&dst, 0x5A, sizeof(dst));
		cr_assert_eq(hiveha_value_copy(&dst, &vals[i]), HIVEHA_OK);
		cr_assert_eq(dst.type, vals[i].type);
		cr_assert_eq(hiveha_value_compare(&dst, &vals[i]), 0, "type %u", vals[i].type);
	}
	/* The float -0.0 keeps its sign through the copy. */
	cr_assert_eq(hiveha_value_copy(&dst, &vals[4]), HIVEHA_OK);
	cr_assert(signbit(dst.as.f32));
}

Test(value, copy_refuses_unknown_payloads)
{
	hiveha_value src = { 0 }, dst = { 0 };

	/* an array tag without its payload, as a host might zero-fill one */
	src.type = HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_DOUBLE;
	cr_assert_eq(hiveha_value_copy(&dst, &src), HIVEHA_EINVAL);
	src.type = HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_MATRIX | HIVEHA_TYPE_DOUBLE;
	cr_assert_eq(hiveha_value_copy(&dst, &src), HIVEHA_EINVAL);
	src.type = HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_EMPTY;
	cr_assert_eq(hiveha_value_copy(&dst, &src), HIVEHA_EINVAL);
	src.type = 99;
	cr_assert_eq(hiveha_value_copy(&dst, &src), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_value_copy(NULL, &src), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_value_copy(&dst, NULL), HIVEHA_EINVAL);
}

/* Checks that `v` is strictly ascending under hiveha_value_compare and
 * that the order is antisymmetric and reflexive. */
static void assert_ascending(const hiveha_value *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		cr_assert_eq(hiveha_value_compare(&v[i], &v[i]), 0, "reflexive at %zu", i);
		for (j = i + 1; j < n; j++) {
			cr_assert_lt(hiveha_value_compare(&v[i], &v[j]), 0, "%zu < %zu", i, j);
			cr_assert_gt(hiveha_value_compare(&v[j], &v[i]), 0, "%zu > %zu", j, i);
		}
	}
}

Test(value, double_total_order)
{
	double d[] = { -INFINITY, -1e308, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1.0, 1e308, INFINITY, NAN };
	hiveha_value v[sizeof(d) / sizeof(d[0])];
	hiveha_value nan2;
	size_t i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		hiveha_value_set_double(&v[i], d[i]);
	assert_ascending(v, sizeof(d) / sizeof(d[0]));

	/* Equal means bit-identical: a NaN of another sign or payload is
	 * another value (still above +Inf), the same bits are equal. */
	hiveha_value_set_double(&nan2, -NAN);
	cr_assert_neq(hiveha_value_compare(&nan2, &v[10]), 0);
	cr_assert_gt(hiveha_value_compare(&nan2, &v[9]), 0);
	hiveha_value_set_double(&nan2, nan("123"));
	cr_assert_neq(hiveha_value_compare(&nan2, &v[10]), 0);
	cr_assert_gt(hiveha_value_compare(&nan2, &v[9]), 0);
	hiveha_value_set_double(&nan2, NAN);
	cr_assert_eq(hiveha_value_compare(&nan2, &v[10]), 0);
}

Test(value, float_nan_payloads_compare_by_their_own_bits)
{
	/* Two signalling NaNs that widening to double could make equal. */
	uint32_t bits[2] = { 0x7f800001u, 0x7f800002u };
	hiveha_value a, b;
	float f;

	memcpy(&f, &bits[0], 4);
	hiveha_value_set_float(&a, f);
	memcpy(&f, &bits[1], 4);
	hiveha_value_set_float(&b, f);
	cr_assert_lt(hiveha_value_compare(&a, &b), 0);
	cr_assert_eq(hiveha_value_compare(&a, &a), 0);
}

Test(value, float_total_order)
{
	float f[] = { -INFINITY, -3.0f, -0.0f, 0.0f, 1e-45f, 3.0f, INFINITY, NAN };
	hiveha_value v[sizeof(f) / sizeof(f[0])];
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		hiveha_value_set_float(&v[i], f[i]);
	assert_ascending(v, sizeof(f) / sizeof(f[0]));
}

Test(value, integer_orders_use_their_signedness)
{
	hiveha_value s[4], u[3], t[3], b[2];

	hiveha_value_set_int64(&s[0], INT64_MIN);
	hiveha_value_set_int64(&s[1], -1);
	hiveha_value_set_int64(&s[2], 0);
	hiveha_value_set_int64(&s[3], INT64_MAX);
	assert_ascending(s, 4);
	hiveha_value_set_uint64(&u[0], 0);
	hiveha_value_set_uint64(&u[1], (uint64_t)INT64_MAX);
	hiveha_value_set_uint64(&u[2], UINT64_MAX);
	assert_ascending(u, 3);
	hiveha_value_set_time(&t[0], HIVEHA_TIME_MIN);
	hiveha_value_set_time(&t[1], 0);
	hiveha_value_set_time(&t[2], HIVEHA_TIME_MAX);
	assert_ascending(t, 3);
	hiveha_value_set_bool(&b[0], false);
	hiveha_value_set_bool(&b[1], true);
	assert_ascending(b, 2);
}

Test(value, strings_compare_bytewise_with_length)
{
	static const struct {
		const char *s;
		size_t len;
	} order[] = {
		{ "", 0 }, { "a", 1 }, { "a\0", 2 }, { "a\0b", 3 }, { "a\0c", 3 },
		{ "ab", 2 }, { "abc", 3 }, { "b", 1 }, { "\x7f", 1 }, { "\x80", 1 }, { "\xff", 1 },
	};
	hiveha_value v[sizeof(order) / sizeof(order[0])];
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		cr_assert_eq(hiveha_value_set_string(&v[i], order[i].s, order[i].len), HIVEHA_OK);
	assert_ascending(v, sizeof(order) / sizeof(order[0]));
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		hiveha_value_clear(&v[i]);
}

Test(value, type_tag_orders_first)
{
	hiveha_value v[8] = { { 0 } };

	/* Values chosen so that ordering by payload would give another order. */
	hiveha_value_set_bool(&v[1], true);
	hiveha_value_set_int64(&v[2], -100);
	hiveha_value_set_uint64(&v[3], 0);
	hiveha_value_set_float(&v[4], -1e30f);
	hiveha_value_set_double(&v[5], -1e300);
	cr_assert_eq(hiveha_value_set_string(&v[6], "", 0), HIVEHA_OK);
	hiveha_value_set_time(&v[7], HIVEHA_TIME_MIN);
	assert_ascending(v, 8);
	hiveha_value_clear(&v[6]);
}

Test(value, clear_null_is_noop)
{
	hiveha_value_clear(NULL);
}

Test(sample, compare_time_then_value_then_quality)
{
	hiveha_sample s[4];
	size_t i, j;

	memset(s, 0, sizeof(s));
	/* ascending: earlier time wins over a larger value; then value; then quality */
	s[0].time = 10;
	hiveha_value_set_double(&s[0].value, 100.0);
	s[0].quality = 0xFFFF;
	s[1].time = 20;
	hiveha_value_set_double(&s[1].value, 1.0);
	s[1].quality = 192;
	s[2].time = 20;
	hiveha_value_set_double(&s[2].value, 2.0);
	s[2].quality = 0;
	s[3] = s[2];
	s[3].quality = 0x10000 | 192;
	for (i = 0; i < 4; i++) {
		cr_assert_eq(hiveha_sample_compare(&s[i], &s[i]), 0);
		for (j = i + 1; j < 4; j++) {
			cr_assert_lt(sign(hiveha_sample_compare(&s[i], &s[j])), 0, "%zu < %zu", i, j);
			cr_assert_gt(sign(hiveha_sample_compare(&s[j], &s[i])), 0, "%zu > %zu", j, i);
		}
	}
}
