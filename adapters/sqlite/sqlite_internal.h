/*
 * sqlite_internal.h - shared between the hiveha-sqlite sources only.
 *
 * Connections: one writer (used under `wmtx`; `wbusy` marks a library
 * transaction that spans calls) and a pool of read-only connections.
 * Each connection caches its prepared statements, indexed by hh_sq_stmt_id.
 */
#ifndef HH_SQLITE_INTERNAL_H
#define HH_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>

#include <hiveha/sqlite.h>

#include "sqlite_mutex.h"

/* Schema version written by this library; see sqlite_schema.c. */
#define HH_SQ_SCHEMA_VERSION 2
/* PRAGMA application_id marking a libhiveha store file ("HIVE"). */
#define HH_SQ_APPLICATION_ID 0x48495645

typedef enum hh_sq_stmt_id {
	HH_SQ_ITEM_LOOKUP,
	HH_SQ_ITEM_INSERT,
	HH_SQ_ITEM_LIST,
	HH_SQ_ITEM_COUNT,
	HH_SQ_SAMPLE_INSERT,
	HH_SQ_SAMPLE_DELETE,
	HH_SQ_SAMPLE_LAST,
	HH_SQ_SAMPLE_MAXSEQ_AT,
	HH_SQ_SAMPLE_SKIP_SEQ,
	HH_SQ_SAMPLE_RANGE,
	HH_SQ_SAMPLE_COUNT,
	HH_SQ_EVENT_INSERT,
	HH_SQ_EVENT_SKIP_ID,
	HH_SQ_EVENT_RANGE,
	HH_SQ_EVENT_COUNT,
	HH_SQ_KV_GET,
	HH_SQ_KV_PUT,
	HH_SQ_KV_DELETE,
	HH_SQ_BEGIN,
	HH_SQ_COMMIT,
	HH_SQ_ROLLBACK,
	HH_SQ_STMT_COUNT
} hh_sq_stmt_id;

typedef struct hh_sq_conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[HH_SQ_STMT_COUNT];
	struct hh_sq_conn *next; /* idle list link */
} hh_sq_conn;

typedef struct hh_sq_store hh_sq_store;

/* The library's transaction handle: one per store, valid while open. */
struct hiveha_store_txn {
	hh_sq_store *st;
};

struct hh_sq_store {
	char *path;
	unsigned int flags;
	int busy_timeout_ms;
	int synchronous;
	unsigned int max_idle;

	hh_sq_mutex wmtx;      /* guards the writer connection and wbusy */
	hh_sq_cond wcnd;       /* signalled when wbusy clears */
	bool wbusy;            /* a library transaction is open */
	hh_sq_conn *writer;    /* NULL when read-only */
	struct hiveha_store_txn txn;

	hh_sq_mutex pmtx;      /* guards the idle list */
	hh_sq_conn *idle;
	unsigned int idle_count;

	hh_sq_mutex emtx;      /* guards errmsg */
	char errmsg[256];

	sqlite3 *lock_db;      /* holds the file's lock (sqlite_lock.c); NULL read-only */
};

/* sqlite_lock.c: takes / releases the store's exclusive hold on its file.
 * take fails with HIVEHA_ESTORE and a message in err when another store
 * holds it. */
int hh_sq_lock_take(hh_sq_store *st, char *err, size_t err_size);
void hh_sq_lock_release(hh_sq_store *st);

/* sqlite_store.c */
hh_sq_store *hh_sq_from(const hiveha_store *store);
int hh_sq_error(hh_sq_store *st, int status, const char *fmt, ...)
#if defined(__MINGW32__) /* MinGW's C99 stdio, as lib/platform/compiler.h says */
	__attribute__((format(gnu_printf, 3, 4)));
#else
	__attribute__((format(printf, 3, 4)));
#endif
int hh_sq_db_error(hh_sq_store *st, sqlite3 *db, const char *what);
int hh_sq_conn_open(hh_sq_store *st, hh_sq_conn **out, bool writer, char *err, size_t err_size);
void hh_sq_conn_close(hh_sq_conn *c);
sqlite3_stmt *hh_sq_stmt(hh_sq_store *st, hh_sq_conn *c, hh_sq_stmt_id id);
/* Where a read resumes that skips `skip` rows at exactly `from`: the first
 * row to deliver is at (*t, *key), key being the samples' seq or the
 * events' id, as returned by statement `id` (which takes the item as its
 * first parameter when item >= 0). `what` names the read in errors. */
