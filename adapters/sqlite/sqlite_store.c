/*
 * sqlite_store.c - opening a store, its connections, transactions and errors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

#define HH_SQ_DEFAULT_BUSY_MS 5000
#define HH_SQ_DEFAULT_IDLE 4

/* Indexed by hh_sq_stmt_id. Range reads resume with row values so that a
 * page continues with a keyed seek, never an OFFSET over the table. */
static const char *const hh_sq_sql[HH_SQ_STMT_COUNT] = {
	[HH_SQ_ITEM_LOOKUP] = "SELECT id FROM items WHERE name = ?1",
	[HH_SQ_ITEM_INSERT] = "INSERT INTO items(name) VALUES (?1)",
	[HH_SQ_ITEM_LIST] = "SELECT name FROM items ORDER BY name",
	[HH_SQ_ITEM_COUNT] = "SELECT count(*) FROM items",
	[HH_SQ_SAMPLE_INSERT] = "INSERT INTO samples(item, time, seq, type, quality, value) "
	                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[HH_SQ_SAMPLE_DELETE] = "DELETE FROM samples WHERE item = ?1 AND time >= ?2 AND time < ?3",
	[HH_SQ_SAMPLE_LAST] = "SELECT time FROM samples WHERE item = ?1 "
	                      "ORDER BY time DESC, seq DESC LIMIT 1",
	[HH_SQ_SAMPLE_MAXSEQ_AT] = "SELECT max(seq) FROM samples WHERE item = ?1 AND time = ?2",
	[HH_SQ_SAMPLE_SKIP_SEQ] = "SELECT seq FROM samples WHERE item = ?1 AND time = ?2 "
	                          "ORDER BY seq LIMIT 1 OFFSET ?3",
	[HH_SQ_SAMPLE_RANGE] = "SELECT time, type, quality, value FROM samples "
	                       "WHERE item = ?1 AND (time, seq) >= (?2, ?3) AND time < ?4 "
	                       "ORDER BY time, seq",
	[HH_SQ_SAMPLE_COUNT] = "SELECT count(*) FROM samples WHERE item = ?1 AND time >= ?2 AND time < ?3",
	[HH_SQ_EVENT_INSERT] = "INSERT INTO events(time, received, source_id, type_id, category, state, "
	                       "severity, source_name, message, user_name, attributes, message_null) "
	                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
	                       "ON CONFLICT DO NOTHING",
	[HH_SQ_EVENT_SKIP_ID] = "SELECT id FROM events WHERE time = ?1 ORDER BY id LIMIT 1 OFFSET ?2",
	[HH_SQ_EVENT_RANGE] = "SELECT time, received, source_id, type_id, category, state, severity, "
	                      "source_name, message, user_name, attributes, message_null FROM events "
	                      "WHERE (time, id) >= (?1, ?2) AND time < ?3 ORDER BY time, id",
	[HH_SQ_EVENT_COUNT] = "SELECT count(*) FROM events WHERE time >= ?1 AND time < ?2",
	[HH_SQ_KV_GET] = "SELECT value FROM kv WHERE key = ?1",
	[HH_SQ_KV_PUT] = "INSERT INTO kv(key, value) VALUES (?1, ?2) "
	                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[HH_SQ_KV_DELETE] = "DELETE FROM kv WHERE key = ?1",
	[HH_SQ_BEGIN] = "BEGIN IMMEDIATE",
	[HH_SQ_COMMIT] = "COMMIT",
	[HH_SQ_ROLLBACK] = "ROLLBACK",
};

static void hh_sq_copy_msg(char *buf, size_t size, const char *msg)
{
	if (buf == NULL || size == 0)
		return;
	(void)snprintf(buf, size, "%s", msg); /* a long message is cut */
}

int hh_sq_error(hh_sq_store *st, int status, const char *fmt, ...)
{
	char msg[sizeof st->errmsg];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap); /* a long message is cut */
	va_end(ap);
	hh_sq_mutex_lock(&st->emtx);
	memcpy(st->errmsg, msg, sizeof msg);
	hh_sq_mutex_unlock(&st->emtx);
	return status;
}

/* Maps an SQLite failure on `db` to a status and records its message. */
int hh_sq_db_error(hh_sq_store *st, sqlite3 *db, const char *what)
{
	int rc = sqlite3_extended_errcode(db);
	int status = (rc & 0xff) == SQLITE_NOMEM ? HIVEHA_ENOMEM : HIVEHA_ESTORE;

	return hh_sq_error(st, status, "sqlite: %s: %s (%d)", what, sqlite3_errmsg(db), rc);
}

