/*
 * test_responder_arrays.c - serving vectors and matrices (issue 13): to a
 * requester with HH_CAP_ARRAYS bit for bit in both encodings; to one
 * without it (an older peer, or a store below version 3) an array item is
 * "unknown" and logged by name, scalars are served, NaNs go canonical in
 * JSON, and an event with an array attribute is skipped with a reason.
 * A maximal array under a small reply budget still travels, alone.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <hiveha/responder.h>

#include "memstore.h"
#include "protocol/protocol.h"

static hiveha_store store;
static hiveha_responder *resp;
static hh_limits lim;
static char logged[1024];

static void on_log(int level, const char *msg, void *payload)
{
	(void)payload;
	if (level == HIVEHA_LOG_WARN && strlen(logged) + strlen(msg) + 2 < sizeof(logged)) {
		strcat(logged, msg);
		strcat(logged, "\n");
	}
}

static void make(uint32_t max_reply_bytes)
{
	hiveha_responder_config cfg = HIVEHA_RESPONDER_CONFIG_INIT;

	if (resp)
		hiveha_responder_free(resp);
	cfg.max_reply_bytes = max_reply_bytes;
	cfg.on_log = on_log;
	memstore_ref(&store);
	cr_assert_eq(hiveha_responder_new(&resp, &cfg, &store, NULL), 0);
}

static void setup(void)
{
	hh_limits_default(&lim);
	cr_assert_eq(memstore_new(&store), 0);
	resp = NULL;
	logged[0] = '\0';
	make(0);
}

static void teardown(void)
{
	hiveha_responder_free(resp);
	memstore_free(&store);
}

TestSuite(responder_arrays, .init = setup, .fini = teardown);

static double dbits(uint64_t b)
{
	double d;

	memcpy(&d, &b, 8);
	return d;
}

static void add(const char *item, hiveha_time t, hiveha_value *v)
{
	hiveha_sample s = { t, { 0 }, HIVEHA_QUALITY_GOOD };

	s.value = *v;
	cr_assert_eq(memstore_append_samples(&store, item, &s, 1), 0);
	hiveha_value_clear(v);
}

static int on_write(const void *data, size_t len, void *payload)
{
	return hh_buf_append(payload, data, len);
}

static void reply_of(const char *kind, const hh_buf *body, hh_buf *out)
{
	hiveha_request req = { HIVEHA_REQUEST_VERSION, kind, NULL, body->data, body->len };

	hh_buf_init(out, NULL);
	cr_assert_eq(hiveha_responder_handle(resp, &req, on_write, out), 0);
}

/* One page of items[0..n) in `enc` with `caps`. */
static void ts_page(char **items, size_t n, uint32_t enc, uint32_t caps, uint32_t max_reply,
                    hh_ts_reply *rep, const char *cursor)
{
	hh_ts_request q = { .window = { .from = 0, .to = 1000, .cursor = cursor }, .items = items,
	                    .item_count = n, .encoding = enc, .caps = caps,
	                    .max_reply_bytes = max_reply };
	hh_errbuf err;
	hh_buf body, out;

	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_ts_request(&body, &q), 0);
	reply_of(HIVEHA_MSG_TIMESERIES, &body, &out);
	cr_assert_eq(hh_decode_ts_reply_for(rep, out.data, out.len, &lim, &err,
	                                    (const char *const *)items, n),
	             0, "%s", err.msg);
	hh_buf_free(&body);
	hh_buf_free(&out);
}

#define NO_ARRAYS (HH_CAPS & ~HH_CAP_ARRAYS)

static const uint64_t odd_nan = UINT64_C(0xfff8000000000001);

/* V: a vector with a NaN payload, M: a string matrix, S: a scalar NaN
 * payload, X: a scalar, then a matrix, T: a scalar. */
static void add_items(void)
{
	double d[3] = { 1, dbits(odd_nan), -0.0 };
	hiveha_string str[2] = { { (char *)"a\0b", 3 }, { (char *)"", 0 } };
	hiveha_value v;

	memset(&v, 0, sizeof(v));
	cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_DOUBLE, d, 3), 0);
	add("V", 10, &v);
	cr_assert_eq(hiveha_value_set_matrix(&v, HIVEHA_TYPE_STRING, str, 2, 1), 0);
	add("M", 10, &v);
	hiveha_value_set_double(&v, dbits(odd_nan));
	add("S", 10, &v);
	hiveha_value_set_int64(&v, 7);
	add("X", 10, &v);
	cr_assert_eq(hiveha_value_set_matrix(&v, HIVEHA_TYPE_INT64, NULL, 0, 3), 0);
	add("X", 11, &v);
	hiveha_value_set_bool(&v, true);
	add("T", 10, &v);
}

static char *ids[] = { "M", "S", "T", "V", "X" };
enum { I_M, I_S, I_T, I_V, I_X, I_COUNT };

