/*
 * responder_ts.c - serving a timeseries request one page at a time.
 *
 * A page walks the requested items in order from the request's position
 * (cursor, else start, else the beginning) and reads each item's samples
 * until the page holds `limit` samples or its estimated size reaches the
 * byte budget. It asks the store for one sample more than fits, to learn
 * whether the item ends inside the page (complete) without a second read.
 * Memory: at most `limit` samples (plus their strings, within the budget),
 * in one array for the whole page - items are slices of it - so that a
 * page of many short items costs one growing allocation, not one per item.
 *
 * A requester without HH_CAP_ARRAYS (an older library, or one whose store
 * cannot keep arrays) gets an item whose page holds a vector or matrix as
 * "unknown": it leaves that item untouched and says so, and every other
 * item still goes. Its JSON decoder reads only the canonical "NaN", so NaNs
 * reach it canonical (the binary block carries the bits to any peer).
 */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "protocol/codec.h"
#include "responder_internal.h"
#include "store_access.h"
#include "value_array.h"

typedef struct ts_page {
	hiveha_responder *r;
	int json;
	int plain_only;        /* JSON to a requester without HH_CAP_STR_B64 */
	int arrays;            /* the requester reads arrays (HH_CAP_ARRAYS) */
	int array_hit;         /* the item being read holds one it cannot take */
	hh_ts_item *items;
	size_t item_count, item_cap;
	size_t total, limit;   /* samples */
	size_t bytes, budget;  /* estimated encoded size */
	size_t item_bytes;     /* of it, the item being read's samples */
	/* the samples of the page: items [0, item_count) hold the first
	 * `total`, in order; the item being read the next `n` */
	hiveha_sample *pool;
	size_t cap;
	/* the item being read */
	hiveha_time from, to;
	size_t n, want;
	int more;
	int fail;              /* a status set inside the callback */
	const char *why;
	char why_buf[160];
} ts_page;

/* Upper bounds of the encoded size (docs/protocol.md): JSON may escape a
 * byte as \u00XX; an array element takes at most 10 bytes in a block
 * (a varint; a double 8) and 32 in JSON ("NaN:<16 hex>", an int64 string
 * or a double, with its comma), plus its string bytes. */
static size_t sample_cost(const hiveha_sample *s, int json)
{
	const hiveha_value *v = &s->value;
	size_t str = v->type == HIVEHA_TYPE_STRING ? v->as.str.len : hh_value_string_bytes(v);
	size_t arr = 0;

	if (hh_type_is_array(v->type))
		arr = json ? 48 + 32 * hiveha_value_count(v) : 20 + 10 * hiveha_value_count(v);
	return (json ? 64 + 6 * str : 40 + str) + arr;
}

/* Would a string of `v` (a scalar, or an element) need {"b64": ...}? */
static int needs_b64(const hiveha_value *v)
{
	const hiveha_string *e;
	size_t i, n;

	if (v->type == HIVEHA_TYPE_STRING)
		return v->as.str.len && hh_str_needs_b64(v->as.str.ptr, v->as.str.len);
	if (v->type != (HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_STRING) &&
	    v->type != (HIVEHA_TYPE_MATRIX | HIVEHA_TYPE_STRING))
		return 0;
	e = hiveha_value_elements(v);
	n = hiveha_value_count(v);
	for (i = 0; i < n; i++)
		if (e[i].len && hh_str_needs_b64(e[i].ptr, e[i].len))
			return 1;
	return 0;
}

