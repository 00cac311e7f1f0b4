/*
 * The system clock. No timing assertions: only order, epoch sanity and the
 * latched-wake protocol, which holds whatever the scheduling.
 */
#include <criterion/criterion.h>
#include <pthread.h>

#include <hiveha/hiveha.h>

#define HOUR_NS (INT64_C(3600) * 1000000000)

static hiveha_clock clk;

static void setup(void)
{
	cr_assert_eq(hiveha_clock_system(&clk), HIVEHA_OK);
}

static void teardown(void)
{
	clk.destroy(clk.ctx);
}

TestSuite(clock_system, .init = setup, .fini = teardown);

Test(clock_system, passes_its_own_check)
{
	char msg[200];

	cr_assert_eq(hiveha_clock_check(&clk, msg, sizeof(msg)), HIVEHA_OK, "%s", msg);
	cr_assert_not_null(clk.destroy);
	cr_assert_not_null(clk.ctx);
}

Test(clock_system, now_is_in_the_tick_epoch)
{
	hiveha_time lo, hi, now = clk.now(clk.ctx);

	/* Sanity of the epoch and unit, not of the precise time. */
	hiveha_time_from_iso8601(&lo, "2020-01-01T00:00:00Z");
	hiveha_time_from_iso8601(&hi, "2200-01-01T00:00:00Z");
	cr_assert_gt(now, lo);
	cr_assert_lt(now, hi);
}

Test(clock_system, monotonic_never_goes_back)
{
	int64_t prev = clk.monotonic_ns(clk.ctx);
	int i;

	for (i = 0; i < 100000; i++) {
		int64_t t = clk.monotonic_ns(clk.ctx);

		cr_assert_geq(t, prev);
		prev = t;
	}
}

Test(clock_system, sleep_zero_or_negative_returns)
{
	cr_assert_eq(clk.sleep(clk.ctx, 0), HIVEHA_OK);
	cr_assert_eq(clk.sleep(clk.ctx, -1), HIVEHA_OK);
	cr_assert_eq(clk.sleep(clk.ctx, INT64_MIN), HIVEHA_OK);
	cr_assert_eq(clk.sleep(clk.ctx, 1), HIVEHA_OK);
}

Test(clock_system, latched_wake_cancels_next_sleep_once)
{
	clk.wake(clk.ctx);
	/* Would block for an hour (and hit the suite timeout) if not latched. */
	cr_assert_eq(clk.sleep(clk.ctx, HOUR_NS), HIVEHA_ECANCELLED);
	/* The latch was consumed. */
	cr_assert_eq(clk.sleep(clk.ctx, 0), HIVEHA_OK);
	/* Several wakes latch once. */
	clk.wake(clk.ctx);
	clk.wake(clk.ctx);
	cr_assert_eq(clk.sleep(clk.ctx, INT64_MAX), HIVEHA_ECANCELLED);
	cr_assert_eq(clk.sleep(clk.ctx, 0), HIVEHA_OK);
}

Test(clock_system, latched_wake_wins_over_sleep_zero)
{
	clk.wake(clk.ctx);
	cr_assert_eq(clk.sleep(clk.ctx, 0), HIVEHA_ECANCELLED);
	cr_assert_eq(clk.sleep(clk.ctx, 0), HIVEHA_OK);
}

Test(clock_system, reset_drops_a_latched_wake)
{
	cr_assert_eq(clk.version, HIVEHA_CLOCK_VERSION);
	cr_assert_not_null(clk.reset);
	clk.wake(clk.ctx);
	clk.reset(clk.ctx);
	/* A surviving latch would cancel this sleep at once. */
	cr_assert_eq(clk.sleep(clk.ctx, 1), HIVEHA_OK);
	clk.reset(clk.ctx); /* nothing latched: a no-op */
	cr_assert_eq(clk.sleep(clk.ctx, 0), HIVEHA_OK);
}

static void *waker(void *arg)
{
	hiveha_clock *c = arg;

	c->wake(c->ctx);
	return NULL;
}

Test(clock_system, wake_from_another_thread)
{
	pthread_t t;

	/* Whether the wake lands before or during the sleep, the sleep ends
	 * cancelled: no ordering between the threads is assumed. */
	cr_assert_eq(pthread_create(&t, NULL, waker, &clk), 0);
	cr_assert_eq(clk.sleep(clk.ctx, HOUR_NS), HIVEHA_ECANCELLED);
	pthread_join(t, NULL);
}

Test(clock_system, instances_are_independent)
{
	hiveha_clock other;

	cr_assert_eq(hiveha_clock_system(&other), HIVEHA_OK);
	cr_assert_neq(other.ctx, clk.ctx);
	other.wake(other.ctx);
	cr_assert_eq(clk.sleep(clk.ctx, 0), HIVEHA_OK);
	cr_assert_eq(other.sleep(other.ctx, HOUR_NS), HIVEHA_ECANCELLED);
	other.destroy(other.ctx);
	cr_assert_eq(hiveha_clock_system(NULL), HIVEHA_EINVAL);
}
