/*
 * fuzz_responder.c - hiveha_responder_handle() on arbitrary requests over
 * an in-memory store with a few items (equal timestamps, strings, an
 * empty item, vectors and matrices) and events (one with a vector).
 *
 * Input: byte 0 picks the kind (hello / timeseries / events / other) and
 * the token variant, byte 1 the page limits; the rest is the body. Checks
 * besides the sanitizers: a reply always decodes (data or error reply,
 * with the status handle() returned), and following the cursors of a
 * valid request terminates with every page making progress.
 */
#include <stdlib.h>
#include <string.h>

#include <hiveha/responder.h>

#include "memstore.h"
#include "protocol/protocol.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

static hiveha_store store;
static int ready;

static void put(const char *item, hiveha_time t, const char *s, double d)
{
	hiveha_sample x = { t, { 0 }, HIVEHA_QUALITY_GOOD };

	if (s)
		CHECK(hiveha_value_set_string(&x.value, s, strlen(s)) == 0);
	else
		hiveha_value_set_double(&x.value, d);
	CHECK(memstore_append_samples(&store, item, &x, 1) == 0);
	hiveha_value_clear(&x.value);
}

/* "arr": a vector with a NaN payload, a string matrix and an empty matrix
 * (served as unknown to a request without HH_CAP_ARRAYS); an event with a
 * vector attribute (skipped for one). */
static void put_arrays(void)
{
	static const uint64_t nan_bits = UINT64_C(0x7ff8000000000001);
	hiveha_string str[2] = { { (char *)"p\0q", 3 }, { (char *)"r", 1 } };
	hiveha_attribute at = { (char *)"vec", { 0 } };
	hiveha_event e = { 0 };
	hiveha_sample x[3];
	double d[3] = { 1, 0, -0.0 };
	int i;

	memcpy(&d[1], &nan_bits, 8);
	memset(x, 0, sizeof(x));
	CHECK(hiveha_value_set_vector(&x[0].value, HIVEHA_TYPE_DOUBLE, d, 3) == 0);
	CHECK(hiveha_value_set_matrix(&x[1].value, HIVEHA_TYPE_STRING, str, 2, 1) == 0);
	CHECK(hiveha_value_set_matrix(&x[2].value, HIVEHA_TYPE_INT64, NULL, 0, 4) == 0);
	for (i = 0; i < 3; i++) {
		x[i].time = 14 + i;
		x[i].quality = HIVEHA_QUALITY_GOOD;
	}
	CHECK(memstore_append_samples(&store, "arr", x, 3) == 0);
	for (i = 0; i < 3; i++)
		hiveha_value_clear(&x[i].value);
	CHECK(hiveha_value_set_vector(&at.value, HIVEHA_TYPE_DOUBLE, d, 3) == 0);
	e.time = 13;
	e.source_id = 9;
	e.message = "with an array";
	e.attributes = &at;
	e.attribute_count = 1;
	CHECK(memstore_add_events(&store, &e, 1, NULL) == 0);
	hiveha_value_clear(&at.value);
}

static void setup(void)
{
	hiveha_event e = { 0 };
	int i;

	CHECK(memstore_new(&store) == 0);
	memstore_set_batch(&store, 2);
	for (i = 0; i < 5; i++)
		put("a", 15, NULL, i);
	put("a", 16, "x\"y", 0);
	put("b", 10, NULL, 1.5);
	put("b", 19, NULL, -0.0);
	CHECK(memstore_add_item(&store, "empty") == 0);
	put_arrays();
	for (i = 0; i < 5; i++) {
		e.time = 12 + i / 2;
		e.source_id = (uint32_t)i;
		e.message = "m";
		CHECK(memstore_add_events(&store, &e, 1, NULL) == 0);
	}
	ready = 1;
}

typedef struct sink {
	hh_buf buf;
} sink;

static int on_write(const void *d, size_t n, void *payload)
{
	return hh_buf_append(&((sink *)payload)->buf, d, n);
}

static int run(hiveha_responder *r, const char *kind, const char *token, const void *body,
               size_t len, hh_buf *out)
{
	hiveha_request req = { HIVEHA_REQUEST_VERSION, kind, token, body, len };
	sink s;
	int rc;

	hh_buf_init(&s.buf, NULL);
	rc = hiveha_responder_handle(r, &req, on_write, &s);
	*out = s.buf;
	return rc;
}

