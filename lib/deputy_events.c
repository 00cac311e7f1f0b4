/*
 * deputy_events.c - EventHistory: fill one gap of events (DESIGN §5).
 *
 * Events are inserted unless an event with the same identity exists; the
 * store decides identity and never changes a local event. That makes a
 * page safe to apply twice, so the checkpoint is simply the pending gap
 * itself: after each page the gap shrinks to start at the page's last
 * event time (events at that time may continue on the next page and are
 * re-read harmlessly after a crash).
 */
#include <string.h>

#include "alloc.h"
#include "fetch.h"
#include "governor_internal.h"

static int apply_page(hiveha_governor *gov, hh_deputy *d, hh_range *cur, const hh_ev_reply *page)
{
	for (size_t i = 0; i < page->count; i++) {
		hiveha_time t = page->events[i].time;
		if (t < cur->from || t >= cur->to || (i && t < page->events[i - 1].time)) {
			hh_dep_note(gov, d, HIVEHA_LOG_ERROR,
			            "invalid events reply: event time outside the range or out of order");
			return HIVEHA_EPROTOCOL;
		}
	}
	hh_syncstate next;
	hh_syncstate_init(&next, gov->alloc);
	int rc = hh_syncstate_copy(&next, &d->st);
	hiveha_store_txn *txn = NULL;
	if (!rc)
		rc = gov->store.begin(gov->store.ctx, &txn);
	if (rc) {
		hh_syncstate_free(&next);
		return rc;
	}
	size_t inserted = 0;
	if (page->count)
		rc = gov->store.insert_events(gov->store.ctx, txn, page->events, page->count, &inserted);
	hiveha_time done_to = cur->to;
	if (page->cursor)
		done_to = page->count ? page->events[page->count - 1].time : cur->from;
	if (!rc)
		rc = hh_spans_remove(&next.pending, cur->from, done_to);
	if (!rc && done_to < cur->to)
		rc = hh_spans_set(&next.pending, done_to, cur->to, 0);
	if (rc) {
		gov->store.rollback(gov->store.ctx, txn);
	} else {
		rc = hh_dep_commit_state(gov, d, txn, &next);
	}
	hh_syncstate_free(&next);
	if (rc) {
		hh_dep_note(gov, d, HIVEHA_LOG_ERROR, "store failed writing events: %s", hiveha_strerror(rc));
		return rc;
	}
	cur->from = done_to;
	d->events_round += inserted;
	hh_mutex_lock(&gov->lock);
	d->progress.events_done += page->count;
	d->progress.position = done_to;
	hh_mutex_unlock(&gov->lock);
	return HIVEHA_OK;
}

static int decode_ev(void *out, const void *data, size_t len, const hh_limits *lim, hh_errbuf *err)
{
	return hh_decode_ev_reply(out, data, len, lim, err);
}

/* Pages through the gap; the next page is fetched while the current one
 * is stored, as in deputy_trend.c. */
int hh_events_fill(hiveha_governor *gov, hh_deputy *d, hh_range gap)
{
	hh_ev_request req;
	memset(&req, 0, sizeof(req));
	req.from = gap.from;
	req.to = gap.to;
	req.max_events = gov->cfg.chunk_events;
	hh_range cur_range = gap;
	hh_ev_reply pages[2];
	memset(pages, 0, sizeof(pages));
	hh_fetch f[2];
	hh_fetch_init(&f[0], gov, HIVEHA_MSG_EVENTS, decode_ev, &pages[0]);
	hh_fetch_init(&f[1], gov, HIVEHA_MSG_EVENTS, decode_ev, &pages[1]);

	int rc = hh_encode_ev_request(&f[0].body, &req);
	if (!rc) {
		hh_fetch_start(&f[0], d, 0);
		rc = hh_fetch_finish(&f[0], d);
	}
	int cur = 0;
	while (!rc) {
		hh_ev_reply *page = &pages[cur];
		if (page->gap_count) {
			rc = hh_dep_resplit(gov, d, cur_range, page->gaps, page->gap_count);
			if (!rc)
				rc = HH_FILL_RESPLIT;
			break;
		}
		int next = cur ^ 1;
		int fetching = 0;
		if (page->cursor) {
			req.cursor = page->cursor;
			f[next].body.len = 0;
			rc = hh_encode_ev_request(&f[next].body, &req);
			req.cursor = NULL;
			if (rc)
				break;
			hh_fetch_start(&f[next], d, 1);
			fetching = 1;
		}
		rc = apply_page(gov, d, &cur_range, page);
		hh_ev_reply_free(page);
		memset(page, 0, sizeof(*page));
		hh_dep_progress(gov, d);
		if (fetching) {
			int frc = hh_fetch_finish(&f[next], d);
			if (!rc)
				rc = frc;
		}
		if (!fetching)
			break;
		cur = next;
	}
	hh_ev_reply_free(&pages[0]);
	hh_ev_reply_free(&pages[1]);
	hh_fetch_free(&f[0]);
	hh_fetch_free(&f[1]);
	return rc;
}
