/*
 * Vectors and matrices (value.h): construction by copy and by adoption,
 * accessors, bounds, bit-exact copy and compare, clear, and the packed form
 * of every type including empty and maximal ones.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hiveha/value.h>

static const uint32_t elem_types[] = { HIVEHA_TYPE_BOOL,  HIVEHA_TYPE_INT64,  HIVEHA_TYPE_UINT64,
	                               HIVEHA_TYPE_FLOAT, HIVEHA_TYPE_DOUBLE, HIVEHA_TYPE_STRING,
	                               HIVEHA_TYPE_TIME };
#define N_TYPES (sizeof(elem_types) / sizeof(elem_types[0]))

static double dbl_bits(uint64_t bits)
{
	double d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

static float flt_bits(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* A value of `elem` with `n` elements whose content depends on `seed`. */
static void make(hiveha_value *v, uint32_t elem, size_t rows, size_t cols, int matrix, int seed)
{
	size_t n = rows * cols, i;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = matrix ? hiveha_value_set_matrix(v, elem, NULL, rows, cols)
	            : hiveha_value_set_vector(v, elem, NULL, cols);
	cr_assert_eq(rc, HIVEHA_OK, "type %u %zux%zu", elem, rows, cols);
	for (i = 0; i < n; i++) {
		void *e = hiveha_value_elements_mut(v);
		char s[16];

		switch (elem) {
		case HIVEHA_TYPE_BOOL: ((bool *)e)[i] = (i + (size_t)seed) % 3 == 0; break;
		case HIVEHA_TYPE_INT64: ((int64_t *)e)[i] = (int64_t)i * -7 + seed; break;
		case HIVEHA_TYPE_UINT64: ((uint64_t *)e)[i] = UINT64_MAX - i - (uint64_t)seed; break;
		case HIVEHA_TYPE_FLOAT: ((float *)e)[i] = (float)i * 0.25f + (float)seed; break;
		case HIVEHA_TYPE_DOUBLE: ((double *)e)[i] = (double)i / 3.0 + seed; break;
		case HIVEHA_TYPE_TIME: ((hiveha_time *)e)[i] = (hiveha_time)i * 10000000 + seed; break;
		default:
			s[0] = 'a';
			s[1] = '\0'; /* a NUL inside the string */
			s[2] = (char)('0' + (i + (size_t)seed) % 10);
			cr_assert_eq(hiveha_value_set_string_at(v, i, s, i % 4), HIVEHA_OK);
			break;
		}
	}
}

Test(value_array, constructors_tag_and_dimensions)
{
	double d[6] = { 1, 2, 3, 4, 5, 6 };
	hiveha_value v = { 0 };

	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_DOUBLE, d, 6), HIVEHA_OK);
	cr_assert_eq(v.type, HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_DOUBLE);
	cr_assert(hiveha_value_is_array(&v));
	cr_assert_eq(hiveha_value_element_type(&v), HIVEHA_TYPE_DOUBLE);
	cr_assert_eq(hiveha_value_rows(&v), 1);
	cr_assert_eq(hiveha_value_cols(&v), 6);
	cr_assert_eq(hiveha_value_count(&v), 6);
	cr_assert_neq(hiveha_value_elements(&v), d, "copied, not borrowed");
	cr_assert_eq(memcmp(hiveha_value_elements(&v), d, sizeof(d)), 0);
	hiveha_value_clear(&v);
	cr_assert_eq(v.type, HIVEHA_TYPE_EMPTY);

	cr_assert_eq(hiveha_value_set_matrix(&v, HIVEHA_TYPE_DOUBLE, d, 2, 3), HIVEHA_OK);
	cr_assert_eq(v.type, HIVEHA_TYPE_MATRIX | HIVEHA_TYPE_DOUBLE);
	cr_assert_eq(hiveha_value_rows(&v), 2);
	cr_assert_eq(hiveha_value_cols(&v), 3);
	cr_assert_eq(((const double *)hiveha_value_elements(&v))[3], 4.0, "row-major");
	hiveha_value_clear(&v);

	/* Either dimension may be 0, and it is kept. */
	cr_assert_eq(hiveha_value_set_matrix(&v, HIVEHA_TYPE_INT64, NULL, 0, 3), HIVEHA_OK);
	cr_assert_eq(hiveha_value_rows(&v), 0);
	cr_assert_eq(hiveha_value_cols(&v), 3);
	cr_assert_eq(hiveha_value_count(&v), 0);
	cr_assert_null(hiveha_value_elements(&v));
	hiveha_value_clear(&v);

	/* Scalars answer the accessors too. */
	hiveha_value_set_int64(&v, 5);
	cr_assert_not(hiveha_value_is_array(&v));
	cr_assert_eq(hiveha_value_element_type(&v), HIVEHA_TYPE_INT64);
	cr_assert_eq(hiveha_value_count(&v), 1);
	cr_assert_null(hiveha_value_elements(&v));
	memset(&v, 0, sizeof(v));
	cr_assert_eq(hiveha_value_count(&v), 0);
}

