/*
 * sqlite_schema.c - the versioned schema and its migrations.
 *
 * The version lives in PRAGMA user_version, the file's owner in PRAGMA
 * application_id. Step i of hh_sq_migrations takes a file from version
 * to_version - 1 to to_version; all pending steps run in one IMMEDIATE
 * transaction, so a crash or a failing step leaves the file at its old
 * version. Version 0 is an empty file. Add a version by appending a step
 * and raising HH_SQ_SCHEMA_VERSION; never edit a released step.
 */
#include <stdio.h>
#include <string.h>

#include "sqlite_internal.h"

/*
 * v1. Values: `type` is the hiveha_type tag, `value` keeps the exact bits
 * (sqlite_value.c). Samples are keyed (item, time, seq) WITHOUT ROWID, so
 * an item's samples are contiguous and a range read is one index seek; seq
 * orders samples that share a timestamp. Events keep their insertion
 * order in `id` and are unique on the identity key; a NULL message is
 * stored as '' with message_null = 1 so that it equals "" for identity.
 */
static const char hh_sq_v1[] =
	"CREATE TABLE items ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE samples ("
	"  item INTEGER NOT NULL,"
	"  time INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  type INTEGER NOT NULL,"
	"  quality INTEGER NOT NULL,"
	"  value ANY,"
	"  PRIMARY KEY (item, time, seq)) WITHOUT ROWID;"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  source_id INTEGER NOT NULL,"
	"  type_id INTEGER NOT NULL,"
	"  category INTEGER NOT NULL,"
	"  state INTEGER NOT NULL,"
	"  severity INTEGER NOT NULL,"
	"  source_name TEXT,"
	"  message TEXT NOT NULL,"
	"  user_name TEXT,"
	"  attributes BLOB,"
	"  message_null INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (time, source_id, type_id, message));"
	"CREATE INDEX events_by_time ON events (time);"
	"CREATE TABLE kv ("
	"  key TEXT PRIMARY KEY,"
	"  value BLOB NOT NULL) WITHOUT ROWID;";

/*
 * v2. Vectors and matrices: `type` holds the full tag (HIVEHA_TYPE_ARRAY or
 * _MATRIX | element type) and `value` a BLOB, the packed form of
 * hiveha_value_pack; event attributes may hold them too (sqlite_attrs.c).
 * No row changes: v1 data is valid v2 data. The step exists for what it
 * tells others: a v1 library reads a tag above 7 as a broken store, so
 * user_version 2 makes it refuse the file up front ("newer than the newest
 * this library knows"), and `formats` names the blob layout for tools that
 * read the file without libhiveha. A change of that layout is a new schema
 * version that updates the row.
 */
static const char hh_sq_v2[] =
	"CREATE TABLE formats ("
	"  name TEXT PRIMARY KEY,"
	"  version INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO formats (name, version) VALUES ('value_blob', 1);";

const hh_sq_migration hh_sq_migrations[] = {
	{ 1, hh_sq_v1 },
	{ 2, hh_sq_v2 },
};
const size_t hh_sq_migration_count = sizeof hh_sq_migrations / sizeof hh_sq_migrations[0];

static int hh_sq_fail(sqlite3 *db, char *err, size_t err_size, const char *what)
{
	if (err != NULL && err_size > 0)
		(void)snprintf(err, err_size, "sqlite: %s: %s", what, sqlite3_errmsg(db));
	return (sqlite3_errcode(db) & 0xff) == SQLITE_NOMEM ? HIVEHA_ENOMEM : HIVEHA_ESTORE;
}

static int hh_sq_pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Reads version and owner; refuses files that are not ours or too new. */
static int hh_sq_schema_inspect(sqlite3 *db, int newest, int *version, char *err, size_t err_size)
{
	int app_id = 0, tables = 0;

	if (hh_sq_pragma_int(db, "PRAGMA user_version", version) != SQLITE_OK ||
	    hh_sq_pragma_int(db, "PRAGMA application_id", &app_id) != SQLITE_OK ||
	    hh_sq_pragma_int(db, "SELECT count(*) FROM sqlite_schema", &tables) != SQLITE_OK)
		return hh_sq_fail(db, err, err_size, "reading the schema version");
	if ((app_id != 0 && app_id != HH_SQ_APPLICATION_ID) || (app_id == 0 && tables > 0)) {
		if (err != NULL && err_size > 0)
			(void)snprintf(err, err_size,
			               "sqlite: %s is an SQLite database but not a libhiveha store",
			               sqlite3_db_filename(db, "main"));
		return HIVEHA_ESTORE;
	}
	if (*version > newest) {
		if (err != NULL && err_size > 0)
			(void)snprintf(err, err_size, "sqlite: store schema version %d is newer than the "
			               "newest this library knows (%d); use a newer libhiveha", *version,
			               newest);
		return HIVEHA_EVERSION;
	}
	if (*version < 0) {
		if (err != NULL && err_size > 0)
			(void)snprintf(err, err_size, "sqlite: invalid store schema version %d", *version);
		return HIVEHA_ESTORE;
	}
	return 0;
}

