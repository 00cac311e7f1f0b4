/*
 * MERGE-CASES.md T1..T9: what the local store holds after a TrendHistory
 * sync of the gap [10, 20). The gap is opened with expert start 10 and
 * start time 20, so the local governor has no other state.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"

static harness h;
static char buf[4096];

static void setup(void)
{
	h_init(&h);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.start_time = 20;
}

static void teardown(void)
{
	h_fini(&h);
}

TestSuite(merge_trend, .init = setup, .fini = teardown);

#define LOCAL(item) h_fmt(&h.local, item, buf, sizeof(buf))

Test(merge_trend, t1_plain_fill)
{
	h_add_item(&h.local, "X");
	for (int i = 0; i < 10; i++)
		h_sample1(&h.peer, "X", 10 + i, 'a' + i);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL("X"), "(10,97) (11,98) (12,99) (13,100) (14,101) (15,102) (16,103) "
	                             "(17,104) (18,105) (19,106)");
}

Test(merge_trend, t2_peer_wins)
{
	h_sample1(&h.local, "X", 12, 1);
	h_sample1(&h.peer, "X", 12, 2);
	h_sample1(&h.peer, "X", 15, 3);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL("X"), "(12,2) (15,3)");
}

Test(merge_trend, t3_local_only_sample_in_vouched_range_is_replaced_away)
{
	h_sample1(&h.local, "X", 13, 1);
	h_sample1(&h.peer, "X", 12, 2);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL("X"), "(12,2)");
}

Test(merge_trend, t4_unvouched_range_left_alone)
{
	h_sample1(&h.local, "X", 15, 1);
	h_sample1(&h.peer, "X", 11, 2);
	h_sample1(&h.peer, "X", 15, 9); /* the peer's own partial data there must not be used */
	h_sample1(&h.peer, "X", 18, 3);
	hiveha_time pending[] = { 14, 17 };
	h_put_state(&h.peer, HIVEHA_DEPUTY_TREND, 1000, 0, pending, 1, NULL, 0, 0);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL("X"), "(11,2) (15,1) (18,3)");
}

Test(merge_trend, t5_half_open_edges)
{
	h_sample1(&h.local, "X", 9, 1);
	h_sample1(&h.local, "X", 20, 2);
	h_sample1(&h.peer, "X", 9, 3);
	h_sample1(&h.peer, "X", 10, 4);
	h_sample1(&h.peer, "X", 19, 5);
	h_sample1(&h.peer, "X", 20, 6);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL("X"), "(9,1) (10,4) (19,5) (20,2)");
}

static void equal_timestamps(uint32_t chunk)
{
	h.cfg.chunk_samples = chunk;
	h_add_item(&h.local, "X");
	hiveha_time t[] = { 15, 15, 15 };
	double v[] = { 1, 2, 3 };
	h_samples(&h.peer, "X", t, v, 3);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL("X"), "(15,1) (15,2) (15,3)");
}

Test(merge_trend, t6_equal_timestamps_in_order)
{
	equal_timestamps(0);
}

Test(merge_trend, t6_equal_timestamps_split_by_chunk_limit_2)
{
	equal_timestamps(2);
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	cr_assert_geq(c.exchanges[LOOPTRANSPORT_TIMESERIES], 2, "the chunk limit did not split the page");
}

Test(merge_trend, t6_chunk_edges_everywhere)
{
	/* runs of equal times and local samples at every time, chunk sizes 1..5 */
	hiveha_time t[] = { 10, 11, 11, 11, 12, 13, 13, 19, 19 };
	double v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	for (uint32_t chunk = 1; chunk <= 5; chunk++) {
		h_fini(&h);
		setup();
		h.cfg.chunk_samples = chunk;
		h_samples(&h.peer, "X", t, v, 9);
		for (hiveha_time lt = 9; lt <= 20; lt++)
			h_sample1(&h.local, "X", lt, -1);
		cr_assert_eq(h_run(&h), 0, "%s", h.log);
		cr_assert_str_eq(LOCAL("X"),
		                 "(9,-1) (10,1) (11,2) (11,3) (11,4) (12,5) (13,6) (13,7) (19,8) (19,9) (20,-1)",
		                 "chunk %u", chunk);
	}
}

Test(merge_trend, t7_unknown_item_reported_and_untouched)
{
	h_sample1(&h.local, "X", 12, 1);
	h_sample1(&h.local, "Y", 12, 5);
	h_sample1(&h.peer, "Y", 13, 6);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL("X"), "(12,1)");
	cr_assert_str_eq(LOCAL("Y"), "(13,6)");
	hiveha_deputy_snapshot s;
	cr_assert_eq(hiveha_governor_snapshot(h.gov, HIVEHA_DEPUTY_TREND, &s, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(s.state, HIVEHA_DEPUTY_FINISHED_OK);
	cr_assert(strstr(s.sync_state, "unknown to the peer") && strstr(s.sync_state, "X"), "%s",
	          s.sync_state);
}

Test(merge_trend, t8_idempotent)
{
	h_sample1(&h.local, "X", 9, 1);
	h_sample1(&h.local, "X", 13, 2);
	h_sample1(&h.local, "Y", 14, 3);
	hiveha_time t[] = { 10, 12, 12, 19 };
	double v[] = { 4, 5, 6, 7 };
	h_samples(&h.peer, "X", t, v, 4);
	h_samples(&h.peer, "Y", t, v, 4);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	h_gov_free(&h);
	char a[4096];
	snprintf(a, sizeof(a), "%s|", LOCAL("X"));
	strncat(a, LOCAL("Y"), sizeof(a) - strlen(a) - 1);
	/* the same sync again (expert start reopens the same window) */
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	char b[4096];
	snprintf(b, sizeof(b), "%s|", LOCAL("X"));
	strncat(b, LOCAL("Y"), sizeof(b) - strlen(b) - 1);
	cr_assert_str_eq(a, b);
	cr_assert_str_eq(a, "(9,1) (10,4) (12,5) (12,6) (19,7)|(10,4) (12,5) (12,6) (19,7)");
}

Test(merge_trend, t9_million_samples_paged)
{
	enum { N = 1000000 };
	hiveha_sample *s = calloc(N, sizeof(*s));
	cr_assert_not_null(s);
	h.cfg.trend_expert_start = 1000;
	h.cfg.start_time = 1000 + N;
	for (size_t i = 0; i < N; i++) {
		s[i].time = 1000 + (hiveha_time)i;
		hiveha_value_set_double(&s[i].value, (double)i * 0.5);
		s[i].quality = HIVEHA_QUALITY_GOOD;
	}
	h_append(&h.peer, "X", s, N);
	h_add_item(&h.local, "X");
	h.cfg.chunk_samples = 50000;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	size_t n = 0;
	cr_assert_eq(h_sample_count(&h.local, "X", &n), 0);
	cr_assert_eq(n, N);
	cr_assert(h_equal(&h.local, &h.peer, buf, sizeof(buf)), "%s", buf);
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	/* paged by the chunk limit: the reply never held the whole gap */
	cr_assert_geq(c.exchanges[LOOPTRANSPORT_TIMESERIES], N / 50000);
	free(s);
}
