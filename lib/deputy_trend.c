/*
 * deputy_trend.c - TrendHistory: fill one gap of timeseries (DESIGN §5).
 *
 * Items are asked in batches, in ascending id order, so that one
 * checkpoint (the last item touched and where in it) says exactly what is
 * done. Each reply page is applied in one store transaction together with
 * the checkpoint, as merge_trend.c plans it: for every item in the page
 * the local samples of the range the page covers are deleted and the
 * peer's inserted. A page that ends inside an item covers it up to just
 * after its last sample's time, so equal-time samples split over two
 * pages are neither lost nor doubled: the second page appends after the
 * first without deleting that time again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "deputy_kind.h"
#include "deputy_report.h"
#include "deputy_state.h"
#include "fetch.h"
#include "merge.h"
#include "page_guard.h"
#include "peer.h"
#include "store_access.h"

typedef struct item_list {
	char **v;
	size_t n, cap;
	const hiveha_allocator *alloc;
	int rc;
} item_list;

static int collect_item(const char *id, void *payload)
{
	item_list *l = payload;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		char **v = hh_realloc(l->alloc, l->v, cap * sizeof(*v));
		if (!v)
			return l->rc = HIVEHA_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = hh_strdup(l->alloc, id);
	if (!l->v[l->n])
		return l->rc = HIVEHA_ENOMEM;
	l->n++;
	return 0;
}

static void item_list_free(item_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		hh_free(l->alloc, l->v[i]);
	hh_free(l->alloc, l->v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The store promises ascending unique ids; the checkpoint depends on it,
 * so make it true rather than trust it. */
static void sort_unique(item_list *l)
{
	if (l->n < 2)
		return; /* nothing to do; and qsort(NULL, 0, ...) is undefined */
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (w && strcmp(l->v[w - 1], l->v[i]) == 0) {
			hh_free(l->alloc, l->v[i]);
			continue;
		}
		l->v[w++] = l->v[i];
	}
	l->n = w;
}

