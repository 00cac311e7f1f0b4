/*
 * fakeclock.c - the deterministic test clock (see fakeclock.h).
 *
 * wake() must cancel a sleep that is in progress (including one whose hook
 * is running) and be latched otherwise; a generation counter tells a
 * sleeper that a wake arrived after it started.
 */
#define _POSIX_C_SOURCE 200809L

#include "fakeclock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "refcount.h"

typedef struct fakeclock {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	refcount refs;
	fakeclock_mode mode;
	hiveha_time wall;
	int64_t wall_rem_ns;   /* sub-tick remainder of advances */
	int64_t mono;
	uint64_t sleeps, cancelled;
	int64_t slept;
	int latched;
	uint64_t resets;
	uint64_t gen;          /* bumped by a wake that finds an active sleep */
	unsigned active;       /* threads inside sleep() */
	unsigned blocked;      /* threads blocked in a MANUAL sleep */
	fakeclock_hook_fn hook;
	void *hook_payload;
} fakeclock;

static void fc_destroy(void *ctx);

static fakeclock *fc_of(const hiveha_clock *c)
{
	if (!c || c->destroy != fc_destroy || !c->ctx) {
		fprintf(stderr, "fakeclock: not a fakeclock\n");
		abort();
	}
	return c->ctx;
}

/* Lock held. */
static void advance_locked(fakeclock *f, int64_t ns)
{
	if (ns <= 0)
		return;
	f->mono += ns;
	f->wall_rem_ns += ns;
	f->wall += f->wall_rem_ns / 100;
	f->wall_rem_ns %= 100;
	pthread_cond_broadcast(&f->cv);
}

