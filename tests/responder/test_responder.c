/*
 * test_responder.c - hiveha_responder_handle() end to end: requests are
 * encoded and replies decoded with the protocol codec, as a peer would.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiveha/responder.h>

#include "memstore.h"
#include "protocol/protocol.h"
#include "responder_internal.h"

static hiveha_store store;
static hiveha_responder *resp;
static hh_limits lim;

typedef struct sink {
	hh_buf buf;
	size_t pieces;
	int fail_with;
} sink;

static int on_write(const void *data, size_t len, void *payload)
{
	sink *s = payload;

	s->pieces++;
	if (s->fail_with)
		return s->fail_with;
	cr_assert_gt(len, 0);
	return hh_buf_append(&s->buf, data, len);
}

static void add(const char *item, hiveha_time t, double v)
{
	hiveha_sample s = { t, { 0 }, HIVEHA_QUALITY_GOOD };

	hiveha_value_set_double(&s.value, v);
	cr_assert_eq(memstore_append_samples(&store, item, &s, 1), 0);
}

static void add_str(const char *item, hiveha_time t, const char *v)
{
	hiveha_sample s = { t, { 0 }, HIVEHA_QUALITY_GOOD };

	cr_assert_eq(hiveha_value_set_string(&s.value, v, strlen(v)), 0);
	cr_assert_eq(memstore_append_samples(&store, item, &s, 1), 0);
	hiveha_value_clear(&s.value);
}

static void make(const hiveha_responder_config *cfg)
{
	if (resp)
		hiveha_responder_free(resp);
	memstore_ref(&store); /* the responder drops one reference when freed */
	cr_assert_eq(hiveha_responder_new(&resp, cfg, &store, NULL), 0);
}

static void setup(void)
{
	hh_limits_default(&lim);
	cr_assert_eq(memstore_new(&store), 0);
	memstore_set_batch(&store, 1); /* several visitor calls per read */
	resp = NULL;
	make(NULL);
}

static void teardown(void)
{
	hiveha_responder_free(resp);
	memstore_free(&store);
}

TestSuite(responder, .init = setup, .fini = teardown);

static int handle(const char *kind, const char *token, const hh_buf *body, sink *out)
{
	hiveha_request req = { HIVEHA_REQUEST_VERSION, kind, token, body ? body->data : NULL,
	                       body ? body->len : 0 };

	hh_buf_init(&out->buf, NULL);
	out->pieces = 0;
	out->fail_with = 0;
	return hiveha_responder_handle(resp, &req, on_write, out);
}

/* One timeseries page; returns handle()'s status, the decoded reply's in *drc. */
static int ts_page(const hh_ts_request *q, const char *token, hh_ts_reply *rep, int *drc,
                   hh_errbuf *err)
{
	hh_buf body;
	sink out = { 0 };
	int rc;

	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_ts_request(&body, q), 0);
	rc = handle(HIVEHA_MSG_TIMESERIES, token, &body, &out);
	*drc = hh_decode_ts_reply_for(rep, out.buf.data, out.buf.len, &lim, err,
	                              (const char *const *)q->items, q->item_count);
	hh_buf_free(&body);
	hh_buf_free(&out.buf);
	return rc;
}

/* Fetches every page of `q`; appends "item:value" per sample to `trace`
 * and checks the paging rules on every page. Returns the page count. */
