/*
 * clock.c - the clock interface (docs/api/clock.md).
 *
 * Uses the system clock (now, monotonic time, a latched wake that cancels
 * the next sleep), then builds a fake clock whose sleep advances fake time
 * instead of waiting - the way tests run the library on simulated time.
 * Exits 0 when both clocks behave as the interface says.
 */
#include <hiveha/clock.h>

#include <stdio.h>
#include <time.h>

static int fails;

static void expect(int ok, const char *what)
{
	printf("%-50s %s\n", what, ok ? "ok" : "FAILED");
	fails += !ok;
}

/* ---- a fake clock: time moves only when someone sleeps -------------------- */

typedef struct fake {
	hiveha_time now;
	int64_t mono_ns;
	int woken; /* a latched wake */
} fake;

static hiveha_time f_now(void *ctx)
{
	return ((fake *)ctx)->now;
}

static int64_t f_monotonic_ns(void *ctx)
{
	return ((fake *)ctx)->mono_ns;
}

static int f_sleep(void *ctx, int64_t ns)
{
	fake *f = ctx;
	if (f->woken) {
		f->woken = 0;
		return HIVEHA_ECANCELLED;
	}
	if (ns > 0) {
		f->mono_ns += ns;
		f->now += ns / 100; /* ticks are 100 ns */
	}
	return HIVEHA_OK;
}

static void f_wake(void *ctx)
{
	((fake *)ctx)->woken = 1;
}

static void system_clock(void)
{
	hiveha_clock c;
	hiveha_time unix_now = 0;

	if (hiveha_clock_system(&c) != HIVEHA_OK) {
		expect(0, "hiveha_clock_system");
		return;
	}
	expect(hiveha_clock_check(&c, NULL, 0) == HIVEHA_OK, "the system clock passes its check");
	/* now() is UTC: it agrees with the C library's time() to a few seconds. */
	hiveha_time_from_unix(&unix_now, (int64_t)time(NULL), 0);
	hiveha_time now = c.now(c.ctx);
	expect(now - unix_now < 5 * HIVEHA_TICKS_PER_SECOND &&
	               unix_now - now < 5 * HIVEHA_TICKS_PER_SECOND,
	       "now() is the wall clock");

	int64_t t0 = c.monotonic_ns(c.ctx);
	expect(c.sleep(c.ctx, 1000000) == HIVEHA_OK && c.monotonic_ns(c.ctx) - t0 >= 1000000,
	       "sleep(1 ms) waits at least 1 ms");
	/* A wake with nobody asleep is latched: the next sleep returns at once. */
	c.wake(c.ctx);
	t0 = c.monotonic_ns(c.ctx);
	expect(c.sleep(c.ctx, 60 * INT64_C(1000000000)) == HIVEHA_ECANCELLED,
	       "sleep(60 s) after wake() is cancelled");
	expect(c.monotonic_ns(c.ctx) - t0 < 30 * INT64_C(1000000000), "... and returned at once");
	c.destroy(c.ctx); /* ours: no governor took it over */
}

static void fake_clock(void)
{
	fake f = { 133800000000000000, 0, 0 };
	hiveha_clock c;
	char why[128];

	if (hiveha_clock_init(&c, HIVEHA_CLOCK_VERSION) != HIVEHA_OK) {
		expect(0, "hiveha_clock_init");
		return;
	}
	c.ctx = &f;
	c.now = f_now;
	c.monotonic_ns = f_monotonic_ns;
	c.sleep = f_sleep;
	expect(hiveha_clock_check(&c, why, sizeof why) == HIVEHA_EINVAL, "without wake: HIVEHA_EINVAL");
	printf("  reason: %s\n", why);
	c.wake = f_wake;
	expect(hiveha_clock_check(&c, why, sizeof why) == HIVEHA_OK && why[0] == '\0',
	       "complete: HIVEHA_OK, empty message");

	/* An hour of fake time passes instantly. */
	expect(c.sleep(c.ctx, 3600 * INT64_C(1000000000)) == HIVEHA_OK &&
	               c.now(c.ctx) == 133800000000000000 + 3600 * HIVEHA_TICKS_PER_SECOND,
	       "fake sleep(1 h) advances now() by 1 h");
	expect(hiveha_clock_init(&c, HIVEHA_CLOCK_VERSION + 1) == HIVEHA_EVERSION,
	       "init with a newer version: HIVEHA_EVERSION");
	/* A governor would take `c` over: hiveha_governor_new(..., &c). */
}

int main(void)
{
	system_clock();
	fake_clock();
	return fails != 0;
}
