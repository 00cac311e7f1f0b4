/*
 * hiveha/time.h - timestamps: 100-ns ticks since 1601-01-01T00:00:00Z.
 *
 * The epoch and unit are those of Windows FILETIME and OPC UA DateTime, so
 * Hive timestamps pass through unchanged. Ticks are a signed 64-bit count;
 * times before 1601 are negative. All windows are half-open [from, to).
 *
 * Thread-safety: every function here is pure and may be called from any
 * thread.
 */
#ifndef HIVEHA_TIME_H
#define HIVEHA_TIME_H

#include "common.h"

HIVEHA_BEGIN_DECLS

/** 100-ns ticks since 1601-01-01T00:00:00Z (UTC, no leap seconds). */
typedef int64_t hiveha_time;

#define HIVEHA_TICKS_PER_SECOND INT64_C(10000000)
#define HIVEHA_TICKS_PER_MS INT64_C(10000)
/** Ticks at 1970-01-01T00:00:00Z. */
#define HIVEHA_UNIX_EPOCH_TICKS INT64_C(116444736000000000)
/** Smallest and largest representable times (also used as "unbounded"). */
#define HIVEHA_TIME_MIN INT64_MIN
#define HIVEHA_TIME_MAX INT64_MAX

/** Size of a buffer that always holds hiveha_time_to_iso8601() output. */
#define HIVEHA_ISO8601_SIZE 32

/**
 * Ticks from Unix time: `seconds` since 1970-01-01Z (may be negative) plus
 * `nanoseconds` (0..999999999, truncated to 100 ns).
 * Returns HIVEHA_EINVAL for nanoseconds out of range or out == NULL,
 * HIVEHA_ERANGE if the result does not fit in 64 bits.
 */
HIVEHA_API int hiveha_time_from_unix(hiveha_time *out, int64_t seconds, uint32_t nanoseconds);

/**
 * Unix time from ticks: `*seconds_out` is floored (so nanoseconds are always
 * 0..999999900), exact at 100 ns. Either out pointer may be NULL.
 */
HIVEHA_API int hiveha_time_to_unix(int64_t *seconds_out, uint32_t *nanoseconds_out, hiveha_time t);

/**
 * Parses an ISO 8601 UTC timestamp: `YYYY-MM-DDTHH:MM:SS[.f{1,7}](Z|+HH:MM|-HH:MM)`.
 * The year is 0001..9999; an offset is applied to yield UTC. Anything else
 * (missing zone, 8+ fraction digits, day 31 of April, leap second 60,
 * trailing text) is HIVEHA_EPARSE; the time is never guessed.
 */
HIVEHA_API int hiveha_time_from_iso8601(hiveha_time *out, const char *text);

/**
 * Formats `t` as `YYYY-MM-DDTHH:MM:SS.fffffffZ` (always 7 fraction digits,
 * so formatting then parsing is exact). `size` must be at least
 * HIVEHA_ISO8601_SIZE. Returns HIVEHA_ERANGE for times outside years
 * 0001..9999, HIVEHA_EINVAL for a short buffer.
 */
HIVEHA_API int hiveha_time_to_iso8601(char *buf, size_t size, hiveha_time t);

HIVEHA_END_DECLS

#endif /* HIVEHA_TIME_H */
