/*
 * MERGE-CASES.md E1..E5: events are inserted unless one with the same
 * identity (time, source id, type id, message) exists; local events are
 * never changed or deleted. Gap [10, 20).
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
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS);
	h.cfg.events_expert_start = 10;
	h.cfg.start_time = 20;
}

static void teardown(void)
{
	h_fini(&h);
}

TestSuite(merge_events, .init = setup, .fini = teardown);

/* "time/src/type/message/severity;..." in store order */
static const char *events(const hiveha_store *s, char *buf, size_t size)
{
	hiveha_event *e = NULL;
	size_t n = 0;
	h_get_events(s, &e, &n);
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 64 < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%lld/%u/%u/%s/%u", i ? ";" : "",
		                         (long long)e[i].time, e[i].source_id, e[i].type_id,
		                         e[i].message ? e[i].message : "", e[i].severity);
	memstore_free_events(e, n);
	return buf;
}

static char buf[4096];
#define LOCAL_EVENTS() events(&h.local, buf, sizeof(buf))

Test(merge_events, e1_identical_event_once)
{
	h_event(&h.local, 12, 1, 2, "hi", 500);
	h_event(&h.peer, 12, 1, 2, "hi", 500);
	h_event(&h.peer, 13, 1, 2, "ho", 500);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL_EVENTS(), "12/1/2/hi/500;13/1/2/ho/500");
}

Test(merge_events, e2_local_events_never_deleted)
{
	h_event(&h.local, 14, 3, 3, "mine", 100);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL_EVENTS(), "14/3/3/mine/100");
}

Test(merge_events, e3_different_message_different_event)
{
	h_event(&h.local, 15, 1, 2, "a", 100);
	h_event(&h.peer, 15, 1, 2, "b", 100);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL_EVENTS(), "15/1/2/a/100;15/1/2/b/100");
}

Test(merge_events, e4_kept_not_overwritten)
{
	h_event(&h.local, 12, 1, 2, "hi", 500);
	h_event(&h.peer, 12, 1, 2, "hi", 900);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL_EVENTS(), "12/1/2/hi/500");
}

Test(merge_events, e5_outside_gap_ignored)
{
	h_event(&h.peer, 20, 1, 1, "late", 1);
	h_event(&h.peer, 10, 1, 1, "early", 1);
	h_event(&h.peer, 9, 1, 1, "before", 1);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL_EVENTS(), "10/1/1/early/1");
}

Test(merge_events, paged_with_equal_times_and_idempotent)
{
	h.cfg.chunk_events = 2;
	for (int i = 0; i < 7; i++) {
		char m[16];
		snprintf(m, sizeof(m), "m%d", i);
		h_event(&h.peer, 11 + i / 3, 1, 1, m, 1);
	}
	h_event(&h.local, 11, 1, 1, "m1", 1);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	char first[4096];
	snprintf(first, sizeof(first), "%s", LOCAL_EVENTS());
	cr_assert_str_eq(first, "11/1/1/m1/1;11/1/1/m0/1;11/1/1/m2/1;12/1/1/m3/1;12/1/1/m4/1;"
	                        "12/1/1/m5/1;13/1/1/m6/1");
	h_gov_free(&h);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_str_eq(LOCAL_EVENTS(), first);
}

Test(merge_events, attributes_and_all_fields_arrive)
{
	hiveha_event e;
	memset(&e, 0, sizeof(e));
	e.time = 12;
	e.received_time = 13;
	e.source_id = 7;
	e.type_id = 8;
	e.category = 9;
	e.state = 0x5;
	e.severity = 1000;
	e.source_name = (char *)"Pump 1";
	e.message = (char *)"Level high \"LIC-101\" \xc3\xa4";
	e.user_name = (char *)"operator";
	hiveha_attribute attr[2];
	memset(attr, 0, sizeof(attr));
	attr[0].name = (char *)"limit";
	hiveha_value_set_double(&attr[0].value, 95.5);
	attr[1].name = (char *)"count";
	hiveha_value_set_uint64(&attr[1].value, UINT64_MAX);
	e.attributes = attr;
	e.attribute_count = 2;
	h_add_events(&h.peer, &e, 1);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	hiveha_event *got = NULL;
	size_t n = 0;
	h_get_events(&h.local, &got, &n);
	cr_assert_eq(n, 1);
	cr_assert(hiveha_event_equal(&got[0], &e));
	memstore_free_events(got, n);
}