static int on_samples(const hiveha_sample *s, size_t n, void *payload)
{
	ts_page *p = payload;
	size_t i, cost;

	for (i = 0; i < n; i++) {
		hiveha_sample *d;
		size_t at = p->total + p->n; /* where this sample goes in the pool */

		if (p->n == p->want) {
			p->more = 1;
			return HH_PAGE_FULL;
		}
		cost = sample_cost(&s[i], p->json);
		if (p->total + p->n > 0 && p->bytes + cost > p->budget) {
			p->more = 1;
			return HH_PAGE_FULL;
		}
		if (!hh_valid_type(s[i].value.type) || s[i].time < p->from || s[i].time >= p->to ||
		    (p->n && s[i].time < p->pool[at - 1].time)) {
			p->fail = HIVEHA_ESTORE;
			p->why = "the store delivered a sample out of range, out of order or of an invalid type";
			return HH_PAGE_FULL;
		}
		/* A sample is never skipped: the requester would delete its own
		 * sample there and get nothing in its place. What no peer can
		 * decode fails here, naming the sample, rather than in the
		 * requester's decoder without a name. */
		if (s[i].value.type == HIVEHA_TYPE_STRING &&
		    s[i].value.as.str.len > HH_PEER_MAX_STRING_BYTES) {
			/* cut to the buffer if longer, on purpose */
			(void)snprintf(p->why_buf, sizeof(p->why_buf),
			               "the sample at %lld holds a string of %zu bytes, more than a peer "
			               "decodes (%zu); it cannot be carried",
			               (long long)s[i].time, s[i].value.as.str.len,
			               (size_t)HH_PEER_MAX_STRING_BYTES);
			p->fail = HIVEHA_ELIMIT;
			p->why = p->why_buf;
			return HH_PAGE_FULL;
		}
		if (!p->arrays && hh_type_is_array(s[i].value.type)) {
			/* fill_page() reports the item unknown */
			p->array_hit = 1;
			return HH_PAGE_FULL;
		}
		if (p->plain_only && needs_b64(&s[i].value)) {
			p->fail = HIVEHA_ERROR;
			p->why = "a string with NUL or non-UTF-8 bytes needs the binary encoding or a "
			         "requester that reads the lossless string form";
			return HH_PAGE_FULL;
		}
		if (at == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 256;

			if (cap > p->total + p->want)
				cap = p->total + p->want;
			d = hh_realloc(p->r->alloc, p->pool, cap * sizeof(*d));
			if (!d) {
				p->fail = HIVEHA_ENOMEM;
				return HH_PAGE_FULL;
			}
			p->pool = d;
			p->cap = cap;
		}
		d = &p->pool[at];
		d->time = s[i].time;
		d->quality = s[i].quality;
		int crc = hiveha_value_copy(&d->value, &s[i].value);

		if (crc) {
			/* an array tag without its payload is the store's fault */
			p->fail = crc == HIVEHA_ENOMEM ? HIVEHA_ENOMEM : HIVEHA_ESTORE;
			if (crc != HIVEHA_ENOMEM) {
				(void)snprintf(p->why_buf, sizeof(p->why_buf),
				               "the store delivered the sample at %lld with an invalid value "
				               "(type 0x%x without its payload)",
				               (long long)s[i].time, (unsigned)s[i].value.type);
				p->why = p->why_buf;
			}
			return HH_PAGE_FULL;
		}
		if (p->json && !p->arrays)
			(void)hh_value_canonical_nan(&d->value);
		p->n++;
		p->bytes += cost;
		p->item_bytes += cost;
	}
	return 0;
}

static void free_samples(const hiveha_allocator *a, hiveha_sample *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		hiveha_value_clear(&s[i].value);
	hh_free(a, s);
}

static void page_free(ts_page *p)
{
	hh_free(p->r->alloc, p->items);
	free_samples(p->r->alloc, p->pool, p->total + p->n);
}

/* Drops the samples read for the current item. */
static void drop_current(ts_page *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		hiveha_value_clear(&p->pool[p->total + i].value);
	p->n = 0;
}

/* Points the items at their slices of the pool (it may have moved while
 * the page was read). */
static void page_link(ts_page *p)
{
	size_t i, off = 0;

	for (i = 0; i < p->item_count; i++) {
		p->items[i].samples = p->items[i].count ? p->pool + off : NULL;
		off += p->items[i].count;
	}
}

