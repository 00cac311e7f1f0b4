/* Opening, schema, versions, read-only mode and bad files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sqtest.h"

TestSuite(sqlite_open, .init = sqt_setup, .fini = sqt_teardown);

Test(sqlite_open, creates_schema_in_wal_mode)
{
	hiveha_store st;
	char msg[256];

	sqt_open(&st, "a.db", 0);
	cr_assert_eq(st.version, HIVEHA_STORE_VERSION);
	cr_assert(hiveha_sqlite_is_sqlite(&st));
	cr_assert_eq(hiveha_store_check(&st, 0, msg, sizeof msg), 0, "%s", msg);
	cr_assert_eq(sqt_query_int("a.db", "PRAGMA user_version"), hiveha_sqlite_schema_version());
	cr_assert_eq(sqt_query_int("a.db", "PRAGMA application_id"), 0x48495645);
	cr_assert_str_eq(sqt_query_text("a.db", "PRAGMA journal_mode"), "wal");
	cr_assert_eq(sqt_query_int("a.db", "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
	                                   "AND name IN ('items', 'samples', 'events', 'kv')"), 4);
	cr_assert_eq(sqt_query_int("a.db", "SELECT count(*) FROM sqlite_schema WHERE name = 'samples' "
	                                   "AND sql LIKE '%WITHOUT ROWID%'"), 1);
	sqt_close(&st);
}

Test(sqlite_open, reopen_keeps_data)
{
	hiveha_store st;
	hiveha_sample s[2] = { sqt_dbl(10, 1.5), sqt_dbl(20, 2.5) };
	sqt_samples got = { 0 };

	sqt_open(&st, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", s, 2), 0);
	sqt_close(&st);
	sqt_open(&st, "a.db", 0);
	cr_assert_eq(st.read_samples(st.ctx, "x", 0, 100, 0, 100, sqt_collect_samples, &got), 0);
	cr_assert_eq(got.n, 2);
	cr_assert_eq(got.v[1].value.as.f64, 2.5);
	sqt_samples_free(&got);
	sqt_close(&st);
}

Test(sqlite_open, newer_schema_is_refused_with_both_versions)
{
	hiveha_store st;
	char msg[256], want[32];

	sqt_open(&st, "a.db", 0);
	sqt_close(&st);
	sqt_exec("a.db", "PRAGMA user_version = 99");
	cr_assert_eq(sqt_try_open(&st, "a.db", 0, msg, sizeof msg), HIVEHA_EVERSION);
	cr_assert_not_null(strstr(msg, "99"), "%s", msg);
	snprintf(want, sizeof want, "(%d)", hiveha_sqlite_schema_version());
	cr_assert_not_null(strstr(msg, want), "%s", msg);
	cr_assert_null(st.ctx);
	cr_assert_eq(sqt_try_open(&st, "a.db", HIVEHA_SQLITE_READ_ONLY, msg, sizeof msg), HIVEHA_EVERSION);
	/* The refused file was left as it was. */
	cr_assert_eq(sqt_query_int("a.db", "PRAGMA user_version"), 99);
}

Test(sqlite_open, garbage_file_gives_estore_with_sqlite_message)
{
	hiveha_store st;
	char msg[256], junk[4096];
	FILE *f = fopen(sqt_path("bad.db"), "wb");

	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 7 + 3);
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(junk, 1, sizeof junk, f), sizeof junk);
	fclose(f);
	cr_assert_eq(sqt_try_open(&st, "bad.db", 0, msg, sizeof msg), HIVEHA_ESTORE);
	cr_assert_not_null(strstr(msg, "not a database"), "%s", msg);
	cr_assert_eq(sqt_try_open(&st, "bad.db", HIVEHA_SQLITE_READ_ONLY, msg, sizeof msg), HIVEHA_ESTORE);
	cr_assert_not_null(strstr(msg, "not a database"), "%s", msg);
}

Test(sqlite_open, foreign_database_is_refused)
{
	hiveha_store st;
	char msg[256];

	sqt_exec("other.db", "CREATE TABLE t (x)");
	cr_assert_eq(sqt_try_open(&st, "other.db", 0, msg, sizeof msg), HIVEHA_ESTORE);
	cr_assert_not_null(strstr(msg, "not a libhiveha store"), "%s", msg);
	cr_assert_eq(sqt_query_int("other.db", "SELECT count(*) FROM sqlite_schema"), 1);
}

