/*
 * http_budget.c - the memory budget shared by the listener's requests.
 *
 * A request reserves its worst-case footprint before its handler runs and
 * gives it back as the memory is freed. When the budget is spent, the next
 * request waits (back-pressure) instead of allocating; after `wait_ms` it
 * gets HIVEHA_ETIMEOUT and the listener answers 503 (busy, retry). One
 * request larger than the whole budget still runs, alone, so no setting
 * can starve a request forever.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <time.h>

#include "http_internal.h"

int hh_budget_init(hh_budget *b, uint64_t cap)
{
	pthread_condattr_t ca;
	int ok;

	b->cap = cap;
	b->used = 0;
	b->closing = 0;
	ok = pthread_condattr_init(&ca) == 0;
	ok = ok && pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0;
	ok = ok && pthread_cond_init(&b->cv, &ca) == 0;
	pthread_condattr_destroy(&ca);
	if (!ok)
		return HIVEHA_ENOMEM;
	pthread_mutex_init(&b->mu, NULL);
	return 0;
}

void hh_budget_destroy(hh_budget *b)
{
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
}

void hh_budget_close(hh_budget *b)
{
	pthread_mutex_lock(&b->mu);
	b->closing = 1;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

/* Caller holds mu. Alone, any reservation fits. */
static int fits(const hh_budget *b, uint64_t n)
{
	return b->used == 0 || (b->used < b->cap && n <= b->cap - b->used);
}

int hh_budget_take(hh_budget *b, uint64_t n, unsigned int wait_ms)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(wait_ms / 1000u);
	until.tv_nsec += (long)(wait_ms % 1000u) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&b->mu);
	while (!fits(b, n)) {
		if (b->closing) {
			rc = HIVEHA_ECANCELLED;
			break;
		}
		if (pthread_cond_timedwait(&b->cv, &b->mu, &until) != 0 && !fits(b, n)) {
			rc = HIVEHA_ETIMEOUT;
			break;
		}
	}
	if (rc == 0)
		b->used += n;
	pthread_mutex_unlock(&b->mu);
	return rc;
}

void hh_budget_give(hh_budget *b, uint64_t n)
{
	if (n == 0)
		return;
	pthread_mutex_lock(&b->mu);
	b->used = n < b->used ? b->used - n : 0;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}