/* What page_add() says of an item (hh_ts_item.complete, .unknown). */
enum {
	ITEM_PARTIAL = 0,       /* more samples follow on a later page */
	ITEM_COMPLETE = 1 << 0, /* the page holds the item's last sample in range */
	ITEM_UNKNOWN = 1 << 1,  /* the store does not know the item */
};

/* Adds the current item (its samples) to the page; `flags` are ITEM_*. */
static int page_add(ts_page *p, char *id, unsigned flags)
{
	hh_ts_item *it;

	if (p->item_count == p->item_cap) {
		size_t cap = p->item_cap ? p->item_cap * 2 : 16;

		it = hh_realloc(p->r->alloc, p->items, cap * sizeof(*it));
		if (!it)
			return HIVEHA_ENOMEM;
		p->items = it;
		p->item_cap = cap;
	}
	it = &p->items[p->item_count++];
	it->id = id;
	it->unknown = (flags & ITEM_UNKNOWN) != 0;
	it->complete = (flags & ITEM_COMPLETE) != 0;
	it->samples = NULL; /* page_link() */
	it->count = p->n;
	p->total += p->n;
	p->n = 0;
	return 0;
}

/* Where the page's first item starts. */
static int start_of(const hh_ts_request *q, size_t *idx, hiveha_time *t, uint64_t *skip,
                    hh_errbuf *err)
{
	const hh_window *w = &q->window;

	if (w->cursor) {
		if (hh_cursor_ts_parse(w->cursor, q->item_count, w->from, w->to, idx, t, skip))
			return hh_err(err, HIVEHA_EPROTOCOL, "invalid cursor for this request");
	} else if (w->has_start) {
		*idx = 0;
		*t = w->start_time;
		*skip = w->start_skip;
	} else {
		*idx = 0;
		*t = w->from;
		*skip = 0;
	}
	return 0;
}

/* The current item holds an array the requester cannot take: it goes as
 * unknown, without its samples, and the host hears which one. */
static int add_array_unknown(ts_page *p, char *id)
{
	char line[256];

	drop_current(p);
	p->bytes -= p->item_bytes;
	p->array_hit = 0;
	if (p->r->on_log) {
		/* cut to the buffer if longer, on purpose */
		(void)snprintf(line, sizeof(line),
		               "responder: item \"%.64s\" holds vector or matrix values and the "
		               "requester does not read them (no arrays capability): sent as unknown",
		               id);
		p->r->on_log(HIVEHA_LOG_WARN, line, p->r->log_payload);
	}
	return page_add(p, id, ITEM_UNKNOWN | ITEM_COMPLETE);
}