Test(value_array, invalid_arguments_and_bounds)
{
	hiveha_value v = { 0 };
	hiveha_string bad = { NULL, 3 };
	hiveha_string *big;
	size_t i;

	cr_assert_eq(hiveha_value_set_vector(NULL, HIVEHA_TYPE_DOUBLE, NULL, 1), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_EMPTY, NULL, 1), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_value_set_vector(&v, 8, NULL, 1), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_DOUBLE, NULL, 1),
	             HIVEHA_EINVAL, "no arrays of arrays");
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_STRING, &bad, 1), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_BOOL, NULL, HIVEHA_VALUE_MAX_ELEMENTS),
	             HIVEHA_OK);
	hiveha_value_clear(&v);
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_BOOL, NULL,
	                                     HIVEHA_VALUE_MAX_ELEMENTS + 1),
	             HIVEHA_ELIMIT);
	cr_assert_eq(hiveha_value_set_matrix(&v, HIVEHA_TYPE_BOOL, NULL, 257, 256), HIVEHA_ELIMIT);
	cr_assert_eq(hiveha_value_set_matrix(&v, HIVEHA_TYPE_BOOL, NULL, 0,
	                                     HIVEHA_VALUE_MAX_ELEMENTS + 1),
	             HIVEHA_ELIMIT, "a 0-row matrix is bounded by its columns");
	cr_assert_eq(hiveha_value_set_matrix(&v, HIVEHA_TYPE_BOOL, NULL, SIZE_MAX / 2, 4),
	             HIVEHA_ELIMIT, "rows x cols overflow");
	cr_assert_eq(v.type, HIVEHA_TYPE_EMPTY, "left untouched on failure");

	/* String bytes: 1 MiB in total, also through set_string_at. */
	big = calloc(2, sizeof(*big));
	big[0].ptr = calloc(1, HIVEHA_VALUE_MAX_BYTES);
	big[0].len = HIVEHA_VALUE_MAX_BYTES;
	big[1].ptr = "x";
	big[1].len = 1;
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_STRING, big, 2), HIVEHA_ELIMIT);
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_STRING, big, 1), HIVEHA_OK);
	cr_assert_eq(hiveha_value_set_string_at(&v, 0, "ab", 2), HIVEHA_OK);
	hiveha_value_clear(&v);
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_STRING, NULL, 2), HIVEHA_OK);
	cr_assert_eq(hiveha_value_set_string_at(&v, 0, big[0].ptr, big[0].len), HIVEHA_OK);
	cr_assert_eq(hiveha_value_set_string_at(&v, 1, "x", 1), HIVEHA_ELIMIT);
	cr_assert_eq(((const hiveha_string *)hiveha_value_elements(&v))[1].len, 0, "unchanged");
	cr_assert_eq(hiveha_value_set_string_at(&v, 2, "x", 1), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_value_set_string_at(&v, 1, NULL, 1), HIVEHA_EINVAL);
	hiveha_value_clear(&v);
	free(big[0].ptr);
	free(big);

	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_DOUBLE, NULL, 1), HIVEHA_OK);
	cr_assert_eq(hiveha_value_set_string_at(&v, 0, "x", 1), HIVEHA_EINVAL, "not strings");
	hiveha_value_clear(&v);
	for (i = 0; i < N_TYPES; i++) {
		cr_assert_eq(hiveha_value_set_vector(&v, elem_types[i], NULL, 0), HIVEHA_OK);
		cr_assert_eq(hiveha_value_count(&v), 0);
		hiveha_value_clear(&v);
	}
}

