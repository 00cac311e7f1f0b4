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

int hh_events_fill(hiveha_governor *gov, hh_deputy *d, hh_range gap)
{
	hh_ev_request req;
	memset(&req, 0, sizeof(req));
	req.from = gap.from;
	req.to = gap.to;
	req.max_events = gov->cfg.chunk_events;
	hh_range cur = gap;
	hh_buf body, reply;
	hh_buf_init(&body, gov->alloc);
	hh_buf_init(&reply, gov->alloc);
	char *cursor = NULL;
	int rc = HIVEHA_OK;
	for (;;) {
		req.cursor = cursor;
		body.len = 0;
		rc = hh_encode_ev_request(&body, &req);
		if (!rc)
			rc = hh_dep_exchange(gov, d, HIVEHA_MSG_EVENTS, &body, &reply);
		if (rc)
			break;
		hh_ev_reply page;
		memset(&page, 0, sizeof(page));
		hh_errbuf err = { "" };
		rc = hh_decode_ev_reply(&page, reply.data, reply.len, &gov->limits, &err);
		if (rc) {
			hh_dep_note(gov, d, HIVEHA_LOG_ERROR, "events reply rejected: %s", err.msg);
			break;
		}
		if (page.gap_count) {
			rc = hh_dep_resplit(gov, d, cur, page.gaps, page.gap_count);
			hh_ev_reply_free(&page);
			if (!rc)
				rc = HH_FILL_RESPLIT;
			break;
		}
		rc = apply_page(gov, d, &cur, &page);
		hh_free(NULL, cursor);
		cursor = NULL;
		if (!rc && page.cursor && !(cursor = hh_strdup(NULL, page.cursor)))
			rc = HIVEHA_ENOMEM;
		hh_ev_reply_free(&page);
		hh_dep_progress(gov, d);
		if (rc || !cursor)
			break;
	}
	hh_free(NULL, cursor);
	hh_buf_free(&body);
	hh_buf_free(&reply);
	return rc;
}
