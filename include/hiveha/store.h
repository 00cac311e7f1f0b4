/*
 * hiveha/store.h - the local store interface a host supplies.
 *
 * A store holds one instance's timeseries, events and a small key/value
 * area in which libhiveha persists its sync state. The library reads it to
 * serve the peer (the responder) and writes it when filling a gap (the
 * governor). Adapters: hiveha/sqlite.h ships an SQLite store.
 *
 * Versioning: `version` is the first member. Members are only ever
 * appended; a comment marks where each version begins. The library reads
 * only the members that exist in the version the host declares, and calls
 * an optional member only when it is non-NULL.
 *
 * Threads: the library calls the WRITE members (begin, commit, rollback,
 * replace_samples, insert_events, kv_put, kv_delete) from one thread at a
 * time per governor. READ members (list_items, read_samples, read_events,
 * kv_get) may be called at the same time from the governor's thread and
 * from any number of threads serving the peer (hiveha_responder_handle).
 * The store must make that safe, e.g. with a lock or separate connections.
 * `destroy` is called once, when the last object using the store is freed
 * (never concurrently with another member).
 *
 * Return values: 0 on success, a negative hiveha_status on failure. A store
 * should use HIVEHA_ENOTFOUND where stated, HIVEHA_ENOMEM for allocation
 * failures and HIVEHA_ESTORE for everything else; a callback's non-zero
 * return must be passed back unchanged. The core records a store failure
 * in the governor's message and never loses data because of it: the
 * transaction is rolled back and the gap stays pending.
 */
#ifndef HIVEHA_STORE_H
#define HIVEHA_STORE_H

#include "common.h"
#include "time.h"
#include "value.h"

HIVEHA_BEGIN_DECLS

/** A transaction. Defined by each store; the library only passes it back. */
typedef struct hiveha_store_txn hiveha_store_txn;

/** Called for each item id (UTF-8, NUL-terminated, borrowed). Non-zero stops. */
typedef int (*hiveha_item_fn)(const char *item_id, void *payload);

/** Called with a batch of samples (borrowed, time-ordered). Non-zero stops. */
typedef int (*hiveha_samples_fn)(const hiveha_sample *samples, size_t count, void *payload);

/** Called with a batch of events (borrowed, time-ordered). Non-zero stops. */
typedef int (*hiveha_events_fn)(const hiveha_event *events, size_t count, void *payload);

/** Called once with a stored value (borrowed bytes). Non-zero is passed back. */
typedef int (*hiveha_bytes_fn)(const void *data, size_t len, void *payload);

#define HIVEHA_STORE_VERSION 3
#define HIVEHA_STORE_INIT { HIVEHA_STORE_VERSION, NULL, NULL, NULL, NULL, NULL, \
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