Test(value_array, adopt_takes_the_buffer)
{
	hiveha_value v = { 0 }, c = { 0 };
	double *d = malloc(4 * sizeof(*d));
	hiveha_string *s = malloc(2 * sizeof(*s));
	int64_t *keep = malloc(sizeof(*keep));

	d[0] = 1;
	d[1] = 2;
	d[2] = 3;
	d[3] = 4;
	cr_assert_eq(hiveha_value_adopt_matrix(&v, HIVEHA_TYPE_DOUBLE, d, 2, 2), HIVEHA_OK);
	cr_assert_eq(hiveha_value_elements(&v), d, "adopted, not copied");
	cr_assert_eq(hiveha_value_copy(&c, &v), HIVEHA_OK);
	cr_assert_neq(hiveha_value_elements(&c), d);
	cr_assert_eq(hiveha_value_compare(&c, &v), 0);
	hiveha_value_clear(&v); /* frees d: the leak checkers would say otherwise */
	hiveha_value_clear(&c);

	s[0].ptr = malloc(4);
	memcpy(s[0].ptr, "one", 4);
	s[0].len = 3;
	s[1].ptr = NULL;
	s[1].len = 0;
	cr_assert_eq(hiveha_value_adopt_vector(&v, HIVEHA_TYPE_STRING, s, 2), HIVEHA_OK);
	cr_assert_eq(hiveha_value_copy(&c, &v), HIVEHA_OK);
	cr_assert_eq(hiveha_value_compare(&c, &v), 0, "NULL with length 0 is the empty string");
	hiveha_value_clear(&v);
	hiveha_value_clear(&c);

	/* A failed adoption leaves the buffer with the caller. */
	cr_assert_eq(hiveha_value_adopt_vector(&v, HIVEHA_TYPE_EMPTY, keep, 1), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_value_adopt_vector(&v, HIVEHA_TYPE_INT64, NULL, 1), HIVEHA_EINVAL);
	*keep = 7; /* still ours */
	free(keep);
}

Test(value_array, copy_and_compare_every_type)
{
	size_t t;

	for (t = 0; t < N_TYPES; t++) {
		hiveha_value a, b, c = { 0 }, m;

		make(&a, elem_types[t], 1, 9, 0, 1);
		make(&b, elem_types[t], 1, 9, 0, 2);
		cr_assert_eq(hiveha_value_copy(&c, &a), HIVEHA_OK, "type %u", elem_types[t]);
		cr_assert_eq(hiveha_value_compare(&c, &a), 0, "type %u", elem_types[t]);
		cr_assert_neq(hiveha_value_compare(&a, &b), 0, "type %u", elem_types[t]);
		cr_assert_eq(hiveha_value_compare(&a, &b), -hiveha_value_compare(&b, &a));
		/* A vector is not a 1 x n matrix, nor a 3 x 3 one. */
		make(&m, elem_types[t], 3, 3, 1, 1);
		cr_assert_neq(hiveha_value_compare(&m, &a), 0);
		hiveha_value_clear(&a);
		hiveha_value_clear(&b);
		hiveha_value_clear(&c);
		hiveha_value_clear(&m);
	}
}

Test(value_array, dimensions_order_before_elements)
{
	hiveha_value a, b;

	make(&a, HIVEHA_TYPE_INT64, 0, 3, 1, 0);
	make(&b, HIVEHA_TYPE_INT64, 0, 5, 1, 0);
	cr_assert_lt(hiveha_value_compare(&a, &b), 0, "0x3 < 0x5 although both are empty");
	hiveha_value_clear(&a);
	hiveha_value_clear(&b);
	make(&a, HIVEHA_TYPE_INT64, 2, 3, 1, 0);
	make(&b, HIVEHA_TYPE_INT64, 3, 2, 1, 0);
	cr_assert_lt(hiveha_value_compare(&a, &b), 0, "rows first");
	hiveha_value_clear(&a);
	hiveha_value_clear(&b);
}