static void hh_sq_destroy(void *ctx);

hh_sq_store *hh_sq_from(const hiveha_store *store)
{
	if (store == NULL || store->version < 1 || store->destroy != hh_sq_destroy || store->ctx == NULL)
		return NULL;
	return store->ctx;
}

sqlite3_stmt *hh_sq_stmt(hh_sq_store *st, hh_sq_conn *c, hh_sq_stmt_id id)
{
	if (c->stmt[id] == NULL) {
		if (sqlite3_prepare_v3(c->db, hh_sq_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
		                       &c->stmt[id], NULL) != SQLITE_OK) {
			hh_sq_db_error(st, c->db, "prepare");
			return NULL;
		}
	}
	return c->stmt[id];
}

void hh_sq_conn_close(hh_sq_conn *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < HH_SQ_STMT_COUNT; i++)
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close_v2(c->db);
	free(c);
}

static int hh_sq_exec(sqlite3 *db, const char *sql, char *err, size_t err_size)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	if (err != NULL && err_size > 0)
		(void)snprintf(err, err_size, "sqlite: %s: %s", sql, sqlite3_errmsg(db));
	return (sqlite3_errcode(db) & 0xff) == SQLITE_NOMEM ? HIVEHA_ENOMEM : HIVEHA_ESTORE;
}

/*
 * Each connection is NOMUTEX: the store's own locks guarantee that one
 * thread at a time uses it, so SQLite's per-call mutex would be pure cost.
 */
int hh_sq_conn_open(hh_sq_store *st, hh_sq_conn **out, bool writer, char *err, size_t err_size)
{
	int flags = SQLITE_OPEN_NOMUTEX;
	hh_sq_conn *c;
	int status;

	*out = NULL;
	if (writer)
		flags |= SQLITE_OPEN_READWRITE | ((st->flags & HIVEHA_SQLITE_NO_CREATE) ? 0 : SQLITE_OPEN_CREATE);
	else
		flags |= SQLITE_OPEN_READONLY;
	c = calloc(1, sizeof *c);
	if (c == NULL) {
		hh_sq_copy_msg(err, err_size, "out of memory");
		return HIVEHA_ENOMEM;
	}
	if (sqlite3_open_v2(st->path, &c->db, flags, NULL) != SQLITE_OK) {
		if (err != NULL && err_size > 0)
			(void)snprintf(err, err_size, "sqlite: cannot open %s: %s", st->path,
			               c->db != NULL ? sqlite3_errmsg(c->db) : "out of memory");
		status = c->db == NULL ? HIVEHA_ENOMEM : HIVEHA_ESTORE;
		hh_sq_conn_close(c);
		return status;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, st->busy_timeout_ms);
	if (writer) {
		char sql[64];
		int n;

		/* synchronous is per connection; readers never write so only the writer needs it. */
		/* A larger page cache keeps a bulk write's B-tree path and the
		 * pages it dirties in memory until commit. */
		n = snprintf(sql, sizeof sql, "PRAGMA synchronous = %d; PRAGMA cache_size = -16384",
		             st->synchronous);
		if (n < 0 || (size_t)n >= sizeof sql) {
			/* a cut statement would leave the connection's settings unset */
			hh_sq_copy_msg(err, err_size, "sqlite: connection settings do not fit");
			status = HIVEHA_ESTORE;
		} else {
			status = hh_sq_exec(c->db, sql, err, err_size);
		}
		if (status != 0) {
			hh_sq_conn_close(c);
			return status;
		}
	}
	*out = c;
	return 0;
}

int hh_sq_reader_get(hh_sq_store *st, hh_sq_conn **out)
{
	char err[sizeof st->errmsg];
	int status;

	hh_sq_mutex_lock(&st->pmtx);
	*out = st->idle;
	if (*out != NULL) {
		st->idle = (*out)->next;
		st->idle_count--;
	}
	hh_sq_mutex_unlock(&st->pmtx);
	if (*out != NULL)
		return 0;
	/* None idle: open another rather than wait, so a visitor that reads
	 * the store again can never deadlock on the pool. */
	status = hh_sq_conn_open(st, out, false, err, sizeof err);
	if (status != 0)
		return hh_sq_error(st, status, "%s", err);
	return 0;
}

