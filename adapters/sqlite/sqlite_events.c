/*
 * sqlite_events.c - events: insert-if-absent on the identity key, range reads.
 *
 * Identity is (time, source_id, type_id, message) with a NULL message equal
 * to "": the table's UNIQUE key, so INSERT ... ON CONFLICT DO NOTHING keeps
 * the stored event and drops the newcomer. Store order is time, then `id`
 * (insertion order).
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

#define HH_SQ_EVENT_BATCH 128

static int hh_sq_event_insert(hh_sq_store *st, sqlite3_stmt *s, const hiveha_event *e, bool *inserted)
{
	unsigned char *attrs = NULL;
	size_t attrs_len = 0;
	int rc, status;

	if (e->attribute_count > 0) {
		if (e->attributes == NULL)
			return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: event attributes are NULL");
		status = hh_sq_attrs_encode(e->attributes, e->attribute_count, &attrs, &attrs_len);
		if (status != 0)
			return hh_sq_error(st, status, "sqlite: cannot encode event attributes");
		if (attrs_len > INT32_MAX) {
			free(attrs);
			return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: event attributes too large");
		}
	}
	sqlite3_bind_int64(s, 1, e->time);
	sqlite3_bind_int64(s, 2, e->received_time);
	sqlite3_bind_int64(s, 3, e->source_id);
	sqlite3_bind_int64(s, 4, e->type_id);
	sqlite3_bind_int64(s, 5, e->category);
	sqlite3_bind_int64(s, 6, e->state);
	sqlite3_bind_int64(s, 7, e->severity);
	sqlite3_bind_text(s, 8, e->source_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, e->message != NULL ? e->message : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, e->user_name, -1, SQLITE_STATIC);
	if (attrs != NULL)
		sqlite3_bind_blob(s, 11, attrs, (int)attrs_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 11);
	sqlite3_bind_int(s, 12, e->message == NULL);
	rc = sqlite3_step(s);
	*inserted = rc == SQLITE_DONE && sqlite3_changes(sqlite3_db_handle(s)) > 0;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	free(attrs);
	if (rc != SQLITE_DONE)
		return hh_sq_db_error(st, sqlite3_db_handle(s), "inserting an event");
	return 0;
}

/* On the writer, inside an open transaction. */
int hh_sq_events_write(hh_sq_store *st, const hiveha_event *events, size_t count, size_t *inserted)
{
	sqlite3_stmt *s;
	size_t n = 0;
	int status = 0;

	if (count == 0) {
		if (inserted != NULL)
			*inserted = 0;
		return 0;
	}
	s = hh_sq_stmt(st, st->writer, HH_SQ_EVENT_INSERT);
	if (s == NULL)
		return HIVEHA_ESTORE;
	for (size_t i = 0; status == 0 && i < count; i++) {
		bool added = false;

		status = hh_sq_event_insert(st, s, &events[i], &added);
		n += added;
	}
	if (status == 0 && inserted != NULL)
		*inserted = n;
	return status;
}

int hh_sq_insert_events(void *ctx, hiveha_store_txn *txn, const hiveha_event *events,
                        size_t count, size_t *inserted_out)
{
	hh_sq_store *st = ctx;
	int status;

	if (events == NULL && count > 0)
		return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: insert_events: events is NULL");
	hh_sq_mutex_lock(&st->wmtx);
	status = hh_sq_txn_check(st, txn);
	if (status == 0)
		status = hh_sq_events_write(st, events, count, inserted_out);
	hh_sq_mutex_unlock(&st->wmtx);
	return status;
}

static void hh_sq_event_release(hiveha_event *e)
{
	free(e->source_name);
	free(e->message);
	free(e->user_name);
	hh_sq_attrs_free(e->attributes, e->attribute_count);
	memset(e, 0, sizeof *e);
}

static int hh_sq_text_dup(sqlite3_stmt *s, int col, char **out)
{
	const unsigned char *p = sqlite3_column_text(s, col);
	size_t len;

	*out = NULL;
	if (p == NULL)
		return 0;
	len = (size_t)sqlite3_column_bytes(s, col);
	*out = malloc(len + 1);
	if (*out == NULL)
		return HIVEHA_ENOMEM;
	memcpy(*out, p, len);
	(*out)[len] = '\0';
	return 0;
}

