/* The migration mechanism, driven with made-up migration lists (internal). */
#include <criterion/criterion.h>
#include <string.h>

#include "sqlite_internal.h"
#include "sqtest.h"

TestSuite(sqlite_schema, .init = sqt_setup, .fini = sqt_teardown);

static int prepare(const char *name, const hh_sq_migration *steps, size_t n, bool ro, char *err,
                   size_t size)
{
	sqlite3 *db;
	int rc;

	cr_assert_eq(sqlite3_open_v2(sqt_path(name), &db,
	                             ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                             NULL), SQLITE_OK);
	err[0] = '\0';
	rc = hh_sq_schema_prepare(db, ro, steps, n, err, size);
	sqlite3_close(db);
	return rc;
}

static const hh_sq_migration steps[] = {
	{ 1, "CREATE TABLE one (a)" },
	{ 2, "ALTER TABLE one ADD COLUMN b; CREATE TABLE two (c)" },
	{ 3, "INSERT INTO two VALUES (3)" },
};

Test(sqlite_schema, the_shipped_list_is_contiguous_from_zero)
{
	for (size_t i = 0; i < hh_sq_migration_count; i++)
		cr_assert_eq(hh_sq_migrations[i].to_version, (int)i + 1);
	cr_assert_eq(hh_sq_migrations[hh_sq_migration_count - 1].to_version, hiveha_sqlite_schema_version());
}

