/*
 * value.c - values, samples and events (docs/api/value.md).
 *
 * Builds values of each type, copies and compares them (strings, NaN,
 * -0.0), builds vectors and matrices (copied and adopted) and packs one,
 * orders samples, and deep-copies an event with an attribute.
 * Exits 0 when every copy equals its original and the orders are as
 * documented.
 */
#include <hiveha/value.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fails;

static void expect(int ok, const char *what)
{
	printf("%-52s %s\n", what, ok ? "ok" : "FAILED");
	fails += !ok;
}

static void values(void)
{
	hiveha_value a = { 0 }, b = { 0 };

	/* Scalars: a setter overwrites the tag and the payload. */
	hiveha_value_set_bool(&a, true);
	expect(a.type == HIVEHA_TYPE_BOOL && a.as.b, "set_bool");
	hiveha_value_set_int64(&a, INT64_MIN);
	expect(a.type == HIVEHA_TYPE_INT64 && a.as.i64 == INT64_MIN, "set_int64");
	hiveha_value_set_uint64(&a, UINT64_MAX);
	expect(a.type == HIVEHA_TYPE_UINT64 && a.as.u64 == UINT64_MAX, "set_uint64");
	hiveha_value_set_float(&a, 1.5f);
	expect(a.type == HIVEHA_TYPE_FLOAT && a.as.f32 == 1.5f, "set_float");
	hiveha_value_set_time(&a, 42 * HIVEHA_TICKS_PER_SECOND);
	expect(a.type == HIVEHA_TYPE_TIME && a.as.time == 420000000, "set_time");

	/* The type tag orders first: any INT64 is below any DOUBLE. */
	hiveha_value_set_int64(&a, 1000);
	hiveha_value_set_double(&b, -1000.0);
	expect(hiveha_value_compare(&a, &b) < 0, "compare: INT64 1000 < DOUBLE -1000");

	/* -0.0 < +0.0, and NaN equals the same NaN and is above +Inf. */
	hiveha_value_set_double(&a, -0.0);
	hiveha_value_set_double(&b, 0.0);
	expect(hiveha_value_compare(&a, &b) < 0, "compare: -0.0 < +0.0");
	hiveha_value_set_double(&a, NAN);
	hiveha_value_set_double(&b, INFINITY);
	expect(hiveha_value_compare(&a, &b) > 0, "compare: NaN > +Inf");
	expect(hiveha_value_copy(&b, &a) == HIVEHA_OK && hiveha_value_compare(&a, &b) == 0,
	       "copy of NaN compares equal");

	/* Strings are owned: copy gives a second buffer, clear frees it. */
	if (hiveha_value_set_string(&a, "Tank 7\0level", 12) != HIVEHA_OK) {
		expect(0, "set_string");
		return;
	}
	expect(a.as.str.len == 12 && a.as.str.ptr[12] == '\0', "set_string keeps embedded NUL");
	expect(hiveha_value_copy(&b, &a) == HIVEHA_OK && b.as.str.ptr != a.as.str.ptr &&
	               hiveha_value_compare(&a, &b) == 0,
	       "copy of a string is deep and equal");
	hiveha_value_clear(&a);
	hiveha_value_clear(&b);
	expect(a.type == HIVEHA_TYPE_EMPTY && b.type == HIVEHA_TYPE_EMPTY, "clear resets to EMPTY");
	expect(hiveha_value_set_string(&a, NULL, 3) == HIVEHA_EINVAL, "set_string(NULL, 3) is EINVAL");
}

