/*
 * proxystore.h - a hiveha_store that forwards every member to another
 * store (e.g. an SQLite store) and adds what memstore offers tests:
 * reference counting, call counters and fault injection. With it the
 * fault tests of the engine (crash at every N, store failures) run against
 * a real store, which proves that checkpoints commit atomically with their
 * data there too.
 *
 * The members and masks are memstore's (memstore.h: MEMSTORE_MASK(),
 * MEMSTORE_READS, MEMSTORE_WRITES, MEMSTORE_ALL), the counters and the
 * fault schedule the same code (storefaults.h), so every fault function
 * has the semantics of its memstore_ namesake:
 *  - a faulted call does not reach the inner store (no effect); a faulted
 *    commit rolls the inner transaction back, as a failed commit must;
 *  - proxystore_crash() rolls back every open inner transaction, as the
 *    death of the process holding them would; a later commit of such a
 *    handle returns HIVEHA_ESTORE, a later rollback does nothing.
 * rollback is never faulted.
 *
 * Lifetime: proxystore_new() takes the inner store over and returns one
 * reference; each call of the proxy's destroy drops one; the last one
 * destroys the inner store and then calls the on-destroy hook, if any.
 *
 * Threads: members and helpers are safe from any thread as far as the
 * inner store's members are; the proxy's own bookkeeping has a mutex that
 * is never held while the inner store is called.
 */
#ifndef HH_TEST_PROXYSTORE_H
#define HH_TEST_PROXYSTORE_H

#include <stddef.h>

#include <hiveha/store.h>

#include "memstore.h"

/** Called once, after the inner store was destroyed. */
typedef void (*proxystore_destroyed_fn)(void *arg);

/**
 * Fills `out` with a proxy of `inner` (copied; the proxy owns it from now
 * on and calls its destroy, if any, at the end). HIVEHA_EINVAL, HIVEHA_ENOMEM
 * (then `inner` stays the caller's).
 */
int proxystore_new(hiveha_store *out, const hiveha_store *inner);

/** True when `s` was made by proxystore_new(). */
int proxystore_is_proxy(const hiveha_store *s);

/** The inner store, for data entry and inspection that must not be counted or faulted. */
const hiveha_store *proxystore_inner(const hiveha_store *s);

/** Sets the hook called after the inner store is destroyed. */
void proxystore_on_destroyed(const hiveha_store *s, proxystore_destroyed_fn fn, void *arg);

/* Adds a reference; proxystore_free() drops the caller's (calls destroy).
 * Like memstore_free(), it leaves `*s` as it is: copies held elsewhere stay valid. */
void proxystore_ref(const hiveha_store *s);
void proxystore_free(hiveha_store *s);

/* Fault injection and counters: as memstore_fail_nth() etc. */
/* A broken store (issue 9 item 12): read_samples / read_events ignore
 * `skip` and deliver from `from` on. */
void proxystore_ignore_skip(const hiveha_store *s, int on);
void proxystore_fail_nth(const hiveha_store *s, unsigned mask, uint64_t n, int err);
void proxystore_fail_from(const hiveha_store *s, unsigned mask, uint64_t n, int err);
void proxystore_faults_off(const hiveha_store *s);
void proxystore_crash(const hiveha_store *s);
size_t proxystore_open_txns(const hiveha_store *s);
void proxystore_get_counts(const hiveha_store *s, memstore_counts *out);
void proxystore_reset_counts(const hiveha_store *s);

#endif /* HH_TEST_PROXYSTORE_H */