Test(sqlite_schema, migrates_step_by_step_from_any_older_version)
{
	char err[256];

	/* A "version 1" file, made with the first step only. */
	cr_assert_eq(prepare("m.db", steps, 1, false, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sqt_query_int("m.db", "PRAGMA user_version"), 1);
	sqt_exec("m.db", "INSERT INTO one VALUES (42)");
	/* Opening with the longer list applies steps 2 and 3 and keeps the data. */
	cr_assert_eq(prepare("m.db", steps, 3, false, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sqt_query_int("m.db", "PRAGMA user_version"), 3);
	cr_assert_eq(sqt_query_int("m.db", "SELECT a FROM one"), 42);
	cr_assert_eq(sqt_query_int("m.db", "SELECT c FROM two"), 3);
	cr_assert_eq(sqt_query_int("m.db", "SELECT count(*) FROM one WHERE b IS NULL"), 1);
	/* Already current: nothing runs again (step 3 would insert twice). */
	cr_assert_eq(prepare("m.db", steps, 3, false, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sqt_query_int("m.db", "SELECT count(*) FROM two"), 1);
	cr_assert_str_eq(sqt_query_text("m.db", "PRAGMA journal_mode"), "wal");
	/* The older list refuses the newer file. */
	cr_assert_eq(prepare("m.db", steps, 2, false, err, sizeof err), HIVEHA_EVERSION);
	cr_assert_not_null(strstr(err, "3"), "%s", err);
}

Test(sqlite_schema, a_failing_step_leaves_the_file_at_its_old_version)
{
	static const hh_sq_migration broken[] = {
		{ 1, "CREATE TABLE one (a)" },
		{ 2, "CREATE TABLE two (c)" },
		{ 3, "CREATE TABLE one (again)" }, /* fails: exists */
	};
	char err[256];

	cr_assert_eq(prepare("m.db", broken, 1, false, err, sizeof err), 0, "%s", err);
	cr_assert_eq(prepare("m.db", broken, 3, false, err, sizeof err), HIVEHA_ESTORE);
	cr_assert_not_null(strstr(err, "version 3"), "%s", err);
	cr_assert_eq(sqt_query_int("m.db", "PRAGMA user_version"), 1);
	cr_assert_eq(sqt_query_int("m.db", "SELECT count(*) FROM sqlite_schema WHERE name = 'two'"), 0,
	             "step 2 was rolled back with step 3");
}

Test(sqlite_schema, a_gap_in_the_list_is_refused)
{
	static const hh_sq_migration gap[] = { { 1, "CREATE TABLE one (a)" }, { 3, "SELECT 1" } };
	char err[256];

	cr_assert_eq(prepare("m.db", gap, 2, false, err, sizeof err), HIVEHA_ESTORE);
	cr_assert_not_null(strstr(err, "no migration from schema version 1"), "%s", err);
	cr_assert_eq(sqt_query_int("m.db", "PRAGMA user_version"), 0);
}

Test(sqlite_schema, read_only_checks_without_migrating)
{
	char err[256];

	cr_assert_eq(prepare("m.db", steps, 2, false, err, sizeof err), 0, "%s", err);
	cr_assert_eq(prepare("m.db", steps, 2, true, err, sizeof err), 0, "%s", err);
	cr_assert_eq(prepare("m.db", steps, 3, true, err, sizeof err), HIVEHA_EVERSION);
	cr_assert_not_null(strstr(err, "older"), "%s", err);
	cr_assert_eq(sqt_query_int("m.db", "PRAGMA user_version"), 2);
}

/* ---- the shipped v1 -> v2 step ------------------------------------------ */

/* A v1 file as a v1 library left it: the shipped first step, then rows in
 * the v1 encoding (double 1.5 as its bits, a text string, an event with one
 * double attribute "a" = 1.5, a kv entry). */
static void make_v1_file(const char *name)
{
	char err[256];

	cr_assert_eq(prepare(name, hh_sq_migrations, 1, false, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sqt_query_int(name, "PRAGMA user_version"), 1);
	sqt_exec(name,
	         "INSERT INTO items (id, name) VALUES (1, 'x');"
	         "INSERT INTO samples VALUES (1, 10, 0, 5, 192, 4609434218613702656),"
	         "  (1, 10, 1, 6, 0, 'abc'), (1, 11, 0, 0, 8, NULL);"
	         "INSERT INTO events (time, received, source_id, type_id, category, state, severity,"
	         "  message, attributes) VALUES (20, 21, 1, 2, 0, 0, 500, 'old',"
	         "  x'01000000010000006105000000000000000000F83F');"
	         "INSERT INTO kv VALUES ('k', x'01');");
}

static int count_fn(const hiveha_sample *s, size_t n, void *payload)
{
	(void)s;
	*(size_t *)payload += n;
	return 0;
}

static int kv_fn(const void *data, size_t len, void *payload)
{
	*(int *)payload = len == 1 ? *(const unsigned char *)data : -1;
	return 0;
}

Test(sqlite_schema, a_v1_file_migrates_to_v2_keeps_its_data_and_then_stores_arrays)
{
	hiveha_store st;
	sqt_samples got = { 0 };
	sqt_events ev = { 0 };
	hiveha_sample arr = { .time = 12, .quality = 192 };
	hiveha_attribute attr = { .name = "m" };
	hiveha_event e = sqt_event(30, 1, 2, "new");
	const double d[4] = { -0.0, 1, 2, 3 };
	size_t n = 0;
	int kv = 0;

	make_v1_file("m.db");
	sqt_open(&st, "m.db", 0);
	cr_assert_eq(sqt_query_int("m.db", "PRAGMA user_version"), 2);
	cr_assert_eq(sqt_query_int("m.db", "SELECT version FROM formats WHERE name = 'value_blob'"), 1);
	/* the v1 rows read as before */
	cr_assert_eq(st.read_samples(st.ctx, "x", 0, 100, 0, 100, sqt_collect_samples, &got), 0);
	cr_assert_eq(got.n, 3);
	cr_assert_eq(got.v[0].value.type, HIVEHA_TYPE_DOUBLE);
	cr_assert_eq(got.v[0].value.as.f64, 1.5);
	cr_assert_eq(got.v[1].value.type, HIVEHA_TYPE_STRING);
	cr_assert_str_eq(got.v[1].value.as.str.ptr, "abc");
	cr_assert_eq(got.v[2].value.type, HIVEHA_TYPE_EMPTY);
	cr_assert_eq(got.v[2].quality, 8);
	sqt_samples_free(&got);
	cr_assert_eq(st.read_events(st.ctx, 0, 100, 0, 100, sqt_collect_events, &ev), 0);
	cr_assert_eq(ev.n, 1);
	cr_assert_eq(ev.v[0].attribute_count, 1);
	cr_assert_str_eq(ev.v[0].attributes[0].name, "a");
	cr_assert_eq(ev.v[0].attributes[0].value.as.f64, 1.5);
	sqt_events_free(&ev);
	cr_assert_eq(st.kv_get(st.ctx, "k", kv_fn, &kv), 0);
	cr_assert_eq(kv, 1);
	/* then arrays go in beside them */
	cr_assert_eq(hiveha_value_set_matrix(&arr.value, HIVEHA_TYPE_DOUBLE, d, 2, 2), 0);
	cr_assert_eq(hiveha_value_set_vector(&attr.value, HIVEHA_TYPE_DOUBLE, d, 4), 0);
	e.attributes = &attr;
	e.attribute_count = 1;
	cr_assert_eq(hiveha_sqlite_append_samples(&st, "x", &arr, 1), 0);
	cr_assert_eq(hiveha_sqlite_add_events(&st, &e, 1, NULL), 0);
	sqt_close(&st);
	sqt_open(&st, "m.db", HIVEHA_SQLITE_READ_ONLY);
	cr_assert_eq(st.read_samples(st.ctx, "x", 12, 13, 0, 100, sqt_collect_samples, &got), 0);
	cr_assert_eq(got.n, 1);
	cr_assert_eq(hiveha_value_compare(&got.v[0].value, &arr.value), 0);
	cr_assert_eq(st.read_events(st.ctx, 30, 31, 0, 100, sqt_collect_events, &ev), 0);
	cr_assert_eq(ev.n, 1);
	cr_assert(hiveha_event_equal(&ev.v[0], &e));
	cr_assert_eq(st.read_samples(st.ctx, "x", 0, 100, 0, 100, count_fn, &n), 0);
	cr_assert_eq(n, 4);
	sqt_samples_free(&got);
	sqt_events_free(&ev);
	sqt_close(&st);
	hiveha_value_clear(&arr.value);
	hiveha_value_clear(&attr.value);
}

Test(sqlite_schema, a_v1_library_refuses_a_v2_file_as_newer)
{
	char err[256];

	make_v1_file("m.db");
	cr_assert_eq(prepare("m.db", hh_sq_migrations, hh_sq_migration_count, false, err, sizeof err),
	             0, "%s", err);
	/* What a v1 library does on open: its list ends at step 1. */
	cr_assert_eq(prepare("m.db", hh_sq_migrations, 1, false, err, sizeof err), HIVEHA_EVERSION);
	cr_assert_not_null(strstr(err, "newer than the newest this library knows (1)"), "%s", err);
	cr_assert_eq(prepare("m.db", hh_sq_migrations, 1, true, err, sizeof err), HIVEHA_EVERSION);
	cr_assert_not_null(strstr(err, "newer"), "%s", err);
	cr_assert_eq(sqt_query_int("m.db", "PRAGMA user_version"), 2);
}