static void arrays(void)
{
	double d[3] = { 1.0, NAN, -0.0 };
	hiveha_string words[3] = { { (char *)"a", 1 }, { (char *)"", 0 }, { (char *)"b\0c", 3 } };
	hiveha_value vec = { 0 }, mat = { 0 }, str = { 0 }, back = { 0 };
	unsigned char blob[64];
	int64_t *cells;
	size_t len = 0;

	/* A vector copies its elements; equality is bit for bit. */
	expect(hiveha_value_set_vector(&vec, HIVEHA_TYPE_DOUBLE, d, 3) == HIVEHA_OK &&
	               vec.type == (HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_DOUBLE) &&
	               hiveha_value_count(&vec) == 3,
	       "set_vector: 3 doubles");
	expect(signbit(((const double *)hiveha_value_elements(&vec))[2]) != 0,
	       "elements: -0.0 keeps its sign");

	/* A matrix can adopt a malloc'ed, row-major buffer: no copy. */
	cells = malloc(6 * sizeof(*cells));
	for (int i = 0; cells && i < 6; i++)
		cells[i] = (int64_t)i * 10;
	expect(cells && hiveha_value_adopt_matrix(&mat, HIVEHA_TYPE_INT64, cells, 2, 3) == HIVEHA_OK &&
	               hiveha_value_rows(&mat) == 2 && hiveha_value_cols(&mat) == 3 &&
	               ((const int64_t *)hiveha_value_elements(&mat))[4] == 40,
	       "adopt_matrix: 2 x 3 int64, row-major");

	/* String elements may hold any byte. */
	expect(hiveha_value_set_vector(&str, HIVEHA_TYPE_STRING, words, 3) == HIVEHA_OK &&
	               ((const hiveha_string *)hiveha_value_elements(&str))[2].len == 3,
	       "set_vector: strings with NUL");

	/* The packed form is what a store may keep as one blob. */
	expect(hiveha_value_pack(&vec, blob, sizeof(blob), &len) == HIVEHA_OK &&
	               hiveha_value_unpack(&back, blob, len) == HIVEHA_OK &&
	               hiveha_value_compare(&back, &vec) == 0,
	       "pack / unpack: bit-identical");
	expect(hiveha_value_set_vector(&back, HIVEHA_TYPE_BOOL, NULL, HIVEHA_VALUE_MAX_ELEMENTS + 1) ==
	               HIVEHA_ELIMIT,
	       "bounds: more than HIVEHA_VALUE_MAX_ELEMENTS is ELIMIT");

	hiveha_value_clear(&vec);
	hiveha_value_clear(&mat); /* frees `cells` */
	hiveha_value_clear(&str);
	hiveha_value_clear(&back);
}

static void samples(void)
{
	hiveha_sample s1 = { 0 }, s2 = { 0 };

	s1.time = s2.time = 1000;
	hiveha_value_set_double(&s1.value, 1.0);
	hiveha_value_set_double(&s2.value, 1.0);
	s1.quality = 0; /* bad */
	s2.quality = HIVEHA_QUALITY_GOOD;
	expect(hiveha_sample_compare(&s1, &s2) < 0, "sample_compare: same time and value, quality decides");
	s1.time = 2000;
	expect(hiveha_sample_compare(&s1, &s2) > 0, "sample_compare: time decides first");
}

static void events(void)
{
	hiveha_attribute attr = { (char *)"operator", { 0 } };
	hiveha_event e = { 0 }, copy = { 0 }, other = { 0 };

	hiveha_value_set_int64(&attr.value, 7);
	e.time = e.received_time = 133800000000000000;
	e.source_id = 17;
	e.type_id = 1;
	e.severity = 700;
	e.message = (char *)"Tank1 level high";
	e.attributes = &attr;
	e.attribute_count = 1;

	expect(hiveha_event_copy(&copy, &e) == HIVEHA_OK && hiveha_event_equal(&copy, &e) &&
	               copy.message != e.message,
	       "event_copy is deep and equal");

	/* Identity ignores everything but time, source, type and message. */
	other = e;
	other.severity = 100;
	other.attribute_count = 0;
	expect(hiveha_event_identity_compare(&other, &e) == 0 && !hiveha_event_equal(&other, &e),
	       "same identity, different event");
	other.message = NULL;
	expect(hiveha_event_identity_compare(&other, &e) < 0, "NULL message sorts as \"\"");

	hiveha_event_clear(&copy);
	expect(copy.message == NULL && copy.attribute_count == 0, "event_clear frees and zeroes");
}

int main(void)
{
	values();
	arrays();
	samples();
	events();
	return fails != 0;
}
