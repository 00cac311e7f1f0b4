/*
 * store_txn.h - the one way the core opens and ends a store transaction.
 *
 * store.h's contract for begin(): on failure no transaction is open and
 * the library ignores *txn_out, whatever the store left there; on success
 * the handle is opaque and may even be NULL. Every write path goes through
 * these two calls so that no caller decides "is there a transaction?" by
 * looking at the pointer.
 */
#ifndef HH_STORE_TXN_H
#define HH_STORE_TXN_H

#include <hiveha/store.h>

/* Opens a transaction. On failure *txn is NULL and there is nothing to end. */
int hh_store_begin(const hiveha_store *s, hiveha_store_txn **txn);

/* Ends a transaction hh_store_begin() opened: commits it when `rc` is 0 and
 * returns commit's status, otherwise rolls it back and returns `rc`. */
int hh_store_end(const hiveha_store *s, hiveha_store_txn *txn, int rc);

#endif /* HH_STORE_TXN_H */
