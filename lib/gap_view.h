/*
 * gap_view.h - the gaps a reply lists (internal; DESIGN §5 rules 1 and 5).
 *
 * Sits between the responder's per-kind handlers (responder_ts.c,
 * responder_ev.c) and the coverage code (coverage.c): it asks the coverage
 * source which sub-ranges of a request are not vouched for, caps them at
 * the settle window and at what a peer decodes. It knows nothing of the
 * responder, so the handlers call down into it and never back up into
 * responder.c.
 */
#ifndef HH_GAP_VIEW_H
#define HH_GAP_VIEW_H

#include <hiveha/clock.h>
#include <hiveha/governor.h>
#include <hiveha/store.h>

#include "coverage.h"
#include "protocol/protocol.h"

/*
 * Coverage source: fills `out` with the unvouched sub-ranges of [from, to)
 * for deputy `kind`. The view frees `out` with hh_gap_list_free() only for
 * the built-in source; a source set in hh_gap_view.coverage keeps
 * ownership (the list must stay valid until its next call).
 */
typedef int (*hh_unvouched_fn)(void *ctx, int kind, hiveha_time from, hiveha_time to,
                               hh_gap_list *out);

/* Where the gaps come from. All pointers are borrowed and must outlive
 * the view; the responder owns the one it embeds. */
typedef struct hh_gap_view {
	hh_unvouched_fn coverage;   /* NULL: the governor's, else the store's */
	void *coverage_ctx;
	hiveha_governor *governor;  /* NULL: a responder without a governor */
	const hiveha_store *store;  /* read when there is no governor */
	const hiveha_clock *clock;  /* NULL: the governor's, else the system's */
	int64_t settle_ms;          /* >= 0 */
} hh_gap_view;

/* The host's time base: the view's clock, else the governor's, else the
 * system's wall clock. Thread-safe if the clock is. */
hiveha_time hh_gap_view_now(const hh_gap_view *v);

/* Unvouched ranges of [from, to) for deputy `kind`, at most
 * hh_limits_default()'s max_ranges of them, copied into *gaps_out (C heap;
 * free()). On failure *gaps_out is NULL, *count_out 0, and err says why. */
int hh_gap_view_list(const hh_gap_view *v, int kind, hiveha_time from, hiveha_time to,
                     hh_gap **gaps_out, size_t *count_out, hh_errbuf *err);

#endif /* HH_GAP_VIEW_H */
