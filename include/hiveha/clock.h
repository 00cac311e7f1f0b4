/*
 * hiveha/clock.h - wall time, monotonic time and an interruptible sleep.
 *
 * The clock is part of the pluggable environment (like SQLite's VFS
 * xCurrentTimeInt64 / xSleep): tests drive the library with a fake clock
 * whose sleep advances fake time, so nothing in a test waits for real
 * time. hiveha_clock_system() fills in the default clock.
 *
 * Versioning: as hiveha_store.
 *
 * Threads: now and monotonic_ns may be called from any thread at once.
 * sleep and reset are called from the governor's sync thread, one at a
 * time; wake from any thread, also while a sleep or reset runs.
 */
#ifndef HIVEHA_CLOCK_H
#define HIVEHA_CLOCK_H

#include "common.h"
#include "time.h"

HIVEHA_BEGIN_DECLS

#define HIVEHA_CLOCK_VERSION 2
#define HIVEHA_CLOCK_INIT { HIVEHA_CLOCK_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

typedef struct hiveha_clock {
	/** HIVEHA_CLOCK_VERSION of the header the clock was built with. */
	unsigned int version;
	/** Passed as first argument to every member. */
	void *ctx;

	/* ---- version 1 ---- */

	/** Optional. Releases `ctx`; called once when the owning object is freed. */
	void (*destroy)(void *ctx);

	/** Required. Current UTC wall time. Used for timestamps, never for waiting. */
	hiveha_time (*now)(void *ctx);

	/** Required. A monotonic count of nanoseconds from an arbitrary origin. */
	int64_t (*monotonic_ns)(void *ctx);

	/**
	 * Required. Waits `ns` nanoseconds of monotonic time (0 or negative:
	 * returns at once). Returns 0 when the time passed, HIVEHA_ECANCELLED
	 * when wake() interrupted it. A wake() that arrives while nobody sleeps
	 * is latched: the next sleep returns HIVEHA_ECANCELLED at once.
	 */
	int (*sleep)(void *ctx, int64_t ns);

	/** Required. Interrupts the current or next sleep (see sleep). Any thread. */
	void (*wake)(void *ctx);

	/* ---- version 2 ---- */

	/**
	 * Optional. Drops a latched wake, so that a wake meant for an earlier
	 * run cannot cancel a sleep of the next one. Called on the sync thread
	 * when a run, poll or background thread begins, before it can sleep;
	 * never while a sleep is in progress. Without it (a version 1 clock,
	 * or NULL) the governor calls sleep(ctx, 0) instead, which consumes a
	 * latched wake as sleep documents.
	 */
	void (*reset)(void *ctx);
} hiveha_clock;

/**
 * Zeroes the members `version` has (a version 1 struct ends before reset)
 * and sets the version. HIVEHA_EVERSION for 0 or a newer version,
 * HIVEHA_EINVAL for NULL.
 */
HIVEHA_API int hiveha_clock_init(hiveha_clock *clock, unsigned int version);

/**
 * Checks version and required members (reset is optional); writes a
 * reason into `msg` on failure.
 */
HIVEHA_API int hiveha_clock_check(const hiveha_clock *clock, char *msg, size_t msg_size);

/**
 * Fills `out` with the system clock: CLOCK_REALTIME / CLOCK_MONOTONIC on
 * POSIX (GetSystemTimePreciseAsFileTime / QueryPerformanceCounter on
 * Windows) and a condition-variable sleep. `out->ctx` is allocated: release
 * it with out->destroy(out->ctx), or hand `out` to a governor that will.
 * Each governor needs its own instance (wake is per instance).
 */
HIVEHA_API int hiveha_clock_system(hiveha_clock *out);

HIVEHA_END_DECLS

#endif /* HIVEHA_CLOCK_H */