Test(sqlite_open, no_create_and_read_only_need_an_existing_file)
{
	hiveha_store st;
	char msg[256];

	cr_assert_eq(sqt_try_open(&st, "none.db", HIVEHA_SQLITE_NO_CREATE, msg, sizeof msg), HIVEHA_ESTORE);
	cr_assert_not_null(strstr(msg, "none.db"), "%s", msg);
	cr_assert_eq(sqt_try_open(&st, "none.db", HIVEHA_SQLITE_READ_ONLY, msg, sizeof msg), HIVEHA_ESTORE);
	cr_assert_neq(access(sqt_path("none.db"), F_OK), 0, "no file was created");
}

Test(sqlite_open, read_only_refuses_an_unmigrated_file)
{
	hiveha_store st;
	char msg[256];
	FILE *f = fopen(sqt_path("empty.db"), "wb");

	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(sqt_try_open(&st, "empty.db", HIVEHA_SQLITE_READ_ONLY, msg, sizeof msg), HIVEHA_EVERSION);
	cr_assert_not_null(strstr(msg, "older"), "%s", msg);
	/* A read-write open of the same (empty, version 0) file migrates it. */
	sqt_open(&st, "empty.db", 0);
	sqt_close(&st);
	cr_assert_eq(sqt_query_int("empty.db", "PRAGMA user_version"), hiveha_sqlite_schema_version());
}

Test(sqlite_open, bad_arguments_and_options)
{
	hiveha_store st;
	hiveha_sqlite_options o = HIVEHA_SQLITE_OPTIONS_INIT;
	char msg[256];

	o.errbuf = msg;
	o.errbuf_size = sizeof msg;
	cr_assert_eq(hiveha_sqlite_open(NULL, sqt_path("a.db"), &o), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_sqlite_open(&st, NULL, &o), HIVEHA_EINVAL);
	o.version = 0;
	cr_assert_eq(hiveha_sqlite_open(&st, sqt_path("a.db"), &o), HIVEHA_EVERSION);
	o.version = HIVEHA_SQLITE_OPTIONS_VERSION + 1;
	cr_assert_eq(hiveha_sqlite_open(&st, sqt_path("a.db"), &o), HIVEHA_EVERSION);
	cr_assert_not_null(strstr(msg, "version"), "%s", msg);
	o.version = HIVEHA_SQLITE_OPTIONS_VERSION;
	o.flags = 0x80;
	cr_assert_eq(hiveha_sqlite_open(&st, sqt_path("a.db"), &o), HIVEHA_EINVAL);
	o.flags = 0;
	o.synchronous = 9;
	cr_assert_eq(hiveha_sqlite_open(&st, sqt_path("a.db"), &o), HIVEHA_EINVAL);
	cr_assert_neq(access(sqt_path("a.db"), F_OK), 0, "nothing was created");
	/* All levels and a NULL errbuf are fine. */
	for (int level = 0; level <= HIVEHA_SQLITE_SYNC_EXTRA; level++) {
		o.synchronous = level;
		o.errbuf = NULL;
		o.busy_timeout_ms = -1;
		cr_assert_eq(hiveha_sqlite_open(&st, sqt_path("a.db"), &o), 0);
		sqt_close(&st);
	}
	cr_assert_eq(hiveha_sqlite_open(&st, sqt_path("b.db"), NULL), 0);
	sqt_close(&st);
}

static int sqt_fail_fn(const void *d, size_t n, void *p)
{
	(void)d;
	(void)n;
	(void)p;
	return 0;
}

