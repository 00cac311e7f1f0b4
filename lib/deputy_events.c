/*
 * deputy_events.c - EventHistory: fill one gap of events (DESIGN §5).
 *
 * Events are inserted unless an event with the same identity exists; the
 * store decides identity and never changes a local event. That makes a
 * page safe to apply twice, so the checkpoint is simply the pending gap
 * itself: after each page the gap shrinks to start at the page's last
 * event time (events at that time may continue on the next page and are
 * re-read harmlessly after a crash). merge_events.c holds these rules.
 */
#include <string.h>

#include "alloc.h"
#include "deputy_kind.h"
#include "deputy_report.h"
#include "deputy_state.h"
#include "fetch.h"
#include "merge.h"
#include "page_guard.h"
#include "store_access.h"

/* Events the peer could not carry: a warning naming them (the first few
 * of the page; the rest counted). They are not asked again. */
static void note_skipped(hh_deputy *d, const hh_ev_reply *page)
{
	char list[400];
	hh_dep_note(d, HIVEHA_LOG_WARN, "the peer skipped %u event(s) it cannot send: %s%s",
	            (unsigned)page->skipped_total,
	            hh_merge_events_describe_skipped(list, sizeof(list), page),
	            page->skipped_total > 3 ? "; ..." : "");
}

static int apply_page(hh_deputy *d, hh_range *cur, const hh_ev_reply *page)
{
	hh_sync *s = d->sync;
	hh_events_plan plan;
	if (hh_merge_events_page(&plan, *cur, page)) {
		hh_dep_note(d, HIVEHA_LOG_ERROR, "invalid events reply: %s", plan.invalid);
		return HIVEHA_EPROTOCOL;
	}
	hh_state_edit e;
	int rc = hh_state_edit_begin(&e, d);
	if (rc)
		return rc;
	hiveha_store_txn *txn = NULL;
	rc = hh_state_edit_txn(&e, &txn);
	if (rc)
		return hh_state_edit_end(&e, rc);
	size_t inserted = 0;
	if (plan.count)
		rc = s->store->insert_events(s->store->ctx, txn, plan.events, plan.count, &inserted);
	if (!rc)
		rc = hh_spans_remove(&e.next.pending, cur->from, plan.done_to);
	if (!rc && plan.done_to < cur->to)
		rc = hh_spans_set(&e.next.pending, plan.done_to, cur->to, 0);
	rc = hh_state_edit_end(&e, rc);
	if (rc) {
		char why[320];
		hh_dep_note(d, HIVEHA_LOG_ERROR, "store failed writing events: %s",
		            hh_store_reason(s->store, rc, why, sizeof(why)));
		return rc;
	}
	if (plan.skipped)
		note_skipped(d, page);
	cur->from = plan.done_to;
	d->events_round += inserted;
	hh_mutex_lock(s->lock);
	d->progress.events_done += plan.count;
	d->progress.position = plan.done_to;
	hh_mutex_unlock(s->lock);
	return HIVEHA_OK;
}

static int decode_ev(void *out, const void *data, size_t len, const hh_limits *lim, hh_errbuf *err)
{
	return hh_decode_ev_reply(out, data, len, lim, err);
}

typedef struct ev_xfer {
	hh_deputy *d;
	hh_range cur;        /* the part of the gap not yet done */
	hh_ev_request req;
	hh_page_guard guard;
} ev_xfer;

static int ev_encode(void *ctx, hh_buf *out, const char *cursor)
{
	ev_xfer *x = ctx;
	x->req.window.cursor = cursor;
	int rc = hh_encode_ev_request(out, &x->req);
	x->req.window.cursor = NULL;
	return rc;
}

static const char *ev_cursor(const void *page)
{
	return ((const hh_ev_reply *)page)->cursor;
}

static int ev_unvouched(void *ctx, const void *page)
{
	ev_xfer *x = ctx;
	const hh_ev_reply *r = page;
	if (!r->gap_count)
		return HIVEHA_OK;
	int rc = hh_dep_resplit(x->d, x->cur, r->gaps, r->gap_count);
	return rc ? rc : HH_FILL_RESPLIT;
}

/* A continued page that carries nothing, or the previous page again, is
 * no progress (page_guard.h): end the round instead of looping. */
static int ev_no_progress(ev_xfer *x, const hh_ev_reply *r)
{
	uint64_t sig = HH_SIG_INIT;
	hh_sig_u64(&sig, (uint64_t)x->cur.from);
	hh_sig_u64(&sig, r->count);
	hh_sig_u64(&sig, r->skipped_total);
	for (size_t i = 0; i < r->count; i++)
		hh_sig_event(&sig, &r->events[i]);
	int repeat = hh_page_guard_repeat(&x->guard, sig, r->cursor != NULL);
	if (!r->cursor || (!repeat && (r->count || r->skipped_total)))
		return 0;
	hh_dep_note(x->d, HIVEHA_LOG_ERROR,
	            "no progress: the peer %s at %lld (does its store ignore skip?); ending this "
	            "round, the gap stays pending",
	            repeat ? "sent the same events page again" : "sent an empty page to continue",
	            (long long)x->cur.from);
	return HIVEHA_EPROTOCOL;
}

static int ev_apply(void *ctx, const void *page)
{
	ev_xfer *x = ctx;
	int rc = ev_no_progress(x, page);
	return rc ? rc : apply_page(x->d, &x->cur, page);
}

static void ev_free(void *page)
{
	hh_ev_reply_free(page);
}

static uint64_t ev_records(const void *page)
{
	return ((const hh_ev_reply *)page)->count;
}

static const hh_pager ev_pager = {
	.kind = HIVEHA_MSG_EVENTS,
	.decode = decode_ev,
	.page_size = sizeof(hh_ev_reply),
	.encode = ev_encode,
	.cursor = ev_cursor,
	.unvouched = ev_unvouched,
	.apply = ev_apply,
	.free_page = ev_free,
	.records = ev_records,
};

static int events_fill(hh_deputy *d, hh_range gap)
{
	const hiveha_governor_config *cfg = d->sync->cfg;
	ev_xfer x;
	memset(&x, 0, sizeof(x));
	x.d = d;
	x.cur = gap;
	x.req.window.from = gap.from;
	x.req.window.to = gap.to;
	x.req.max_events = cfg->chunk_events;
	x.req.max_reply_bytes = cfg->max_reply_bytes;
	x.req.caps = hh_requester_caps(d->sync->store->version);
	hh_fetch_observer obs = hh_dep_observer(d);
	return hh_fetch_pages(d->sync, &obs, &ev_pager, &x);
}

static hiveha_time events_expert_start(const hiveha_governor_config *cfg)
{
	return cfg->events_expert_start;
}

static void events_note_filled(hh_deputy *d)
{
	hh_dep_note(d, HIVEHA_LOG_INFO, "filled: %llu events received, %llu of them new, in %llu requests",
	            (unsigned long long)d->progress.events_done, (unsigned long long)d->events_round,
	            (unsigned long long)d->requests_round);
}

const hh_deputy_kind hh_kind_events = {
	.kind = HIVEHA_DEPUTY_EVENTS,
	.info = &hh_deputy_infos[HIVEHA_DEPUTY_EVENTS],
	.write = HH_KIND_INSERTS_ONLY,
	.fill = events_fill,
	.expert_start = events_expert_start,
	.note_filled = events_note_filled,
};
