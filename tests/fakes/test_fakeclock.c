/*
 * test_fakeclock.c - the fake clock: time arithmetic, sleep modes, the
 * latched wake, the hook, counters. Threads synchronise through the clock's
 * own fakeclock_wait_sleepers(), never through real time.
 */
#include <criterion/criterion.h>

#include <pthread.h>

#include "fakeclock.h"

#define T0 INT64_C(133000000000000000)

Test(fakeclock, now_and_monotonic_are_settable)
{
	hiveha_clock c;
	cr_assert_eq(fakeclock_new(&c, T0, 1000), 0);
	char msg[128];
	cr_assert_eq(hiveha_clock_check(&c, msg, sizeof msg), 0, "%s", msg);
	cr_assert_eq(c.now(c.ctx), T0);
	cr_assert_eq(c.monotonic_ns(c.ctx), 1000);
	fakeclock_set_now(&c, 42);
	cr_assert_eq(c.now(c.ctx), 42);
	cr_assert_eq(c.monotonic_ns(c.ctx), 1000, "wall time alone moved");
	fakeclock_advance(&c, 250); /* 2 ticks and 50 ns */
	cr_assert_eq(c.now(c.ctx), 44);
	cr_assert_eq(c.monotonic_ns(c.ctx), 1250);
	fakeclock_advance(&c, 50); /* the remainder completes a tick */
	cr_assert_eq(c.now(c.ctx), 45);
	fakeclock_free(&c);
}

Test(fakeclock, auto_sleep_advances_both_clocks)
{
	hiveha_clock c;
	cr_assert_eq(fakeclock_new(&c, T0, 0), 0);
	cr_assert_eq(c.sleep(c.ctx, 3 * INT64_C(1000000000)), 0);
	cr_assert_eq(c.monotonic_ns(c.ctx), 3 * INT64_C(1000000000));
	cr_assert_eq(c.now(c.ctx), T0 + 3 * HIVEHA_TICKS_PER_SECOND);
	cr_assert_eq(c.sleep(c.ctx, 0), 0);
	cr_assert_eq(c.sleep(c.ctx, -5), 0);
	cr_assert_eq(c.monotonic_ns(c.ctx), 3 * INT64_C(1000000000), "0 and negative do not advance");
	cr_assert_eq(fakeclock_sleeps(&c), 3);
	cr_assert_eq(fakeclock_slept_ns(&c), 3 * INT64_C(1000000000));
	fakeclock_free(&c);
}

Test(fakeclock, wake_is_latched_for_the_next_sleep_only)
{
	hiveha_clock c;
	cr_assert_eq(fakeclock_new(&c, T0, 0), 0);
	c.wake(c.ctx);
	c.wake(c.ctx); /* latching twice is still one latch */
	cr_assert_eq(fakeclock_wake_pending(&c), 1);
	cr_assert_eq(c.sleep(c.ctx, 1000), HIVEHA_ECANCELLED);
	cr_assert_eq(c.monotonic_ns(c.ctx), 0, "a cancelled sleep does not advance");
	cr_assert_eq(fakeclock_wake_pending(&c), 0);
	cr_assert_eq(c.sleep(c.ctx, 1000), 0);
	cr_assert_eq(fakeclock_cancelled(&c), 1);
	cr_assert_eq(fakeclock_slept_ns(&c), 1000);
	fakeclock_free(&c);
}

Test(fakeclock, reset_drops_a_latched_wake)
{
	hiveha_clock c;
	cr_assert_eq(fakeclock_new(&c, T0, 0), 0);
	cr_assert_eq(c.version, HIVEHA_CLOCK_VERSION);
	c.wake(c.ctx);
	c.reset(c.ctx);
	cr_assert_eq(fakeclock_wake_pending(&c), 0);
	cr_assert_eq(fakeclock_resets(&c), 1);
	cr_assert_eq(c.sleep(c.ctx, 1000), 0);
	cr_assert_eq(fakeclock_cancelled(&c), 0);
	fakeclock_free(&c);
}

