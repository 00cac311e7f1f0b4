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

#include "http_internal.h"

int hh_budget_init(hh_budget *b, uint64_t cap)
{
	b->cap = cap;
	b->used = 0;
	b->closing = 0;
	return hh_http_wait_init(&b->w);
}

void hh_budget_destroy(hh_budget *b)
{
	hh_http_wait_destroy(&b->w);
}

void hh_budget_close(hh_budget *b)
{
	hh_http_wait_lock(&b->w);
	b->closing = 1;
	hh_http_wait_broadcast(&b->w);
	hh_http_wait_unlock(&b->w);
}

/* Caller holds the lock. Alone, any reservation fits. */
static int fits(const hh_budget *b, uint64_t n)
{
	return b->used == 0 || (b->used < b->cap && n <= b->cap - b->used);
}

int hh_budget_take(hh_budget *b, uint64_t n, unsigned int wait_ms)
{
	uint64_t until = hh_http_now_ms() + wait_ms;
	int rc = 0;

	hh_http_wait_lock(&b->w);
	while (!fits(b, n)) {
		if (b->closing) {
			rc = HIVEHA_ECANCELLED;
			break;
		}
		if (hh_http_now_ms() >= until) {
			rc = HIVEHA_ETIMEOUT;
			break;
		}
		hh_http_wait_until(&b->w, until);
	}
	if (rc == 0)
		b->used += n;
	hh_http_wait_unlock(&b->w);
	return rc;
}

void hh_budget_give(hh_budget *b, uint64_t n)
{
	if (n == 0)
		return;
	hh_http_wait_lock(&b->w);
	b->used = n < b->used ? b->used - n : 0;
	hh_http_wait_broadcast(&b->w);
	hh_http_wait_unlock(&b->w);
}