static size_t fetch_all(hh_ts_request q, char *trace, size_t size, size_t limit)
{
	hh_ts_reply rep;
	hh_errbuf err;
	char *cursor = NULL;
	size_t pages = 0, i, k, total;
	int drc;

	trace[0] = '\0';
	for (;;) {
		q.window.cursor = cursor;
		cr_assert_eq(ts_page(&q, NULL, &rep, &drc, &err), 0);
		cr_assert_eq(drc, 0, "%s", err.msg);
		pages++;
		cr_assert_lt(pages, 1000, "paging does not progress");
		total = 0;
		for (i = 0; i < rep.item_count; i++) {
			total += rep.items[i].count;
			/* Only the last item of a page with a cursor may be incomplete. */
			if (i + 1 < rep.item_count || !rep.cursor)
				cr_assert(rep.items[i].complete, "item %s incomplete mid-page", rep.items[i].id);
			for (k = 0; k < rep.items[i].count; k++) {
				const hiveha_sample *s = &rep.items[i].samples[k];
				char one[64];

				if (s->value.type == HIVEHA_TYPE_STRING)
					snprintf(one, sizeof(one), "%s:%.8s ", rep.items[i].id, s->value.as.str.ptr);
				else
					snprintf(one, sizeof(one), "%s:%g ", rep.items[i].id, s->value.as.f64);
				cr_assert_lt(strlen(trace) + strlen(one), size);
				strcat(trace, one);
			}
			if (rep.items[i].unknown) {
				cr_assert(strlen(trace) + strlen(rep.items[i].id) + 3 < size);
				strcat(trace, rep.items[i].id);
				strcat(trace, ":? ");
			}
		}
		cr_assert_leq(total, limit);
		cr_assert(total > 0 || rep.item_count > 0, "a page without progress");
		free(cursor);
		cursor = rep.cursor;
		rep.cursor = NULL;
		hh_ts_reply_free(&rep);
		if (!cursor)
			return pages;
	}
}

Test(responder, t6_equal_timestamps_page_limit_2)
{
	char *items[] = { "X" };
	hh_ts_request q = { .window = { .from = 10, .to = 20 }, .items = items, .item_count = 1,
	                    .max_samples = 2, .encoding = HH_ENC_BIN };
	char trace[256];

	add_str("X", 15, "a");
	add_str("X", 15, "b");
	add_str("X", 15, "c");
	cr_assert_eq(fetch_all(q, trace, sizeof(trace), 2), 2);
	cr_assert_str_eq(trace, "X:a X:b X:c ");
	q.encoding = HH_ENC_JSON;
	q.max_samples = 1;
	cr_assert_eq(fetch_all(q, trace, sizeof(trace), 1), 3);
	cr_assert_str_eq(trace, "X:a X:b X:c ");
}

Test(responder, paging_across_items_boundaries_and_unknowns)
{
	char *items[] = { "b", "nope", "a", "c", "empty" };
	hh_ts_request q = { .window = { .from = 10, .to = 20 }, .items = items, .item_count = 5,
	                    .encoding = HH_ENC_BIN };
	char trace[1024];
	const char *want = "b:1 b:2 b:3 b:4 b:5 nope:? a:10 a:11 a:12 a:13 c:20 c:21 c:22 c:23 c:24 c:25 ";
	uint32_t limit;

	add("a", 9, -1);   /* before from: not sent */
	add("a", 10, 10);  /* at from: sent */
	add("a", 12, 11);
	add("a", 12, 12);
	add("a", 19, 13);
	add("a", 20, -2);  /* at to: not sent */
	add("b", 11, 1);
	add("b", 11, 2);
	add("b", 11, 3);
	add("b", 15, 4);
	add("b", 15, 5);
	for (int i = 0; i < 6; i++)
		add("c", 13, 20 + i);
	cr_assert_eq(memstore_add_item(&store, "empty"), 0);
	for (limit = 1; limit <= 17; limit++) {
		q.max_samples = limit;
		q.encoding = limit % 2 ? HH_ENC_BIN : HH_ENC_JSON;
		fetch_all(q, trace, sizeof(trace), limit);
		cr_assert_str_eq(trace, want, "limit %u", limit);
	}
}

Test(responder, unknown_and_complete_flags)
{
	char *items[] = { "a", "ghost", "b" };
	hh_ts_request q = { .window = { .from = 0, .to = 100 }, .items = items, .item_count = 3,
	                    .max_samples = 2, .encoding = HH_ENC_BIN };
	hh_ts_reply rep;
	hh_errbuf err;
	int drc;

	add("a", 1, 1);
	add("a", 2, 2);
	add("b", 1, 1);
	cr_assert_eq(ts_page(&q, NULL, &rep, &drc, &err), 0);
	cr_assert_eq(drc, 0, "%s", err.msg);
	/* "a" fills the page exactly and is complete; the next page starts at ghost. */
	cr_assert_eq(rep.item_count, 1);
	cr_assert_eq(rep.items[0].count, 2);
	cr_assert(rep.items[0].complete);
	cr_assert_not_null(rep.cursor);
	char *next = rep.cursor;
	q.window.cursor = next;
	rep.cursor = NULL;
	hh_ts_reply_free(&rep);
	cr_assert_eq(ts_page(&q, NULL, &rep, &drc, &err), 0);
	free(next);
	cr_assert_eq(rep.item_count, 2);
	cr_assert_str_eq(rep.items[0].id, "ghost");
	cr_assert(rep.items[0].unknown);
	cr_assert_eq(rep.items[0].count, 0);
	cr_assert(!rep.items[1].unknown);
	cr_assert(rep.items[1].complete);
	cr_assert_null(rep.cursor);
	hh_ts_reply_free(&rep);
}

