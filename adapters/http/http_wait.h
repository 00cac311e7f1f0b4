/*
 * http_wait.h - a lock and a condition variable whose timed wait runs on a
 * monotonic clock, for the guard's reaper and the memory budget.
 *
 * POSIX: a pthread condition variable set to CLOCK_MONOTONIC. Windows:
 * MinGW's winpthreads refuses pthread_condattr_setclock (EINVAL), so an
 * SRWLOCK and a CONDITION_VARIABLE with a relative timeout instead. The
 * adapter may not use lib/platform, hence its own (see
 * adapters/sqlite/sqlite_mutex.h for the same reason).
 */
#ifndef HH_HTTP_WAIT_H
#define HH_HTTP_WAIT_H

#include <stdint.h>

#if defined(_WIN32)
/* SRWLOCK and CONDITION_VARIABLE are one pointer each; mirrored so that
 * this header needs no <windows.h> (http_wait.c checks the sizes). */
typedef struct hh_http_wait {
	void *mu;
	void *cv;
} hh_http_wait;
#else
#  include <pthread.h>
typedef struct hh_http_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
} hh_http_wait;
#endif

/* The adapter's monotonic clock, in milliseconds: every deadline passed to
 * hh_http_wait_until is on it. */
uint64_t hh_http_now_ms(void);

/* 0, or HIVEHA_ENOMEM when the condition variable cannot be set up. */
int hh_http_wait_init(hh_http_wait *w);
void hh_http_wait_destroy(hh_http_wait *w);
void hh_http_wait_lock(hh_http_wait *w);
void hh_http_wait_unlock(hh_http_wait *w);
void hh_http_wait_signal(hh_http_wait *w);
void hh_http_wait_broadcast(hh_http_wait *w);
/* Caller holds the lock. Waits for a signal, or until hh_http_now_ms()
 * reaches deadline_ms (0: no deadline). May wake early or spuriously: the
 * caller re-checks its condition and the clock. */
void hh_http_wait_until(hh_http_wait *w, uint64_t deadline_ms);

#endif /* HH_HTTP_WAIT_H */
