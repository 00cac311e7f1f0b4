/*
 * Platform layer: threads, mutexes, condition variables, time. Threads
 * synchronise only through the primitives under test, never by sleeping.
 */
#include <criterion/criterion.h>

#include <hiveha/common.h>

#include "platform/platform.h"

typedef struct shared {
	hh_mutex lock;
	hh_cond cond;
	int flag;
	long counter;
	void *seen_arg;
} shared;

static void init_shared(shared *s)
{
	s->flag = 0;
	s->counter = 0;
	s->seen_arg = NULL;
	cr_assert_eq(hh_mutex_init(&s->lock), 0);
	cr_assert_eq(hh_cond_init(&s->cond), 0);
}

static void fini_shared(shared *s)
{
	hh_cond_destroy(&s->cond);
	hh_mutex_destroy(&s->lock);
}

static void signaller(void *arg)
{
	shared *s = arg;

	hh_mutex_lock(&s->lock);
	s->seen_arg = arg;
	s->flag = 1;
	hh_cond_signal(&s->cond);
	hh_mutex_unlock(&s->lock);
}

TestSuite(platform);

Test(platform, thread_signals_condition)
{
	shared s;
	hh_thread t;

	init_shared(&s);
	cr_assert_eq(hh_thread_create(&t, signaller, &s), 0);
	hh_mutex_lock(&s.lock);
	while (!s.flag)
		hh_cond_wait(&s.cond, &s.lock);
	hh_mutex_unlock(&s.lock);
	hh_thread_join(t);
	cr_assert_eq(s.seen_arg, &s, "the thread received its argument");
	fini_shared(&s);
}

Test(platform, thread_signals_timed_wait)
{
	shared s;
	hh_thread t;

	init_shared(&s);
	cr_assert_eq(hh_thread_create(&t, signaller, &s), 0);
	hh_mutex_lock(&s.lock);
	/* A wait of an hour that only a signal ends within the suite timeout. */
	while (!s.flag)
		cr_assert_eq(hh_cond_timedwait_ns(&s.cond, &s.lock, INT64_C(3600000000000)), 0);
	hh_mutex_unlock(&s.lock);
	hh_thread_join(t);
	fini_shared(&s);
}

static void broadcaster(void *arg)
{
	shared *s = arg;

	hh_mutex_lock(&s->lock);
	s->flag = 1;
	hh_cond_broadcast(&s->cond);
	hh_mutex_unlock(&s->lock);
}

Test(platform, broadcast_wakes_waiter)
{
	shared s;
	hh_thread t;

	init_shared(&s);
	cr_assert_eq(hh_thread_create(&t, broadcaster, &s), 0);
	hh_mutex_lock(&s.lock);
	while (!s.flag)
		hh_cond_wait(&s.cond, &s.lock);
	hh_mutex_unlock(&s.lock);
	hh_thread_join(t);
	fini_shared(&s);
}

#define ROUNDS 200000

static void incrementer(void *arg)
{
	shared *s = arg;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		hh_mutex_lock(&s->lock);
		s->counter++;
		hh_mutex_unlock(&s->lock);
	}
}

Test(platform, mutex_excludes)
{
	shared s;
	hh_thread t[4];
	int i;

	init_shared(&s);
	for (i = 0; i < 4; i++)
		cr_assert_eq(hh_thread_create(&t[i], incrementer, &s), 0);
	for (i = 0; i < 4; i++)
		hh_thread_join(t[i]);
	cr_assert_eq(s.counter, 4L * ROUNDS);
	fini_shared(&s);
}

Test(platform, timed_wait_times_out)
{
	shared s;
	int rc;

	init_shared(&s);
	hh_mutex_lock(&s.lock);
	cr_assert_eq(hh_cond_timedwait_ns(&s.cond, &s.lock, 0), HIVEHA_ETIMEOUT);
	cr_assert_eq(hh_cond_timedwait_ns(&s.cond, &s.lock, -5), HIVEHA_ETIMEOUT);
	/* Nobody signals: after any spurious wake-ups it must time out. */
	do
		rc = hh_cond_timedwait_ns(&s.cond, &s.lock, 1000);
	while (rc == 0);
	cr_assert_eq(rc, HIVEHA_ETIMEOUT);
	hh_mutex_unlock(&s.lock);
	fini_shared(&s);
}

Test(platform, clocks)
{
	int64_t prev = hh_time_monotonic_ns();
	hiveha_time now = hh_time_realtime();
	int i;

	/* 2020-01-01 and 2200-01-01 in ticks: sanity of epoch and unit. */
	cr_assert_gt(now, INT64_C(132223104000000000));
	cr_assert_lt(now, INT64_C(189025920000000000));
	for (i = 0; i < 100000; i++) {
		int64_t t = hh_time_monotonic_ns();

		cr_assert_geq(t, prev);
		prev = t;
	}
}

static void flag_setter(void *arg)
{
	hh_atomic_store(arg, 7);
}

Test(platform, atomic_int_crosses_threads)
{
	hh_atomic_int flag;
	hh_thread t;

	hh_atomic_init(&flag, 1);
	cr_assert_eq(hh_atomic_load(&flag), 1);
	hh_atomic_store(&flag, 0);
	cr_assert_eq(hh_atomic_load(&flag), 0);
	cr_assert_eq(hh_thread_create(&t, flag_setter, &flag), 0);
	hh_thread_join(t);
	cr_assert_eq(hh_atomic_load(&flag), 7, "the join orders the thread's store before the load");
}

#if defined(_WIN32)
Test(platform, win32_wait_rounds_up_and_is_never_infinite)
{
	cr_assert_eq(hh_win32_wait_ms(0), 0);
	cr_assert_eq(hh_win32_wait_ms(1), 1, "1 ns is a wait, not a poll");
	cr_assert_eq(hh_win32_wait_ms(1000000), 1);
	cr_assert_eq(hh_win32_wait_ms(1000001), 2);
	/* INFINITE (0xFFFFFFFF) ms exactly, and far beyond: clamped short of it. */
	cr_assert_eq(hh_win32_wait_ms(INT64_C(4294967295) * 1000000), UINT32_C(0xFFFFFFFE));
	cr_assert_eq(hh_win32_wait_ms(INT64_C(4294967296) * 1000000), UINT32_C(0xFFFFFFFE));
	cr_assert_eq(hh_win32_wait_ms(INT64_MAX), UINT32_C(0xFFFFFFFE));
}
#endif