Test(responder, resume_start_for_first_item)
{
	char *items[] = { "X", "Y" };
	hh_ts_request q = { .window = { .from = 10, .to = 20, .has_start = 1, .start_time = 15,
	                                .start_skip = 1 },
	                    .items = items, .item_count = 2, .encoding = HH_ENC_JSON };
	char trace[256];

	add_str("X", 12, "z");
	add_str("X", 15, "a");
	add_str("X", 15, "b");
	add_str("X", 15, "c");
	add_str("Y", 12, "y");
	fetch_all(q, trace, sizeof(trace), 1000);
	cr_assert_str_eq(trace, "X:b X:c Y:y ");
	q.max_samples = 1;
	fetch_all(q, trace, sizeof(trace), 1);
	cr_assert_str_eq(trace, "X:b X:c Y:y ");
}

Test(responder, byte_budget_cuts_pages_but_progresses)
{
	hiveha_responder_config cfg = HIVEHA_RESPONDER_CONFIG_INIT;
	char *items[] = { "S" };
	hh_ts_request q = { .window = { .from = 0, .to = 100 }, .items = items, .item_count = 1,
	                    .encoding = HH_ENC_BIN };
	char big[3000], trace[16384];
	size_t pages;
	int i;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 4; i++) {
		big[0] = (char)('0' + i);
		add_str("S", 5, big);
	}
	cfg.max_reply_bytes = 4000;
	make(&cfg);
	pages = fetch_all(q, trace, sizeof(trace), 1000);
	cr_assert_geq(pages, 2, "4 strings of 3000 bytes need several 4000-byte pages");
	cr_assert_str_eq(trace, "S:0xxxxxxx S:1xxxxxxx S:2xxxxxxx S:3xxxxxxx ");
}

Test(responder, auth)
{
	hiveha_responder_config cfg = HIVEHA_RESPONDER_CONFIG_INIT;
	hh_hello h = { 1, "peer", 0, 0, { 0, 0, 0, 0 } }, rh;
	hh_errbuf err;
	hh_buf body;
	sink out;
	const char *bad[] = { NULL, "", "s3cret!", "s3creX", "s3cre", "S3cret", "s3cret\n" };
	size_t i;

	cfg.token = "s3cret";
	make(&cfg);
	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_hello(&body, &h), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(handle(HIVEHA_MSG_HELLO, bad[i], &body, &out), HIVEHA_EAUTH, "token %zu", i);
		cr_assert_eq(out.pieces, 0, "nothing is written on EAUTH");
		hh_buf_free(&out.buf);
	}
	/* Even an unknown kind or an oversized body learns nothing without the token. */
	cr_assert_eq(handle("bogus", "wrong!", &body, &out), HIVEHA_EAUTH);
	cr_assert_eq(out.pieces, 0);
	cr_assert_eq(handle(HIVEHA_MSG_HELLO, "s3cret", &body, &out), 0);
	cr_assert_eq(hh_decode_hello(&rh, out.buf.data, out.buf.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(rh.protocol, 1);
	cr_assert_str_eq(rh.instance_id, "hiveha");
	cr_assert(rh.caps & HH_CAP_BIN_SAMPLES);
	hh_hello_free(&rh);
	hh_buf_free(&out.buf);
	/* Without a configured token, any token (or none) is accepted. */
	make(NULL);
	cr_assert_eq(handle(HIVEHA_MSG_HELLO, "whatever", &body, &out), 0);
	hh_buf_free(&out.buf);
	hh_buf_free(&body);
}

/* Sends raw bytes as `kind`; returns handle()'s status and checks that the
 * reply is an error reply carrying the same code. */
static int expect_error_reply(const char *kind, const char *text, size_t len)
{
	hh_buf body;
	hh_ts_reply rep;
	hh_errbuf err;
	sink out;
	int rc, drc;

	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_buf_append(&body, text, len), 0);
	rc = handle(kind, NULL, &body, &out);
	drc = hh_decode_ts_reply(&rep, out.buf.data, out.buf.len, &lim, &err);
	cr_assert_lt(rc, 0);
	cr_assert_eq(drc, rc, "reply code %d (%s) for status %d", drc, err.msg, rc);
	hh_ts_reply_free(&rep);
	hh_buf_free(&body);
	hh_buf_free(&out.buf);
	return rc;
}