Test(value_array, floats_are_bit_exact)
{
	/* MERGE-CASES V1: [1, NaN, -0.0]; another NaN or +0.0 is another value. */
	double x[3] = { 1.0, dbl_bits(UINT64_C(0x7ff8000000000000)), -0.0 };
	double y[3] = { 1.0, dbl_bits(UINT64_C(0x7ff8000000000001)), -0.0 };
	double z[3] = { 1.0, dbl_bits(UINT64_C(0x7ff8000000000000)), 0.0 };
	float f1[1] = { flt_bits(0x7f800001u) }, f2[1] = { flt_bits(0x7f800002u) };
	hiveha_value a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	hiveha_value_set_vector(&a, HIVEHA_TYPE_DOUBLE, x, 3);
	hiveha_value_set_vector(&b, HIVEHA_TYPE_DOUBLE, y, 3);
	hiveha_value_set_vector(&c, HIVEHA_TYPE_DOUBLE, z, 3);
	cr_assert_neq(hiveha_value_compare(&a, &b), 0, "NaN payloads differ");
	cr_assert_lt(hiveha_value_compare(&a, &c), 0, "-0.0 < +0.0");
	cr_assert_eq(hiveha_value_copy(&d, &b), HIVEHA_OK);
	cr_assert_eq(memcmp(hiveha_value_elements(&d), y, sizeof(y)), 0, "bits kept by copy");
	hiveha_value_clear(&a);
	hiveha_value_clear(&b);
	hiveha_value_clear(&c);
	hiveha_value_clear(&d);
	hiveha_value_set_vector(&a, HIVEHA_TYPE_FLOAT, f1, 1);
	hiveha_value_set_vector(&b, HIVEHA_TYPE_FLOAT, f2, 1);
	cr_assert_neq(hiveha_value_compare(&a, &b), 0, "signalling NaNs by their own bits");
	hiveha_value_clear(&a);
	hiveha_value_clear(&b);
}

/* Packs `v`, unpacks it and checks the result equals `v`. */
static void round_trip(const hiveha_value *v)
{
	size_t len = 0, len2 = 0;
	unsigned char *buf;
	hiveha_value out;

	/* every form has at least its 4-byte tag: size 0 learns the length */
	cr_assert_eq(hiveha_value_pack(v, NULL, 0, &len), HIVEHA_ERANGE);
	cr_assert_geq(len, 4);
	buf = malloc(len);
	cr_assert_eq(hiveha_value_pack(v, buf, len, &len2), HIVEHA_OK);
	cr_assert_eq(len2, len);
	if (len > 1)
		cr_assert_eq(hiveha_value_pack(v, buf, len - 1, &len2), HIVEHA_ERANGE);
	cr_assert_eq(hiveha_value_pack(v, buf, len, NULL), HIVEHA_OK);
	cr_assert_eq(hiveha_value_unpack(&out, buf, len), HIVEHA_OK, "type %x", v->type);
	cr_assert_eq(hiveha_value_compare(&out, v), 0, "type %x", v->type);
	hiveha_value_clear(&out);
	/* Every cut of the form is refused, and nothing leaks. */
	for (size_t cut = 0; cut < len && cut < 64; cut++)
		cr_assert_eq(hiveha_value_unpack(&out, buf, cut), HIVEHA_EPARSE, "cut %zu", cut);
	free(buf);
}

Test(value_array, packed_form_round_trips_every_type)
{
	hiveha_value v;
	size_t t;

	for (t = 0; t < N_TYPES; t++) {
		make(&v, elem_types[t], 1, 5, 0, 3);
		round_trip(&v);
		hiveha_value_clear(&v);
		make(&v, elem_types[t], 1, 0, 0, 3);
		round_trip(&v);
		hiveha_value_clear(&v);
		make(&v, elem_types[t], 2, 3, 1, 3);
		round_trip(&v);
		hiveha_value_clear(&v);
		make(&v, elem_types[t], 3, 0, 1, 3);
		round_trip(&v);
		hiveha_value_clear(&v);
		make(&v, elem_types[t], 256, 256, 1, 3); /* the largest */
		round_trip(&v);
		hiveha_value_clear(&v);
	}
	/* Scalars have a packed form too. */
	memset(&v, 0, sizeof(v));
	round_trip(&v);
	hiveha_value_set_double(&v, -0.0);
	round_trip(&v);
	hiveha_value_set_float(&v, flt_bits(0x7f800001u));
	round_trip(&v);
	hiveha_value_set_string(&v, "a\0b", 3);
	round_trip(&v);
	hiveha_value_clear(&v);
}

