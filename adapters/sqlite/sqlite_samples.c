/*
 * sqlite_samples.c - items and samples: range replace, append, range reads.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

/* Samples handed to a visitor per call: bounds memory, amortises calls. */
#define HH_SQ_SAMPLE_BATCH 512

int hh_sq_item_id(hh_sq_store *st, hh_sq_conn *c, const char *item_id, bool create, sqlite3_int64 *out)
{
	sqlite3_stmt *s = hh_sq_stmt(st, c, HH_SQ_ITEM_LOOKUP);
	int rc;

	/* 0 on failure too: clang-analyzer cannot see that the error helpers
	 * (sqlite_store.c) never return 0, and the callers read it after 0. */
	*out = 0;
	if (s == NULL)
		return HIVEHA_ESTORE;
	sqlite3_bind_text(s, 1, item_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return hh_sq_db_error(st, c->db, "looking up an item");
	if (!create)
		return hh_sq_error(st, HIVEHA_ENOTFOUND, "sqlite: unknown item \"%.100s\"", item_id);
	s = hh_sq_stmt(st, c, HH_SQ_ITEM_INSERT);
	if (s == NULL)
		return HIVEHA_ESTORE;
	sqlite3_bind_text(s, 1, item_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hh_sq_db_error(st, c->db, "creating an item");
	*out = sqlite3_last_insert_rowid(c->db);
	return 0;
}

/* Largest seq among the item's samples at `t`, or -1 when there are none. */
static int hh_sq_max_seq(hh_sq_store *st, sqlite3_int64 item, hiveha_time t, sqlite3_int64 *seq)
{
	sqlite3_stmt *s = hh_sq_stmt(st, st->writer, HH_SQ_SAMPLE_MAXSEQ_AT);
	int rc;

	if (s == NULL)
		return HIVEHA_ESTORE;
	sqlite3_bind_int64(s, 1, item);
	sqlite3_bind_int64(s, 2, t);
	rc = sqlite3_step(s);
	*seq = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return hh_sq_db_error(st, st->writer->db, "reading sample order");
	return 0;
}

static int hh_sq_last_time(hh_sq_store *st, sqlite3_int64 item, bool *any, hiveha_time *t)
{
	sqlite3_stmt *s = hh_sq_stmt(st, st->writer, HH_SQ_SAMPLE_LAST);
	int rc;

	if (s == NULL)
		return HIVEHA_ESTORE;
	sqlite3_bind_int64(s, 1, item);
	rc = sqlite3_step(s);
	*any = rc == SQLITE_ROW;
	if (*any)
		*t = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return hh_sq_db_error(st, st->writer->db, "reading the last sample");
	return 0;
}

/*
 * On the writer, inside an open transaction. A new sample's seq is one past
 * the largest at its time. For time-ascending input that needs no lookup
 * when the time was just deleted, or lies after every stored sample, or
 * equals the previous sample's; only the rest cost an index probe.
 */
int hh_sq_samples_write(hh_sq_store *st, sqlite3_int64 item, hiveha_time delete_from,
                        hiveha_time delete_to, const hiveha_sample *samples, size_t count)
{
	sqlite3_stmt *ins;
	hh_sq_buf packed = { NULL, 0, 0 };
	bool sorted = true, any = false, have_prev = false;
	hiveha_time last = 0, prev_t = 0;
	sqlite3_int64 prev_seq = 0;
	int status;

	for (size_t i = 0; i < count; i++) {
		if (!hh_sq_value_supported(&samples[i].value))
			return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: sample %zu has unsupported value type %u",
			                   i, (unsigned)samples[i].value.type);
		if (i > 0 && samples[i].time < samples[i - 1].time)
			sorted = false;
	}
	if (delete_from < delete_to) {
		sqlite3_stmt *del = hh_sq_stmt(st, st->writer, HH_SQ_SAMPLE_DELETE);
		int rc;

		if (del == NULL)
			return HIVEHA_ESTORE;
		sqlite3_bind_int64(del, 1, item);
		sqlite3_bind_int64(del, 2, delete_from);
		sqlite3_bind_int64(del, 3, delete_to);
		rc = sqlite3_step(del);
		sqlite3_reset(del);
		if (rc != SQLITE_DONE)
			return hh_sq_db_error(st, st->writer->db, "deleting samples");
	}
	if (count == 0)
		return 0;
	status = hh_sq_last_time(st, item, &any, &last);
	if (status != 0)
		return status;
	ins = hh_sq_stmt(st, st->writer, HH_SQ_SAMPLE_INSERT);
	if (ins == NULL)
		return HIVEHA_ESTORE;
	sqlite3_bind_int64(ins, 1, item);
	for (size_t i = 0; status == 0 && i < count; i++) {
		const hiveha_sample *sm = &samples[i];
		sqlite3_int64 seq;
		int rc;

		if (sorted && have_prev && sm->time == prev_t) {
			seq = prev_seq + 1;
		} else if (sorted && ((!any || sm->time > last) ||
		                      (sm->time >= delete_from && sm->time < delete_to))) {
			seq = 0;
		} else {
			status = hh_sq_max_seq(st, item, sm->time, &seq);
			if (status != 0)
				break;
			seq++;
		}
		sqlite3_bind_int64(ins, 2, sm->time);
		sqlite3_bind_int64(ins, 3, seq);
		sqlite3_bind_int64(ins, 5, (sqlite3_int64)sm->quality);
		status = hh_sq_value_pack(&sm->value, &packed);
		if (status != 0) {
			status = hh_sq_error(st, status, "sqlite: cannot pack the value of sample %zu", i);
			break;
		}
		rc = hh_sq_value_bind(ins, 4, 6, &sm->value, &packed);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE) {
			status = hh_sq_db_error(st, st->writer->db, "inserting a sample");
			break;
		}
		prev_t = sm->time;
		prev_seq = seq;
		have_prev = true;
	}
	/* Keep no pointer to the caller's string or to `packed` bound. */
	sqlite3_bind_null(ins, 6);
	hh_sq_buf_free(&packed);
	return status;
}