Test(responder, hostile_cursors)
{
	static const char *cursors[] = {
		"x", "t1:", "t1:5:15:0", "t1:3:15:0", "t1:0:9:0", "t1:0:20:0", "t1:00:15:0",
		"t1:0:15:-1", "t1:0:15:0:", "t1:0:15", "t1:0:015:0", "t1:0:15:18446744073709551616",
		"e1:15:0", "t1:-1:15:0", "t1:0:-0:0", "t1::15:0", "t2:0:15:0", "t1:0:15:0 ",
		"t1:18446744073709551615:15:0"
	};
	char *items[] = { "X", "Y", "Z" };
	hh_ts_request q = { .window = { .from = 10, .to = 20 }, .items = items, .item_count = 3,
	                    .max_samples = 2, .encoding = HH_ENC_BIN };
	size_t i;

	add("X", 15, 1);
	for (i = 0; i < sizeof(cursors) / sizeof(cursors[0]); i++) {
		hh_buf body;

		q.window.cursor = (char *)cursors[i];
		hh_buf_init(&body, NULL);
		cr_assert_eq(hh_encode_ts_request(&body, &q), 0);
		cr_assert_eq(expect_error_reply(HIVEHA_MSG_TIMESERIES, (char *)body.data, body.len),
		             HIVEHA_EPROTOCOL, "cursor \"%s\"", cursors[i]);
		hh_buf_free(&body);
	}
}

Test(responder, malformed_oversized_and_unknown_kind)
{
	hiveha_responder_config cfg = HIVEHA_RESPONDER_CONFIG_INIT;
	char big[2000];

	cr_assert_eq(expect_error_reply(HIVEHA_MSG_TIMESERIES, "{\"v\":1", 6), HIVEHA_EPROTOCOL);
	cr_assert_eq(expect_error_reply(HIVEHA_MSG_EVENTS, "", 0), HIVEHA_EPROTOCOL);
	cr_assert_eq(expect_error_reply(HIVEHA_MSG_HELLO, "[]", 2), HIVEHA_EPROTOCOL);
	cr_assert_eq(expect_error_reply("config", "{}", 2), HIVEHA_EPROTOCOL);
	cr_assert_eq(expect_error_reply(NULL, "{}", 2), HIVEHA_EPROTOCOL);
	cfg.max_request_bytes = 1000;
	make(&cfg);
	memset(big, ' ', sizeof(big));
	cr_assert_eq(expect_error_reply(HIVEHA_MSG_HELLO, big, sizeof(big)), HIVEHA_ELIMIT);
	cfg.max_items = 2;
	make(&cfg);
	{
		const char *three = "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\","
		                    "\"items\":[\"a\",\"b\",\"c\"]}";

		cr_assert_eq(expect_error_reply(HIVEHA_MSG_TIMESERIES, three, strlen(three)), HIVEHA_ELIMIT);
	}
}

