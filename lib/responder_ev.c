/*
 * responder_ev.c - serving an events request one page at a time, paged
 * like a single timeseries item: position (time, skip at that time).
 */
#include <string.h>

#include "alloc.h"
#include "protocol_codec.h"
#include "responder_internal.h"
#include "store_access.h"

typedef struct ev_page {
	hiveha_responder *r;
	hiveha_time from, to;
	hiveha_event *e;
	size_t n, cap, want;
	size_t bytes, budget;
	int more;
	int fail;
	const char *why;
} ev_page;

static size_t str_cost(const char *s)
{
	return s ? 16 + 6 * strlen(s) : 0;
}

/* An upper bound of the event's JSON size. */
static size_t event_cost(const hiveha_event *e)
{
	size_t c = 320 + str_cost(e->source_name) + str_cost(e->message) + str_cost(e->user_name), i;

	for (i = 0; i < e->attribute_count; i++) {
		const hiveha_value *v = &e->attributes[i].value;

		c += 96 + str_cost(e->attributes[i].name) +
		     (v->type == HIVEHA_TYPE_STRING ? 6 * v->as.str.len : 0);
	}
	return c;
}

static int on_events(const hiveha_event *ev, size_t n, void *payload)
{
	ev_page *p = payload;
	size_t i, cost;

	for (i = 0; i < n; i++) {
		if (p->n == p->want) {
			p->more = 1;
			return HH_PAGE_FULL;
		}
		if (ev[i].time < p->from || ev[i].time >= p->to ||
		    (p->n && ev[i].time < p->e[p->n - 1].time) || ev[i].severity > 1000) {
			p->fail = HIVEHA_ESTORE;
			p->why = "the store delivered an event out of range, out of order or invalid";
			return HH_PAGE_FULL;
		}
		cost = event_cost(&ev[i]);
		if (p->n > 0 && p->bytes + cost > p->budget) {
			p->more = 1;
			return HH_PAGE_FULL;
		}
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 64;
			hiveha_event *d;

			if (cap > p->want)
				cap = p->want;
			if (!(d = hh_realloc(p->r->alloc, p->e, cap * sizeof(*d)))) {
				p->fail = HIVEHA_ENOMEM;
				return HH_PAGE_FULL;
			}
			p->e = d;
			p->cap = cap;
		}
		if (hiveha_event_copy(&p->e[p->n], &ev[i])) {
			p->fail = HIVEHA_ENOMEM;
			return HH_PAGE_FULL;
		}
		p->n++;
		p->bytes += cost;
	}
	return 0;
}

int hh_responder_ev(hiveha_responder *r, const void *body, size_t len, hh_buf *out, hh_errbuf *err)
{
	char cursor[HH_MAX_CURSOR_BYTES] = "";
	const hiveha_store *st = &r->store;
	hh_ev_request q;
	hh_ev_reply rep;
	hh_limits lim;
	hiveha_time t;
	uint64_t skip;
	ev_page p;
	size_t i;
	int rc;

	hh_responder_limits(r, &lim);
	if ((rc = hh_decode_ev_request(&q, body, len, &lim, err)))
		return rc;
	memset(&rep, 0, sizeof(rep));
	memset(&p, 0, sizeof(p));
	p.r = r;
	if (!st->read_events) {
		rc = hh_err(err, HIVEHA_ENOTIMPL, "this instance serves no events");
		goto done;
	}
	if (q.cursor) {
		if (hh_cursor_ev_parse(q.cursor, q.from, q.to, &t, &skip)) {
			rc = hh_err(err, HIVEHA_EPROTOCOL, "invalid cursor for this request");
			goto done;
		}
	} else {
		t = q.has_start ? q.start_time : q.from;
		skip = q.has_start ? q.start_skip : 0;
	}
	if ((rc = hh_responder_gaps(r, HIVEHA_DEPUTY_EVENTS, q.from, q.to, &rep.gaps, &rep.gap_count,
	                            err)))
		goto done;
	if (!rep.gap_count) {
		p.from = t;
		p.to = q.to;
		p.want = q.max_events && q.max_events < r->max_events ? q.max_events : r->max_events;
		p.budget = hh_responder_budget(r, q.max_reply_bytes);
		rc = st->read_events(st->ctx, t, q.to, skip, p.want + 1, on_events, &p);
		if (p.fail) {
			rc = hh_err(err, p.fail, "%s", p.why ? p.why : "out of memory");
			goto done;
		}
		if (rc != 0 && rc != HH_PAGE_FULL) {
			char why[320];
			rc = hh_err(err, HIVEHA_ESTORE, "reading events failed: %s",
			            hh_store_reason(st, rc, why, sizeof(why)));
			goto done;
		}
		if (p.more) {
			hiveha_time last = p.e[p.n - 1].time;
			uint64_t same = 0;

			for (i = p.n; i > 0 && p.e[i - 1].time == last; i--)
				same++;
			hh_cursor_ev_format(cursor, sizeof(cursor), last, same + (last == t ? skip : 0));
		}
		rep.events = p.e;
		rep.count = p.n;
		rep.cursor = cursor[0] ? cursor : NULL;
	}
	if ((rc = hh_encode_ev_reply(out, &rep)))
		rc = rc == HIVEHA_ENOMEM ? hh_err(err, rc, "out of memory")
		                         : hh_err(err, HIVEHA_ERROR, "an event cannot be encoded");
done:
	for (i = 0; i < p.n; i++)
		hiveha_event_clear(&p.e[i]);
	hh_free(r->alloc, p.e);
	hh_free(NULL, rep.gaps);
	hh_ev_request_free(&q);
	return rc;
}
