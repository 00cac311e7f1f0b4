/*
 * floors_sql.c - SQLite's own limits for the rows a sync writes, on
 * sqlite3 directly, into a store file of the adapter's schema that already
 * knows the items (as the sync's local store does) and with the adapter's
 * connection settings (WAL, synchronous NORMAL, 16 MiB page cache):
 *
 *   attach  ATTACH the peer's file read-only and INSERT ... SELECT the gap
 *           in one transaction: no decoding, no binding, no protocol.
 *   insert  a prepared INSERT, bind/step/reset per sample, one transaction
 *           per page of chunk samples: what the adapter's ingest does
 *           without its per-item lookups and sequence logic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sqlphases.h"

/* The local store with its items (through the adapter, so the schema is
 * the adapter's), reopened as a bare sqlite3 connection. */
static sqlite3 *open_floor_db(const opts *o, const char *path, result *res)
{
	hiveha_store st;
	sqlite3 *db = NULL;
	int rc;

	if ((rc = open_local(&st, path, &o->gp, 1, res))) {
		res->rc = rc;
		return NULL;
	}
	st.destroy(st.ctx);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384", NULL, NULL,
	                 NULL) != SQLITE_OK) {
		snprintf(res->msg, sizeof res->msg, "open %s: %s", path,
		         db ? sqlite3_errmsg(db) : "out of memory");
		res->rc = HIVEHA_ESTORE;
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static int db_fail(sqlite3 *db, const char *what, result *res)
{
	snprintf(res->msg, sizeof res->msg, "%s: %s", what, sqlite3_errmsg(db));
	return HIVEHA_ESTORE;
}

/* All M x S samples must be there. */
static int verify_count(sqlite3 *db, const gen_params *gp, result *res)
{
	sqlite3_stmt *s = NULL;
	sqlite3_int64 n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM samples", -1, &s, NULL) != SQLITE_OK)
		return db_fail(db, "count", res);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (n < 0 || (uint64_t)n != (uint64_t)gp->items * gp->samples) {
		snprintf(res->msg, sizeof res->msg, "verify: %lld samples stored, want %zu", (long long)n,
		         gp->items * gp->samples);
		return HIVEHA_ERROR;
	}
	return 0;
}

void phase_attach(const opts *o, const char *path, result *res)
{
	const gen_params *gp = &o->gp;
	/* items are matched by name: the two files' item ids need not agree */
	static const char copy[] =
		"INSERT INTO main.samples(item, time, seq, type, quality, value) "
		"SELECT li.id, s.time, s.seq, s.type, s.quality, s.value "
		"FROM peer.items pi JOIN main.items li ON li.name = pi.name "
		"JOIN peer.samples s ON s.item = pi.id WHERE s.time >= ?1 AND s.time < ?2";
	char uri[1100];
	sqlite3 *db = open_floor_db(o, path, res);
	sqlite3_stmt *att = NULL, *ins = NULL;
	double t;
	int rc = 0;

	if (!db)
		return;
	snprintf(uri, sizeof uri, "file:%s?mode=ro", o->peer_db);
	if (sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS peer", -1, &att, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(att, 1, uri, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(att) != SQLITE_DONE) {
		rc = db_fail(db, "attach", res);
		goto out;
	}
	if (sqlite3_prepare_v2(db, copy, -1, &ins, NULL) != SQLITE_OK) {
		rc = db_fail(db, "prepare", res);
		goto out;
	}
	sqlite3_bind_int64(ins, 1, gp->t0);
	sqlite3_bind_int64(ins, 2, gen_end(gp));
	t = now_s();
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_step(ins) != SQLITE_DONE || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(db, "insert ... select", res);
		goto out;
	}
	res->seconds = now_s() - t;
	res->count = (uint64_t)sqlite3_changes64(db);
	res->requests = 1;
	rc = verify_count(db, gp, res);
out:
	sqlite3_finalize(att);
	sqlite3_finalize(ins);
	sqlite3_close(db);
	remove_db(path);
	res->rc = rc;
}

