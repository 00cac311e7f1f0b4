/*
 * hiveha/sqlite.h - the embedded default store: one SQLite file holding an
 * instance's items, samples, events and libhiveha's sync state.
 *
 * This is a separate library (hiveha-sqlite, CMake target hiveha::sqlite)
 * built on the public headers and SQLite 3 only. hiveha_sqlite_open() fills
 * a hiveha_store (store.h) that a host hands to hiveha_governor_new() and
 * hiveha_responder_new() like any other store; the host keeps its copy of
 * the struct to put its own data in with the hiveha_sqlite_* data-entry
 * functions below. docs/sqlite.md describes the schema and durability.
 *
 * Threads: every function here and every member of the returned store may
 * be called from any thread, concurrently. Writes go through one writer
 * connection: a transaction opened with the store's `begin` holds it until
 * `commit` or `rollback` (possibly called from another thread), and the
 * data-entry functions wait for it (so never call them while the same
 * thread holds an open transaction of the store). Reads use a small pool of
 * read-only connections and proceed during a write (WAL mode); they see
 * committed data only. The visitor callbacks of the read members run on
 * the calling thread while a read connection is held; they may call other
 * read members (another connection is opened if none is free).
 *
 * Errors: functions return 0 or a negative hiveha_status: HIVEHA_EINVAL
 * (bad argument, or `store` is not an SQLite store), HIVEHA_ENOTFOUND where
 * stated, HIVEHA_ENOMEM, HIVEHA_EVERSION (schema), HIVEHA_ESTORE (SQLite
 * failed, or a write on a read-only store). The message of the last failure
 * is kept per store: hiveha_sqlite_last_error().
 */
#ifndef HIVEHA_SQLITE_H
#define HIVEHA_SQLITE_H

#include "common.h"
#include "store.h"

/* HIVEHA_SQLITE_API marks the symbols of the hiveha-sqlite library (same
 * rules as HIVEHA_API, with HIVEHA_SQLITE_BUILDING while building it). */
#if defined(_WIN32) && !defined(HIVEHA_STATIC)
#  if defined(HIVEHA_SQLITE_BUILDING)
#    define HIVEHA_SQLITE_API __declspec(dllexport)
#  else
#    define HIVEHA_SQLITE_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define HIVEHA_SQLITE_API __attribute__((visibility("default")))
#else
#  define HIVEHA_SQLITE_API
#endif

HIVEHA_BEGIN_DECLS

/** Open flag: open an existing file read-only, for inspection. Every write fails with HIVEHA_ESTORE. */
#define HIVEHA_SQLITE_READ_ONLY 0x1u
/** Open flag: fail (HIVEHA_ESTORE) instead of creating a missing file. */
#define HIVEHA_SQLITE_NO_CREATE 0x2u

/**
 * `synchronous` levels (SQLite's PRAGMA synchronous). In WAL mode NORMAL
 * (the default) keeps every committed transaction across an application
 * crash or kill -9; only an OS crash or power loss may lose the last
 * commits (never corrupt the file). FULL adds an fsync per commit to
 * survive power loss as well.
 */
typedef enum hiveha_sqlite_sync {
	HIVEHA_SQLITE_SYNC_DEFAULT = 0, /**< NORMAL */
	HIVEHA_SQLITE_SYNC_OFF = 1,     /**< no fsync at all; for throw-away data */
	HIVEHA_SQLITE_SYNC_NORMAL = 2,
	HIVEHA_SQLITE_SYNC_FULL = 3,
	HIVEHA_SQLITE_SYNC_EXTRA = 4
} hiveha_sqlite_sync;

#define HIVEHA_SQLITE_OPTIONS_VERSION 1
#define HIVEHA_SQLITE_OPTIONS_INIT { HIVEHA_SQLITE_OPTIONS_VERSION, 0u, 0, 0, 0u, NULL, 0 }

/**
 * Options of hiveha_sqlite_open(). Initialise with HIVEHA_SQLITE_OPTIONS_INIT;
 * members are only ever appended. A zero member means its default.
 */
typedef struct hiveha_sqlite_options {
	/** HIVEHA_SQLITE_OPTIONS_VERSION of the header the host was built with. */
	unsigned int version;
	/* ---- version 1 ---- */
	/** HIVEHA_SQLITE_READ_ONLY, HIVEHA_SQLITE_NO_CREATE; 0: read-write, create if missing. */
	unsigned int flags;
	/** How long a write waits for another process's lock, in ms. 0: 5000; negative: not at all. */
	int busy_timeout_ms;
	/** A hiveha_sqlite_sync level; 0: NORMAL. */
	int synchronous;
	/** Idle read connections kept open for reuse. 0: 4. More are opened on demand. */
	unsigned int max_idle_readers;
	/**
	 * Optional. When hiveha_sqlite_open() fails, a one-line reason is written
	 * here (always NUL-terminated, truncated to `errbuf_size` bytes); on
	 * success it is set to "". The buffer belongs to the caller.
	 */
	char *errbuf;
	size_t errbuf_size;
} hiveha_sqlite_options;

