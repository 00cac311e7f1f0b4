/*
 * Limits and the records around a bad one (issue 9 items 10-12, issue 10
 * item 12; MERGE-CASES.md L1-L3): two instances with different settings
 * never fail for ever, and a round never loops or grows its SyncState
 * without bound. Runs on both store backends (harness.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static harness h;

static void setup(void)
{
	h_init(&h);
	h.cfg.start_time = 20;
}

static void teardown(void)
{
	h_fini(&h);
}

TestSuite(limits, .init = setup, .fini = teardown);

static size_t count_of(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* Issue 10 item 12: forty failed attempts give a few readable lines with
 * counts, the latest message last - not forty appended copies. */
Test(limits, sync_state_stays_readable_over_many_retries)
{
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.max_attempts = 40;
	h_sample1(&h.peer, "X", 12, 1);
	h_add_item(&h.local, "X");
	looptransport_set_peer_down(&h.transport, 1);
	cr_assert_neq(h_run(&h), 0);
	const char *st = h_sync_state(&h, "TrendHistory");
	cr_assert_lt(strlen(st), 600, "%s", st);
	cr_assert_eq(count_of(st, "cannot connect"), 1, "%s", st);
	cr_assert(strstr(st, "(x40)"), "%s", st);
	cr_assert(strstr(st, "(x39)"), "%s", st);
	const char *last = strstr(st, "sync failed");
	cr_assert(last && last > strstr(st, "(x40)"), "the latest message comes last: %s", st);
}

/* Issue 9 item 14: "store failure" alone does not tell a full disk from a
 * corrupt file; the store's own reason (store.h last_error) is carried
 * into SyncState and the governor's message. */
Test(limits, store_reason_reaches_sync_state_and_governor_message)
{
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.max_attempts = 1;
	h_sample1(&h.peer, "X", 12, 1);
	h_add_item(&h.local, "X");
	h_fail_nth(&h.local, MEMSTORE_MASK(MEMSTORE_REPLACE_SAMPLES), 1, HIVEHA_ESTORE);
	cr_assert_eq(h_run(&h), HIVEHA_ESTORE, "%s", h.log);
	const char *st = h_sync_state(&h, "TrendHistory");
	cr_assert(strstr(st, "store failed writing item X: store failure: "), "%s", st);
	cr_assert(strstr(st, "injected failure of replace_samples"), "%s", st);
	cr_assert(strstr(hiveha_governor_errmsg(h.gov), "injected failure of replace_samples"), "%s",
	          hiveha_governor_errmsg(h.gov));
}

/* ---- MERGE-CASES L1, L2: requests sized to the peer's announced limits -- */

/* An id of about 1.5 KiB, unique per i, ascending with i. */
static void long_id(char *buf, size_t size, int i)
{
	int n = snprintf(buf, size, "plant.area.%04d.", i);
	memset(buf + n, 'x', 1536 - (size_t)n);
	buf[1536] = '\0';
}

static void l_items(int n, int long_ids)
{
	char id[1600];
	for (int i = 0; i < n; i++) {
		if (long_ids)
			long_id(id, sizeof(id), i);
		else
			snprintf(id, sizeof(id), "item%04d", i);
		h_sample1(&h.peer, id, 10 + i % 10, i);
		h_add_item(&h.local, id);
	}
}

static void assert_all_filled(size_t n)
{
	cr_assert_eq(h_total_samples(&h.local), n, "%zu of %zu samples; %s", h_total_samples(&h.local),
	             n, h_sync_state(&h, "TrendHistory"));
	char diff[256];
	cr_assert(h_equal(&h.local, &h.peer, diff, sizeof(diff)), "%s", diff);
}

/* L1: 1000 ids of 1.5 KiB make a 1.5 MB request; the peer takes 1 MiB. */
Test(limits, L1_batches_split_to_the_peers_request_bytes)
{
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.batch_items = 1000;
	l_items(1000, 1);
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "TrendHistory"));
	assert_all_filled(1000);
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	cr_assert_geq(c.exchanges[LOOPTRANSPORT_TIMESERIES], 2);
	cr_assert_leq(c.exchanges[LOOPTRANSPORT_TIMESERIES], 4, "%llu requests",
	              (unsigned long long)c.exchanges[LOOPTRANSPORT_TIMESERIES]);
	cr_assert_null(strstr(h_sync_state(&h, "TrendHistory"), "exceeds the limit"));
}

/* L1, a smaller peer: 64 KiB requests, so about 40 ids per request. */
Test(limits, L1_small_request_limit_of_the_peer)
{
	h.peer_max_request_bytes = 64 << 10;
	h_peer_responder(&h, 0);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	l_items(200, 1);
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "TrendHistory"));
	assert_all_filled(200);
}

/* L2: the peer takes 100 items per request, we are set for 1000. */
Test(limits, L2_batches_fit_the_peers_items_per_request)
{
	h.peer_max_items = 100;
	h_peer_responder(&h, 0);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.batch_items = 1000;
	l_items(1000, 0);
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "TrendHistory"));
	assert_all_filled(1000);
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	cr_assert_eq(c.exchanges[LOOPTRANSPORT_TIMESERIES], 10, "%llu requests",
	             (unsigned long long)c.exchanges[LOOPTRANSPORT_TIMESERIES]);
}

/* A reply page the requester would refuse is never sent: the peer pages
 * to the requester's max_reply_bytes (announced in each request). */
Test(limits, replies_sized_to_the_requesters_reply_limit)
{
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.max_reply_bytes = 64 << 10;
	/* 2000 strings of 100 bytes: about 200 KB, several pages of 64 KiB */
	char text[101];
	memset(text, 's', 100);
	text[100] = '\0';
	for (int k = 0; k < 2000; k++) {
		hiveha_sample smp;
		memset(&smp, 0, sizeof(smp));
		smp.time = 10 + k / 200;
		smp.quality = HIVEHA_QUALITY_GOOD;
		cr_assert_eq(hiveha_value_set_string(&smp.value, text, 100), 0);
		h_append(&h.peer, "X", &smp, 1);
		hiveha_value_clear(&smp.value);
	}
	h_add_item(&h.local, "X");
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "TrendHistory"));
	assert_all_filled(2000);
}

/* An id the peer cannot take even alone is skipped and named; the items
 * around it are filled. */
Test(limits, an_item_that_cannot_be_carried_is_skipped_and_named)
{
	h.peer_max_request_bytes = 8 << 10;
	h_peer_responder(&h, 0);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h_sample1(&h.peer, "a", 12, 1);
	h_sample1(&h.peer, "c", 13, 3);
	h_add_item(&h.local, "a");
	h_add_item(&h.local, "c");
	char big[12000];
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	h_add_item(&h.local, big);
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "TrendHistory"));
	const char *st = h_sync_state(&h, "TrendHistory");
	cr_assert(strstr(st, "item bbbb") && strstr(st, "skipped: a request for it alone is"), "%s", st);
	cr_assert_eq(h_total_samples(&h.local), 2, "%s", st);
}