void hh_sq_reader_put(hh_sq_store *st, hh_sq_conn *c)
{
	/* A read transaction left open would pin an old snapshot and block checkpoints. */
	for (int i = 0; i < HH_SQ_STMT_COUNT; i++)
		if (c->stmt[i] != NULL)
			sqlite3_reset(c->stmt[i]);
	hh_sq_mutex_lock(&st->pmtx);
	if (st->idle_count < st->max_idle) {
		c->next = st->idle;
		st->idle = c;
		st->idle_count++;
		c = NULL;
	}
	hh_sq_mutex_unlock(&st->pmtx);
	hh_sq_conn_close(c);
}

static int hh_sq_run(hh_sq_store *st, hh_sq_stmt_id id)
{
	sqlite3_stmt *s = hh_sq_stmt(st, st->writer, id);
	int rc;

	if (s == NULL)
		return HIVEHA_ESTORE;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hh_sq_db_error(st, st->writer->db, hh_sq_sql[id]);
	return 0;
}

static int hh_sq_writable(hh_sq_store *st)
{
	if (st->writer == NULL)
		return hh_sq_error(st, HIVEHA_ESTORE, "sqlite: store %s is open read-only", st->path);
	return 0;
}

/* Host data entry: waits for the library transaction, then opens its own. */
int hh_sq_write_begin(hh_sq_store *st)
{
	int status = hh_sq_writable(st);

	if (status != 0)
		return status;
	hh_sq_mutex_lock(&st->wmtx);
	while (st->wbusy)
		hh_sq_cond_wait(&st->wcnd, &st->wmtx);
	status = hh_sq_run(st, HH_SQ_BEGIN);
	if (status != 0)
		hh_sq_mutex_unlock(&st->wmtx);
	return status;
}

/* Commits on status 0, else rolls back; releases the writer. */
int hh_sq_write_end(hh_sq_store *st, int status)
{
	if (status == 0)
		status = hh_sq_run(st, HH_SQ_COMMIT);
	if (status != 0 && !sqlite3_get_autocommit(st->writer->db))
		(void)hh_sq_run(st, HH_SQ_ROLLBACK);
	hh_sq_mutex_unlock(&st->wmtx);
	return status;
}

/* Called with wmtx held by a member working inside a library transaction. */
int hh_sq_txn_check(hh_sq_store *st, hiveha_store_txn *txn)
{
	if (st->writer == NULL)
		return hh_sq_writable(st);
	if (!st->wbusy || txn != &st->txn)
		return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: not an open transaction of this store");
	return 0;
}

static int hh_sq_begin(void *ctx, hiveha_store_txn **txn_out)
{
	hh_sq_store *st = ctx;
	int status;

	if (txn_out == NULL)
		return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: begin: txn_out is NULL");
	*txn_out = NULL;
	status = hh_sq_writable(st);
	if (status != 0)
		return status;
	hh_sq_mutex_lock(&st->wmtx);
	while (st->wbusy)
		hh_sq_cond_wait(&st->wcnd, &st->wmtx);
	status = hh_sq_run(st, HH_SQ_BEGIN);
	if (status == 0) {
		st->wbusy = true;
		*txn_out = &st->txn;
	}
	hh_sq_mutex_unlock(&st->wmtx);
	return status;
}

static void hh_sq_txn_release(hh_sq_store *st)
{
	st->wbusy = false;
	hh_sq_cond_broadcast(&st->wcnd);
	hh_sq_mutex_unlock(&st->wmtx);
}

static int hh_sq_commit(void *ctx, hiveha_store_txn *txn)
{
	hh_sq_store *st = ctx;
	int status;

	hh_sq_mutex_lock(&st->wmtx);
	status = hh_sq_txn_check(st, txn);
	if (status != 0) {
		hh_sq_mutex_unlock(&st->wmtx);
		return status;
	}
	status = hh_sq_run(st, HH_SQ_COMMIT);
	if (status != 0 && !sqlite3_get_autocommit(st->writer->db))
		(void)hh_sq_run(st, HH_SQ_ROLLBACK);
	hh_sq_txn_release(st);
	return status;
}

static void hh_sq_rollback(void *ctx, hiveha_store_txn *txn)
{
	hh_sq_store *st = ctx;

	hh_sq_mutex_lock(&st->wmtx);
	if (hh_sq_txn_check(st, txn) != 0) {
		hh_sq_mutex_unlock(&st->wmtx);
		return;
	}
	if (!sqlite3_get_autocommit(st->writer->db))
		(void)hh_sq_run(st, HH_SQ_ROLLBACK);
	hh_sq_txn_release(st);
}

