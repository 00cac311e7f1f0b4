/*
 * memstore.h - an in-memory hiveha_store for tests, with call counters and
 * fault injection.
 *
 * It implements every member of hiveha_store exactly as include/hiveha/store.h
 * specifies, and passes tests/conformance. Test-only additions:
 *
 *  - host-side data entry (memstore_add_item, memstore_append_samples, ...):
 *    what a Hive instance writes while collecting, outside the library; these
 *    bypass counters and faults and are committed at once;
 *  - fault injection: fail the Nth counted call, or every counted call from
 *    the Nth on (a crash), with HIVEHA_ESTORE or a chosen code; the
 *    schedule and counters are storefaults.h's, shared with proxystore;
 *    a faulted call's last_error is "memstore: injected failure of
 *    <member> (call N)";
 *  - memstore_crash(): discards open transactions, as killing the process
 *    would; a later commit/rollback of such a handle is harmless;
 *  - inspection: counts, memstore_equal() with a readable difference, dumps.
 *
 * Transactions are an operation log applied at commit under the lock, in
 * two phases (reserve memory, then apply without any failure point), so a
 * commit is all-or-nothing even when memory runs out, and readers never see
 * uncommitted data.
 *
 * Lifetime: the store is reference counted. memstore_new() returns one
 * reference; every call of store->destroy (by the library or by
 * memstore_free) drops one. memstore_ref() adds one, so a test can keep
 * inspecting a store after the governor that owned it was freed.
 *
 * Threads: every member and helper is safe from any thread (one recursive
 * mutex). A read visitor runs with the lock held: it may call read members
 * but must not commit.
 *
 * Every helper taking `const hiveha_store *s` requires a store made by
 * memstore_new() (checked; a foreign store aborts the test).
 */
#ifndef HH_TEST_MEMSTORE_H
#define HH_TEST_MEMSTORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <hiveha/store.h>

/** The members, for counters and fault masks. */
typedef enum memstore_member {
	MEMSTORE_LIST_ITEMS = 0,
	MEMSTORE_READ_SAMPLES,
	MEMSTORE_READ_EVENTS,
	MEMSTORE_KV_GET,
	MEMSTORE_BEGIN,
	MEMSTORE_COMMIT,
	MEMSTORE_ROLLBACK,
	MEMSTORE_REPLACE_SAMPLES,
	MEMSTORE_INSERT_EVENTS,
	MEMSTORE_KV_PUT,
	MEMSTORE_KV_DELETE,
	MEMSTORE_MEMBER_COUNT
} memstore_member;

#define MEMSTORE_MASK(m) (1u << (unsigned)(m))
/** The read members. */
#define MEMSTORE_READS (MEMSTORE_MASK(MEMSTORE_LIST_ITEMS) | MEMSTORE_MASK(MEMSTORE_READ_SAMPLES) | \
	MEMSTORE_MASK(MEMSTORE_READ_EVENTS) | MEMSTORE_MASK(MEMSTORE_KV_GET))
/** The write members that can fail (rollback cannot, so it is never faulted). */
#define MEMSTORE_WRITES (MEMSTORE_MASK(MEMSTORE_BEGIN) | MEMSTORE_MASK(MEMSTORE_COMMIT) | \
	MEMSTORE_MASK(MEMSTORE_REPLACE_SAMPLES) | MEMSTORE_MASK(MEMSTORE_INSERT_EVENTS) | \
	MEMSTORE_MASK(MEMSTORE_KV_PUT) | MEMSTORE_MASK(MEMSTORE_KV_DELETE))
#define MEMSTORE_ALL (MEMSTORE_READS | MEMSTORE_WRITES)

/** Call counters. */
typedef struct memstore_counts {
	uint64_t calls[MEMSTORE_MEMBER_COUNT]; /**< per member, faulted calls included */
	uint64_t faults;                       /**< calls failed by injection */
} memstore_counts;

/** Flags of memstore_equal(). */
#define MEMSTORE_CMP_KV 1u  /**< also compare the key/value area */

/** Creates an empty store (one reference). HIVEHA_ENOMEM. */
int memstore_new(hiveha_store *out);

/** Adds a reference: one more store->destroy is needed to free it. */
void memstore_ref(const hiveha_store *s);

/** Drops the reference the caller holds (calls s->destroy). */
void memstore_free(hiveha_store *s);

/**
 * Largest batch handed to a read visitor (default 100). Small batches
 * exercise the callers' handling of several visitor calls per read.
 * 0 is taken as 1.
 */
