/*
 * proto_fixtures.c - see proto_fixtures.h.
 */
#include "proto_fixtures.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	cr_assert(p);
	memcpy(p, s, n);
	return p;
}

static void set_str(hiveha_value *v, const char *s, size_t n)
{
	cr_assert_eq(hiveha_value_set_string(v, s, n), 0);
}

/* Every value type with its edge cases. */
static size_t edge_samples(hiveha_sample *s, int with_nul)
{
	static const char utf8[] = "Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9d\x84\x9e \"q\" \\ / \n\t\x01";
	size_t n = 0;
	hiveha_time t = INT64_MIN;

#define NEXT() (s[n].quality = (uint32_t)(n * 0x01010101u), s[n].time = t, &s[n++].value)
	memset(s, 0, 40 * sizeof(*s));
	NEXT();                                           /* EMPTY */
	t = INT64_MIN + 1;
	hiveha_value_set_bool(NEXT(), true);
	hiveha_value_set_bool(NEXT(), false);             /* equal time */
	t = -1;
	hiveha_value_set_int64(NEXT(), INT64_MIN);
	t = 0;
	hiveha_value_set_int64(NEXT(), INT64_MAX);
	hiveha_value_set_int64(NEXT(), -1);
	hiveha_value_set_uint64(NEXT(), UINT64_MAX);
	hiveha_value_set_uint64(NEXT(), 0);
	t = INT64_C(132000000000000000);
	hiveha_value_set_float(NEXT(), NAN);
	hiveha_value_set_float(NEXT(), INFINITY);
	hiveha_value_set_float(NEXT(), -0.0f);
	hiveha_value_set_float(NEXT(), 3.14159274f);
	hiveha_value_set_float(NEXT(), 1e-45f);           /* denormal */
	hiveha_value_set_float(NEXT(), 3.4028235e38f);
	hiveha_value_set_double(NEXT(), NAN);
	hiveha_value_set_double(NEXT(), INFINITY);
	hiveha_value_set_double(NEXT(), -INFINITY);
	hiveha_value_set_double(NEXT(), -0.0);
	hiveha_value_set_double(NEXT(), 0.1);
	hiveha_value_set_double(NEXT(), 4.9e-324);
	hiveha_value_set_double(NEXT(), 1.7976931348623157e308);
	hiveha_value_set_double(NEXT(), 9007199254740993.0);
	t = INT64_C(132000000000000001);
	set_str(NEXT(), utf8, strlen(utf8));
	set_str(NEXT(), "", 0);
	if (with_nul)
		set_str(NEXT(), "a\0b", 3);
	hiveha_value_set_time(NEXT(), INT64_MIN);
	hiveha_value_set_time(NEXT(), INT64_MAX);
	t = INT64_MAX - 1;
	hiveha_value_set_double(NEXT(), 1.0);
	t = INT64_MAX;
	hiveha_value_set_double(NEXT(), 2.0);
	s[n - 1].quality = UINT32_MAX;
#undef NEXT
	cr_assert_leq(n, 40);
	return n;
}

hiveha_sample *fx_doubles_1hz(size_t n)
{
	hiveha_sample *s = calloc(n, sizeof(*s));
	size_t i;

	cr_assert(s);
	for (i = 0; i < n; i++) {
		s[i].time = INT64_C(133500000000000000) + (hiveha_time)i * HIVEHA_TICKS_PER_SECOND;
		hiveha_value_set_double(&s[i].value, 20.0 + sin((double)i / 100.0) * 5.0);
		s[i].quality = HIVEHA_QUALITY_GOOD;
	}
	return s;
}

const char *const fx_ts_items[FX_TS_ITEM_COUNT] = {
	"before", "edge \"items\" \xc3\xa4\\", "unknown", "skipped", "plant/1hz"
};

void fx_ts_reply(hh_ts_reply *r, int with_nul)
{
	memset(r, 0, sizeof(*r));
	r->items = calloc(3, sizeof(*r->items));
	cr_assert(r->items);
	r->item_count = 3;
	r->items[0].id = dup("edge \"items\" \xc3\xa4\\");
	r->items[0].samples = calloc(40, sizeof(hiveha_sample));
	r->items[0].count = edge_samples(r->items[0].samples, with_nul);
	r->items[0].complete = 1;
	r->items[1].id = dup("unknown");
	r->items[1].unknown = 1;
	r->items[1].complete = 1;
	r->items[2].id = dup("plant/1hz");
	r->items[2].samples = fx_doubles_1hz(100);
	r->items[2].count = 100;
	r->cursor = dup("t1:2:133500000990000000:1");
}

void fx_ts_reply_free(hh_ts_reply *r)
{
	hh_ts_reply_free(r);
}

