/*
 * sqlphases.h - bench_sync's phases around a real SQLite peer store.
 *
 *   sqlpeer.c    the peer's store: a file of the adapter's schema holding
 *                the data set (filled once per run, not timed), served by
 *                the real hiveha_sqlite store behind the responder.
 *   floors_sql.c two SQLite floors below the adapter, on sqlite3 directly:
 *                attach (ATTACH the peer file, INSERT ... SELECT the gap in
 *                one transaction) and insert (a bare bind/step/reset loop,
 *                one transaction per page).
 */
#ifndef BENCH_SQLPHASES_H
#define BENCH_SQLPHASES_H

#include <hiveha/store.h>

#include "gendata.h"

typedef struct opts {
	gen_params gp;
	const char *dir;
	uint32_t chunk;
	uint32_t batch;
	uint64_t throttle;      /* -t: max_records_per_s of the governor phases; 0 = off */
	uint32_t chunk_events;
	const char *phases;
	const char *label;
	const char *csv;
	char peer_db[1024]; /* the SQLite peer's file, "" until filled */
} opts;

/* What a local phase sends back to the parent (plain struct over a pipe). */
typedef struct result {
	int rc;
	uint64_t count;         /* samples or events that reached the store */
	double seconds;         /* wall time of the measured part */
	double cpu_s;           /* user + system CPU of the local process, whole phase */
	uint64_t requests;      /* round trips (governor progress.requests) */
	uint64_t tap_exchanges; /* round trips seen by the transport wrapper (incl. hello) */
	uint64_t request_bytes;
	uint64_t reply_bytes;
	long rss_kb;            /* local peak RSS (VmHWM) */
	char msg[256];
} result;

/* bench_sync.c */
double now_s(void);
void remove_db(const char *path);
/* A fresh SQLite store at `path` (any old file removed), with the M items
 * but no samples when `with_items`. */
int open_local(hiveha_store *st, const char *path, const gen_params *gp, int with_items,
               result *res);

/* sqlpeer.c: writes the data set (samples, and events if any) into a new
 * store file at `path` through the adapter, pages of o->chunk samples per
 * transaction, synchronous OFF (a throw-away file). */
int sqlpeer_fill(const opts *o, const char *path, char *msg, size_t size);
/* Opens the filled file as the peer's store (read-write, as a live peer). */
int sqlpeer_open(hiveha_store *st, const char *path);

/* floors_sql.c */
void phase_attach(const opts *o, const char *path, result *res);
void phase_insert(const opts *o, const char *path, result *res);

#endif /* BENCH_SQLPHASES_H */
