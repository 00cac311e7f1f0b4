/*
 * coverage.h - what an instance vouches for (internal; DESIGN §5 rule 1).
 *
 * The responder asks this for every request: which sub-ranges of
 * [from, to) the local history of deputy `kind` does NOT cover, and for
 * each whether the local deputy is still filling it. Implemented by the
 * governor (live state) and, for a responder without a governor, from the
 * sync state persisted in the store.
 */
#ifndef HH_COVERAGE_H
#define HH_COVERAGE_H

#include <hiveha/governor.h>
#include <hiveha/store.h>

#include "protocol/protocol.h"

typedef struct hh_gap_list {
	hh_gap *gaps;
	size_t count;
} hh_gap_list;

void hh_gap_list_free(hh_gap_list *l);

/* t - ms, saturating at HIVEHA_TIME_MIN (gaps.c). */
hiveha_time hh_time_sub_ms(hiveha_time t, int64_t ms);

/* Live view of a running (or not yet started) governor. `settled_until`
 * (0 = none): nothing at or after it is vouched for, it is still settling
 * (DESIGN §5 rule 5). Thread-safe. */
int hh_governor_unvouched(hiveha_governor *gov, int kind, hiveha_time from, hiveha_time to,
                          hiveha_time settled_until, hh_gap_list *out);

/* View from the persisted sync state alone (responder without governor). */
int hh_store_unvouched(const hiveha_store *store, int kind, hiveha_time from, hiveha_time to,
                       hiveha_time settled_until, hh_gap_list *out);

/* The governor's wall clock, for a responder attached to it. Thread-safe. */
hiveha_time hh_governor_now(hiveha_governor *gov);

#endif /* HH_COVERAGE_H */
