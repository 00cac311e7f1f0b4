/* sqtest.c - see sqtest.h. */
#define _POSIX_C_SOURCE 200809L
#include "sqtest.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scratchdir.h"

static char sqt_dir[256];

void sqt_setup(void)
{
	cr_assert_eq(scratchdir_make(sqt_dir, sizeof sqt_dir, "sqlite"), 0, "scratch directory");
}

void sqt_teardown(void)
{
	scratchdir_remove(sqt_dir);
}

const char *sqt_path(const char *name)
{
	static char buf[4][512];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(buf[slot], sizeof buf[slot], "%s/%s", sqt_dir, name);
	return buf[slot];
}

int sqt_try_open(hiveha_store *st, const char *name, unsigned int flags, char *msg, size_t size)
{
	hiveha_sqlite_options o = HIVEHA_SQLITE_OPTIONS_INIT;

	o.flags = flags;
	o.errbuf = msg;
	o.errbuf_size = size;
	return hiveha_sqlite_open(st, sqt_path(name), &o);
}

void sqt_open(hiveha_store *st, const char *name, unsigned int flags)
{
	char msg[256];
	int rc = sqt_try_open(st, name, flags, msg, sizeof msg);

	cr_assert_eq(rc, 0, "open %s: %d %s", name, rc, msg);
	cr_assert_str_empty(msg);
}

void sqt_close(hiveha_store *st)
{
	if (st->destroy != NULL)
		st->destroy(st->ctx);
	memset(st, 0, sizeof *st);
}

static sqlite3 *sqt_raw(const char *name)
{
	sqlite3 *db = NULL;

	cr_assert_eq(sqlite3_open(sqt_path(name), &db), SQLITE_OK);
	return db;
}

void sqt_exec(const char *name, const char *sql)
{
	sqlite3 *db = sqt_raw(name);
	char *err = NULL;

	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &err), SQLITE_OK, "%s: %s", sql, err);
	sqlite3_close(db);
}

long long sqt_query_int(const char *name, const char *sql)
{
	sqlite3 *db = sqt_raw(name);
	sqlite3_stmt *s;
	long long v;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", sql);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

const char *sqt_query_text(const char *name, const char *sql)
{
	static char buf[256];
	sqlite3 *db = sqt_raw(name);
	sqlite3_stmt *s;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", sql);
	snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return buf;
}

int sqt_collect_samples(const hiveha_sample *s, size_t n, void *payload)
{
	sqt_samples *c = payload;

	cr_assert_gt(n, 0, "a batch is never empty");
	c->calls++;
	for (size_t i = 0; i < n; i++) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 16;
			c->v = realloc(c->v, c->cap * sizeof *c->v);
			cr_assert_not_null(c->v);
		}
		c->v[c->n] = s[i];
		cr_assert_eq(hiveha_value_copy(&c->v[c->n].value, &s[i].value), 0);
		c->n++;
		if (c->stop_after > 0 && c->n == (size_t)c->stop_after)
			return 42;
	}
	return 0;
}

void sqt_samples_free(sqt_samples *c)
{
	for (size_t i = 0; i < c->n; i++)
		hiveha_value_clear(&c->v[i].value);
	free(c->v);
	memset(c, 0, sizeof *c);
}

int sqt_collect_events(const hiveha_event *e, size_t n, void *payload)
{
	sqt_events *c = payload;

	cr_assert_gt(n, 0, "a batch is never empty");
	c->calls++;
	for (size_t i = 0; i < n; i++) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 16;
			c->v = realloc(c->v, c->cap * sizeof *c->v);
			cr_assert_not_null(c->v);
		}
		cr_assert_eq(hiveha_event_copy(&c->v[c->n], &e[i]), 0);
		c->n++;
	}
	return 0;
}

void sqt_events_free(sqt_events *c)
{
	for (size_t i = 0; i < c->n; i++)
		hiveha_event_clear(&c->v[i]);
	free(c->v);
	memset(c, 0, sizeof *c);
}

hiveha_sample sqt_dbl(hiveha_time t, double d)
{
	hiveha_sample s;

	memset(&s, 0, sizeof s);
	s.time = t;
	s.quality = HIVEHA_QUALITY_GOOD;
	hiveha_value_set_double(&s.value, d);
	return s;
}

hiveha_event sqt_event(hiveha_time t, uint32_t source, uint32_t type, const char *message)
{
	hiveha_event e;

	memset(&e, 0, sizeof e);
	e.time = t;
	e.received_time = t + 1;
	e.source_id = source;
	e.type_id = type;
	e.message = (char *)message;
	return e;
}

hiveha_store_txn *sqt_begin(const hiveha_store *st)
{
	hiveha_store_txn *txn = NULL;

	cr_assert_eq(st->begin(st->ctx, &txn), 0);
	cr_assert_not_null(txn);
	return txn;
}

void sqt_commit(const hiveha_store *st, hiveha_store_txn *txn)
{
	cr_assert_eq(st->commit(st->ctx, txn), 0);
}