/**
 * Opens (creating it unless HIVEHA_SQLITE_NO_CREATE or READ_ONLY) the store
 * file at `path` and fills `*out` with a hiveha_store whose `destroy` closes
 * every connection and frees everything. `opts` may be NULL for defaults.
 *
 * A new file gets the current schema; an older schema is migrated in one
 * transaction (a read-only open refuses it). Returns HIVEHA_EVERSION when
 * the file's schema is newer than this library (the message names both
 * versions) or `opts->version` is unknown, HIVEHA_ESTORE when the file
 * cannot be opened, is not an SQLite database, is corrupt or is not a
 * libhiveha store (the message carries SQLite's), or another read-write
 * store - in this process or another - has the file open (a read-write
 * store holds an exclusive lock on its file until destroyed; a READ_ONLY
 * open takes none: docs/sqlite.md "One read-write store per file"),
 * HIVEHA_EINVAL for a NULL argument. On failure `*out` is zeroed and
 * nothing stays open.
 */
HIVEHA_SQLITE_API int hiveha_sqlite_open(hiveha_store *out, const char *path,
                                         const hiveha_sqlite_options *opts);

/** The schema version this library writes (and the newest it reads). */
HIVEHA_SQLITE_API int hiveha_sqlite_schema_version(void);

/** True when `store` was filled by hiveha_sqlite_open() (and not yet destroyed). */
HIVEHA_SQLITE_API int hiveha_sqlite_is_sqlite(const hiveha_store *store);

/**
 * Copies the message of the store's most recent failure (from any thread,
 * any member) into `buf` of `size` bytes, always NUL-terminated; "" when
 * nothing failed yet. Returns HIVEHA_EINVAL for a non-SQLite store.
 */
HIVEHA_SQLITE_API int hiveha_sqlite_last_error(const hiveha_store *store, char *buf, size_t size);

/* ---- host data entry ------------------------------------------------------
 * Each call below is one transaction of its own on the writer connection:
 * it waits while a library transaction is open, and commits before it
 * returns (all or nothing). */

/** Creates the item `item_id` (UTF-8) unless it exists. */
HIVEHA_SQLITE_API int hiveha_sqlite_ensure_item(const hiveha_store *store, const char *item_id);

/**
 * Appends `count` samples to `item_id`, creating the item if needed. A
 * sample goes after every stored sample with an equal time; equal-time
 * samples keep the order given. Any order is accepted; time-ascending
 * input (the normal case for collected data) takes the fast path.
 * Every value type of value.h is kept bit-exactly, vectors and matrices
 * included (schema version 2: docs/sqlite.md). Returns HIVEHA_EINVAL for
 * an invalid type tag or an array tag without its payload (nothing is
 * stored).
 */
HIVEHA_SQLITE_API int hiveha_sqlite_append_samples(const hiveha_store *store, const char *item_id,
                                                   const hiveha_sample *samples, size_t count);

/**
 * Inserts each of `count` events unless one with the same identity
 * (time, source_id, type_id, message; NULL message equals "") is stored.
 * `*inserted_out` (may be NULL) receives how many were new. Attributes
 * may hold any valid value, vectors and matrices included; an invalid one
 * is HIVEHA_EINVAL and nothing is stored.
 */
HIVEHA_SQLITE_API int hiveha_sqlite_add_events(const hiveha_store *store, const hiveha_event *events,
                                               size_t count, size_t *inserted_out);

/** `*out` = number of items. */
HIVEHA_SQLITE_API int hiveha_sqlite_count_items(const hiveha_store *store, uint64_t *out);

/**
 * `*out` = number of samples of `item_id` with time in [from, to).
 * HIVEHA_ENOTFOUND for an unknown item.
 */
HIVEHA_SQLITE_API int hiveha_sqlite_count_samples(const hiveha_store *store, const char *item_id,
                                                  hiveha_time from, hiveha_time to, uint64_t *out);

/** `*out` = number of events with time in [from, to). */
HIVEHA_SQLITE_API int hiveha_sqlite_count_events(const hiveha_store *store, hiveha_time from,
                                                 hiveha_time to, uint64_t *out);

HIVEHA_END_DECLS

#endif /* HIVEHA_SQLITE_H */
