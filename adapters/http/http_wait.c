/*
 * http_wait.c - the monotonic lock and condition variable of http_wait.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "http_wait.h"

#include <hiveha/common.h>

#if defined(_WIN32)
#  define WIN32_LEAN_AND_MEAN
#  include <windows.h>

_Static_assert(sizeof(void *) == sizeof(SRWLOCK), "hh_http_wait.mu mirrors SRWLOCK");
_Static_assert(sizeof(void *) == sizeof(CONDITION_VARIABLE),
               "hh_http_wait.cv mirrors CONDITION_VARIABLE");

#  define SRW(w) ((PSRWLOCK)(void *)&(w)->mu)
#  define CV(w) ((PCONDITION_VARIABLE)(void *)&(w)->cv)

/* The longest single wait: one short of INFINITE, so that a far deadline
 * never means "forever"; the caller's loop waits again. */
#  define HH_HTTP_MAX_WAIT_MS (INFINITE - 1u)

uint64_t hh_http_now_ms(void)
{
	/* Milliseconds since boot, never going back; a wait on it may end up
	 * to a timer tick (15.6 ms) early, which the callers' loops absorb. */
	return (uint64_t)GetTickCount64();
}

int hh_http_wait_init(hh_http_wait *w)
{
	InitializeSRWLock(SRW(w));
	InitializeConditionVariable(CV(w));
	return 0;
}

void hh_http_wait_destroy(hh_http_wait *w)
{
	(void)w; /* neither holds resources */
}

void hh_http_wait_lock(hh_http_wait *w)
{
	AcquireSRWLockExclusive(SRW(w));
}

void hh_http_wait_unlock(hh_http_wait *w)
{
	ReleaseSRWLockExclusive(SRW(w));
}

void hh_http_wait_signal(hh_http_wait *w)
{
	WakeConditionVariable(CV(w));
}

void hh_http_wait_broadcast(hh_http_wait *w)
{
	WakeAllConditionVariable(CV(w));
}

void hh_http_wait_until(hh_http_wait *w, uint64_t deadline_ms)
{
	DWORD ms = INFINITE;

	if (deadline_ms) {
		uint64_t now = hh_http_now_ms();
		uint64_t left = deadline_ms > now ? deadline_ms - now : 0;

		if (left == 0)
			return; /* due: the caller sees the clock past its deadline */
		ms = left > HH_HTTP_MAX_WAIT_MS ? HH_HTTP_MAX_WAIT_MS : (DWORD)left;
	}
	/* FALSE with ERROR_TIMEOUT is a timeout; the caller reads the clock. */
	(void)SleepConditionVariableSRW(CV(w), SRW(w), ms, 0);
}

#else /* POSIX */

#  include <time.h>

uint64_t hh_http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int hh_http_wait_init(hh_http_wait *w)
{
	pthread_condattr_t ca;
	int ok;

	ok = pthread_condattr_init(&ca) == 0;
	/* The deadlines are monotonic: a wall-clock step must not end a wait. */
	ok = ok && pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0;
	ok = ok && pthread_cond_init(&w->cv, &ca) == 0;
	pthread_condattr_destroy(&ca);
	if (!ok)
		return HIVEHA_ENOMEM;
	pthread_mutex_init(&w->mu, NULL);
	return 0;
}

void hh_http_wait_destroy(hh_http_wait *w)
{
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

void hh_http_wait_lock(hh_http_wait *w)
{
	pthread_mutex_lock(&w->mu);
}

void hh_http_wait_unlock(hh_http_wait *w)
{
	pthread_mutex_unlock(&w->mu);
}

void hh_http_wait_signal(hh_http_wait *w)
{
	pthread_cond_signal(&w->cv);
}

void hh_http_wait_broadcast(hh_http_wait *w)
{
	pthread_cond_broadcast(&w->cv);
}

void hh_http_wait_until(hh_http_wait *w, uint64_t deadline_ms)
{
	struct timespec ts;

	if (!deadline_ms) {
		pthread_cond_wait(&w->cv, &w->mu);
		return;
	}
	ts.tv_sec = (time_t)(deadline_ms / 1000u);
	ts.tv_nsec = (long)(deadline_ms % 1000u) * 1000000L;
	(void)pthread_cond_timedwait(&w->cv, &w->mu, &ts);
}

#endif