/* The stored sample `k` of `item`. */
static void stored(const char *item, size_t k, hiveha_sample *out)
{
	hiveha_sample *s = NULL;
	size_t n = 0;

	cr_assert_eq(memstore_get_samples(&store, item, &s, &n), 0);
	cr_assert_lt(k, n);
	*out = s[k];
	memset(&s[k].value, 0, sizeof(s[k].value));
	memstore_free_samples(s, n);
}

Test(responder_arrays, served_bit_for_bit_to_a_requester_with_the_cap)
{
	uint32_t enc;

	add_items();
	for (enc = HH_ENC_JSON; enc <= HH_ENC_BIN; enc++) {
		hh_ts_reply rep;
		size_t i, k;

		ts_page(ids, I_COUNT, enc, HH_CAPS, 0, &rep, NULL);
		cr_assert_eq(rep.item_count, I_COUNT);
		for (i = 0; i < I_COUNT; i++) {
			cr_assert_not(rep.items[i].unknown, "%s", ids[i]);
			for (k = 0; k < rep.items[i].count; k++) {
				hiveha_sample want;

				stored(ids[i], k, &want);
				cr_assert_eq(hiveha_sample_compare(&want, &rep.items[i].samples[k]), 0,
				             "%s[%zu], encoding %u", ids[i], k, enc);
				hiveha_value_clear(&want.value);
			}
		}
		hh_ts_reply_free(&rep);
	}
	cr_assert_str_eq(logged, "");
}

Test(responder_arrays, old_requester_gets_array_items_as_unknown)
{
	static const uint32_t caps[] = { 0, NO_ARRAYS };
	uint32_t enc;
	size_t c;

	add_items();
	for (c = 0; c < 2; c++) {
		for (enc = HH_ENC_JSON; enc <= HH_ENC_BIN; enc++) {
			hh_ts_reply rep;
			uint64_t bits;

			logged[0] = '\0';
			/* caps 0 cannot read NUL in JSON strings: M only in binary */
			ts_page(ids, I_COUNT, enc, caps[c], 0, &rep, NULL);
			cr_assert_eq(rep.item_count, I_COUNT);
			cr_assert_null(rep.cursor, "the page never fails, and ends");
			cr_assert(rep.items[I_M].unknown && rep.items[I_M].complete);
			cr_assert(rep.items[I_V].unknown && rep.items[I_V].complete);
			cr_assert(rep.items[I_X].unknown, "a scalar before the matrix does not save it");
			cr_assert_eq(rep.items[I_V].count + rep.items[I_X].count + rep.items[I_M].count, 0);
			cr_assert_not(rep.items[I_S].unknown);
			cr_assert_not(rep.items[I_T].unknown);
			cr_assert_eq(rep.items[I_T].count, 1);
			cr_assert(rep.items[I_T].samples[0].value.as.b);
			memcpy(&bits, &rep.items[I_S].samples[0].value.as.f64, 8);
			/* JSON: the canonical NaN an old decoder reads; binary: the bits */
			cr_assert_eq(bits, enc == HH_ENC_JSON ? HH_DOUBLE_QNAN : odd_nan,
			             "%llx, encoding %u", (unsigned long long)bits, enc);
			cr_assert(strstr(logged, "item \"V\" holds vector or matrix values"), "%s", logged);
			cr_assert(strstr(logged, "item \"X\""), "%s", logged);
			cr_assert(strstr(logged, "item \"M\""), "%s", logged);
			cr_assert_null(strstr(logged, "item \"S\""), "%s", logged);
			hh_ts_reply_free(&rep);
		}
	}
}

Test(responder_arrays, json_nan_payload_exact_with_the_cap)
{
	hh_ts_reply rep;
	uint64_t bits;

	add_items();
	ts_page(&ids[I_S], 1, HH_ENC_JSON, HH_CAPS, 0, &rep, NULL);
	memcpy(&bits, &rep.items[0].samples[0].value.as.f64, 8);
	cr_assert_eq(bits, odd_nan);
	hh_ts_reply_free(&rep);
}

/* 65536 doubles is ~512 KiB in a block and more in JSON: under a budget of
 * a few KiB each page carries exactly one such sample, and progresses. */