static int hh_sq_event_column(sqlite3_stmt *s, hiveha_event *e)
{
	int status;

	memset(e, 0, sizeof *e);
	e->time = sqlite3_column_int64(s, 0);
	e->received_time = sqlite3_column_int64(s, 1);
	e->source_id = (uint32_t)sqlite3_column_int64(s, 2);
	e->type_id = (uint32_t)sqlite3_column_int64(s, 3);
	e->category = (uint32_t)sqlite3_column_int64(s, 4);
	e->state = (uint32_t)sqlite3_column_int64(s, 5);
	e->severity = (uint32_t)sqlite3_column_int64(s, 6);
	status = hh_sq_text_dup(s, 7, &e->source_name);
	if (status == 0 && sqlite3_column_int(s, 11) == 0)
		status = hh_sq_text_dup(s, 8, &e->message);
	if (status == 0)
		status = hh_sq_text_dup(s, 9, &e->user_name);
	if (status == 0)
		status = hh_sq_attrs_decode(sqlite3_column_blob(s, 10), (size_t)sqlite3_column_bytes(s, 10),
		                            &e->attributes, &e->attribute_count);
	if (status != 0)
		hh_sq_event_release(e);
	return status;
}

static int hh_sq_events_scan(hh_sq_store *st, hh_sq_conn *c, hiveha_time from, hiveha_time to,
                             uint64_t skip, size_t max, hiveha_events_fn fn, void *payload)
{
	size_t cap = max < HH_SQ_EVENT_BATCH ? max : HH_SQ_EVENT_BATCH;
	size_t n = 0, done = 0;
	hiveha_event *batch;
	sqlite3_int64 id;
	hiveha_time t;
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, status;

	if (max == 0 || from >= to)
		return 0;
	status = hh_sq_resume_at(st, c, HH_SQ_EVENT_SKIP_ID, -1, from, skip, &t, &id,
	                         "resuming an event page");
	if (status != 0)
		return status;
	s = hh_sq_stmt(st, c, HH_SQ_EVENT_RANGE);
	if (s == NULL)
		return HIVEHA_ESTORE;
	batch = calloc(cap, sizeof *batch);
	if (batch == NULL)
		return hh_sq_error(st, HIVEHA_ENOMEM, "sqlite: out of memory");
	sqlite3_bind_int64(s, 1, t);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_int64(s, 3, to);
	while (done < max) {
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;
		status = hh_sq_event_column(s, &batch[n]);
		if (status != 0) {
			status = hh_sq_error(st, status, "sqlite: cannot read a stored event");
			break;
		}
		n++;
		done++;
		if (n == cap || done == max) {
			status = fn(batch, n, payload);
			while (n > 0)
				hh_sq_event_release(&batch[--n]);
			if (status != 0)
				break;
		}
	}
	if (status == 0 && n > 0)
		status = fn(batch, n, payload);
	while (n > 0)
		hh_sq_event_release(&batch[--n]);
	if (status == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		status = hh_sq_db_error(st, c->db, "reading events");
	sqlite3_reset(s);
	free(batch);
	return status;
}

int hh_sq_read_events(void *ctx, hiveha_time from, hiveha_time to, uint64_t skip, size_t max,
                      hiveha_events_fn fn, void *payload)
{
	hh_sq_store *st = ctx;
	hh_sq_conn *c;
	int status;

	if (fn == NULL)
		return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: read_events: fn is NULL");
	status = hh_sq_reader_get(st, &c);
	if (status != 0)
		return status;
	status = hh_sq_events_scan(st, c, from, to, skip, max, fn, payload);
	hh_sq_reader_put(st, c);
	return status;
}

int hiveha_sqlite_add_events(const hiveha_store *store, const hiveha_event *events, size_t count,
                             size_t *inserted_out)
{
	hh_sq_store *st = hh_sq_from(store);
	int status;

	if (st == NULL || (events == NULL && count > 0))
		return HIVEHA_EINVAL;
	status = hh_sq_write_begin(st);
	if (status != 0)
		return status;
	status = hh_sq_events_write(st, events, count, inserted_out);
	return hh_sq_write_end(st, status);
}