int hh_sq_replace_samples(void *ctx, hiveha_store_txn *txn, const char *item_id,
                          hiveha_time delete_from, hiveha_time delete_to,
                          const hiveha_sample *samples, size_t count)
{
	hh_sq_store *st = ctx;
	sqlite3_int64 item;
	int status;

	if (item_id == NULL || (samples == NULL && count > 0))
		return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: replace_samples: NULL argument");
	hh_sq_mutex_lock(&st->wmtx);
	status = hh_sq_txn_check(st, txn);
	if (status == 0)
		status = hh_sq_item_id(st, st->writer, item_id, true, &item);
	if (status == 0)
		status = hh_sq_samples_write(st, item, delete_from, delete_to, samples, count);
	hh_sq_mutex_unlock(&st->wmtx);
	return status;
}

int hh_sq_list_items(void *ctx, hiveha_item_fn fn, void *payload)
{
	hh_sq_store *st = ctx;
	hh_sq_conn *c;
	sqlite3_stmt *s;
	int rc, status;

	if (fn == NULL)
		return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: list_items: fn is NULL");
	status = hh_sq_reader_get(st, &c);
	if (status != 0)
		return status;
	s = hh_sq_stmt(st, c, HH_SQ_ITEM_LIST);
	if (s == NULL) {
		hh_sq_reader_put(st, c);
		return HIVEHA_ESTORE;
	}
	for (;;) {
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;
		status = fn((const char *)sqlite3_column_text(s, 0), payload);
		if (status != 0)
			break;
	}
	if (status == 0 && rc != SQLITE_DONE)
		status = hh_sq_db_error(st, c->db, "listing items");
	hh_sq_reader_put(st, c);
	return status;
}

static void hh_sq_samples_release(hiveha_sample *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i].value.type == HIVEHA_TYPE_STRING)
			free(b[i].value.as.str.ptr);
		else if (b[i].value.type > HIVEHA_TYPE_TIME)
			hiveha_value_clear(&b[i].value);
	}
}