static void hh_sq_free(hh_sq_store *st)
{
	hh_sq_conn *c;

	hh_sq_conn_close(st->writer);
	while (st->idle != NULL) {
		c = st->idle;
		st->idle = c->next;
		hh_sq_conn_close(c);
	}
	hh_sq_mutex_destroy(&st->wmtx);
	hh_sq_cond_destroy(&st->wcnd);
	hh_sq_mutex_destroy(&st->pmtx);
	hh_sq_mutex_destroy(&st->emtx);
	/* last: the file is ours until every connection to it is closed */
	hh_sq_lock_release(st);
	free(st->path);
	free(st);
}

static void hh_sq_destroy(void *ctx)
{
	hh_sq_store *st = ctx;

	if (st == NULL)
		return;
	/* A transaction still open at destroy is abandoned: roll it back. */
	if (st->writer != NULL && !sqlite3_get_autocommit(st->writer->db))
		sqlite3_exec(st->writer->db, "ROLLBACK", NULL, NULL, NULL);
	hh_sq_free(st);
}

static int hh_sq_options(hh_sq_store *st, const hiveha_sqlite_options *opts, char *err, size_t err_size)
{
	static const hiveha_sqlite_options defaults = HIVEHA_SQLITE_OPTIONS_INIT;

	if (opts == NULL)
		opts = &defaults;
	if (opts->version == 0 || opts->version > HIVEHA_SQLITE_OPTIONS_VERSION) {
		if (err != NULL && err_size > 0)
			(void)snprintf(err, err_size, "sqlite: options version %u not supported (1..%d)",
			               opts->version, HIVEHA_SQLITE_OPTIONS_VERSION);
		return HIVEHA_EVERSION;
	}
	if ((opts->flags & ~(HIVEHA_SQLITE_READ_ONLY | HIVEHA_SQLITE_NO_CREATE)) != 0 ||
	    opts->synchronous < 0 || opts->synchronous > HIVEHA_SQLITE_SYNC_EXTRA) {
		hh_sq_copy_msg(err, err_size, "sqlite: invalid flags or synchronous level");
		return HIVEHA_EINVAL;
	}
	st->flags = opts->flags;
	if (st->flags & HIVEHA_SQLITE_READ_ONLY)
		st->flags |= HIVEHA_SQLITE_NO_CREATE;
	st->busy_timeout_ms = opts->busy_timeout_ms == 0 ? HH_SQ_DEFAULT_BUSY_MS :
	                      opts->busy_timeout_ms < 0 ? 0 : opts->busy_timeout_ms;
	/* Our levels are SQLite's PRAGMA values plus one, so 0 can mean default. */
	st->synchronous = opts->synchronous == 0 ? 1 : opts->synchronous - 1;
	st->max_idle = opts->max_idle_readers == 0 ? HH_SQ_DEFAULT_IDLE : opts->max_idle_readers;
	return 0;
}

static int hh_sq_open_store(hh_sq_store **out, const char *path, const hiveha_sqlite_options *opts,
                            char *err, size_t err_size)
{
	hh_sq_store *st;
	hh_sq_conn *first = NULL;
	bool read_only;
	int status;

	*out = NULL;
	st = calloc(1, sizeof *st);
	if (st == NULL)
		return HIVEHA_ENOMEM;
	if (hh_sq_mutex_init(&st->wmtx) != 0 || hh_sq_cond_init(&st->wcnd) != 0 ||
	    hh_sq_mutex_init(&st->pmtx) != 0 || hh_sq_mutex_init(&st->emtx) != 0) {
		free(st);
		hh_sq_copy_msg(err, err_size, "sqlite: cannot create locks");
		return HIVEHA_ERROR;
	}
	st->txn.st = st;
	st->path = malloc(strlen(path) + 1);
	if (st->path == NULL) {
		hh_sq_free(st);
		return HIVEHA_ENOMEM;
	}
	strcpy(st->path, path);
	status = hh_sq_options(st, opts, err, err_size);
	if (status != 0) {
		hh_sq_free(st);
		return status;
	}
	read_only = (st->flags & HIVEHA_SQLITE_READ_ONLY) != 0;
	status = hh_sq_conn_open(st, &first, !read_only, err, err_size);
	/* after the open (NO_CREATE leaves no lock file behind for a missing
	 * file), before the schema is touched */
	if (status == 0 && !read_only)
		status = hh_sq_lock_take(st, err, err_size);
	if (status == 0)
		status = hh_sq_schema_prepare(first->db, read_only, hh_sq_migrations,
		                              hh_sq_migration_count, err, err_size);
	if (status != 0) {
		hh_sq_conn_close(first);
		hh_sq_free(st);
		return status;
	}
	if (read_only) {
		first->next = NULL;
		st->idle = first;
		st->idle_count = 1;
	} else {
		st->writer = first;
	}
	*out = st;
	return 0;
}

