/* Events: insert-if-absent, store order, paging, attributes, bad blobs. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sqtest.h"

TestSuite(sqlite_events, .init = sqt_setup, .fini = sqt_teardown);

static void read_all(const hiveha_store *st, sqt_events *got)
{
	cr_assert_eq(st->read_events(st->ctx, HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, 0, SIZE_MAX,
	                             sqt_collect_events, got), 0);
}

Test(sqlite_events, identity_duplicates_are_stored_once_and_never_changed)
{
	hiveha_store st;
	hiveha_event e[5] = { sqt_event(10, 1, 1, "a"), sqt_event(10, 1, 2, "a"), sqt_event(10, 1, 1, "b"),
	                      sqt_event(10, 2, 1, "a"), sqt_event(11, 1, 1, "a") };
	hiveha_event dup = sqt_event(10, 1, 1, "a");
	hiveha_store_txn *txn;
	sqt_events got = { 0 };
	size_t inserted = 99;

	e[0].severity = 500;
	dup.severity = 900; /* same identity, other fields differ */
	dup.user_name = "intruder";
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_add_events(&st, e, 5, &inserted), 0);
	cr_assert_eq(inserted, 5);
	txn = sqt_begin(&st);
	cr_assert_eq(st.insert_events(st.ctx, txn, &dup, 1, &inserted), 0);
	cr_assert_eq(inserted, 0);
	cr_assert_eq(st.insert_events(st.ctx, txn, e, 5, NULL), 0);
	sqt_commit(&st, txn);
	read_all(&st, &got);
	cr_assert_eq(got.n, 5);
	cr_assert_eq(got.v[0].severity, 500);
	cr_assert_null(got.v[0].user_name);
	sqt_events_free(&got);
	sqt_close(&st);
}

Test(sqlite_events, duplicates_within_one_call_and_null_message_equal_empty)
{
	hiveha_store st;
	hiveha_event e[4] = { sqt_event(5, 1, 1, NULL), sqt_event(5, 1, 1, ""), sqt_event(6, 1, 1, "x"),
	                      sqt_event(6, 1, 1, "x") };
	sqt_events got = { 0 };
	size_t inserted = 0;

	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_add_events(&st, e, 4, &inserted), 0);
	cr_assert_eq(inserted, 2);
	read_all(&st, &got);
	cr_assert_eq(got.n, 2);
	cr_assert_null(got.v[0].message, "a NULL message reads back as NULL");
	cr_assert_str_eq(got.v[1].message, "x");
	sqt_events_free(&got);
	sqt_close(&st);
}

Test(sqlite_events, every_field_and_attribute_round_trips)
{
	hiveha_store st;
	hiveha_attribute attrs[5];
	hiveha_event e = sqt_event(INT64_C(133000000000000000), UINT32_MAX, 7, "Tank \xc3\xa4 high");
	sqt_events got = { 0 };

	memset(attrs, 0, sizeof attrs);
	attrs[0].name = "limit";
	hiveha_value_set_double(&attrs[0].value, NAN);
	attrs[1].name = "count";
	hiveha_value_set_uint64(&attrs[1].value, UINT64_MAX);
	attrs[2].name = "";
	hiveha_value_set_string(&attrs[2].value, "text", 4);
	attrs[3].name = "at";
	hiveha_value_set_time(&attrs[3].value, HIVEHA_TIME_MIN);
	attrs[4].name = "none";
	e.received_time = -5;
	e.category = 3;
	e.state = 0xdeadbeef;
	e.severity = 1000;
	e.source_name = "Plant/Tank1";
	e.user_name = "op";
	e.attributes = attrs;
	e.attribute_count = 5;
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_add_events(&st, &e, 1, NULL), 0);
	sqt_close(&st);
	sqt_open(&st, "a.db", 0);
	read_all(&st, &got);
	cr_assert_eq(got.n, 1);
	cr_assert(hiveha_event_equal(&e, &got.v[0]));
	cr_assert_eq(got.v[0].severity, 1000);
	cr_assert_eq(got.v[0].attributes[0].value.type, HIVEHA_TYPE_DOUBLE);
	cr_assert(isnan(got.v[0].attributes[0].value.as.f64));
	cr_assert_eq(got.v[0].attributes[4].value.type, HIVEHA_TYPE_EMPTY);
	sqt_events_free(&got);
	hiveha_value_clear(&attrs[2].value);

	/* A bad attribute type is refused before anything is stored. */
	attrs[0].value.type = 0x999;
	e.time = 1;
	cr_assert_eq(hiveha_sqlite_add_events(&st, &e, 1, NULL), HIVEHA_EINVAL);
	sqt_close(&st);
}

