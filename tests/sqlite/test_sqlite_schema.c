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
