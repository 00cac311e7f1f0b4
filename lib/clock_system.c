/*
 * clock_system.c - the default clock: platform wall and monotonic time, a
 * sleep on a condition variable that wake() interrupts, and reset() that
 * drops a latched wake.
 */
#include <hiveha/clock.h>

#include <stdbool.h>
#include <stdlib.h>

#include "alloc.h"
#include "platform/platform.h"

typedef struct system_clock {
	hh_mutex lock;
	hh_cond cond;
	/* Set by wake(), consumed by the sleep it interrupts or, if nobody
	 * sleeps, by the next one: a stop request is never lost between the
	 * caller checking its flag and going to sleep. */
	bool woken;
} system_clock;

static hiveha_time sys_now(void *ctx)
{
	(void)ctx;
	return hh_time_realtime();
}

static int64_t sys_monotonic_ns(void *ctx)
{
	(void)ctx;
	return hh_time_monotonic_ns();
}

static int sys_sleep(void *ctx, int64_t ns)
{
	system_clock *c = ctx;
	int64_t start = hh_time_monotonic_ns();
	int rc = HIVEHA_OK;

	hh_mutex_lock(&c->lock);
	/* A latched wake wins even over sleep(0), so that it is never lost.
	 * Elapsed time (never negative on a monotonic clock) is compared with
	 * ns rather than forming a deadline, which could overflow. */
	while (!c->woken) {
		int64_t elapsed = hh_time_monotonic_ns() - start;

		if (ns <= 0 || elapsed >= ns)
			break;
		hh_cond_timedwait_ns(&c->cond, &c->lock, ns - elapsed);
	}
	if (c->woken) {
		c->woken = false;
		rc = HIVEHA_ECANCELLED;
	}
	hh_mutex_unlock(&c->lock);
	return rc;
}

static void sys_wake(void *ctx)
{
	system_clock *c = ctx;

	hh_mutex_lock(&c->lock);
	c->woken = true;
	hh_cond_broadcast(&c->cond);
	hh_mutex_unlock(&c->lock);
}

static void sys_reset(void *ctx)
{
	system_clock *c = ctx;

	hh_mutex_lock(&c->lock);
	c->woken = false;
	hh_mutex_unlock(&c->lock);
}

static void sys_destroy(void *ctx)
{
	system_clock *c = ctx;

	if (!c)
		return;
	hh_cond_destroy(&c->cond);
	hh_mutex_destroy(&c->lock);
	hh_free(NULL, c);
}

int hiveha_clock_system(hiveha_clock *out)
{
	system_clock *c;
	int rc;

	if (!out)
		return HIVEHA_EINVAL;
	c = hh_calloc(NULL, 1, sizeof(*c));
	if (!c)
		return HIVEHA_ENOMEM;
	rc = hh_mutex_init(&c->lock);
	if (rc) {
		hh_free(NULL, c);
		return rc;
	}
	rc = hh_cond_init(&c->cond);
	if (rc) {
		hh_mutex_destroy(&c->lock);
		hh_free(NULL, c);
		return rc;
	}
	hiveha_clock_init(out, HIVEHA_CLOCK_VERSION);
	out->ctx = c;
	out->destroy = sys_destroy;
	out->now = sys_now;
	out->monotonic_ns = sys_monotonic_ns;
	out->sleep = sys_sleep;
	out->wake = sys_wake;
	out->reset = sys_reset;
	return HIVEHA_OK;
}