int hh_sq_resume_at(hh_sq_store *st, hh_sq_conn *c, hh_sq_stmt_id id, sqlite3_int64 item,
                    hiveha_time from, uint64_t skip, hiveha_time *t, sqlite3_int64 *key,
                    const char *what);
int hh_sq_reader_get(hh_sq_store *st, hh_sq_conn **out);
void hh_sq_reader_put(hh_sq_store *st, hh_sq_conn *c);
int hh_sq_txn_check(hh_sq_store *st, hiveha_store_txn *txn);
int hh_sq_write_begin(hh_sq_store *st);
int hh_sq_write_end(hh_sq_store *st, int status);

/* sqlite_schema.c */
typedef struct hh_sq_migration {
	int to_version;
	const char *sql;
} hh_sq_migration;
extern const hh_sq_migration hh_sq_migrations[];
extern const size_t hh_sq_migration_count;
int hh_sq_schema_prepare(sqlite3 *db, bool read_only, const hh_sq_migration *steps, size_t nsteps,
                         char *err, size_t err_size);

/* sqlite_value.c */
typedef struct hh_sq_buf {
	unsigned char *p;
	size_t len, cap;
} hh_sq_buf;
int hh_sq_put(hh_sq_buf *b, const void *data, size_t n);
/* Appends the packed form of a valid value; *n is its length. */
int hh_sq_put_packed(hh_sq_buf *b, const hiveha_value *v, size_t *n);
void hh_sq_buf_free(hh_sq_buf *b);
sqlite3_int64 hh_sq_scalar_bits(const hiveha_value *v);
void hh_sq_scalar_set(hiveha_value *out, uint32_t type, sqlite3_int64 bits);
int hh_sq_value_pack(const hiveha_value *v, hh_sq_buf *scratch);
int hh_sq_value_bind(sqlite3_stmt *s, int type_col, int value_col, const hiveha_value *v,
                     const hh_sq_buf *packed);
int hh_sq_value_column(sqlite3_stmt *s, int type_col, int value_col, hiveha_value *out);
int hh_sq_value_supported(const hiveha_value *v);

/* sqlite_attrs.c */
int hh_sq_attrs_encode(const hiveha_attribute *a, size_t n, unsigned char **out, size_t *len);
int hh_sq_attrs_decode(const unsigned char *p, size_t len, hiveha_attribute **out, size_t *n);
void hh_sq_attrs_free(hiveha_attribute *a, size_t n);

/* sqlite_samples.c */
int hh_sq_item_id(hh_sq_store *st, hh_sq_conn *c, const char *item_id, bool create, sqlite3_int64 *out);
int hh_sq_samples_write(hh_sq_store *st, sqlite3_int64 item, hiveha_time delete_from,
                        hiveha_time delete_to, const hiveha_sample *samples, size_t count);
int hh_sq_list_items(void *ctx, hiveha_item_fn fn, void *payload);
int hh_sq_read_samples(void *ctx, const char *item_id, hiveha_time from, hiveha_time to,
                       uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload);
int hh_sq_replace_samples(void *ctx, hiveha_store_txn *txn, const char *item_id,
                          hiveha_time delete_from, hiveha_time delete_to,
                          const hiveha_sample *samples, size_t count);

int hh_sq_count_query(const hiveha_store *store, hh_sq_stmt_id id, const char *item_id,
                      hiveha_time from, hiveha_time to, uint64_t *out);

/* sqlite_events.c */
int hh_sq_events_write(hh_sq_store *st, const hiveha_event *events, size_t count, size_t *inserted);
int hh_sq_read_events(void *ctx, hiveha_time from, hiveha_time to, uint64_t skip, size_t max,
                      hiveha_events_fn fn, void *payload);
int hh_sq_insert_events(void *ctx, hiveha_store_txn *txn, const hiveha_event *events,
                        size_t count, size_t *inserted_out);

/* sqlite_kv.c */
int hh_sq_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload);
int hh_sq_kv_put(void *ctx, hiveha_store_txn *txn, const char *key, const void *data, size_t len);
int hh_sq_kv_delete(void *ctx, hiveha_store_txn *txn, const char *key);

#endif /* HH_SQLITE_INTERNAL_H */