static void fc_destroy(void *ctx)
{
	fakeclock *f = ctx;
	if (!refcount_put(&f->refs))
		return;
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

static hiveha_time fc_now(void *ctx)
{
	fakeclock *f = ctx;
	pthread_mutex_lock(&f->mu);
	hiveha_time t = f->wall;
	pthread_mutex_unlock(&f->mu);
	return t;
}

static int64_t fc_monotonic(void *ctx)
{
	fakeclock *f = ctx;
	pthread_mutex_lock(&f->mu);
	int64_t t = f->mono;
	pthread_mutex_unlock(&f->mu);
	return t;
}

static int fc_sleep(void *ctx, int64_t ns)
{
	fakeclock *f = ctx;
	pthread_mutex_lock(&f->mu);
	uint64_t index = ++f->sleeps;
	if (f->latched) {
		f->latched = 0;
		f->cancelled++;
		pthread_mutex_unlock(&f->mu);
		return HIVEHA_ECANCELLED;
	}
	f->active++;
	uint64_t gen0 = f->gen;
	fakeclock_hook_fn hook = f->hook;
	void *payload = f->hook_payload;
	pthread_mutex_unlock(&f->mu);

	if (hook)
		hook(index, ns, payload);

	pthread_mutex_lock(&f->mu);
	if (f->gen == gen0 && ns > 0) {
		if (f->mode == FAKECLOCK_AUTO) {
			advance_locked(f, ns);
		} else {
			int64_t deadline = f->mono + ns;
			f->blocked++;
			pthread_cond_broadcast(&f->cv);
			while (f->mono < deadline && f->gen == gen0)
				pthread_cond_wait(&f->cv, &f->mu);
			f->blocked--;
		}
	}
	int rc = 0;
	if (f->gen != gen0) {
		f->cancelled++;
		rc = HIVEHA_ECANCELLED;
	} else if (ns > 0) {
		f->slept += ns;
	}
	f->active--;
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static void fc_wake(void *ctx)
{
	fakeclock *f = ctx;
	pthread_mutex_lock(&f->mu);
	if (f->active) {
		f->gen++;
		pthread_cond_broadcast(&f->cv);
	} else {
		f->latched = 1;
	}
	pthread_mutex_unlock(&f->mu);
}

static void fc_reset(void *ctx)
{
	fakeclock *f = ctx;
	pthread_mutex_lock(&f->mu);
	f->latched = 0;
	f->resets++;
	pthread_mutex_unlock(&f->mu);
}

int fakeclock_new(hiveha_clock *out, hiveha_time now, int64_t mono_ns)
{
	if (!out)
		return HIVEHA_EINVAL;
	fakeclock *f = calloc(1, sizeof *f);
	if (!f)
		return HIVEHA_ENOMEM;
	if (pthread_mutex_init(&f->mu, NULL)) {
		free(f);
		return HIVEHA_ENOMEM;
	}
	if (pthread_cond_init(&f->cv, NULL)) {
		pthread_mutex_destroy(&f->mu);
		free(f);
		return HIVEHA_ENOMEM;
	}
	refcount_init(&f->refs);
	f->wall = now;
	f->mono = mono_ns;
	hiveha_clock c = HIVEHA_CLOCK_INIT;
	c.ctx = f;
	c.destroy = fc_destroy;
	c.now = fc_now;
	c.monotonic_ns = fc_monotonic;
	c.sleep = fc_sleep;
	c.wake = fc_wake;
	c.reset = fc_reset;
	*out = c;
	return 0;
}

void fakeclock_ref(const hiveha_clock *c)
{
	refcount_get(&fc_of(c)->refs);
}

void fakeclock_free(hiveha_clock *c)
{
	if (c && c->ctx)
		fc_destroy(fc_of(c));
}

void fakeclock_set_mode(const hiveha_clock *c, fakeclock_mode mode)
{
	fakeclock *f = fc_of(c);
	pthread_mutex_lock(&f->mu);
	f->mode = mode;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

void fakeclock_set_hook(const hiveha_clock *c, fakeclock_hook_fn fn, void *payload)
{
	fakeclock *f = fc_of(c);
	pthread_mutex_lock(&f->mu);
	f->hook = fn;
	f->hook_payload = payload;
	pthread_mutex_unlock(&f->mu);
}

void fakeclock_set_now(const hiveha_clock *c, hiveha_time now)
{
	fakeclock *f = fc_of(c);
	pthread_mutex_lock(&f->mu);
	f->wall = now;
	f->wall_rem_ns = 0;
	pthread_mutex_unlock(&f->mu);
}

void fakeclock_advance(const hiveha_clock *c, int64_t ns)
{
	fakeclock *f = fc_of(c);
	pthread_mutex_lock(&f->mu);
	advance_locked(f, ns);
	pthread_mutex_unlock(&f->mu);
}

uint64_t fakeclock_sleeps(const hiveha_clock *c)
{
	fakeclock *f = fc_of(c);
	pthread_mutex_lock(&f->mu);
	uint64_t n = f->sleeps;
	pthread_mutex_unlock(&f->mu);
	return n;
}

int64_t fakeclock_slept_ns(const hiveha_clock *c)
{
	fakeclock *f = fc_of(c);
	pthread_mutex_lock(&f->mu);
	int64_t n = f->slept;
	pthread_mutex_unlock(&f->mu);
	return n;
}

uint64_t fakeclock_cancelled(const hiveha_clock *c)
{
	fakeclock *f = fc_of(c);
	pthread_mutex_lock(&f->mu);
	uint64_t n = f->cancelled;
	pthread_mutex_unlock(&f->mu);
	return n;
}

uint64_t fakeclock_resets(const hiveha_clock *c)
{
	fakeclock *f = fc_of(c);
	pthread_mutex_lock(&f->mu);
	uint64_t n = f->resets;
	pthread_mutex_unlock(&f->mu);
	return n;
}

int fakeclock_wake_pending(const hiveha_clock *c)
{
	fakeclock *f = fc_of(c);
	pthread_mutex_lock(&f->mu);
	int n = f->latched;
	pthread_mutex_unlock(&f->mu);
	return n;
}

unsigned fakeclock_sleepers(const hiveha_clock *c)
{
	fakeclock *f = fc_of(c);
	pthread_mutex_lock(&f->mu);
	unsigned n = f->blocked;
	pthread_mutex_unlock(&f->mu);
	return n;
}

void fakeclock_wait_sleepers(const hiveha_clock *c, unsigned n)
{
	fakeclock *f = fc_of(c);
	pthread_mutex_lock(&f->mu);
	while (f->blocked < n)
		pthread_cond_wait(&f->cv, &f->mu);
	pthread_mutex_unlock(&f->mu);
}