Test(sqlite_events, store_order_and_paging_at_equal_times)
{
	hiveha_store st;
	hiveha_event e[6] = { sqt_event(20, 1, 1, "c"), sqt_event(10, 1, 1, "z"), sqt_event(10, 1, 1, "a"),
	                      sqt_event(10, 1, 1, "m"), sqt_event(30, 1, 1, "d"), sqt_event(5, 1, 1, "e") };
	const char *want[] = { "e", "z", "a", "m", "c", "d" };
	sqt_events got = { 0 };

	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_add_events(&st, e, 6, NULL), 0);
	read_all(&st, &got);
	cr_assert_eq(got.n, 6);
	for (int i = 0; i < 6; i++)
		cr_assert_str_eq(got.v[i].message, want[i]);
	sqt_events_free(&got);
	/* [10, 30), skipping the first two at 10, at most 2. */
	cr_assert_eq(st.read_events(st.ctx, 10, 30, 2, 2, sqt_collect_events, &got), 0);
	cr_assert_eq(got.n, 2);
	cr_assert_str_eq(got.v[0].message, "m");
	cr_assert_str_eq(got.v[1].message, "c");
	sqt_events_free(&got);
	/* Skip more than there are at 10: continues after 10; 30 is excluded. */
	cr_assert_eq(st.read_events(st.ctx, 10, 30, 9, 10, sqt_collect_events, &got), 0);
	cr_assert_eq(got.n, 1);
	cr_assert_str_eq(got.v[0].message, "c");
	sqt_events_free(&got);
	cr_assert_eq(st.read_events(st.ctx, 30, 10, 0, 10, sqt_collect_events, &got), 0);
	cr_assert_eq(got.calls, 0);
	sqt_close(&st);
}

Test(sqlite_events, many_events_page_through_in_order)
{
	hiveha_store st;
	enum { N = 1000 };
	static hiveha_event e[N];
	static char msg[N][8];
	sqt_events got = { 0 };
	uint64_t n = 0;

	for (int i = 0; i < N; i++) {
		snprintf(msg[i], sizeof msg[i], "%d", i);
		e[i] = sqt_event(i / 10, 1, 1, msg[i]);
	}
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_add_events(&st, e, N, NULL), 0);
	cr_assert_eq(hiveha_sqlite_count_events(&st, 0, 50, &n), 0);
	cr_assert_eq(n, 500);
	cr_assert_eq(st.read_events(st.ctx, 0, N, 0, 700, sqt_collect_events, &got), 0);
	cr_assert_eq(got.n, 700);
	cr_assert_gt(got.calls, 1);
	for (int i = 0; i < 700; i++)
		cr_assert_str_eq(got.v[i].message, msg[i]);
	sqt_events_free(&got);
	sqt_close(&st);
}

Test(sqlite_events, a_corrupt_attribute_blob_is_an_error_not_a_crash)
{
	hiveha_store st;
	hiveha_event e = sqt_event(1, 1, 1, "x");
	sqt_events got = { 0 };
	char msg[256];

	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_add_events(&st, &e, 1, NULL), 0);
	/* Claims a huge attribute count / name length the blob does not hold. */
	sqt_exec("a.db", "UPDATE events SET attributes = x'ffffffff01000000'");
	cr_assert_eq(st.read_events(st.ctx, 0, 10, 0, 10, sqt_collect_events, &got), HIVEHA_ESTORE);
	cr_assert_eq(got.n, 0);
	sqt_exec("a.db", "UPDATE events SET attributes = x'0100000010000000616263'");
	cr_assert_eq(st.read_events(st.ctx, 0, 10, 0, 10, sqt_collect_events, &got), HIVEHA_ESTORE);
	cr_assert_eq(hiveha_sqlite_last_error(&st, msg, sizeof msg), 0);
	cr_assert_str_neq(msg, "");
	sqt_close(&st);
}