Test(value_array, packed_form_is_little_endian_and_fixed)
{
	int64_t e[2] = { 1, -2 };
	unsigned char want[] = { 0x02, 0x01, 0, 0,  /* ARRAY | INT64 */
		                 2, 0, 0, 0,        /* count */
		                 1, 0, 0, 0, 0, 0, 0, 0,
		                 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned char buf[sizeof(want)];
	hiveha_value v = { 0 };
	size_t len;

	hiveha_value_set_vector(&v, HIVEHA_TYPE_INT64, e, 2);
	cr_assert_eq(hiveha_value_pack(&v, buf, sizeof(buf), &len), HIVEHA_OK);
	cr_assert_eq(len, sizeof(want));
	cr_assert_eq(memcmp(buf, want, len), 0);
	hiveha_value_clear(&v);
}

Test(value_array, unpack_refuses_hostile_forms)
{
	/* A matrix claiming 65536 x 65536 elements in 12 bytes. */
	unsigned char huge[] = { 0x05, 0x02, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0 };
	/* 1000 doubles promised, none there: refused before allocating. */
	unsigned char few[] = { 0x05, 0x01, 0, 0, 0xe8, 0x03, 0, 0 };
	/* A string vector whose second string is cut. */
	unsigned char cut[] = { 0x06, 0x01, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 'a', 5, 0, 0, 0, 'b' };
	/* A bool that is 2; an unknown tag; both flags. */
	unsigned char bad_bool[] = { 0x01, 0x01, 0, 0, 1, 0, 0, 0, 2 };
	unsigned char bad_tag[] = { 0x08, 0x01, 0, 0, 0, 0, 0, 0 };
	unsigned char both[] = { 0x05, 0x03, 0, 0, 0, 0, 0, 0 };
	unsigned char trailing[] = { 0x05, 0x01, 0, 0, 0, 0, 0, 0, 0 };
	hiveha_value v;

	cr_assert_eq(hiveha_value_unpack(&v, huge, sizeof(huge)), HIVEHA_ELIMIT);
	cr_assert_eq(v.type, HIVEHA_TYPE_EMPTY);
	cr_assert_eq(hiveha_value_unpack(&v, few, sizeof(few)), HIVEHA_EPARSE);
	cr_assert_eq(hiveha_value_unpack(&v, cut, sizeof(cut)), HIVEHA_EPARSE);
	cr_assert_eq(hiveha_value_unpack(&v, bad_bool, sizeof(bad_bool)), HIVEHA_EPARSE);
	cr_assert_eq(hiveha_value_unpack(&v, bad_tag, sizeof(bad_tag)), HIVEHA_EPARSE);
	cr_assert_eq(hiveha_value_unpack(&v, both, sizeof(both)), HIVEHA_EPARSE);
	cr_assert_eq(hiveha_value_unpack(&v, trailing, sizeof(trailing)), HIVEHA_EPARSE);
	cr_assert_eq(hiveha_value_unpack(NULL, few, sizeof(few)), HIVEHA_EINVAL);
}

Test(value_array, events_copy_array_attributes)
{
	hiveha_attribute at = { "vec", { 0 } };
	hiveha_event e = { 0 }, c;
	double d[2] = { 1.5, -0.0 };

	hiveha_value_set_vector(&at.value, HIVEHA_TYPE_DOUBLE, d, 2);
	e.attributes = &at;
	e.attribute_count = 1;
	cr_assert_eq(hiveha_event_copy(&c, &e), HIVEHA_OK);
	cr_assert(hiveha_event_equal(&c, &e));
	hiveha_event_clear(&c);
	hiveha_value_clear(&at.value);
}