void memstore_set_batch(const hiveha_store *s, size_t batch);

/* ---- fault injection --------------------------------------------------- */

/**
 * Counting from now, the `n`th call (1-based) of a member in `mask` fails
 * with `err` (HIVEHA_ESTORE when 0), once; that call has no effect (a
 * failed commit discards its transaction). Replaces any earlier fault.
 */
void memstore_fail_nth(const hiveha_store *s, unsigned mask, uint64_t n, int err);

/**
 * Counting from now, the `n`th call of a member in `mask` and every later
 * one fail with `err` (HIVEHA_ESTORE when 0): the store has "crashed" until
 * memstore_faults_off(). Replaces any earlier fault.
 */
void memstore_fail_from(const hiveha_store *s, unsigned mask, uint64_t n, int err);

/** Cancels any scheduled fault. */
void memstore_faults_off(const hiveha_store *s);

/**
 * Discards every open transaction, as if the process holding them died:
 * their writes vanish. A later commit of such a handle returns
 * HIVEHA_ESTORE, a later rollback does nothing.
 */
void memstore_crash(const hiveha_store *s);

/** Number of open (begun, not yet committed or rolled back) transactions. */
size_t memstore_open_txns(const hiveha_store *s);

/** Copies the counters. */
void memstore_get_counts(const hiveha_store *s, memstore_counts *out);

/** Zeroes the counters (not the fault schedule). */
void memstore_reset_counts(const hiveha_store *s);

/* ---- host-side data entry (committed at once; no counters, no faults) -- */

/** Makes `item_id` known (with no samples) if it is not. */
int memstore_add_item(const hiveha_store *s, const char *item_id);

/**
 * Stores `samples` (ascending time, else HIVEHA_EINVAL) for `item_id`, after
 * any existing sample with an equal time; creates the item.
 */
int memstore_append_samples(const hiveha_store *s, const char *item_id,
                            const hiveha_sample *samples, size_t count);

/** Inserts events like insert_events (identity de-duplication). */
int memstore_add_events(const hiveha_store *s, const hiveha_event *events, size_t count,
                        size_t *inserted_out);

/** Stores `len` bytes under `key`. */
int memstore_put_kv(const hiveha_store *s, const char *key, const void *data, size_t len);

/** Removes `key` (missing is not an error). */
int memstore_delete_kv(const hiveha_store *s, const char *key);

/* ---- inspection -------------------------------------------------------- */

size_t memstore_item_count(const hiveha_store *s);
/** Samples of one item; HIVEHA_ENOTFOUND for an unknown item. */
int memstore_sample_count(const hiveha_store *s, const char *item_id, size_t *out);
/** Samples of all items. */
size_t memstore_total_samples(const hiveha_store *s);
size_t memstore_event_count(const hiveha_store *s);
size_t memstore_kv_count(const hiveha_store *s);

/**
 * Deep copy of one item's samples in store order. Free with
 * memstore_free_samples(). HIVEHA_ENOTFOUND, HIVEHA_ENOMEM.
 */
int memstore_get_samples(const hiveha_store *s, const char *item_id,
                         hiveha_sample **out, size_t *count_out);
void memstore_free_samples(hiveha_sample *samples, size_t count);

/**
 * Deep copy of all events in store order. Free with memstore_free_events().
 */
int memstore_get_events(const hiveha_store *s, hiveha_event **out, size_t *count_out);
void memstore_free_events(hiveha_event *events, size_t count);

/**
 * True when both stores hold the same items (ids), the same samples per
 * item in the same order (hiveha_sample_compare), the same events in the
 * same order (hiveha_event_equal) and, with MEMSTORE_CMP_KV, the same
 * key/value pairs. Otherwise writes the first difference into `diff`
 * (may be NULL), always NUL-terminated.
 */
bool memstore_equal(const hiveha_store *a, const hiveha_store *b, unsigned flags,
                    char *diff, size_t diff_size);

/**
 * Formats the samples of `item_id` as "(t,v,q) ..." into `buf`, truncated
 * with "..." when too long. Returns HIVEHA_ENOTFOUND for an unknown item.
 */
int memstore_format_samples(const hiveha_store *s, const char *item_id, char *buf, size_t size);

/** Writes every item, sample, event and kv pair readably to `f`. */
void memstore_dump(const hiveha_store *s, FILE *f);

/** Writes one value readably (e.g. "d:1.5", "s:\"abc\"") to `buf`. */
void memstore_format_value(const hiveha_value *v, char *buf, size_t size);

#endif /* HH_TEST_MEMSTORE_H */
