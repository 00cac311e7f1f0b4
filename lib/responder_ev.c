/*
 * responder_ev.c - serving an events request one page at a time, paged
 * like a single timeseries item: position (time, skip at that time).
 *
 * An event the requester cannot be sent - invalid, larger than a page,
 * over its decoder's limits, or needing the lossless string form it does
 * not read - is skipped: logged, named in the reply's "skipped", and
 * counted in the position like any other, so the events around it still
 * go (issue 9 item 11). Never the page. So is an event with a vector or
 * matrix attribute for a requester without HH_CAP_ARRAYS; such a requester
 * gets NaN attributes canonical, as its decoder reads only "NaN".
 */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "protocol/codec.h"
#include "responder_internal.h"
#include "store_access.h"
#include "value_array.h"

typedef struct ev_page {
	hiveha_responder *r;
	hiveha_time from, to;
	hiveha_event *e;
	size_t n, cap, want;
	size_t bytes, budget;
	uint32_t caps;          /* the requester's */
	size_t seen;            /* events delivered by the store: sent + skipped */
	hiveha_time last;       /* time of the last one seen, */
	uint64_t same;          /* and how many seen at that time */
	hh_skipped skipped[HH_MAX_SKIPPED_LISTED];
	char reasons[HH_MAX_SKIPPED_LISTED][160];
	size_t skipped_count;
	uint32_t skipped_total;
	int more;
	int fail;
	const char *why;
	char why_buf[160];      /* uncarriable()'s reason when it names something */
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
		/* as a timeseries sample (responder_ts.c): 32 bytes an element */
		if (hh_type_is_array(v->type))
			c += 48 + 32 * hiveha_value_count(v) + 6 * hh_value_string_bytes(v);
	}
	return c;
}

static int text_needs_b64(const char *s)
{
	return s && hh_str_needs_b64(s, strlen(s));
}