Test(responder, store_failure)
{
	char *items[] = { "X" };
	hh_ts_request q = { .window = { .from = 10, .to = 20 }, .items = items, .item_count = 1,
	                    .encoding = HH_ENC_BIN };
	hh_ev_request eq = { .window = { .from = 10, .to = 20 } };
	hh_ts_reply rep;
	hh_ev_reply erep;
	hh_errbuf err;
	hh_buf body;
	sink out;
	int drc;

	add("X", 15, 1);
	memstore_fail_nth(&store, MEMSTORE_MASK(MEMSTORE_READ_SAMPLES), 1, 0);
	cr_assert_eq(ts_page(&q, NULL, &rep, &drc, &err), HIVEHA_ESTORE);
	cr_assert_eq(drc, HIVEHA_ESTORE, "%s", err.msg);
	memstore_fail_nth(&store, MEMSTORE_MASK(MEMSTORE_READ_EVENTS), 1, HIVEHA_ENOMEM);
	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_ev_request(&body, &eq), 0);
	cr_assert_eq(handle(HIVEHA_MSG_EVENTS, NULL, &body, &out), HIVEHA_ESTORE);
	cr_assert_eq(hh_decode_ev_reply(&erep, out.buf.data, out.buf.len, &lim, &err), HIVEHA_ESTORE);
	hh_buf_free(&out.buf);
	hh_buf_free(&body);
	/* and it recovers */
	cr_assert_eq(ts_page(&q, NULL, &rep, &drc, &err), 0);
	cr_assert_eq(drc, 0);
	hh_ts_reply_free(&rep);
}

/* Issue 9 item 10: hello announces the limits a request must fit, so a
 * requester sizes its requests instead of failing for ever. */
Test(responder, hello_announces_the_limits)
{
	hiveha_responder_config cfg = HIVEHA_RESPONDER_CONFIG_INIT;
	hh_hello h = { 1, "peer", 0, 0, { 0, 0, 0, 0 } }, rh;
	hh_errbuf err;
	hh_buf body;
	sink out = { 0 };

	cfg.max_request_bytes = 65536;
	cfg.max_items = 100;
	cfg.max_reply_bytes = 1 << 20;
	make(&cfg);
	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_hello(&body, &h), 0);
	cr_assert_eq(handle(HIVEHA_MSG_HELLO, NULL, &body, &out), 0);
	cr_assert_eq(hh_decode_hello(&rh, out.buf.data, out.buf.len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(rh.limits.request_bytes, 65536);
	cr_assert_eq(rh.limits.items, 100);
	cr_assert_eq(rh.limits.reply_bytes, 1 << 20);
	cr_assert_eq(rh.limits.strings, 1 << 20);
	hh_hello_free(&rh);
	hh_buf_free(&out.buf);
	hh_buf_free(&body);
}

Test(responder, writer_gives_up)
{
	hh_hello h = { 1, "peer", 0, 0, { 0, 0, 0, 0 } };
	hiveha_request req;
	hh_buf body;
	sink out = { 0 };

	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_hello(&body, &h), 0);
	req = (hiveha_request){ HIVEHA_REQUEST_VERSION, HIVEHA_MSG_HELLO, NULL, body.data, body.len };
	out.fail_with = 77;
	cr_assert_eq(hiveha_responder_handle(resp, &req, on_write, &out), HIVEHA_EWRITE);
	cr_assert_eq(out.pieces, 1);
	hh_buf_free(&body);
	cr_assert_eq(hiveha_responder_handle(resp, NULL, on_write, &out), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_responder_handle(resp, &req, NULL, &out), HIVEHA_EINVAL);
}

Test(responder, large_reply_streams_in_pieces)
{
	char *items[] = { "X" };
	/* up to the samples' end, not INT64_MAX: nobody vouches for the future */
	hh_ts_request q = { .window = { .from = 0, .to = 20000 }, .items = items, .item_count = 1,
	                    .encoding = HH_ENC_JSON };
	hiveha_sample *s = calloc(20000, sizeof(*s));
	hh_ts_reply rep;
	hh_errbuf err;
	hh_buf body;
	sink out;
	int i;

	cr_assert(s);
	for (i = 0; i < 20000; i++) {
		s[i].time = i;
		hiveha_value_set_double(&s[i].value, i * 0.25);
	}
	cr_assert_eq(memstore_append_samples(&store, "X", s, 20000), 0);
	free(s);
	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_ts_request(&body, &q), 0);
	cr_assert_eq(handle(HIVEHA_MSG_TIMESERIES, NULL, &body, &out), 0);
	cr_assert_gt(out.pieces, 1);
	cr_assert_eq(hh_decode_ts_reply_for(&rep, out.buf.data, out.buf.len, &lim, &err,
	                                    (const char *const *)q.items, q.item_count),
	             0, "%s", err.msg);
	cr_assert_eq(rep.items[0].count, 20000);
	cr_assert_eq(rep.items[0].samples[19999].value.as.f64, 19999 * 0.25);
	hh_ts_reply_free(&rep);
	hh_buf_free(&out.buf);
	hh_buf_free(&body);
}

