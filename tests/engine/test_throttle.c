/*
 * The throttle (issue 14 §3): hiveha_governor_config.max_records_per_s and
 * max_bytes_per_s cap a deputy's gap fill, the pause placed between pages.
 * On the fake clock (AUTO: a sleep advances time) the pauses are exact:
 * the transfer's records over its elapsed monotonic time never pass the
 * cap, and without a cap nothing sleeps. Runs on both stores.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"

static harness h;

static void setup(void)
{
	h_init(&h);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.start_time = 1000;
	h.cfg.chunk_samples = 10; /* 100 samples: 10 pages */
	for (int k = 0; k < 100; k++)
		h_sample1(&h.peer, "X", 10 + k, k);
	h_add_item(&h.local, "X");
}

static void teardown(void)
{
	h_fini(&h);
}

TestSuite(throttle, .init = setup, .fini = teardown);

static void assert_synced(void)
{
	char diff[256] = "";

	cr_assert(h_equal(&h.local, &h.peer, diff, sizeof(diff)), "%s: %s", h_backend, diff);
}

Test(throttle, off_by_default_nothing_sleeps)
{
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	assert_synced();
	cr_assert_eq(fakeclock_slept_ns(&h.clock), 0);
}

/* 10 samples per second, 10 pages of 10: the request for page k + 1 waits
 * until k seconds have passed, so the whole fill takes 9 s. */
Test(throttle, records_per_second_hold)
{
	h.cfg.max_records_per_s = 10;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	assert_synced();
	cr_assert_eq(fakeclock_slept_ns(&h.clock), INT64_C(9000000000), "slept %lld ns",
	             (long long)fakeclock_slept_ns(&h.clock));
}

/* The byte cap paces by what the replies weighed. */
Test(throttle, bytes_per_second_hold)
{
	looptransport_counts c;

	h.cfg.max_bytes_per_s = 1000;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	assert_synced();
	looptransport_get_counts(&h.transport, &c);
	/* every reply but the last was paced: slept >= their bytes at 1000 B/s */
	cr_assert_gt(fakeclock_slept_ns(&h.clock), 0);
	cr_assert_leq(fakeclock_slept_ns(&h.clock), (int64_t)c.reply_bytes * 1000000,
	              "never more than all the bytes at the cap");
}

/* A stop during a pause ends it: the run reports the cancel, nothing half
 * applied stays behind, and the next run finishes the gap. */
Test(throttle, a_stop_ends_the_pause)
{
	h.cfg.max_records_per_s = 1;
	h_gov(&h);
	fakeclock_set_mode(&h.clock, FAKECLOCK_MANUAL);
	cr_assert_eq(hiveha_governor_start(h.gov), 0);
	fakeclock_wait_sleepers(&h.clock, 1);
	hiveha_governor_stop(h.gov);
	h_gov_free(&h);
	fakeclock_set_mode(&h.clock, FAKECLOCK_AUTO);
	h.cfg.max_records_per_s = 0;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	assert_synced();
}