static size_t text_len(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Does a string element of array `v` need the lossless form? */
static int array_needs_b64(const hiveha_value *v)
{
	const hiveha_string *s;
	size_t i, n;

	if ((v->type & HIVEHA_TYPE_SCALAR_MASK) != HIVEHA_TYPE_STRING)
		return 0;
	s = hiveha_value_elements(v);
	n = hiveha_value_count(v);
	for (i = 0; i < n; i++)
		if (s[i].len && hh_str_needs_b64(s[i].ptr, s[i].len))
			return 1;
	return 0;
}

/* Why `e` cannot be carried to this requester, or NULL. */
static const char *uncarriable(ev_page *p, const hiveha_event *e)
{
	hh_limits lim;
	size_t i;
	int b64 = 0;

	hh_limits_default(&lim); /* what a requester's decoder enforces */
	if (e->severity > 1000)
		return "severity above 1000";
	if (e->attribute_count > lim.max_attributes)
		return "more attributes than a peer decodes";
	if (e->attribute_count && !e->attributes)
		return "attributes missing";
	if (text_len(e->source_name) > lim.max_string_bytes ||
	    text_len(e->message) > lim.max_string_bytes || text_len(e->user_name) > lim.max_string_bytes)
		return "a text field longer than a peer decodes";
	b64 = text_needs_b64(e->source_name) || text_needs_b64(e->message) ||
	      text_needs_b64(e->user_name);
	for (i = 0; i < e->attribute_count; i++) {
		const hiveha_attribute *a = &e->attributes[i];

		if (!a->name || !hh_valid_type(a->value.type))
			return "an attribute without a name or of an invalid type";
		if (text_len(a->name) > lim.max_string_bytes)
			return "an attribute name longer than a peer decodes";
		if (hh_type_is_array(a->value.type)) {
			if (!(p->caps & HH_CAP_ARRAYS)) {
				/* cut to the buffer if longer, on purpose */
				(void)snprintf(p->why_buf, sizeof(p->why_buf),
				               "attribute \"%.64s\" is a vector or matrix and the requester "
				               "does not read them",
				               a->name);
				return p->why_buf;
			}
			if (!a->value.as.arr)
				return "an array attribute without its elements";
			b64 = b64 || array_needs_b64(&a->value);
		} else if (a->value.type == HIVEHA_TYPE_STRING) {
			if (a->value.as.str.len > lim.max_string_bytes)
				return "a string attribute longer than a peer decodes";
			if (!a->value.as.str.ptr && a->value.as.str.len)
				return "a string attribute without its bytes";
			if (a->value.as.str.len && hh_str_needs_b64(a->value.as.str.ptr, a->value.as.str.len))
				b64 = 1;
		}
		b64 = b64 || text_needs_b64(a->name);
	}
	if (b64 && !(p->caps & HH_CAP_STR_B64))
		return "a string holds NUL or non-UTF-8 bytes and the requester does not read the "
		       "lossless string form";
	return NULL;
}

/* An event alone in a page would still be too large: its exact size. */
static int too_large_alone(ev_page *p, const hiveha_event *e)
{
	hh_ev_reply one;
	/* The reply struct also holds decoded (owned) events, hence its
	 * non-const member; the encoder only reads, so a shallow copy lends
	 * it the event without casting const away. */
	hiveha_event alone = *e;
	hh_buf b;
	int big;

	memset(&one, 0, sizeof(one));
	one.events = &alone;
	one.count = 1;
	hh_buf_init(&b, p->r->alloc);
	big = hh_encode_ev_reply(&b, &one) != 0 || b.len > p->budget;
	hh_buf_free(&b);
	return big;
}

static void skip_event(ev_page *p, const hiveha_event *e, const char *why)
{
	char line[400];

	if (p->skipped_count < HH_MAX_SKIPPED_LISTED) {
		hh_skipped *k = &p->skipped[p->skipped_count];

		k->time = e->time;
		k->source_id = e->source_id;
		k->type_id = e->type_id;
		/* Reasons and log lines are cut to their buffers, on purpose. */
		(void)snprintf(p->reasons[p->skipped_count], sizeof(p->reasons[0]), "%s", why);
		k->reason = p->reasons[p->skipped_count];
		p->skipped_count++;
	}
	p->skipped_total++;
	if (p->r->on_log) {
		(void)snprintf(line, sizeof(line),
		               "responder: event (time %lld, source %u, type %u) skipped, it cannot be "
		               "sent: %s",
		               (long long)e->time, (unsigned)e->source_id, (unsigned)e->type_id, why);
		p->r->on_log(HIVEHA_LOG_WARN, line, p->r->log_payload);
	}
}

static int on_events(const hiveha_event *ev, size_t n, void *payload)
{
	ev_page *p = payload;
	size_t i, cost;
	const char *why;

	for (i = 0; i < n; i++) {
		if (p->seen == p->want) {
			p->more = 1;
			return HH_PAGE_FULL;
		}
		if (ev[i].time < p->from || ev[i].time >= p->to || (p->seen && ev[i].time < p->last)) {
			p->fail = HIVEHA_ESTORE;
			p->why = "the store delivered an event out of range or out of order";
			return HH_PAGE_FULL;
		}
		cost = event_cost(&ev[i]);
		if (p->n > 0 && p->bytes + cost > p->budget) {
			p->more = 1;
			return HH_PAGE_FULL;
		}
		why = uncarriable(p, &ev[i]);
		if (!why && cost > p->budget && too_large_alone(p, &ev[i]))
			why = "larger than a reply page";
		p->same = p->seen && ev[i].time == p->last ? p->same + 1 : 1;
		p->last = ev[i].time;
		p->seen++;
		if (why) {
			skip_event(p, &ev[i], why);
			continue;
		}
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 64;
			hiveha_event *d;

			if (cap > p->want)
				cap = p->want;
			d = hh_realloc(p->r->alloc, p->e, cap * sizeof(*d));
			if (!d) {
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
		if (!(p->caps & HH_CAP_ARRAYS)) {
			size_t k;

			for (k = 0; k < p->e[p->n].attribute_count; k++)
				(void)hh_value_canonical_nan(&p->e[p->n].attributes[k].value);
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
	const hh_window *w = &q.window;
	hh_ev_reply rep;
	hh_limits lim;
	hiveha_time t;
	uint64_t skip;
	ev_page p;
	size_t i;
	int rc;

	hh_responder_limits(r, &lim);
	rc = hh_decode_ev_request(&q, body, len, &lim, err);
	if (rc)
		return rc;
	memset(&rep, 0, sizeof(rep));
	memset(&p, 0, sizeof(p));
	p.r = r;
	if (!st->read_events) {
		rc = hh_err(err, HIVEHA_ENOTIMPL, "this instance serves no events");
		goto done;
	}
	if (w->cursor) {
		if (hh_cursor_ev_parse(w->cursor, w->from, w->to, &t, &skip)) {
			rc = hh_err(err, HIVEHA_EPROTOCOL, "invalid cursor for this request");
			goto done;
		}
	} else {
		t = w->has_start ? w->start_time : w->from;
		skip = w->has_start ? w->start_skip : 0;
	}
	rc = hh_gap_view_list(&r->gaps, HIVEHA_DEPUTY_EVENTS, w->from, w->to, &rep.gaps,
	                      &rep.gap_count, err);
	if (rc)
		goto done;
	if (!rep.gap_count) {
		p.from = t;
		p.to = w->to;
		p.want = q.max_events && q.max_events < r->max_events ? q.max_events : r->max_events;
		p.budget = hh_responder_budget(r, q.max_reply_bytes);
		p.caps = q.caps;
		rc = st->read_events(st->ctx, t, w->to, skip, p.want + 1, on_events, &p);
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
		/* the position counts skipped events too: they are not asked again */
		if (p.more)
			hh_cursor_ev_format(cursor, sizeof(cursor), p.last,
			                    p.same + (p.last == t ? skip : 0));
		rep.events = p.e;
		rep.count = p.n;
		rep.cursor = cursor[0] ? cursor : NULL;
		rep.skipped = p.skipped;
		rep.skipped_count = p.skipped_count;
		rep.skipped_total = p.skipped_total;
	}
	rc = hh_encode_ev_reply(out, &rep);
	if (rc)
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
