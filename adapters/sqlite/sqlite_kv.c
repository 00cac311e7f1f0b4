/*
 * sqlite_kv.c - the key/value area holding libhiveha's sync state.
 *
 * Writes run on the writer inside the library's transaction, so a sync
 * checkpoint commits together with the data it covers. Reads use a read
 * connection and therefore see committed state only, as store.h asks.
 */
#include "sqlite_internal.h"

int hh_sq_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	hh_sq_store *st = ctx;
	hh_sq_conn *c;
	sqlite3_stmt *s;
	int rc, status;

	if (key == NULL || fn == NULL)
		return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: kv_get: NULL argument");
	status = hh_sq_reader_get(st, &c);
	if (status != 0)
		return status;
	s = hh_sq_stmt(st, c, HH_SQ_KV_GET);
	if (s == NULL) {
		hh_sq_reader_put(st, c);
		return HIVEHA_ESTORE;
	}
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *data = sqlite3_column_blob(s, 0);
		size_t len = (size_t)sqlite3_column_bytes(s, 0);

		/* An empty value has a NULL blob pointer; hand out a valid one. */
		status = fn(data != NULL ? data : "", len, payload);
	} else if (rc == SQLITE_DONE) {
		status = HIVEHA_ENOTFOUND;
	} else {
		status = hh_sq_db_error(st, c->db, "reading a key");
	}
	sqlite3_reset(s);
	hh_sq_reader_put(st, c);
	return status;
}

int hh_sq_kv_put(void *ctx, hiveha_store_txn *txn, const char *key, const void *data, size_t len)
{
	hh_sq_store *st = ctx;
	sqlite3_stmt *s;
	int rc, status;

	if (key == NULL || (data == NULL && len > 0) || len > INT32_MAX)
		return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: kv_put: invalid argument");
	hh_sq_mutex_lock(&st->wmtx);
	status = hh_sq_txn_check(st, txn);
	s = status == 0 ? hh_sq_stmt(st, st->writer, HH_SQ_KV_PUT) : NULL;
	if (status == 0 && s == NULL)
		status = HIVEHA_ESTORE;
	if (status == 0) {
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 2, data != NULL ? data : "", (int)len, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_DONE)
			status = hh_sq_db_error(st, st->writer->db, "writing a key");
	}
	hh_sq_mutex_unlock(&st->wmtx);
	return status;
}

int hh_sq_kv_delete(void *ctx, hiveha_store_txn *txn, const char *key)
{
	hh_sq_store *st = ctx;
	sqlite3_stmt *s;
	int rc, status;

	if (key == NULL)
		return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: kv_delete: key is NULL");
	hh_sq_mutex_lock(&st->wmtx);
	status = hh_sq_txn_check(st, txn);
	s = status == 0 ? hh_sq_stmt(st, st->writer, HH_SQ_KV_DELETE) : NULL;
	if (status == 0 && s == NULL)
		status = HIVEHA_ESTORE;
	if (status == 0) {
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_DONE)
			status = hh_sq_db_error(st, st->writer->db, "deleting a key");
	}
	hh_sq_mutex_unlock(&st->wmtx);
	return status;
}