/* store.h's last_error: the message hiveha_sqlite_last_error() gives. */
static void hh_sq_last_error(void *ctx, char *buf, size_t size)
{
	hh_sq_store *st = ctx;

	hh_sq_mutex_lock(&st->emtx);
	(void)snprintf(buf, size, "%s", st->errmsg); /* cut to the caller's buffer */
	hh_sq_mutex_unlock(&st->emtx);
}

int hiveha_sqlite_open(hiveha_store *out, const char *path, const hiveha_sqlite_options *opts)
{
	char *err = opts != NULL ? opts->errbuf : NULL;
	size_t err_size = opts != NULL ? opts->errbuf_size : 0;
	hh_sq_store *st;
	int status;

	hh_sq_copy_msg(err, err_size, "");
	if (out == NULL || path == NULL) {
		hh_sq_copy_msg(err, err_size, "sqlite: out and path are required");
		return HIVEHA_EINVAL;
	}
	memset(out, 0, sizeof *out);
	status = hh_sq_open_store(&st, path, opts, err, err_size);
	if (status != 0) {
		if (err != NULL && err_size > 0 && err[0] == '\0')
			hh_sq_copy_msg(err, err_size, hiveha_strerror(status));
		return status;
	}
	out->version = HIVEHA_STORE_VERSION;
	out->ctx = st;
	out->destroy = hh_sq_destroy;
	out->list_items = hh_sq_list_items;
	out->read_samples = hh_sq_read_samples;
	out->read_events = hh_sq_read_events;
	out->begin = hh_sq_begin;
	out->commit = hh_sq_commit;
	out->rollback = hh_sq_rollback;
	out->replace_samples = hh_sq_replace_samples;
	out->insert_events = hh_sq_insert_events;
	out->kv_get = hh_sq_kv_get;
	out->kv_put = hh_sq_kv_put;
	out->kv_delete = hh_sq_kv_delete;
	out->last_error = hh_sq_last_error;
	return 0;
}

int hiveha_sqlite_schema_version(void)
{
	return HH_SQ_SCHEMA_VERSION;
}

int hiveha_sqlite_is_sqlite(const hiveha_store *store)
{
	return hh_sq_from(store) != NULL;
}

int hiveha_sqlite_last_error(const hiveha_store *store, char *buf, size_t size)
{
	hh_sq_store *st = hh_sq_from(store);

	if (st == NULL || buf == NULL || size == 0)
		return HIVEHA_EINVAL;
	hh_sq_last_error(st, buf, size);
	return 0;
}

int hh_sq_resume_at(hh_sq_store *st, hh_sq_conn *c, hh_sq_stmt_id id, sqlite3_int64 item,
                    hiveha_time from, uint64_t skip, hiveha_time *t, sqlite3_int64 *key,
                    const char *what)
{
	sqlite3_stmt *s;
	int rc, p = 1;

	*t = from;
	*key = INT64_MIN;
	if (skip == 0)
		return 0;
	s = hh_sq_stmt(st, c, id);
	if (s == NULL)
		return HIVEHA_ESTORE;
	/* The OFFSET walks only the rows at exactly `from`. */
	if (item >= 0)
		sqlite3_bind_int64(s, p++, item);
	sqlite3_bind_int64(s, p++, from);
	sqlite3_bind_int64(s, p, skip > INT64_MAX ? INT64_MAX : (sqlite3_int64)skip);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*key = sqlite3_column_int64(s, 0);
	} else if (rc == SQLITE_DONE) {
		/* every row at `from` is skipped */
		if (from == HIVEHA_TIME_MAX)
			*key = INT64_MAX;
		else
			*t = from + 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return hh_sq_db_error(st, c->db, what);
	return 0;
}
