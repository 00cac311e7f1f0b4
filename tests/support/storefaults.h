/*
 * storefaults.h - call counters and the fault schedule of the fake stores
 * (memstore, proxystore), so that "fail the Nth call" means the same in
 * both and a test written against one holds against the other.
 *
 * A schedule counts, from the moment it is set, the calls of the members
 * in its mask (MEMSTORE_MASK(), MEMSTORE_READS, ... from memstore.h):
 *  - STOREFAULTS_ONCE: the Nth counted call fails, once;
 *  - STOREFAULTS_FROM: the Nth and every later counted call fail (a
 *    crashed store), until the schedule is replaced or turned off.
 * N is 1-based; N = 0 schedules nothing. rollback is never faulted (it
 * cannot fail), whatever the mask says, but it is counted.
 *
 * Threads: none of its own. The store calls every function with its own
 * lock held (or otherwise serialised).
 */
#ifndef HH_TEST_STOREFAULTS_H
#define HH_TEST_STOREFAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "memstore.h"

typedef enum storefaults_mode {
	STOREFAULTS_ONCE = 1,
	STOREFAULTS_FROM = 2
} storefaults_mode;

typedef struct storefaults {
	memstore_counts counts;
	const char *store;     /* names the store in the reason */
	unsigned mask;         /* 0: no fault scheduled */
	uint64_t nth;
	uint64_t seen;         /* counted calls since the schedule was set */
	storefaults_mode mode;
	int err;
	char reason[128];      /* of the last injected fault, "" if none yet */
} storefaults;

/** No schedule, zero counts; `store` (static) names the store in reasons. */
void storefaults_init(storefaults *f, const char *store);

/**
 * Replaces the schedule: the `n`th call from now of a member in `mask`
 * fails with `err` (HIVEHA_ESTORE when 0), once or from then on.
 */
void storefaults_schedule(storefaults *f, unsigned mask, uint64_t n, storefaults_mode mode,
                          int err);

/** Cancels the schedule (counts and the last reason stay). */
void storefaults_off(storefaults *f);

/**
 * Counts one call of `member`. Returns the code the call must fail with,
 * without any effect, or 0 to go on. A fault also counts in
 * `counts.faults` and leaves "<store>: injected failure of <member> (call
 * N)" as the reason.
 */
int storefaults_enter(storefaults *f, memstore_member member);

/** Copies the reason of the last injected fault ("" if none) for the store's last_error. */
void storefaults_reason(const storefaults *f, char *buf, size_t size);

/** Zeroes the counters (not the schedule). */
void storefaults_reset_counts(storefaults *f);

#endif /* HH_TEST_STOREFAULTS_H */
