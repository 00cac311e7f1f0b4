/*
 * fakeclock.h - a deterministic hiveha_clock for tests.
 *
 * Wall time (ticks) and monotonic time (ns) are plain numbers the test sets.
 * Two sleep modes:
 *
 *  - FAKECLOCK_AUTO (default): sleep(ns) advances both clocks by ns and
 *    returns 0 at once, so a back-off of an hour costs nothing. A latched
 *    wake makes it return HIVEHA_ECANCELLED instead (clearing the latch)
 *    without advancing time.
 *  - FAKECLOCK_MANUAL: sleep blocks until the test advances monotonic time
 *    to its deadline (fakeclock_advance) or wakes it. The test can wait,
 *    without real sleeps, until a thread is parked in sleep
 *    (fakeclock_wait_sleepers).
 *
 * reset (clock version 2) drops a latched wake, as clock.h says.
 *
 * An optional hook runs at the start of every sleep, on the sleeping thread
 * and without the clock's lock: a test can act "while the governor sleeps",
 * e.g. call wake (or hiveha_governor_stop from another thread) after K
 * sleeps. A wake from inside the hook cancels that very sleep.
 *
 * Lifetime: reference counted like memstore: fakeclock_new() gives one
 * reference, each clock->destroy drops one, fakeclock_ref() adds one.
 * Threads: everything is safe from any thread.
 */
#ifndef HH_TEST_FAKECLOCK_H
#define HH_TEST_FAKECLOCK_H

#include <stdint.h>

#include <hiveha/clock.h>

typedef enum fakeclock_mode {
	FAKECLOCK_AUTO = 0,
	FAKECLOCK_MANUAL = 1
} fakeclock_mode;

/**
 * Called at the start of each sleep: `index` counts sleeps from 1, `ns` is
 * the requested duration.
 */
typedef void (*fakeclock_hook_fn)(uint64_t index, int64_t ns, void *payload);

/** Creates a clock at wall time `now` and monotonic time `mono_ns` (AUTO mode). */
int fakeclock_new(hiveha_clock *out, hiveha_time now, int64_t mono_ns);

/** Adds a reference. */
void fakeclock_ref(const hiveha_clock *c);

/** Drops the caller's reference (calls c->destroy). */
void fakeclock_free(hiveha_clock *c);

void fakeclock_set_mode(const hiveha_clock *c, fakeclock_mode mode);
void fakeclock_set_hook(const hiveha_clock *c, fakeclock_hook_fn fn, void *payload);

/** Sets the wall time; monotonic time is not touched. */
void fakeclock_set_now(const hiveha_clock *c, hiveha_time now);

/**
 * Advances both clocks by `ns` (wall time by whole 100-ns ticks, keeping
 * the remainder) and releases MANUAL sleepers whose deadline passed.
 */
void fakeclock_advance(const hiveha_clock *c, int64_t ns);

/** Sleep calls so far (cancelled ones included). */
uint64_t fakeclock_sleeps(const hiveha_clock *c);

/** Total ns of sleeps that completed (cancelled ones excluded). */
int64_t fakeclock_slept_ns(const hiveha_clock *c);

/** Sleeps that returned HIVEHA_ECANCELLED. */
uint64_t fakeclock_cancelled(const hiveha_clock *c);

/** reset calls so far (each drops a latched wake). */
uint64_t fakeclock_resets(const hiveha_clock *c);

/** 1 when a wake is latched (nobody consumed it yet). */
int fakeclock_wake_pending(const hiveha_clock *c);

/** Threads currently blocked in a MANUAL sleep. */
unsigned fakeclock_sleepers(const hiveha_clock *c);

/** Blocks until at least `n` threads are blocked in a MANUAL sleep. */
void fakeclock_wait_sleepers(const hiveha_clock *c, unsigned n);

#endif /* HH_TEST_FAKECLOCK_H */
