/*
 * gaps.h - the pure rules of gaps and vouching (internal; DESIGN §5): the
 * gap a start opens and the unvouched parts of a range. No I/O, no lock:
 * the governor and the responder feed them a sync state.
 */
#ifndef HH_GAPS_H
#define HH_GAPS_H

#include "protocol/protocol.h"
#include "syncstate.h"

typedef struct hh_gap_config {
	int64_t overlap_ms;
	int64_t lookback_ms;
	hiveha_time expert_start;         /* 0 = off */
} hh_gap_config;

/* The gap a start at `start` opens, given the persisted state. *has_gap is
 * 0 when there is none (no state and no look-back: W3). */
void hh_startup_gap(const hh_syncstate *st, const hh_gap_config *gc, hiveha_time start,
                    hh_range *gap, int *has_gap);

/* The unvouched parts of [from, to) (DESIGN §5 rules 1, 4 and 5): before
 * history_start, pending gaps minus their held parts (filling only while
 * the deputy is filling - `filling` - and the peer does not lack them),
 * closed ranges, before start-up everything after covered_until, and
 * everything at or after the caps: `settled_until` (now - settle: filling,
 * it will be stored) and `stored_until` (covered-until of an instance that
 * is not collecting: not filling). A cap of 0 is none. `have_governor` 0
 * means a responder without a governor: nobody is filling anything. */
typedef struct hh_vouch_input {
	const hh_syncstate *st;
	int have_governor;
	int enabled;
	int started;
	int64_t overlap_ms;
	int filling;               /* the deputy is in a round, has a retry due, or starts soon */
	hiveha_time settled_until; /* 0 = no cap */
	hiveha_time stored_until;  /* 0 = no cap */
} hh_vouch_input;

int hh_unvouched(const hh_vouch_input *in, hiveha_time from, hiveha_time to,
                 const hiveha_allocator *alloc, hh_gap **out, size_t *count);

#endif /* HH_GAPS_H */