static void set_event(hiveha_event *e, hiveha_time t, const char *msg)
{
	memset(e, 0, sizeof(*e));
	e->time = t;
	e->received_time = t + 5;
	e->source_id = UINT32_MAX;
	e->type_id = 7;
	e->category = 3;
	e->state = 0x80000001u;
	e->severity = 1000;
	e->message = msg ? dup(msg) : NULL;
}

void fx_ev_reply(hh_ev_reply *r)
{
	hiveha_sample tmp[40];
	size_t n, i;

	memset(r, 0, sizeof(*r));
	r->events = calloc(3, sizeof(*r->events));
	cr_assert(r->events);
	r->count = 3;
	set_event(&r->events[0], INT64_MIN, NULL);
	set_event(&r->events[1], INT64_C(132000000000000000), "");
	set_event(&r->events[2], INT64_C(132000000000000000), "Kessel \"3\" \xe2\x82\xac \\ \n");
	r->events[2].source_name = dup("src/\xc3\xa4");
	r->events[2].user_name = dup("");
	n = edge_samples(tmp, 0);
	r->events[2].attributes = calloc(n, sizeof(hiveha_attribute));
	r->events[2].attribute_count = n;
	for (i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "a%zu", i);
		r->events[2].attributes[i].name = dup(name);
		r->events[2].attributes[i].value = tmp[i].value; /* moves ownership */
	}
	r->cursor = dup("e1:132000000000000000:2");
}

void fx_ev_reply_free(hh_ev_reply *r)
{
	hh_ev_reply_free(r);
}

static void assert_samples_equal(const hiveha_sample *a, const hiveha_sample *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		cr_assert_eq(a[i].value.type, b[i].value.type, "sample %zu: type %u != %u", i,
		             a[i].value.type, b[i].value.type);
		cr_assert_eq(hiveha_sample_compare(&a[i], &b[i]), 0, "sample %zu differs", i);
		if (a[i].value.type == HIVEHA_TYPE_DOUBLE)
			cr_assert_eq(signbit(a[i].value.as.f64), signbit(b[i].value.as.f64));
		if (a[i].value.type == HIVEHA_TYPE_FLOAT)
			cr_assert_eq(signbit(a[i].value.as.f32), signbit(b[i].value.as.f32));
		if (a[i].value.type == HIVEHA_TYPE_STRING) {
			cr_assert_eq(a[i].value.as.str.len, b[i].value.as.str.len);
			cr_assert_eq(b[i].value.as.str.ptr[b[i].value.as.str.len], '\0');
		}
	}
}

static void assert_gaps_equal(const hh_gap *a, size_t na, const hh_gap *b, size_t nb)
{
	size_t i;

	cr_assert_eq(na, nb);
	for (i = 0; i < na; i++) {
		cr_assert_eq(a[i].from, b[i].from);
		cr_assert_eq(a[i].to, b[i].to);
		cr_assert_eq(!a[i].filling, !b[i].filling);
	}
}

static void assert_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		cr_assert_eq(a, b, "NULL vs non-NULL string");
	else
		cr_assert_str_eq(a, b);
}

void fx_assert_ts_equal(const hh_ts_reply *a, const hh_ts_reply *b)
{
	size_t i;

	assert_gaps_equal(a->gaps, a->gap_count, b->gaps, b->gap_count);
	assert_str_eq(a->cursor, b->cursor);
	cr_assert_eq(a->item_count, b->item_count);
	for (i = 0; i < a->item_count; i++) {
		cr_assert_str_eq(a->items[i].id, b->items[i].id);
		cr_assert_eq(!a->items[i].unknown, !b->items[i].unknown);
		cr_assert_eq(!a->items[i].complete, !b->items[i].complete);
		cr_assert_eq(a->items[i].count, b->items[i].count);
		assert_samples_equal(a->items[i].samples, b->items[i].samples, a->items[i].count);
	}
}

void fx_assert_ev_equal(const hh_ev_reply *a, const hh_ev_reply *b)
{
	size_t i, k;

	assert_gaps_equal(a->gaps, a->gap_count, b->gaps, b->gap_count);
	assert_str_eq(a->cursor, b->cursor);
	cr_assert_eq(a->count, b->count);
	for (i = 0; i < a->count; i++) {
		const hiveha_event *x = &a->events[i], *y = &b->events[i];

		cr_assert(hiveha_event_equal(x, y), "event %zu differs", i);
		assert_str_eq(x->message, y->message);
		assert_str_eq(x->source_name, y->source_name);
		assert_str_eq(x->user_name, y->user_name);
		for (k = 0; k < x->attribute_count; k++) {
			hiveha_sample sx = { 0, x->attributes[k].value, 0 };
			hiveha_sample sy = { 0, y->attributes[k].value, 0 };

			assert_samples_equal(&sx, &sy, 1);
		}
	}
}