typedef struct hiveha_store {
	/** HIVEHA_STORE_VERSION of the header the store was built with. Required. */
	unsigned int version;
	/** Passed as first argument to every member. Owned by the store. */
	void *ctx;

	/* ---- version 1 ---- */

	/**
	 * Optional. Releases `ctx` and everything the store owns. Called once by
	 * the last library object that holds a copy of this struct when it is
	 * freed; the host must not use the store after handing it to
	 * hiveha_governor_new() unless it leaves `destroy` NULL and frees the
	 * store itself after freeing every library object that uses it.
	 */
	void (*destroy)(void *ctx);

	/**
	 * Required for TrendHistory. Calls `fn` once per locally trended item, in
	 * ascending byte-wise (strcmp) order of item id, each id once. Stops
	 * early and returns fn's value when fn returns non-zero.
	 */
	int (*list_items)(void *ctx, hiveha_item_fn fn, void *payload);

	/**
	 * Required for serving TrendHistory. Delivers, through `fn`, the samples
	 * of `item_id` whose time is in [from, to), in store order: ascending time
	 * and, for equal times, the order in which they were stored. The first
	 * `skip` samples whose time equals `from` are left out (that is how a
	 * page that ended between equal timestamps resumes). At most `max`
	 * samples are delivered, in one or more calls of `fn`; fewer than `max`
	 * means the range is exhausted. Returns HIVEHA_ENOTFOUND when the store
	 * does not know the item at all (an item with no samples in the range
	 * is not an error). Sample strings are valid only during the call of fn.
	 */
	int (*read_samples)(void *ctx, const char *item_id, hiveha_time from, hiveha_time to,
	                    uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload);

	/**
	 * Required for serving EventHistory. As read_samples, for all events
	 * whose `time` is in [from, to), ascending time then store order.
	 */
	int (*read_events)(void *ctx, hiveha_time from, hiveha_time to, uint64_t skip, size_t max,
	                   hiveha_events_fn fn, void *payload);

	/**
	 * Required. Opens a write transaction. Everything written with it becomes
	 * visible and durable together at commit, or not at all. At most one
	 * transaction per governor is open at a time. On success `*txn_out` is
	 * the store's handle, passed back opaque to the write members and to
	 * exactly one of commit / rollback (it may be NULL if the store needs
	 * none). On failure no transaction is open: the library does not read
	 * `*txn_out` and calls neither commit nor rollback (a store should
	 * still leave it NULL).
	 */
	int (*begin)(void *ctx, hiveha_store_txn **txn_out);

	/** Required. Commits `txn`; on failure nothing of it is kept and txn is gone. */
	int (*commit)(void *ctx, hiveha_store_txn *txn);

	/** Required. Discards `txn`. Cannot fail. */
	void (*rollback)(void *ctx, hiveha_store_txn *txn);

	/**
	 * Required for TrendHistory. Inside `txn`: deletes every sample of
	 * `item_id` with time in [delete_from, delete_to) (nothing when
	 * delete_from >= delete_to), then stores `samples` (ascending time, may be
	 * empty). A stored sample goes after any existing sample with an equal
	 * time, and equal-time samples keep the order given. Samples may lie
	 * outside the deleted range. Creates the item if it is unknown. Borrowed
	 * input: the store copies what it keeps.
	 */
	int (*replace_samples)(void *ctx, hiveha_store_txn *txn, const char *item_id,
	                       hiveha_time delete_from, hiveha_time delete_to,
	                       const hiveha_sample *samples, size_t count);

	/**
	 * Required for EventHistory. Inside `txn`: stores each event unless one
	 * with the same identity exists (hiveha_event_identity_compare, or a
	 * stronger key the store documents); existing events are never changed.
	 * Duplicates within `events` are stored once. `*inserted_out` (may be
	 * NULL) receives how many were new.
	 */
	int (*insert_events)(void *ctx, hiveha_store_txn *txn, const hiveha_event *events,
	                     size_t count, size_t *inserted_out);

	/**
	 * Required. Reads the value stored under `key` (ASCII, NUL-terminated)
	 * and hands it to `fn` once; returns fn's value. HIVEHA_ENOTFOUND if the
	 * key does not exist (fn is not called). Reads committed state.
	 */
	int (*kv_get)(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload);

	/** Required. Inside `txn`: stores `len` bytes under `key`, replacing any. */
	int (*kv_put)(void *ctx, hiveha_store_txn *txn, const char *key, const void *data, size_t len);

	/** Required. Inside `txn`: removes `key`; a missing key is not an error. */
	int (*kv_delete)(void *ctx, hiveha_store_txn *txn, const char *key);

	/* ---- version 2 ---- */

	/**
	 * Optional. Writes the store's own description of its most recent
	 * failure - e.g. SQLite's "database or disk is full" - into `buf` of
	 * `size` (> 0) bytes, always NUL-terminated, "" when it has none. The
	 * library calls it right after a member returned a failure, on the
	 * thread that made that call, and puts the text into the deputy's
	 * SyncState and the governor's message next to the status code. It must
	 * not fail and must not call back into the library. With several threads
	 * using the store the text may belong to another thread's failure; it
	 * is a diagnostic, never acted upon. Read only when `version` >= 2.
	 */
	void (*last_error)(void *ctx, char *buf, size_t size);

	/* ---- version 3 ---- */

	/*
	 * No new member: a store declaring version >= 3 promises that
	 * replace_samples and insert_events keep vectors and matrices of
	 * value.h bit for bit, and read_samples / read_events return them so.
	 * Only then does the library ask a peer for them (docs/protocol.md
	 * "Capabilities"); a version 1 or 2 store is never handed one, and an
	 * array item of the peer is left untouched as "unknown to the peer".
	 */
} hiveha_store;

/**
 * Zeroes `store` and sets its version, like HIVEHA_STORE_INIT. Only the
 * members of `version` are written (docs/conventions.md).
 * Returns HIVEHA_EVERSION when `version` is 0 or newer than this library,
 * HIVEHA_EINVAL when `store` is NULL.
 */
HIVEHA_API int hiveha_store_init(hiveha_store *store, unsigned int version);

/**
 * Checks that `store` has a supported version and the members required for
 * `deputies` (a mask of HIVEHA_DEPUTY_MASK() bits from governor.h; 0 checks
 * only what every use needs - unlike hiveha_governor_config.deputies, where
 * 0 means HIVEHA_DEPUTIES_HIVE). Only the members of store->version are
 * read. On failure returns HIVEHA_EVERSION or
 * HIVEHA_EINVAL and writes a one-line reason into `msg` (may be NULL) of
 * `msg_size` bytes, always NUL-terminated.
 */
HIVEHA_API int hiveha_store_check(const hiveha_store *store, unsigned int deputies,
                                  char *msg, size_t msg_size);

HIVEHA_END_DECLS

#endif /* HIVEHA_STORE_H */