/* item index -> local items.id, read before timing */
static int item_ids(sqlite3 *db, const gen_params *gp, sqlite3_int64 *ids, result *res)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, name FROM items", -1, &s, NULL) != SQLITE_OK)
		return db_fail(db, "items", res);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long i = gen_item_index(gp, (const char *)sqlite3_column_text(s, 1));
		if (i >= 0)
			ids[i] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(db, "items", res);
}

typedef struct row {
	sqlite3_int64 item;
	hiveha_sample s;
} row;

static int insert_page(sqlite3 *db, sqlite3_stmt *ins, const row *page, size_t n)
{
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	/* the bench's vectors are at most BENCH_MAX_ELEMS doubles */
	unsigned char blob[16 + 8 * BENCH_MAX_ELEMS];

	for (size_t j = 0; j < n; j++) {
		sqlite3_int64 bits;
		memcpy(&bits, &page[j].s.value.as.f64, sizeof bits);
		sqlite3_bind_int64(ins, 1, page[j].item);
		sqlite3_bind_int64(ins, 2, page[j].s.time);
		sqlite3_bind_int64(ins, 3, 0);
		sqlite3_bind_int(ins, 4, (int)page[j].s.value.type);
		sqlite3_bind_int64(ins, 5, (sqlite3_int64)page[j].s.quality);
		if (hiveha_value_is_array(&page[j].s.value)) {
			/* an array is one BLOB: its packed form, as the adapter keeps it */
			size_t len = 0;

			if (hiveha_value_pack(&page[j].s.value, blob, sizeof blob, &len)) {
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
				return -1;
			}
			sqlite3_bind_blob(ins, 6, blob, (int)len, SQLITE_STATIC);
		} else {
			sqlite3_bind_int64(ins, 6, bits);
		}
		if (sqlite3_step(ins) != SQLITE_DONE) {
			sqlite3_reset(ins);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		sqlite3_reset(ins);
	}
	return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

void phase_insert(const opts *o, const char *path, result *res)
{
	const gen_params *gp = &o->gp;
	sqlite3 *db = open_floor_db(o, path, res);
	sqlite3_int64 *ids = calloc(gp->items, sizeof *ids);
	row *page = calloc(o->chunk, sizeof *page);
	sqlite3_stmt *ins = NULL;
	size_t npage = 0;
	int rc = 0;

	if (!db)
		goto out;
	if (!ids || !page) {
		rc = HIVEHA_ENOMEM;
		goto out;
	}
	if ((rc = item_ids(db, gp, ids, res)))
		goto out;
	if (sqlite3_prepare_v2(db,
	                       "INSERT INTO samples(item, time, seq, type, quality, value) "
	                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                       -1, &ins, NULL) != SQLITE_OK) {
		rc = db_fail(db, "prepare", res);
		goto out;
	}
	for (size_t i = 0; i < gp->items && !rc; i++) {
		for (size_t k = 0; k < gp->samples && !rc; k++) {
			page[npage].item = ids[i];
			if (gen_sample(&page[npage].s, gp, i, k)) {
				rc = HIVEHA_ENOMEM;
				break;
			}
			if (++npage == o->chunk || (i + 1 == gp->items && k + 1 == gp->samples)) {
				/* only the transaction is timed, as in floor (a) */
				double t = now_s();
				if (insert_page(db, ins, page, npage))
					rc = db_fail(db, "insert", res);
				for (size_t j = 0; j < npage; j++)
					hiveha_value_clear(&page[j].s.value);
				res->seconds += now_s() - t;
				res->requests++;
				if (!rc)
					res->count += npage;
				npage = 0;
			}
		}
	}
	if (!rc)
		rc = verify_count(db, gp, res);
out:
	sqlite3_finalize(ins);
	if (db) {
		sqlite3_close(db);
		remove_db(path);
		res->rc = rc;
	}
	free(ids);
	free(page);
}
