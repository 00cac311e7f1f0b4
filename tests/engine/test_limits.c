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
