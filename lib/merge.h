/*
 * merge.h - the merge rules of DESIGN §5 as pure functions (internal).
 *
 * A deputy applies a reply page in three steps: it asks these functions
 * for a plan, executes the plan against the store inside one transaction
 * together with the new sync state, and publishes what it did. The rules
 * live here, apart from the store, the governor and the notes, so that
 * every MERGE-CASES row can be checked by calling them directly
 * (tests/unit/test_merge_trend.c, test_merge_events.c).
 *
 * Contract shared by every function below: no I/O, no allocation, no
 * global state; the plan only borrows from its inputs (it points into the
 * page), so it is valid as long as the page is. A plan that says the
 * reply is invalid asks for nothing to be written: the caller rolls the
 * whole page back, so a bad page never leaves half a page behind.
 *
 * The pages reaching these functions are vouched for entirely: a reply
 * that leaves sub-ranges unvouched carries no items or events (protocol.h)
 * and is turned into smaller gaps before anything is applied
 * (hh_dep_resplit), so "the gap" below is always a vouched range.
 *
 * Thread-safety: reentrant; they read only their arguments.
 */
#ifndef HH_MERGE_H
#define HH_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/protocol.h"
#include "syncstate.h"

/* ---- timeseries (deputy_trend.c) ------------------------------------ */

/* Where an item stands in its page. Named flags, combined with `|`. */
typedef enum hh_merge_place {
	HH_MERGE_MIDDLE = 0,
	HH_MERGE_LAST_OF_PAGE = 1u << 0, /* no item follows it in this page */
	HH_MERGE_LAST_PAGE = 1u << 1,    /* the page has no cursor: nothing follows it */
} hh_merge_place;

typedef enum hh_trend_action {
	HH_TREND_INVALID = -1, /* the reply breaks the protocol: write nothing of the page */
	HH_TREND_UNKNOWN = 0,  /* the peer does not know the item: leave it alone, report it */
	HH_TREND_REPLACE = 1,  /* replace [delete_from, delete_to) of the item by `samples` */
} hh_trend_action;

/* The checkpoint's per-item fields after the item is applied (they go
 * into hh_checkpoint; the caller sets item, prefix and gap itself). */
typedef struct hh_trend_mark {
	int item_done;          /* the item needs nothing more in this gap */
	hiveha_time time;       /* not done: a restart resumes the item at (time, skip) */
	uint64_t skip;          /* samples at `time` already stored */
	hiveha_time deleted_to; /* local samples of the item below this are replaced */
} hh_trend_mark;

typedef struct hh_trend_plan {
	hh_trend_action action;
	const char *invalid;          /* HH_TREND_INVALID: what is wrong, for the note */
	hiveha_time delete_from;      /* HH_TREND_REPLACE: the local range replaced ... */
	hiveha_time delete_to;        /* ... (half-open; empty when from >= to) */
	const hiveha_sample *samples; /* ... by these, borrowed from the item */
	size_t count;
	hh_trend_mark mark; /* every action but HH_TREND_INVALID */
} hh_trend_plan;

/*
 * Whether the fill of `gap` stopped inside item `id` at `ck` (a page or a
 * request for `id` then continues from the checkpoint instead of starting
 * at gap.from). The request side and the apply side must agree on this,
 * hence one predicate for both.
 */
int hh_merge_trend_resumes(const hh_checkpoint *ck, hh_range gap, const char *id);

/*
 * The plan for one item `it` of a timeseries page answering `gap`.
 *
 * `expected` is the id the peer must answer next (items come back in
 * request order), NULL when it has answered every item it was asked. `ck`
 * is the checkpoint as it stands before this item (after the items before
 * it in the same page). `place` (hh_merge_place flags, or'ed) says
 * whether the item ends its page and whether the page is the last.
 *
 * Why the range is what it is: a complete item replaces everything from
 * where its fill started (gap.from, or the checkpoint's deleted_to when
 * the page continues the item) to gap.to. An item cut by the page's end
 * replaces only up to just after its last sample's time, so local samples
 * the peer has not sent yet are not deleted before their replacement
 * arrives, and samples sharing that time on the next page are appended
 * after, not deleted again (T6, W6). `skip` counts the samples already
 * stored at `time`, over as many pages as that time spans, so a restart
 * asks for exactly the ones after them.
 *
 * An unknown item keeps the checkpoint's time, skip and deleted_to as they
 * were (only item_done is set): the caller persists them unchanged.
 *
 * Returns out->action. *out is always fully written.
 */
hh_trend_action hh_merge_trend_item(hh_trend_plan *out, hh_range gap, const hh_checkpoint *ck,
                                    const char *expected, const hh_ts_item *it, unsigned int place);

/* ---- events (deputy_events.c) --------------------------------------- */

typedef struct hh_events_plan {
	const char *invalid;        /* non-NULL: the reply breaks the protocol, write nothing */
	const hiveha_event *events; /* insert each unless its identity exists; borrowed */
	size_t count;
	hiveha_time done_to; /* [cur.from, done_to) is done, [done_to, cur.to) pending */
	uint32_t skipped;    /* events the peer could not carry: warn, never ask again */
} hh_events_plan;

/*
 * The plan for an events page answering the part `cur` of a gap that is
 * not done yet.
 *
 * Events are only ever inserted-if-absent (the store decides identity and
 * never changes an existing event), so the plan has no delete range: local
 * events are never removed (E2) and re-sending an event is harmless (E1).
 * That is also why the checkpoint is just the pending range: a page with
 * a cursor is done up to its last event's time, not past it, because more
 * events at that time may follow; a restart re-reads them and the store
 * keeps each once. A continued page without events is done nowhere. Every
 * event must lie in `cur`, in ascending time, or the page is invalid (E5:
 * nothing outside the gap ever lands locally).
 *
 * Returns 0, or HIVEHA_EPROTOCOL with out->invalid set. *out is always
 * fully written.
 */
int hh_merge_events_page(hh_events_plan *out, hh_range cur, const hh_ev_reply *page);

/*
 * Writes into out (always NUL-terminated when size > 0; cut at size) the
 * text naming the first three events a page skipped, so the L3 warning
 * says which ones. The caller adds it to its note with the total, which
 * says whether there were more. Returns out.
 */
char *hh_merge_events_describe_skipped(char *out, size_t size, const hh_ev_reply *page);

#endif /* HH_MERGE_H */