static int hh_sq_samples_scan(hh_sq_store *st, hh_sq_conn *c, const char *item_id, hiveha_time from,
                              hiveha_time to, uint64_t skip, size_t max, hiveha_samples_fn fn,
                              void *payload)
{
	hiveha_sample *batch = NULL;
	size_t cap = max < HH_SQ_SAMPLE_BATCH ? max : HH_SQ_SAMPLE_BATCH;
	size_t n = 0, done = 0;
	sqlite3_int64 item, seq;
	hiveha_time t;
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, status;

	status = hh_sq_item_id(st, c, item_id, false, &item);
	if (status != 0 || max == 0 || from >= to)
		return status;
	status = hh_sq_resume_at(st, c, HH_SQ_SAMPLE_SKIP_SEQ, item, from, skip, &t, &seq,
	                         "resuming a sample page");
	if (status != 0)
		return status;
	s = hh_sq_stmt(st, c, HH_SQ_SAMPLE_RANGE);
	batch = calloc(cap, sizeof *batch);
	if (s == NULL || batch == NULL) {
		free(batch);
		return s == NULL ? HIVEHA_ESTORE : hh_sq_error(st, HIVEHA_ENOMEM, "sqlite: out of memory");
	}
	sqlite3_bind_int64(s, 1, item);
	sqlite3_bind_int64(s, 2, t);
	sqlite3_bind_int64(s, 3, seq);
	sqlite3_bind_int64(s, 4, to);
	while (done < max) {
		hiveha_sample *sm = &batch[n];

		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;

		sm->time = sqlite3_column_int64(s, 0);
		sm->quality = (uint32_t)sqlite3_column_int64(s, 2);
		status = hh_sq_value_column(s, 1, 3, &sm->value);
		if (status != 0) {
			status = hh_sq_error(st, status, "sqlite: cannot read a sample value of \"%.100s\"",
			                     item_id);
			break;
		}
		n++;
		done++;
		if (n == cap || done == max) {
			status = fn(batch, n, payload);
			hh_sq_samples_release(batch, n);
			n = 0;
			if (status != 0)
				break;
		}
	}
	if (status == 0 && n > 0)
		status = fn(batch, n, payload);
	hh_sq_samples_release(batch, n);
	if (status == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		status = hh_sq_db_error(st, c->db, "reading samples");
	sqlite3_reset(s);
	free(batch);
	return status;
}

int hh_sq_read_samples(void *ctx, const char *item_id, hiveha_time from, hiveha_time to,
                       uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload)
{
	hh_sq_store *st = ctx;
	hh_sq_conn *c;
	int status;

	if (item_id == NULL || fn == NULL)
		return hh_sq_error(st, HIVEHA_EINVAL, "sqlite: read_samples: NULL argument");
	status = hh_sq_reader_get(st, &c);
	if (status != 0)
		return status;
	status = hh_sq_samples_scan(st, c, item_id, from, to, skip, max, fn, payload);
	hh_sq_reader_put(st, c);
	return status;
}

/* ---- host data entry ----------------------------------------------------- */

int hiveha_sqlite_ensure_item(const hiveha_store *store, const char *item_id)
{
	hh_sq_store *st = hh_sq_from(store);
	sqlite3_int64 item;
	int status;

	if (st == NULL || item_id == NULL)
		return HIVEHA_EINVAL;
	status = hh_sq_write_begin(st);
	if (status != 0)
		return status;
	status = hh_sq_item_id(st, st->writer, item_id, true, &item);
	return hh_sq_write_end(st, status);
}

int hiveha_sqlite_append_samples(const hiveha_store *store, const char *item_id,
                                 const hiveha_sample *samples, size_t count)
{
	hh_sq_store *st = hh_sq_from(store);
	sqlite3_int64 item;
	int status;

	if (st == NULL || item_id == NULL || (samples == NULL && count > 0))
		return st != NULL ? hh_sq_error(st, HIVEHA_EINVAL, "sqlite: append_samples: NULL argument")
		                  : HIVEHA_EINVAL;
	status = hh_sq_write_begin(st);
	if (status != 0)
		return status;
	status = hh_sq_item_id(st, st->writer, item_id, true, &item);
	if (status == 0)
		status = hh_sq_samples_write(st, item, 0, 0, samples, count);
	return hh_sq_write_end(st, status);
}

static int hh_sq_count(hh_sq_store *st, hh_sq_conn *c, hh_sq_stmt_id id, sqlite3_int64 item,
                       hiveha_time from, hiveha_time to, uint64_t *out)
{
	sqlite3_stmt *s = hh_sq_stmt(st, c, id);
	int rc, i = 1;

	if (s == NULL)
		return HIVEHA_ESTORE;
	if (id == HH_SQ_SAMPLE_COUNT)
		sqlite3_bind_int64(s, i++, item);
	if (id != HH_SQ_ITEM_COUNT) {
		sqlite3_bind_int64(s, i++, from);
		sqlite3_bind_int64(s, i, to);
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : hh_sq_db_error(st, c->db, "counting");
}

/* Shared by the three count functions: runs on a read connection. */
int hh_sq_count_query(const hiveha_store *store, hh_sq_stmt_id id, const char *item_id,
                      hiveha_time from, hiveha_time to, uint64_t *out)
{
	hh_sq_store *st = hh_sq_from(store);
	sqlite3_int64 item = 0;
	hh_sq_conn *c;
	int status;

	if (st == NULL || out == NULL || (id == HH_SQ_SAMPLE_COUNT && item_id == NULL))
		return HIVEHA_EINVAL;
	*out = 0;
	status = hh_sq_reader_get(st, &c);
	if (status != 0)
		return status;
	if (id == HH_SQ_SAMPLE_COUNT)
		status = hh_sq_item_id(st, c, item_id, false, &item);
	if (status == 0)
		status = hh_sq_count(st, c, id, item, from, to, out);
	hh_sq_reader_put(st, c);
	return status;
}

int hiveha_sqlite_count_items(const hiveha_store *store, uint64_t *out)
{
	return hh_sq_count_query(store, HH_SQ_ITEM_COUNT, NULL, 0, 0, out);
}

int hiveha_sqlite_count_samples(const hiveha_store *store, const char *item_id, hiveha_time from,
                                hiveha_time to, uint64_t *out)
{
	return hh_sq_count_query(store, HH_SQ_SAMPLE_COUNT, item_id, from, to, out);
}

int hiveha_sqlite_count_events(const hiveha_store *store, hiveha_time from, hiveha_time to,
                               uint64_t *out)
{
	return hh_sq_count_query(store, HH_SQ_EVENT_COUNT, NULL, from, to, out);
}
