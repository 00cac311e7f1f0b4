/*
 * store_txn.c - opening and ending store transactions (store_txn.h).
 */
#include "store_txn.h"

int hh_store_begin(const hiveha_store *s, hiveha_store_txn **txn)
{
	hiveha_store_txn *t = NULL;
	int rc = s->begin(s->ctx, &t);

	/* A failed begin leaves no transaction, even if the store wrote a
	 * handle: rolling that back would end a transaction never opened. */
	*txn = rc ? NULL : t;
	return rc;
}

int hh_store_end(const hiveha_store *s, hiveha_store_txn *txn, int rc)
{
	if (rc) {
		s->rollback(s->ctx, txn);
		return rc;
	}
	return s->commit(s->ctx, txn);
}