typedef struct hook_state {
	hiveha_clock *clock;
	uint64_t calls;
	uint64_t last_index;
	int64_t last_ns;
	uint64_t wake_at; /* wake from inside the hook of this sleep */
} hook_state;

static void hook(uint64_t index, int64_t ns, void *payload)
{
	hook_state *h = payload;
	h->calls++;
	h->last_index = index;
	h->last_ns = ns;
	if (index == h->wake_at)
		h->clock->wake(h->clock->ctx);
}

Test(fakeclock, hook_sees_each_sleep_and_can_cancel_it)
{
	hiveha_clock c;
	cr_assert_eq(fakeclock_new(&c, T0, 0), 0);
	hook_state h = { .clock = &c, .wake_at = 3 };
	fakeclock_set_hook(&c, hook, &h);
	cr_assert_eq(c.sleep(c.ctx, 10), 0);
	cr_assert_eq(c.sleep(c.ctx, 20), 0);
	cr_assert_eq(h.calls, 2);
	cr_assert_eq(h.last_index, 2);
	cr_assert_eq(h.last_ns, 20);
	cr_assert_eq(c.sleep(c.ctx, 30), HIVEHA_ECANCELLED, "a wake during the sleep cancels it");
	cr_assert_eq(fakeclock_wake_pending(&c), 0, "and is not latched for the next one");
	cr_assert_eq(c.sleep(c.ctx, 40), 0);
	cr_assert_eq(c.monotonic_ns(c.ctx), 70);
	cr_assert_eq(fakeclock_sleeps(&c), 4);
	fakeclock_free(&c);
}

typedef struct sleeper {
	hiveha_clock *clock;
	int64_t ns;
	int rc;
} sleeper;

static void *sleep_thread(void *p)
{
	sleeper *s = p;
	s->rc = s->clock->sleep(s->clock->ctx, s->ns);
	return NULL;
}

Test(fakeclock, manual_sleep_waits_for_advance)
{
	hiveha_clock c;
	cr_assert_eq(fakeclock_new(&c, T0, 0), 0);
	fakeclock_set_mode(&c, FAKECLOCK_MANUAL);
	sleeper s = { .clock = &c, .ns = 1000, .rc = 99 };
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, sleep_thread, &s), 0);
	fakeclock_wait_sleepers(&c, 1);
	fakeclock_advance(&c, 999);
	cr_assert_eq(fakeclock_sleepers(&c), 1, "short of the deadline it still sleeps");
	fakeclock_advance(&c, 1);
	pthread_join(th, NULL);
	cr_assert_eq(s.rc, 0);
	cr_assert_eq(fakeclock_sleepers(&c), 0);
	cr_assert_eq(c.monotonic_ns(c.ctx), 1000, "the sleeper did not move time itself");
	fakeclock_free(&c);
}

Test(fakeclock, manual_sleep_is_woken)
{
	hiveha_clock c;
	cr_assert_eq(fakeclock_new(&c, T0, 0), 0);
	fakeclock_set_mode(&c, FAKECLOCK_MANUAL);
	sleeper s = { .clock = &c, .ns = INT64_C(3600000000000), .rc = 99 };
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, sleep_thread, &s), 0);
	fakeclock_wait_sleepers(&c, 1);
	c.wake(c.ctx);
	pthread_join(th, NULL);
	cr_assert_eq(s.rc, HIVEHA_ECANCELLED);
	cr_assert_eq(fakeclock_wake_pending(&c), 0, "consumed by the sleeper, not latched");
	cr_assert_eq(fakeclock_slept_ns(&c), 0);
	fakeclock_free(&c);
}

Test(fakeclock, reference_counting)
{
	hiveha_clock c;
	cr_assert_eq(fakeclock_new(&c, T0, 0), 0);
	fakeclock_ref(&c);
	c.destroy(c.ctx); /* what an owning governor does */
	cr_assert_eq(c.sleep(c.ctx, 5), 0);
	cr_assert_eq(fakeclock_sleeps(&c), 1);
	fakeclock_free(&c);
}