/* Follows the cursors of a timeseries request the responder accepted. */
static void follow_ts(hiveha_responder *r, hh_ts_request *q, const hh_limits *lim)
{
	hh_ts_reply rep;
	hh_errbuf err;
	hh_buf body, out;
	int pages, rc;

	for (pages = 0; pages < 64; pages++) {
		hh_buf_init(&body, NULL);
		CHECK(hh_encode_ts_request(&body, q) == 0);
		rc = run(r, HIVEHA_MSG_TIMESERIES, "tok", body.data, body.len, &out);
		CHECK(hh_decode_ts_reply_for(&rep, out.data, out.len, lim, &err,
		                             (const char *const *)q->items, q->item_count) == rc);
		hh_buf_free(&body);
		hh_buf_free(&out);
		if (rc) {
			hh_ts_reply_free(&rep);
			return;
		}
		CHECK(rep.item_count > 0 || !rep.cursor);
		/* the request owns its cursor (hh_window.owned): swap in the reply's */
		free(q->window.owned);
		q->window.owned = rep.cursor;
		q->window.cursor = rep.cursor;
		rep.cursor = NULL;
		hh_ts_reply_free(&rep);
		if (!q->window.cursor)
			return;
	}
	CHECK(0 && "paging did not finish");
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char *kinds[] = { HIVEHA_MSG_HELLO, HIVEHA_MSG_TIMESERIES, HIVEHA_MSG_EVENTS, "x" };
	static const char *tokens[] = { "tok", NULL, "tok2", "to" };
	hiveha_responder_config cfg = HIVEHA_RESPONDER_CONFIG_INIT;
	hiveha_responder *r;
	const char *kind, *token;
	hh_limits lim;
	hh_errbuf err;
	hh_buf out;
	int rc, drc;

	if (size < 2)
		return 0;
	if (!ready)
		setup();
	kind = kinds[data[0] & 3];
	token = tokens[(data[0] >> 2) & 3];
	cfg.token = "tok";
	cfg.max_samples = 1u + (data[1] & 7);
	cfg.max_events = 1u + ((data[1] >> 3) & 3);
	cfg.max_reply_bytes = data[1] & 0x80 ? 600 : 0;
	cfg.max_items = 8;
	cfg.max_request_bytes = 4096;
	memstore_ref(&store);
	CHECK(hiveha_responder_new(&r, &cfg, &store, NULL) == 0);
	rc = run(r, kind, token, data + 2, size - 2, &out);
	hh_limits_default(&lim);
	if (rc == HIVEHA_EAUTH) {
		CHECK(out.len == 0);
		CHECK(token == NULL || strcmp(token, "tok") != 0);
	} else if (!strcmp(kind, HIVEHA_MSG_HELLO)) {
		hh_hello h;

		drc = hh_decode_hello(&h, out.data, out.len, &lim, &err);
		CHECK(drc == rc);
		hh_hello_free(&h);
	} else if (!strcmp(kind, HIVEHA_MSG_EVENTS)) {
		hh_ev_reply e;

		drc = hh_decode_ev_reply(&e, out.data, out.len, &lim, &err);
		CHECK(drc == rc);
		hh_ev_reply_free(&e);
	} else {
		hh_ts_reply t;
		hh_ts_request q;
		int have_q;

		/* A binary reply names items by their index in the request. */
		lim.max_message_bytes = cfg.max_request_bytes;
		lim.max_items = cfg.max_items;
		have_q = !strcmp(kind, HIVEHA_MSG_TIMESERIES) &&
		         hh_decode_ts_request(&q, data + 2, size - 2, &lim, &err) == 0;
		hh_limits_default(&lim);
		drc = hh_decode_ts_reply_for(&t, out.data, out.len, &lim, &err,
		                             have_q ? (const char *const *)q.items : NULL,
		                             have_q ? q.item_count : 0);
		CHECK(drc == rc);
		hh_ts_reply_free(&t);
		if (have_q) {
			if (rc == 0)
				follow_ts(r, &q, &lim);
			hh_ts_request_free(&q);
		}
	}
	hh_buf_free(&out);
	hiveha_responder_free(r);
	return 0;
}
