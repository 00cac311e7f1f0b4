/*
 * sqlpeer.c - the SQLite peer's store: the data set written once per run
 * through the adapter (so the file is exactly what a live peer holds), then
 * served by hiveha_sqlite behind the responder.
 */
#include <stdio.h>
#include <stdlib.h>

#include <hiveha/sqlite.h>

#include "sqlphases.h"

static int fill_samples(hiveha_store *st, const opts *o)
{
	const gen_params *gp = &o->gp;
	hiveha_sample *buf = calloc(o->chunk, sizeof *buf);
	hiveha_store_txn *txn = NULL;
	size_t npage = 0;
	char id[48];
	int rc;

	if (!buf)
		return HIVEHA_ENOMEM;
	rc = st->begin(st->ctx, &txn);
	for (size_t i = 0; i < gp->items && !rc; i++) {
		gen_item_id(id, sizeof id, i);
		for (size_t k = 0; k < gp->samples && !rc;) {
			size_t take = gp->samples - k;
			if (take > o->chunk - npage)
				take = o->chunk - npage;
			for (size_t j = 0; j < take && !rc; j++)
				rc = gen_sample(&buf[npage + j], gp, i, k + j);
			if (!rc)
				rc = st->replace_samples(st->ctx, txn, id, buf[npage].time,
				                         buf[npage + take - 1].time + 1, &buf[npage], take);
			for (size_t j = 0; j < take; j++)
				hiveha_value_clear(&buf[npage + j].value);
			npage += take;
			k += take;
			if (!rc && npage == o->chunk) {
				/* one transaction per page keeps the WAL small */
				npage = 0;
				if (!(rc = st->commit(st->ctx, txn)))
					rc = st->begin(st->ctx, &txn);
			}
		}
	}
	if (rc)
		st->rollback(st->ctx, txn);
	else
		rc = st->commit(st->ctx, txn);
	free(buf);
	return rc;
}

static int fill_events(hiveha_store *st, const opts *o)
{
	const gen_params *gp = &o->gp;
	hiveha_time step = gen_event_step(gp);
	hiveha_event *ev = calloc(o->chunk_events, sizeof *ev);
	gen_event_strings *str = calloc(o->chunk_events, sizeof *str);
	int rc = ev && str ? 0 : HIVEHA_ENOMEM;

	for (size_t k = 0; k < gp->events && !rc; k += o->chunk_events) {
		size_t m = gp->events - k < o->chunk_events ? gp->events - k : o->chunk_events;
		hiveha_store_txn *txn = NULL;
		size_t added = 0;

		for (size_t j = 0; j < m; j++)
			gen_event(&ev[j], &str[j], gp, step, k + j);
		if ((rc = st->begin(st->ctx, &txn)))
			break;
		if ((rc = st->insert_events(st->ctx, txn, ev, m, &added)))
			st->rollback(st->ctx, txn);
		else
			rc = st->commit(st->ctx, txn);
	}
	free(ev);
	free(str);
	return rc;
}

int sqlpeer_fill(const opts *o, const char *path, char *msg, size_t size)
{
	hiveha_sqlite_options so = HIVEHA_SQLITE_OPTIONS_INIT;
	hiveha_store st;
	int rc;

	so.synchronous = HIVEHA_SQLITE_SYNC_OFF;
	so.errbuf = msg;
	so.errbuf_size = size;
	remove_db(path);
	if ((rc = hiveha_sqlite_open(&st, path, &so)))
		return rc;
	rc = fill_samples(&st, o);
	if (!rc)
		rc = fill_events(&st, o);
	if (rc)
		hiveha_sqlite_last_error(&st, msg, size);
	st.destroy(st.ctx);
	return rc;
}

int sqlpeer_open(hiveha_store *st, const char *path)
{
	hiveha_sqlite_options so = HIVEHA_SQLITE_OPTIONS_INIT;
	char msg[256];
	int rc;

	so.flags = HIVEHA_SQLITE_NO_CREATE;
	so.errbuf = msg;
	so.errbuf_size = sizeof msg;
	if ((rc = hiveha_sqlite_open(st, path, &so)))
		fprintf(stderr, "bench_sync: peer store %s: %s\n", path, msg);
	return rc;
}
