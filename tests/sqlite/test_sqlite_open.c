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

/* ---- files an open must refuse, and how ---------------------------------- */

static void make_newer(const char *name)
{
	hiveha_store st;

	sqt_open(&st, name, 0);
	sqt_close(&st);
	sqt_exec(name, "PRAGMA user_version = 99");
}

static void make_garbage(const char *name)
{
	char junk[4096];
	FILE *f = fopen(sqt_path(name), "wb");

	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 7 + 3);
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(junk, 1, sizeof junk, f), sizeof junk);
	fclose(f);
}

static void make_foreign(const char *name)
{
	sqt_exec(name, "CREATE TABLE t (x)");
}

static void make_empty(const char *name)
{
	FILE *f = fopen(sqt_path(name), "wb");

	cr_assert_not_null(f);
	fclose(f);
}

/* The message names both schema versions, and the refused file was left as it was. */
static void after_newer(const char *name, const char *msg)
{
	char want[32];

	snprintf(want, sizeof want, "(%d)", hiveha_sqlite_schema_version());
	cr_expect_not_null(strstr(msg, want), "%s", msg);
	cr_expect_eq(sqt_query_int(name, "PRAGMA user_version"), 99);
}

static void after_foreign(const char *name, const char *msg)
{
	(void)msg;
	cr_expect_eq(sqt_query_int(name, "SELECT count(*) FROM sqlite_schema"), 1,
	             "the foreign database was left as it was");
}

static void after_no_file(const char *name, const char *msg)
{
	(void)msg;
	cr_expect_neq(access(sqt_path(name), F_OK), 0, "no file was created");
}

/* A read-write open of the same (empty, version 0) file migrates it. */
static void after_empty(const char *name, const char *msg)
{
	hiveha_store st;

	(void)msg;
	sqt_open(&st, name, 0);
	sqt_close(&st);
	cr_expect_eq(sqt_query_int(name, "PRAGMA user_version"), hiveha_sqlite_schema_version());
}

static const struct bad_file_row {
	const char *name;
	const char *file;
	void (*make)(const char *file);  /* NULL: no file */
	unsigned int flags;
	int status;
	const char *msg_has;             /* NULL: not checked */
	void (*after)(const char *file, const char *msg); /* NULL: nothing more */
} bad_file_rows[] = {
	{ "newer schema", "a.db", make_newer, 0, HIVEHA_EVERSION, "99", after_newer },
	{ "newer schema, read-only", "a-ro.db", make_newer, HIVEHA_SQLITE_READ_ONLY, HIVEHA_EVERSION,
	  NULL, after_newer },
	{ "garbage", "bad.db", make_garbage, 0, HIVEHA_ESTORE, "not a database", NULL },
	{ "garbage, read-only", "bad-ro.db", make_garbage, HIVEHA_SQLITE_READ_ONLY, HIVEHA_ESTORE,
	  "not a database", NULL },
	{ "foreign database", "other.db", make_foreign, 0, HIVEHA_ESTORE, "not a libhiveha store",
	  after_foreign },
	{ "missing, no-create", "none.db", NULL, HIVEHA_SQLITE_NO_CREATE, HIVEHA_ESTORE, "none.db",
	  after_no_file },
	{ "missing, read-only", "none-ro.db", NULL, HIVEHA_SQLITE_READ_ONLY, HIVEHA_ESTORE, NULL,
	  after_no_file },
	{ "unmigrated, read-only", "empty.db", make_empty, HIVEHA_SQLITE_READ_ONLY, HIVEHA_EVERSION,
	  "older", after_empty },
};

Test(sqlite_open, bad_file_table)
{
	for (size_t i = 0; i < sizeof bad_file_rows / sizeof bad_file_rows[0]; i++) {
		const struct bad_file_row *row = &bad_file_rows[i];
		hiveha_store st;
		char msg[256] = "";
		int rc;

		if (row->make)
			row->make(row->file);
		memset(&st, 0xCC, sizeof st);
		rc = sqt_try_open(&st, row->file, row->flags, msg, sizeof msg);
		cr_expect_eq(rc, row->status, "row \"%s\": status %d, wanted %d (%s)", row->name, rc,
		             row->status, msg);
		cr_expect_null(st.ctx, "row \"%s\": a failed open zeroes the store", row->name);
		if (row->msg_has)
			cr_expect_not_null(strstr(msg, row->msg_has), "row \"%s\": message \"%s\" lacks \"%s\"",
			                   row->name, msg, row->msg_has);
		if (row->after)
			row->after(row->file, msg);
	}
}

typedef enum open_arg { ARG_NONE, ARG_NULL_OUT, ARG_NULL_PATH } open_arg;

static const struct bad_option_row {
	const char *name;
	open_arg arg;
	unsigned int version;
	unsigned int flags;
	int synchronous;
	int status;
	const char *msg_has; /* NULL: not checked */
} bad_option_rows[] = {
	{ "NULL out", ARG_NULL_OUT, HIVEHA_SQLITE_OPTIONS_VERSION, 0, 0, HIVEHA_EINVAL, NULL },
	{ "NULL path", ARG_NULL_PATH, HIVEHA_SQLITE_OPTIONS_VERSION, 0, 0, HIVEHA_EINVAL, NULL },
	{ "options version 0", ARG_NONE, 0, 0, 0, HIVEHA_EVERSION, NULL },
	{ "options version newer", ARG_NONE, HIVEHA_SQLITE_OPTIONS_VERSION + 1, 0, 0, HIVEHA_EVERSION,
	  "version" },
	{ "unknown flag", ARG_NONE, HIVEHA_SQLITE_OPTIONS_VERSION, 0x80, 0, HIVEHA_EINVAL, NULL },
	{ "unknown synchronous level", ARG_NONE, HIVEHA_SQLITE_OPTIONS_VERSION, 0, 9, HIVEHA_EINVAL,
	  NULL },
};

Test(sqlite_open, bad_arguments_and_options)
{
	hiveha_store st;
	hiveha_sqlite_options o = HIVEHA_SQLITE_OPTIONS_INIT;
	char msg[256];

	for (size_t i = 0; i < sizeof bad_option_rows / sizeof bad_option_rows[0]; i++) {
		const struct bad_option_row *row = &bad_option_rows[i];
		int rc;

		o.version = row->version;
		o.flags = row->flags;
		o.synchronous = row->synchronous;
		o.errbuf = msg;
		o.errbuf_size = sizeof msg;
		msg[0] = '\0';
		rc = hiveha_sqlite_open(row->arg == ARG_NULL_OUT ? NULL : &st,
		                        row->arg == ARG_NULL_PATH ? NULL : sqt_path("a.db"), &o);
		cr_expect_eq(rc, row->status, "row \"%s\": status %d, wanted %d", row->name, rc,
		             row->status);
		if (row->msg_has)
			cr_expect_not_null(strstr(msg, row->msg_has), "row \"%s\": message \"%s\" lacks \"%s\"",
			                   row->name, msg, row->msg_has);
	}
	cr_assert_neq(access(sqt_path("a.db"), F_OK), 0, "nothing was created");
	o = (hiveha_sqlite_options)HIVEHA_SQLITE_OPTIONS_INIT;
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