/* ---- vouching ------------------------------------------------------------ */

static hh_gap test_gaps[2] = { { 12, 14, 1 }, { 16, 17, 0 } };

static int fake_coverage(void *ctx, int kind, hiveha_time from, hiveha_time to, hh_gap_list *out)
{
	int *calls = ctx;

	(void)from;
	(void)to;
	calls[kind]++;
	out->gaps = test_gaps;
	out->count = 2;
	return 0;
}

Test(responder, gaps_mean_no_data)
{
	char *items[] = { "X" };
	hh_ts_request q = { .window = { .from = 10, .to = 20 }, .items = items, .item_count = 1,
	                    .encoding = HH_ENC_BIN };
	hh_ev_request eq = { .window = { .from = 10, .to = 20 } };
	hh_ts_reply rep;
	hh_ev_reply erep;
	hh_errbuf err;
	hh_buf body;
	sink out;
	int calls[2] = { 0, 0 }, drc;

	add("X", 15, 1);
	hh_responder_set_coverage(resp, fake_coverage, calls);
	cr_assert_eq(ts_page(&q, NULL, &rep, &drc, &err), 0);
	cr_assert_eq(drc, 0, "%s", err.msg);
	cr_assert_eq(calls[HIVEHA_DEPUTY_TREND], 1);
	cr_assert_eq(rep.gap_count, 2);
	cr_assert_eq(rep.gaps[0].from, 12);
	cr_assert(rep.gaps[0].filling);
	cr_assert(!rep.gaps[1].filling);
	cr_assert_eq(rep.item_count, 0);
	cr_assert_null(rep.cursor);
	hh_ts_reply_free(&rep);

	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_ev_request(&body, &eq), 0);
	cr_assert_eq(handle(HIVEHA_MSG_EVENTS, NULL, &body, &out), 0);
	cr_assert_eq(calls[HIVEHA_DEPUTY_EVENTS], 1);
	cr_assert_eq(hh_decode_ev_reply(&erep, out.buf.data, out.buf.len, &lim, &err), 0);
	cr_assert_eq(erep.gap_count, 2);
	cr_assert_eq(erep.count, 0);
	hh_ev_reply_free(&erep);
	hh_buf_free(&out.buf);
	hh_buf_free(&body);
}

/* A bad cursor is refused even when the reply would only list gaps: both
 * kinds check it before asking for coverage (docs/protocol.md section 7). */
Test(responder, bad_cursor_refused_with_gaps)
{
	char *items[] = { "X" };
	hh_ts_request q = { .window = { .from = 10, .to = 20, .cursor = (char *)"t1:9:15:0" },
	                    .items = items, .item_count = 1, .encoding = HH_ENC_BIN };
	hh_ev_request eq = { .window = { .from = 10, .to = 20, .cursor = (char *)"e1:99:0" } };
	hh_buf body;
	int calls[2] = { 0, 0 };

	add("X", 15, 1);
	hh_responder_set_coverage(resp, fake_coverage, calls);
	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_ts_request(&body, &q), 0);
	cr_expect_eq(expect_error_reply(HIVEHA_MSG_TIMESERIES, (char *)body.data, body.len),
	             HIVEHA_EPROTOCOL);
	hh_buf_free(&body);
	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_ev_request(&body, &eq), 0);
	cr_expect_eq(expect_error_reply(HIVEHA_MSG_EVENTS, (char *)body.data, body.len),
	             HIVEHA_EPROTOCOL);
	hh_buf_free(&body);
}