static int fill_page(ts_page *p, const hh_ts_request *q, size_t idx, hiveha_time t,
                     uint64_t skip, char *cursor, size_t cursor_size, hh_errbuf *err)
{
	const hiveha_store *st = &p->r->store;
	size_t i;
	int rc;

	cursor[0] = '\0';
	for (i = idx; i < q->item_count; i++) {
		hiveha_time t0 = i == idx ? t : q->window.from;
		uint64_t sk = i == idx ? skip : 0;
		size_t idcost = 64 + 6 * strlen(q->items[i]);

		if (p->total >= p->limit || (p->item_count && p->bytes + idcost > p->budget)) {
			hh_cursor_ts_format(cursor, cursor_size, i, t0, sk);
			return 0;
		}
		p->bytes += idcost;
		p->want = p->limit - p->total;
		p->more = 0;
		p->item_bytes = 0;
		p->from = t0;
		p->to = q->window.to;
		rc = st->read_samples(st->ctx, q->items[i], t0, q->window.to, sk, p->want + 1, on_samples,
		                      p);
		if (p->fail)
			return hh_err(err, p->fail, "item \"%.64s\": %s", q->items[i],
			              p->why ? p->why : "out of memory");
		if (p->array_hit) {
			rc = add_array_unknown(p, q->items[i]);
			if (rc)
				return hh_err(err, rc, "out of memory");
			continue;
		}
		if (rc == HIVEHA_ENOTFOUND) {
			drop_current(p);
			rc = page_add(p, q->items[i], ITEM_UNKNOWN | ITEM_COMPLETE);
			if (rc)
				return hh_err(err, rc, "out of memory");
			continue;
		}
		if (rc != 0 && rc != HH_PAGE_FULL) {
			char why[320];
			return hh_err(err, HIVEHA_ESTORE, "reading item \"%.64s\" failed: %s", q->items[i],
			              hh_store_reason(st, rc, why, sizeof(why)));
		}
		if (p->more && p->n == 0) {
			/* Out of budget before this item's first sample. */
			hh_cursor_ts_format(cursor, cursor_size, i, t0, sk);
			return 0;
		}
		if (p->more) {
			const hiveha_sample *cur = p->pool + p->total;
			hiveha_time last = cur[p->n - 1].time;
			uint64_t same = 0;
			size_t k = p->n;

			while (k > 0 && cur[k - 1].time == last) {
				same++;
				k--;
			}
			/* Equal timestamps: the next page skips those already sent. */
			hh_cursor_ts_format(cursor, cursor_size, i, last, same + (last == t0 ? sk : 0));
		}
		rc = page_add(p, q->items[i], p->more ? ITEM_PARTIAL : ITEM_COMPLETE);
		if (rc)
			return hh_err(err, rc, "out of memory");
		if (cursor[0])
			return 0;
	}
	return 0;
}

int hh_responder_ts(hiveha_responder *r, const void *body, size_t len, hh_buf *out, hh_errbuf *err)
{
	char cursor[HH_MAX_CURSOR_BYTES];
	hh_ts_request q;
	hh_ts_reply rep;
	hh_limits lim;
	ts_page p;
	hiveha_time t;
	uint64_t skip;
	size_t idx;
	int rc;

	hh_responder_limits(r, &lim);
	rc = hh_decode_ts_request(&q, body, len, &lim, err);
	if (rc)
		return rc;
	memset(&rep, 0, sizeof(rep));
	memset(&p, 0, sizeof(p));
	p.r = r;
	if (!r->store.read_samples) {
		rc = hh_err(err, HIVEHA_ENOTIMPL, "this instance serves no timeseries");
		goto done;
	}
	/* Checked before the gaps, so a bad cursor is refused whatever the
	 * coverage (as for events, docs/protocol.md section 7). */
	rc = start_of(&q, &idx, &t, &skip, err);
	if (rc)
		goto done;
	rc = hh_gap_view_list(&r->gaps, HIVEHA_DEPUTY_TREND, q.window.from, q.window.to, &rep.gaps,
	                      &rep.gap_count, err);
	if (rc)
		goto done;
	if (!rep.gap_count) {
		p.json = q.encoding == HH_ENC_JSON;
		p.plain_only = p.json && !(q.caps & HH_CAP_STR_B64);
		p.arrays = (q.caps & HH_CAP_ARRAYS) != 0;
		p.limit = q.max_samples && q.max_samples < r->max_samples ? q.max_samples : r->max_samples;
		p.budget = hh_responder_budget(r, q.max_reply_bytes);
		rc = fill_page(&p, &q, idx, t, skip, cursor, sizeof(cursor), err);
		if (rc)
			goto done;
		page_link(&p);
		rep.items = p.items;
		rep.item_count = p.item_count;
		rep.cursor = cursor[0] ? cursor : NULL;
	}
	rc = hh_encode_ts_reply_for(out, &rep, q.encoding, (const char *const *)q.items, q.item_count);
	if (rc)
		rc = rc == HIVEHA_ENOMEM ? hh_err(err, rc, "out of memory")
		                         : hh_err(err, HIVEHA_ERROR, "a sample cannot be encoded");
done:
	/* Item ids are borrowed from the request; only samples are ours. */
	page_free(&p);
	hh_free(NULL, rep.gaps);
	hh_ts_request_free(&q);
	return rc;
}