Test(sqlite_open, read_only_mode_reads_but_refuses_writes)
{
	hiveha_store rw, ro;
	hiveha_store_txn *txn = (hiveha_store_txn *)&rw;
	hiveha_sample s = sqt_dbl(5, 1.0);
	hiveha_event e = sqt_event(5, 1, 2, "m");
	sqt_samples got = { 0 };
	uint64_t count = 0;
	char msg[256];

	sqt_open(&rw, "a.db", 0);
	cr_assert_eq(hiveha_sqlite_append_samples(&rw, "x", &s, 1), 0);
	sqt_close(&rw);
	sqt_open(&ro, "a.db", HIVEHA_SQLITE_READ_ONLY);
	cr_assert_eq(ro.read_samples(ro.ctx, "x", 0, 10, 0, 10, sqt_collect_samples, &got), 0);
	cr_assert_eq(got.n, 1);
	cr_assert_eq(hiveha_sqlite_count_items(&ro, &count), 0);
	cr_assert_eq(count, 1);
	cr_assert_eq(ro.kv_get(ro.ctx, "k", sqt_fail_fn, NULL), HIVEHA_ENOTFOUND);

	cr_assert_eq(ro.begin(ro.ctx, &txn), HIVEHA_ESTORE);
	cr_assert_null(txn);
	cr_assert_eq(hiveha_sqlite_last_error(&ro, msg, sizeof msg), 0);
	cr_assert_not_null(strstr(msg, "read-only"), "%s", msg);
	cr_assert_eq(hiveha_sqlite_append_samples(&ro, "x", &s, 1), HIVEHA_ESTORE);
	cr_assert_eq(hiveha_sqlite_ensure_item(&ro, "y"), HIVEHA_ESTORE);
	cr_assert_eq(hiveha_sqlite_add_events(&ro, &e, 1, NULL), HIVEHA_ESTORE);
	cr_assert_eq(ro.kv_put(ro.ctx, txn, "k", "v", 1), HIVEHA_ESTORE);
	cr_assert_eq(ro.replace_samples(ro.ctx, txn, "x", 0, 10, &s, 1), HIVEHA_ESTORE);
	cr_assert_eq(ro.insert_events(ro.ctx, txn, &e, 1, NULL), HIVEHA_ESTORE);
	cr_assert_eq(ro.kv_delete(ro.ctx, txn, "k"), HIVEHA_ESTORE);
	sqt_samples_free(&got);
	sqt_close(&ro);
	cr_assert_eq(sqt_query_int("a.db", "SELECT count(*) FROM samples"), 1);
}

Test(sqlite_open, helpers_reject_a_store_that_is_not_sqlite)
{
	hiveha_store other = HIVEHA_STORE_INIT;
	hiveha_sample s = sqt_dbl(1, 1.0);
	uint64_t n;
	char msg[16];

	cr_assert_not(hiveha_sqlite_is_sqlite(&other));
	cr_assert_not(hiveha_sqlite_is_sqlite(NULL));
	cr_assert_eq(hiveha_sqlite_append_samples(&other, "x", &s, 1), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_sqlite_ensure_item(&other, "x"), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_sqlite_add_events(&other, NULL, 0, NULL), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_sqlite_count_items(&other, &n), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_sqlite_count_samples(&other, "x", 0, 1, &n), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_sqlite_count_events(&other, 0, 1, &n), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_sqlite_last_error(&other, msg, sizeof msg), HIVEHA_EINVAL);
}

/* Issue 9 item 7: two read-write stores on one file would overwrite each
 * other's sync state; the second open is refused, naming the file. */
Test(sqlite_open, second_read_write_open_is_refused)
{
	hiveha_store a, b, ro;
	char msg[512];

	sqt_open(&a, "a.db", 0);
	cr_assert_eq(sqt_try_open(&b, "a.db", 0, msg, sizeof msg), HIVEHA_ESTORE);
	cr_assert_not_null(strstr(msg, "a.db is in use by another store"), "%s", msg);
	cr_assert_null(b.ctx);
	/* inspection beside a running instance stays possible */
	cr_assert_eq(sqt_try_open(&ro, "a.db", HIVEHA_SQLITE_READ_ONLY, msg, sizeof msg), 0, "%s", msg);
	sqt_close(&ro);
	sqt_close(&a);
	cr_assert_eq(sqt_try_open(&b, "a.db", 0, msg, sizeof msg), 0, "%s", msg);
	sqt_close(&b);
}

static int count_events(const hiveha_event *e, size_t n, void *payload)
{
	(void)e;
	*(size_t *)payload += n;
	return 0;
}

/* Issue 9 item 14: the store's last_error member (store.h version 2)
 * gives SQLite's own message of the failure the library just saw. */
Test(sqlite_open, last_error_member_gives_sqlites_message)
{
	hiveha_store st;
	char why[256] = "x";
	size_t n = 0;

	sqt_open(&st, "a.db", 0);
	cr_assert_geq(st.version, 2);
	cr_assert_not_null(st.last_error);
	st.last_error(st.ctx, why, sizeof why);
	cr_assert_str_eq(why, "");
	sqt_exec("a.db", "DROP TABLE events");
	cr_assert_eq(st.read_events(st.ctx, 0, 100, 0, 10, count_events, &n), HIVEHA_ESTORE);
	st.last_error(st.ctx, why, sizeof why);
	cr_assert_not_null(strstr(why, "no such table: events"), "%s", why);
	sqt_close(&st);
}