static int hh_sq_migrate(sqlite3 *db, const hh_sq_migration *steps, size_t nsteps, char *err,
                         size_t err_size)
{
	int newest = nsteps > 0 ? steps[nsteps - 1].to_version : 0;
	int version = 0, status;
	char sql[96];

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return hh_sq_fail(db, err, err_size, "BEGIN IMMEDIATE");
	/* Read the version again inside the write lock: another process may
	 * have migrated the file since we looked. */
	status = hh_sq_schema_inspect(db, newest, &version, err, err_size);
	for (size_t i = 0; status == 0 && i < nsteps; i++) {
		if (steps[i].to_version <= version)
			continue;
		if (steps[i].to_version != version + 1) {
			if (err != NULL && err_size > 0)
				(void)snprintf(err, err_size, "sqlite: no migration from schema version %d",
				               version);
			status = HIVEHA_ESTORE;
			break;
		}
		if (sqlite3_exec(db, steps[i].sql, NULL, NULL, NULL) != SQLITE_OK) {
			char what[64];

			(void)snprintf(what, sizeof what, "migrating to schema version %d",
			               steps[i].to_version);
			status = hh_sq_fail(db, err, err_size, what);
			break;
		}
		version = steps[i].to_version;
	}
	if (status == 0 && version != newest) {
		if (err != NULL && err_size > 0)
			(void)snprintf(err, err_size, "sqlite: migrations end at %d, not %d", version, newest);
		status = HIVEHA_ESTORE;
	}
	if (status == 0) {
		int n = snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
		                 HH_SQ_APPLICATION_ID, version);

		/* a cut statement would commit the tables under a wrong version */
		if (n < 0 || (size_t)n >= sizeof sql) {
			if (err != NULL && err_size > 0)
				(void)snprintf(err, err_size,
				               "sqlite: the schema version statement does not fit");
			status = HIVEHA_ESTORE;
		} else if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
		           sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			status = hh_sq_fail(db, err, err_size, "committing the schema");
		}
	}
	if (status != 0 && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return status;
}

/*
 * Makes the file on `db` ready: WAL mode and the newest schema of `steps`.
 * A read-only connection only checks that the schema is current.
 */
int hh_sq_schema_prepare(sqlite3 *db, bool read_only, const hh_sq_migration *steps, size_t nsteps,
                         char *err, size_t err_size)
{
	int newest = nsteps > 0 ? steps[nsteps - 1].to_version : 0;
	int version = 0;
	int status = hh_sq_schema_inspect(db, newest, &version, err, err_size);

	if (status != 0)
		return status;
	if (read_only) {
		if (version != newest) {
			if (err != NULL && err_size > 0)
				(void)snprintf(err, err_size, "sqlite: store schema version %d is older than %d; "
				               "open it read-write once to migrate", version, newest);
			return HIVEHA_EVERSION;
		}
		return 0;
	}
	/* WAL: readers proceed during a write, and a commit is one append. The
	 * mode is persistent in the file, so read-only opens see it too. */
	{
		sqlite3_stmt *s;
		const char *mode = NULL;
		int ok;

		if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK)
			return hh_sq_fail(db, err, err_size, "PRAGMA journal_mode");
		if (sqlite3_step(s) == SQLITE_ROW)
			mode = (const char *)sqlite3_column_text(s, 0);
		ok = mode != NULL && strcmp(mode, "wal") == 0;
		sqlite3_finalize(s);
		if (!ok) {
			if (mode == NULL)
				return hh_sq_fail(db, err, err_size, "PRAGMA journal_mode");
			if (err != NULL && err_size > 0)
				(void)snprintf(err, err_size, "sqlite: cannot switch %s to WAL mode",
				               sqlite3_db_filename(db, "main"));
			return HIVEHA_ESTORE;
		}
	}
	if (version == newest)
		return 0;
	return hh_sq_migrate(db, steps, nsteps, err, err_size);
}