Test(responder, empty_sync_state_vouches_everything)
{
	char *items[] = { "X" };
	hh_ts_request q = { .window = { .from = 10, .to = 20 }, .items = items, .item_count = 1,
	                    .encoding = HH_ENC_BIN };
	hh_ts_reply rep;
	hh_errbuf err;
	int drc;

	add("X", 15, 1);
	cr_assert_eq(ts_page(&q, NULL, &rep, &drc, &err), 0);
	cr_assert_eq(drc, 0, "%s", err.msg);
	cr_assert_eq(rep.gap_count, 0);
	cr_assert_eq(rep.item_count, 1);
	cr_assert_eq(rep.items[0].count, 1);
	hh_ts_reply_free(&rep);
}

/* ---- events -------------------------------------------------------------- */

static void add_event(hiveha_time t, const char *msg)
{
	hiveha_event e = { 0 };

	e.time = t;
	e.received_time = t;
	e.source_id = 1;
	e.type_id = 2;
	e.message = (char *)msg;
	cr_assert_eq(memstore_add_events(&store, &e, 1, NULL), 0);
}

static uint32_t skipped_seen; /* skipped events reported by the pages fetch_events read */

static void fetch_events(hh_ev_request q, char *trace, size_t size, size_t limit)
{
	hh_ev_reply rep;
	hh_errbuf err;
	hh_buf body;
	char *cursor = NULL;
	sink out;
	size_t i, pages = 0;

	trace[0] = '\0';
	skipped_seen = 0;
	for (;;) {
		q.window.cursor = cursor;
		hh_buf_init(&body, NULL);
		cr_assert_eq(hh_encode_ev_request(&body, &q), 0);
		cr_assert_eq(handle(HIVEHA_MSG_EVENTS, NULL, &body, &out), 0);
		cr_assert_eq(hh_decode_ev_reply(&rep, out.buf.data, out.buf.len, &lim, &err), 0, "%s",
		             err.msg);
		hh_buf_free(&out.buf);
		hh_buf_free(&body);
		cr_assert_leq(rep.count + rep.skipped_total, limit);
		cr_assert(rep.count > 0 || rep.skipped_total > 0 || !rep.cursor);
		skipped_seen += rep.skipped_total;
		cr_assert_lt(++pages, 100);
		for (i = 0; i < rep.count; i++) {
			cr_assert_lt(strlen(trace) + strlen(rep.events[i].message) + 1, size);
			strcat(trace, rep.events[i].message);
			strcat(trace, " ");
		}
		free(cursor);
		cursor = rep.cursor;
		rep.cursor = NULL;
		hh_ev_reply_free(&rep);
		if (!cursor)
			return;
	}
}

Test(responder, events_paging_equal_times)
{
	hh_ev_request q = { .window = { .from = 10, .to = 20 }, .max_events = 2 };
	char trace[256];
	uint32_t limit;

	add_event(9, "early");
	add_event(15, "a");
	add_event(15, "b");
	add_event(15, "c");
	add_event(16, "d");
	add_event(20, "late");
	for (limit = 1; limit <= 5; limit++) {
		q.max_events = limit;
		fetch_events(q, trace, sizeof(trace), limit);
		cr_assert_str_eq(trace, "a b c d ", "limit %u", limit);
	}
	q.window.has_start = 1;
	q.window.start_time = 15;
	q.window.start_skip = 2;
	q.max_events = 1;
	fetch_events(q, trace, sizeof(trace), 1);
	cr_assert_str_eq(trace, "c d ");
}

/* A sample no peer can decode (a string over the 1 MiB string limit) is
 * never left out - the requester would delete its own sample there - and
 * fails the page with a message naming the item and the sample's time,
 * instead of an unnamed rejection in the requester's decoder. */