static size_t lower_bound(const item_list *l, const char *id)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(l->v[mid], id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void note_unknown(hh_deputy *d, const char *id)
{
	d->unknown_items++;
	size_t used = strlen(d->unknown_names);
	size_t cap = sizeof(d->unknown_names);
	if (used + strlen(id) + 3 < cap - 4)
		(void)snprintf(d->unknown_names + used, cap - used, "%s%s", used ? ", " : "", id);
	else if (!strstr(d->unknown_names, "..."))
		(void)snprintf(d->unknown_names + used, cap - used, ", ...");
}

/* The digest of the first `n` ids of the gap's sorted item list, grown
 * as items are touched (a checkpoint records it; see hh_checkpoint). */
typedef struct prefix {
	char *const *items;
	size_t n;
	uint64_t digest;
} prefix;

static uint64_t prefix_upto(prefix *p, size_t n)
{
	while (p->n < n)
		p->digest = hh_item_digest(p->digest, p->items[p->n++]);
	return p->digest;
}

/* Where a batch stands while its pages arrive. */
typedef struct batch {
	char **ids;
	size_t n;
	size_t expect; /* index of the next item the peer must answer */
	size_t first;  /* index of ids[0] in the gap's item list */
	prefix *pre;
} batch;

static int bad_reply(hh_deputy *d, const char *what, const char *id)
{
	hh_dep_note(d, HIVEHA_LOG_ERROR, "invalid timeseries reply: %s (item %s)", what, id);
	return HIVEHA_EPROTOCOL;
}

static int apply_page(hh_deputy *d, hh_range gap, batch *b, const hh_ts_reply *page,
                      int last_page)
{
	hh_sync *s = d->sync;
	hh_state_edit e;
	int rc = hh_state_edit_begin(&e, d);
	if (rc)
		return rc;
	hh_syncstate *next = &e.next;
	hiveha_store_txn *txn = NULL;
	rc = hh_state_edit_txn(&e, &txn);
	if (rc)
		return hh_state_edit_end(&e, rc);
	uint64_t samples = 0;
	for (size_t i = 0; i < page->item_count && !rc; i++) {
		const hh_ts_item *it = &page->items[i];
		unsigned int place = (i + 1 == page->item_count ? HH_MERGE_LAST_OF_PAGE : 0u) |
		                     (last_page ? HH_MERGE_LAST_PAGE : 0u);
		hh_trend_plan plan;
		hh_merge_trend_item(&plan, gap, &next->ck, b->expect < b->n ? b->ids[b->expect] : NULL,
		                    it, place);
		if (plan.action == HH_TREND_INVALID) {
			rc = bad_reply(d, plan.invalid, it->id);
			break;
		}
		rc = hh_checkpoint_set_item(next, it->id);
		if (rc)
			break;
		next->ck.has_prefix = 1;
		next->ck.prefix = prefix_upto(b->pre, b->first + b->expect);
		next->ck.active = 1;
		next->ck.gap_from = gap.from;
		next->ck.gap_to = gap.to;
		if (plan.action == HH_TREND_UNKNOWN) {
			note_unknown(d, it->id);
		} else {
			rc = s->store->replace_samples(s->store->ctx, txn, it->id, plan.delete_from,
			                               plan.delete_to, plan.samples, plan.count);
			if (rc) {
				char why[320];
				hh_dep_note(d, HIVEHA_LOG_ERROR, "store failed writing item %s: %s", it->id,
				            hh_store_reason(s->store, rc, why, sizeof(why)));
				break;
			}
			samples += plan.count;
		}
		next->ck.item_done = plan.mark.item_done;
		next->ck.time = plan.mark.time;
		next->ck.skip = plan.mark.skip;
		next->ck.deleted_to = plan.mark.deleted_to;
		if (plan.mark.item_done)
			b->expect++;
	}
	if (!rc)
		rc = hh_spans_set(&next->pending, gap.from, gap.to, 0);
	if (rc)
		return hh_state_edit_end(&e, rc);
	rc = hh_state_edit_end(&e, HIVEHA_OK);
	if (rc) {
		char why[320];
		hh_dep_note(d, HIVEHA_LOG_ERROR, "store failed committing a chunk: %s",
		            hh_store_reason(s->store, rc, why, sizeof(why)));
		return rc;
	}
	d->samples_round += samples;
	hh_mutex_lock(s->lock);
	d->progress.samples_done += samples;
	hh_mutex_unlock(s->lock);
	return HIVEHA_OK;
}

/* Commits the state without the checkpoint of `gap` and, with
 * HH_GAP_CLOSE, without the gap itself (it is completely filled). */
enum { HH_GAP_KEEP = 0, HH_GAP_CLOSE = 1 };

static int commit_gap_state(hh_deputy *d, hh_range gap, int what)
{
	hh_state_edit e;
	int rc = hh_state_edit_begin(&e, d);
	if (rc)
		return rc;
	if (what == HH_GAP_CLOSE)
		rc = hh_spans_remove(&e.next.pending, gap.from, gap.to);
	if (!rc && hh_checkpoint_belongs(&e.next.ck, gap.from, gap.to))
		hh_checkpoint_clear(&e.next);
	return hh_state_edit_end(&e, rc);
}

/* A decoded page and the item ids of the request it answers: a binary
 * reply names its items by their index there. */
typedef struct ts_page {
	hh_ts_reply rep;
	char *const *ids;
	size_t n;
} ts_page;

static int decode_ts(void *out, const void *data, size_t len, const hh_limits *lim, hh_errbuf *err)
{
	ts_page *pg = out;
	return hh_decode_ts_reply_for(&pg->rep, data, len, lim, err, (const char *const *)pg->ids,
	                              pg->n);
}

/* The batches of one gap, for the pager. A batch is the next run of items
 * that fits the peer's limits (by items and by bytes), so batches differ
 * in size; `next_pos` is the first item not yet in one. `b` is the batch
 * whose pages are applied, `queued` the one whose first request is
 * already travelling (the pager overlaps them). */
typedef struct trend_xfer {
	hh_deputy *d;
	hh_range gap;
	char **items;
	size_t n_items, next_pos;
	size_t size;          /* items per request: ours, lowered to the peer's */
	size_t max_bytes;     /* request bytes the peer accepts, minus room for a cursor */
	size_t max_id;        /* longest id the peer decodes */
	batch b, queued;
	batch asked; /* the items of the request encoded last */
	prefix pre;
	int started; /* the first request is out: only it may resume at the checkpoint */
	hh_page_guard guard;
} trend_xfer;

/* Defaults of a responder that announces no limits (an older one). */
#define HH_PEER_DEFAULT_REQUEST_BYTES ((size_t)1 << 20)
#define HH_PEER_DEFAULT_ITEMS ((size_t)100000)
/* A continuation carries a cursor (at most 256 bytes) where the first
 * request may carry a start: keep room so every page of a batch fits. */
#define HH_REQUEST_SLACK ((size_t)512)

static void size_to_peer(trend_xfer *x)
{
	const hh_wire_limits *pl = &x->d->sync->peer->limits;
	size_t bytes = pl->request_bytes ? pl->request_bytes : HH_PEER_DEFAULT_REQUEST_BYTES;
	size_t items = pl->items ? pl->items : HH_PEER_DEFAULT_ITEMS;

	x->size = x->d->sync->cfg->batch_items < items ? x->d->sync->cfg->batch_items : items;
	x->max_bytes = bytes > 2 * HH_REQUEST_SLACK ? bytes - HH_REQUEST_SLACK : bytes / 2;
	x->max_id = pl->strings ? pl->strings : SIZE_MAX;
}

/* An item that cannot be carried even alone: skipped, named, never the
 * items around it. */
static void skip_item(trend_xfer *x, const char *why)
{
	hh_dep_note(x->d, HIVEHA_LOG_WARN, "item %.200s skipped: %s", x->items[x->next_pos],
	            why);
	x->next_pos++;
}

static int encode_batch(trend_xfer *x, hh_buf *out, batch b, const char *cursor)
{
	hh_ts_request req;
	memset(&req, 0, sizeof(req));
	req.window.from = x->gap.from;
	req.window.to = x->gap.to;
	req.items = b.ids;
	req.item_count = b.n;
	req.max_samples = x->d->sync->cfg->chunk_samples;
	req.encoding = (x->d->sync->peer->caps & HH_CAP_BIN_SAMPLES) ? HH_ENC_BIN : HH_ENC_JSON;
	req.window.cursor = cursor; /* from here on the cursor carries the position */
	req.max_reply_bytes = x->d->sync->cfg->max_reply_bytes;
	req.caps = hh_requester_caps(x->d->sync->store->version);
	const hh_checkpoint *ck = &x->d->st.ck;
	if (!cursor && !x->started && hh_merge_trend_resumes(ck, x->gap, b.ids[0])) {
		req.window.has_start = 1;
		req.window.start_time = ck->time;
		req.window.start_skip = ck->skip;
	}
	return hh_encode_ts_request_caps(out, &req, x->d->sync->peer->caps);
}

/* Whether the request for item i alone fits the peer's limits. A short id
 * surely fits (a request is a few hundred bytes plus the id, escaped);
 * a long one is measured. */
static int fits_alone(trend_xfer *x, size_t i, char *why, size_t why_size)
{
	size_t len = strlen(x->items[i]);
	if (hh_str_needs_b64(x->items[i], len)) {
		/* ids travel as plain JSON strings; the peer would refuse the request */
		(void)snprintf(why, why_size, "its id is not valid UTF-8");
		return 0;
	}
	if (len > x->max_id) {
		(void)snprintf(why, why_size, "its id is longer than the peer's limit of %zu bytes", x->max_id);
		return 0;
	}
	if (x->max_bytes > 1024 && len < (x->max_bytes - 1024) / 6)
		return 1;
	hh_buf out;
	hh_buf_init(&out, x->d->sync->alloc);
	batch b = { &x->items[i], 1, 0, i, &x->pre };
	int rc = encode_batch(x, &out, b, NULL);
	size_t got = out.len;
	hh_buf_free(&out);
	if (rc)
		return 1; /* not a size problem: let the real request report it */
	if (got <= x->max_bytes)
		return 1;
	(void)snprintf(why, why_size, "a request for it alone is %zu bytes, the peer accepts %zu", got,
	         x->max_bytes + HH_REQUEST_SLACK);
	return 0;
}

/* Moves next_pos past the items that cannot be carried at all. */
static void settle_next(trend_xfer *x)
{
	char why[128];
	while (x->next_pos < x->n_items && !fits_alone(x, x->next_pos, why, sizeof(why)))
		skip_item(x, why);
}

/*
 * Encodes the first request of the next batch (settle_next() has made sure
 * its first item fits alone): as many items from next_pos as our batch
 * size and the peer's item limit allow, up to the first id the peer
 * refuses (longer than its string limit, or not UTF-8), no more id bytes
 * in total than the peer's request limit (its decoder bounds front-coded
 * ids so, docs/protocol.md), and fewer - shrinking in proportion - while
 * the request is larger than the peer accepts.
 */
static int encode_next_batch(trend_xfer *x, hh_buf *out, batch *got)
{
	size_t start = out->len, left = x->n_items - x->next_pos;
	size_t n = left < x->size ? left : x->size;
	size_t total = strlen(x->items[x->next_pos]);
	for (size_t i = 1; i < n; i++) {
		size_t len = strlen(x->items[x->next_pos + i]);
		total += len;
		if (len > x->max_id || total > x->max_bytes ||
		    hh_str_needs_b64(x->items[x->next_pos + i], len)) {
			n = i;
			break;
		}
	}
	batch b = { &x->items[x->next_pos], n, 0, x->next_pos, &x->pre };
	for (;;) {
		b.n = n;
		out->len = start;
		int rc = encode_batch(x, out, b, NULL);
		if (rc)
			return rc;
		size_t len = out->len - start;
		if (len <= x->max_bytes || n == 1)
			break;
		size_t fit = (size_t)((double)n * (double)x->max_bytes / (double)len);
		n = fit >= n ? n - 1 : fit ? fit : 1;
	}
	x->next_pos += b.n;
	*got = b;
	return HIVEHA_OK;
}

static int ts_encode(void *ctx, hh_buf *out, const char *cursor)
{
	trend_xfer *x = ctx;
	if (cursor) {
		x->asked = x->b;
		return encode_batch(x, out, x->b, cursor);
	}
	batch b;
	int rc = encode_next_batch(x, out, &b);
	if (rc)
		return rc;
	x->started = 1;
	if (!x->b.ids)
		x->b = b;
	else
		x->queued = b;
	x->asked = b;
	return HIVEHA_OK;
}

static void ts_prepare(void *ctx, void *page)
{
	trend_xfer *x = ctx;
	ts_page *pg = page;
	pg->ids = x->asked.ids;
	pg->n = x->asked.n;
}

static const char *ts_cursor(const void *page)
{
	return ((const ts_page *)page)->rep.cursor;
}

static int ts_unvouched(void *ctx, const void *page)
{
	trend_xfer *x = ctx;
	const hh_ts_reply *r = &((const ts_page *)page)->rep;
	if (!r->gap_count)
		return HIVEHA_OK;
	int rc = hh_dep_resplit(x->d, x->gap, r->gaps, r->gap_count);
	return rc ? rc : HH_FILL_RESPLIT;
}

/* A continued page that carries nothing, or the previous page again, is
 * no progress (page_guard.h): end the round instead of looping. */
static int ts_no_progress(trend_xfer *x, const hh_ts_reply *r)
{
	uint64_t sig = HH_SIG_INIT;
	hh_sig_u64(&sig, (uint64_t)x->b.first + x->b.expect);
	for (size_t i = 0; i < r->item_count; i++) {
		const hh_ts_item *it = &r->items[i];
		hh_sig_u64(&sig, (uint64_t)it->count << 2 | (unsigned)it->unknown << 1 |
		                     (unsigned)it->complete);
		for (size_t k = 0; k < it->count; k++) {
			hh_sig_u64(&sig, (uint64_t)it->samples[k].time);
			hh_sig_u64(&sig, it->samples[k].quality);
			hh_sig_value(&sig, &it->samples[k].value);
		}
	}
	int repeat = hh_page_guard_repeat(&x->guard, sig, r->cursor != NULL);
	if (!r->cursor || (!repeat && r->item_count))
		return 0;
	const hh_ts_item *last = r->item_count ? &r->items[r->item_count - 1] : NULL;
	hh_dep_note(x->d, HIVEHA_LOG_ERROR,
	            "no progress: the peer %s (item %.200s%s%lld; does its store ignore skip?); "
	            "ending this round, the gap stays pending",
	            repeat ? "sent the same timeseries page again" : "sent an empty page to continue",
	            last ? last->id : x->b.ids[x->b.expect < x->b.n ? x->b.expect : 0],
	            last && last->count ? " at " : ", from ",
	            (long long)(last && last->count ? last->samples[last->count - 1].time
	                                            : x->gap.from));
	return HIVEHA_EPROTOCOL;
}

static int ts_apply(void *ctx, const void *page)
{
	trend_xfer *x = ctx;
	const hh_ts_reply *r = &((const ts_page *)page)->rep;
	int rc = ts_no_progress(x, r);
	return rc ? rc : apply_page(x->d, x->gap, &x->b, r, r->cursor == NULL);
}

static void ts_free(void *page)
{
	hh_ts_reply_free(&((ts_page *)page)->rep);
}

static int ts_has_next(void *ctx)
{
	trend_xfer *x = ctx;
	settle_next(x);
	return x->next_pos < x->n_items;
}

static int ts_end_batch(void *ctx)
{
	trend_xfer *x = ctx;
	if (x->b.expect != x->b.n) {
		hh_dep_note(x->d, HIVEHA_LOG_ERROR,
		            "invalid timeseries reply: the peer answered %zu of %zu items", x->b.expect,
		            x->b.n);
		return HIVEHA_EPROTOCOL;
	}
	x->b = x->queued;
	memset(&x->queued, 0, sizeof(x->queued));
	size_t done = x->b.ids ? x->b.first : x->next_pos;
	hh_mutex_lock(x->d->sync->lock);
	x->d->progress.items_done = done;
	hh_mutex_unlock(x->d->sync->lock);
	return HIVEHA_OK;
}

static uint64_t ts_records(const void *page)
{
	const hh_ts_reply *r = &((const ts_page *)page)->rep;
	uint64_t n = 0;

	for (size_t i = 0; i < r->item_count; i++)
		n += r->items[i].count;
	return n;
}

static const hh_pager ts_pager = {
	.kind = HIVEHA_MSG_TIMESERIES,
	.decode = decode_ts,
	.page_size = sizeof(ts_page),
	.encode = ts_encode,
	.cursor = ts_cursor,
	.unvouched = ts_unvouched,
	.apply = ts_apply,
	.free_page = ts_free,
	.has_next_unit = ts_has_next,
	.end_unit = ts_end_batch,
	.prepare = ts_prepare,
	.records = ts_records,
};

static int trend_fill(hh_deputy *d, hh_range gap)
{
	hh_sync *s = d->sync;
	item_list items = { .alloc = s->alloc };
	int rc = s->store->list_items(s->store->ctx, collect_item, &items);
	if (items.rc)
		rc = items.rc;
	if (rc) {
		char why[320];
		hh_dep_note(d, HIVEHA_LOG_ERROR, "listing the local items failed: %s",
		            hh_store_reason(s->store, rc, why, sizeof(why)));
		item_list_free(&items);
		return rc;
	}
	sort_unique(&items);

	size_t pos = 0;
	prefix pre = { items.v, 0, HH_ITEM_DIGEST_INIT };
	const hh_checkpoint *ck = &d->st.ck;
	if (hh_checkpoint_belongs(ck, gap.from, gap.to) && ck->item) {
		pos = lower_bound(&items, ck->item);
		if (!ck->has_prefix || prefix_upto(&pre, pos) != ck->prefix) {
			/* The items before the checkpoint are not those it saw: an
			 * added one was never fetched. Fill the gap again from its
			 * first item (replacing is idempotent) rather than close it
			 * with an item missing (MERGE-CASES W7). */
			hh_dep_note(d, HIVEHA_LOG_WARN,
			            "the trended items changed since the checkpoint: the gap is filled again from its first item");
			rc = commit_gap_state(d, gap, HH_GAP_KEEP);
			pos = 0;
			pre.n = 0;
			pre.digest = HH_ITEM_DIGEST_INIT;
		} else if (pos < items.n && ck->item_done && strcmp(items.v[pos], ck->item) == 0) {
			pos++;
		}
	}
	hh_mutex_lock(s->lock);
	d->progress.items_total = items.n;
	d->progress.items_done = pos;
	hh_mutex_unlock(s->lock);

	if (!rc && pos < items.n) {
		trend_xfer x;
		memset(&x, 0, sizeof(x));
		x.d = d;
		x.gap = gap;
		x.items = items.v;
		x.n_items = items.n;
		x.next_pos = pos;
		x.pre = pre;
		size_to_peer(&x);
		settle_next(&x);
		if (x.next_pos < x.n_items) {
			hh_fetch_observer obs = hh_dep_observer(d);
			rc = hh_fetch_pages(s, &obs, &ts_pager, &x);
		}
	}
	item_list_free(&items);
	if (!rc)
		rc = commit_gap_state(d, gap, HH_GAP_CLOSE);
	return rc;
}

static hiveha_time trend_expert_start(const hiveha_governor_config *cfg)
{
	return cfg->trend_expert_start;
}

static void trend_note_filled(hh_deputy *d)
{
	hh_dep_note(d, HIVEHA_LOG_INFO, "filled: %llu samples in %llu requests",
	            (unsigned long long)d->samples_round, (unsigned long long)d->requests_round);
}

const hh_deputy_kind hh_kind_trend = {
	.kind = HIVEHA_DEPUTY_TREND,
	.info = &hh_deputy_infos[HIVEHA_DEPUTY_TREND],
	.write = HH_KIND_REPLACES_SAMPLES,
	.fill = trend_fill,
	.expert_start = trend_expert_start,
	.note_filled = trend_note_filled,
};