Test(responder_arrays, a_sample_larger_than_the_budget_travels_alone)
{
	size_t n = HIVEHA_VALUE_MAX_ELEMENTS, i;
	double *d = malloc(n * sizeof(*d));
	uint32_t enc;
	hiveha_value v;

	cr_assert_not_null(d);
	memset(&v, 0, sizeof(v));
	for (i = 0; i < n; i++)
		d[i] = (double)i / 7;
	for (i = 0; i < 3; i++) {
		d[0] = (double)i;
		cr_assert_eq(hiveha_value_set_vector(&v, HIVEHA_TYPE_DOUBLE, d, n), 0);
		add("B", 20 + (hiveha_time)(i / 2), &v); /* two at the same time */
	}
	free(d);
	make(8192);
	for (enc = HH_ENC_JSON; enc <= HH_ENC_BIN; enc++) {
		char *items[] = { "B" };
		char *cursor = NULL;
		size_t pages = 0, got = 0;

		for (;;) {
			hh_ts_reply rep;
			hiveha_sample want;

			ts_page(items, 1, enc, HH_CAPS, 4096, &rep, cursor);
			free(cursor);
			cursor = NULL;
			pages++;
			cr_assert_eq(rep.item_count, 1);
			cr_assert_eq(rep.items[0].count, 1, "one maximal sample a page");
			stored("B", got, &want);
			cr_assert_eq(hiveha_sample_compare(&want, &rep.items[0].samples[0]), 0);
			hiveha_value_clear(&want.value);
			got++;
			if (rep.cursor) {
				cursor = malloc(strlen(rep.cursor) + 1);
				cr_assert_not_null(cursor);
				strcpy(cursor, rep.cursor);
			}
			hh_ts_reply_free(&rep);
			if (!cursor)
				break;
			cr_assert_lt(pages, 10);
		}
		cr_assert_eq(got, 3);
		cr_assert_eq(pages, 3);
	}
}

/* ---- events -------------------------------------------------------------- */

static void fetch_events(uint32_t caps, hh_ev_reply *rep)
{
	hh_ev_request q = { .window = { .from = 0, .to = 100 }, .caps = caps };
	hh_errbuf err;
	hh_buf body, out;

	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_ev_request(&body, &q), 0);
	reply_of(HIVEHA_MSG_EVENTS, &body, &out);
	cr_assert_eq(hh_decode_ev_reply(rep, out.data, out.len, &lim, &err), 0, "%s", err.msg);
	hh_buf_free(&body);
	hh_buf_free(&out);
}

Test(responder_arrays, events_with_array_attributes)
{
	hiveha_attribute at[2] = { { (char *)"temps", { 0 } }, { (char *)"nan", { 0 } } };
	double d[2] = { 1.5, dbits(odd_nan) };
	hiveha_event e = { 0 };
	hh_ev_reply rep;
	uint64_t bits;

	cr_assert_eq(hiveha_value_set_vector(&at[0].value, HIVEHA_TYPE_DOUBLE, d, 2), 0);
	hiveha_value_set_double(&at[1].value, dbits(odd_nan));
	e.time = 5;
	e.source_id = 1;
	e.message = (char *)"with array";
	e.attributes = at;
	e.attribute_count = 2;
	cr_assert_eq(memstore_add_events(&store, &e, 1, NULL), 0);
	e.time = 6;
	e.message = (char *)"scalar nan";
	e.attributes = &at[1];
	e.attribute_count = 1;
	cr_assert_eq(memstore_add_events(&store, &e, 1, NULL), 0);

	fetch_events(HH_CAPS, &rep);
	cr_assert_eq(rep.count, 2);
	cr_assert_eq(rep.skipped_total, 0);
	cr_assert_eq(hiveha_value_compare(&rep.events[0].attributes[0].value, &at[0].value), 0);
	cr_assert_eq(hiveha_value_compare(&rep.events[1].attributes[0].value, &at[1].value), 0);
	hh_ev_reply_free(&rep);

	fetch_events(NO_ARRAYS, &rep);
	cr_assert_eq(rep.count, 1, "the array event is skipped, never the page");
	cr_assert_str_eq(rep.events[0].message, "scalar nan");
	memcpy(&bits, &rep.events[0].attributes[0].value.as.f64, 8);
	cr_assert_eq(bits, HH_DOUBLE_QNAN, "canonical to an old decoder");
	cr_assert_eq(rep.skipped_total, 1);
	cr_assert_eq(rep.skipped_count, 1);
	cr_assert(strstr(rep.skipped[0].reason, "attribute \"temps\" is a vector or matrix"), "%s",
	          rep.skipped[0].reason);
	cr_assert(strstr(logged, "temps"), "%s", logged);
	hh_ev_reply_free(&rep);
	hiveha_value_clear(&at[0].value);
}

Test(responder_arrays, requester_caps_follow_the_store_version)
{
	cr_assert_eq(hh_requester_caps(1) & HH_CAP_ARRAYS, 0);
	cr_assert_eq(hh_requester_caps(2) & HH_CAP_ARRAYS, 0);
	cr_assert_eq(hh_requester_caps(2), HH_CAPS & ~HH_CAP_ARRAYS);
	cr_assert_eq(hh_requester_caps(3), HH_CAPS);
	cr_assert(HH_CAPS & HH_CAP_ARRAYS, "the responder announces it");
}