Test(responder, a_sample_no_peer_decodes_is_named)
{
	char *items[] = { "big" };
	hh_ts_request q = { .window = { .from = 10, .to = 20 }, .items = items, .item_count = 1,
	                    .encoding = HH_ENC_BIN };
	size_t n = HH_PEER_MAX_STRING_BYTES + 1;
	char *text = malloc(n + 1);
	hiveha_sample s = { 12, { 0 }, HIVEHA_QUALITY_GOOD };
	hh_ts_reply rep;
	hh_errbuf err;
	int drc;

	cr_assert_not_null(text);
	memset(text, 'x', n);
	cr_assert_eq(hiveha_value_set_string(&s.value, text, n), 0);
	free(text);
	cr_assert_eq(memstore_append_samples(&store, "big", &s, 1), 0);
	hiveha_value_clear(&s.value);
	cr_assert_eq(ts_page(&q, NULL, &rep, &drc, &err), HIVEHA_ELIMIT);
	cr_assert_eq(drc, HIVEHA_ELIMIT);
	cr_assert_not_null(strstr(err.msg, "item \"big\": the sample at 12 holds a string of 1048577 "
	                                   "bytes, more than a peer decodes"), "%s", err.msg);
}

/* Issue 9 item 11: an event that cannot go to this requester - a string
 * attribute with a NUL byte for one that does not read the lossless form -
 * is skipped and named; the events around it still go, at every page size,
 * and a requester that reads the form gets it. */
Test(responder, events_skip_only_the_event_that_cannot_be_carried)
{
	hh_ev_request q = { .window = { .from = 10, .to = 20 }, .max_events = 2 };
	hiveha_attribute at = { (char *)"note", { 0 } };
	hiveha_event e = { 0 };
	char trace[256];
	uint32_t limit;

	add_event(15, "a");
	cr_assert_eq(hiveha_value_set_string(&at.value, "x\0y", 3), 0);
	e.time = 15;
	e.source_id = 3;
	e.type_id = 4;
	e.message = (char *)"b";
	e.attributes = &at;
	e.attribute_count = 1;
	cr_assert_eq(memstore_add_events(&store, &e, 1, NULL), 0);
	hiveha_value_clear(&at.value);
	add_event(15, "c");
	add_event(16, "d");
	for (limit = 1; limit <= 5; limit++) {
		q.max_events = limit;
		q.caps = 0;
		fetch_events(q, trace, sizeof(trace), limit);
		cr_assert_str_eq(trace, "a c d ", "limit %u", limit);
		cr_assert_eq(skipped_seen, 1, "limit %u", limit);
		q.caps = HH_CAP_STR_B64;
		fetch_events(q, trace, sizeof(trace), limit);
		cr_assert_str_eq(trace, "a b c d ", "limit %u", limit);
		cr_assert_eq(skipped_seen, 0);
	}
}

Test(responder, events_hostile_cursors)
{
	static const char *cursors[] = { "e1:9:0", "e1:20:0", "e1:15", "t1:0:15:0", "e1:15:0:0", "e1:x:0" };
	hh_ev_request q = { .window = { .from = 10, .to = 20 }, .max_events = 2 };
	size_t i;

	for (i = 0; i < sizeof(cursors) / sizeof(cursors[0]); i++) {
		hh_buf body;

		q.window.cursor = (char *)cursors[i];
		hh_buf_init(&body, NULL);
		cr_assert_eq(hh_encode_ev_request(&body, &q), 0);
		cr_assert_eq(expect_error_reply(HIVEHA_MSG_EVENTS, (char *)body.data, body.len),
		             HIVEHA_EPROTOCOL, "cursor %s", cursors[i]);
		hh_buf_free(&body);
	}
}

Test(responder, new_checks_arguments)
{
	hiveha_responder_config cfg = HIVEHA_RESPONDER_CONFIG_INIT;
	hiveha_store bad = store;
	hiveha_responder *r = (hiveha_responder *)1;

	cr_assert_eq(hiveha_responder_new(&r, NULL, NULL, NULL), HIVEHA_EINVAL);
	cr_assert_null(r);
	bad.kv_get = NULL;
	cr_assert_eq(hiveha_responder_new(&r, NULL, &bad, NULL), HIVEHA_EINVAL);
	bad = store;
	bad.version = 99;
	cr_assert_eq(hiveha_responder_new(&r, NULL, &bad, NULL), HIVEHA_EVERSION);
	cfg.version = 0;
	cr_assert_eq(hiveha_responder_new(&r, &cfg, &store, NULL), HIVEHA_EVERSION);
	hiveha_responder_free(NULL);
}
