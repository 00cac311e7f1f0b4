/*
 * harness.h - two instances wired together for engine tests.
 *
 * "peer" is the instance that was running: a store served by a real
 * hiveha_responder. "local" is the instance that restarts: a store, a
 * looptransport into the peer's responder, a fake clock and a governor.
 * Times in the tests are small tick counts as in MERGE-CASES.md.
 *
 * Store backend: harness.c is compiled twice. Without HH_ENGINE_SQLITE
 * both stores are memstores; with it both are SQLite stores (files in a
 * per-process temporary directory, removed when the last reference goes)
 * wrapped in a proxystore for reference counting and fault injection. The
 * tests use only the h_* store functions below, never a backend's own, so
 * the same test source runs on both (engine_<name> and
 * engine_<name>_sqlite).
 */
#ifndef HH_TEST_HARNESS_H
#define HH_TEST_HARNESS_H

#include <hiveha/hiveha.h>

#include <stdbool.h>

#include "fakeclock.h"
#include "looptransport.h"
#include "memstore.h"

/* The backend's name, "memstore" or "sqlite", for messages. */
extern const char *const h_backend;

#define H_MAX_STATES 4096

/* The fake clock's wall time at h_init (ticks). */
#define H_NOW ((hiveha_time)10000000000000)

typedef struct h_state_event {
	char name[64];
	int64_t i;        /* DeputyState */
	char text[1024];  /* SyncState */
} h_state_event;

typedef struct harness {
	hiveha_store peer;          /* reference held by the test */
	hiveha_store local;         /* reference held by the test */
	hiveha_responder *responder;
	hiveha_governor *peer_gov;  /* optional: peer's governor for live vouching */
	hiveha_transport transport; /* reference held by the test */
	hiveha_clock clock;         /* reference held by the test; the peer's responder reads it too */
	int64_t peer_settle_ms;     /* the peer responder's settle window (h_peer_responder); 0 */
	const hiveha_clock *peer_resp_clock; /* NULL: the peer responder reads `clock` */
	hiveha_clock peer_clock;    /* the peer governor's clock (reference held by the test) */
	hiveha_governor_config cfg;
	hiveha_governor *gov;
	h_state_event *states;
	size_t nstates;
	/* the peer responder's limits (0 = its defaults), read by h_peer_responder */
	uint32_t peer_max_request_bytes, peer_max_items, peer_max_reply_bytes;
	char log[8192];
} harness;

/* Creates both stores, the responder (token "secret"), transport, clock and
 * a config: token "secret", overlap 0, attempts 2, gap set by the caller. */
void h_init(harness *h);
/* Frees everything. */
void h_fini(harness *h);

/* Creates the local governor from h->cfg (asserts success). */
void h_gov(harness *h);
/* Frees the local governor (a clean stop). */
void h_gov_free(harness *h);
/* Creates the governor, runs it, returns run's status. */
int h_run(harness *h);
/* As h_run, but a failing hiveha_governor_new is returned too (gov stays NULL). */
int h_try_run(harness *h);
/* Recreates the responder; with `with_peer_gov` the peer gets a governor
 * (not started; clock `peer_clock`, its own peer unreachable) that supplies
 * live vouching from the peer's sync state. */
void h_peer_responder(harness *h, int with_peer_gov);

/* Counts the sleeps that begin on h->clock (its hook runs on the sleeping
 * thread before it blocks); h_wait_in_sleep returns once the `k`th sleep
 * (1-based, as fakeclock_sleeps counts) began and a thread is blocked in a
 * MANUAL sleep. */
void h_count_sleeps(harness *h);
void h_wait_in_sleep(harness *h, uint64_t k);

/* ---- stores of the selected backend ------------------------------------ */

/* A new empty store (one reference; asserts success). */
void h_store_new(hiveha_store *out);
/* Adds a reference / drops the caller's. */
void h_store_ref(const hiveha_store *s);
void h_store_free(hiveha_store *s);

/* Host-side data entry, committed at once, never counted or faulted. */
void h_add_item(const hiveha_store *s, const char *item);
void h_append(const hiveha_store *s, const char *item, const hiveha_sample *v, size_t n);
void h_add_events(const hiveha_store *s, const hiveha_event *e, size_t n);
void h_put_kv(const hiveha_store *s, const char *key, const void *data, size_t len);

/* Inspection (not counted or faulted). Deep copies in store order; free
 * with memstore_free_samples() / memstore_free_events(). h_get_samples
 * returns HIVEHA_ENOTFOUND for an unknown item. */
int h_get_samples(const hiveha_store *s, const char *item, hiveha_sample **out, size_t *n);
void h_get_events(const hiveha_store *s, hiveha_event **out, size_t *n);
int h_sample_count(const hiveha_store *s, const char *item, size_t *out);
size_t h_total_samples(const hiveha_store *s);
size_t h_event_count(const hiveha_store *s);
/* Same items, same samples per item in order, same events in order
 * (memstore_equal() without the kv area); else the first difference. */
bool h_equal(const hiveha_store *a, const hiveha_store *b, char *diff, size_t size);

/* Fault injection and counters, as memstore_fail_nth() etc. */
void h_fail_nth(const hiveha_store *s, unsigned mask, uint64_t n, int err);
void h_fail_from(const hiveha_store *s, unsigned mask, uint64_t n, int err);
void h_faults_off(const hiveha_store *s);
void h_crash(const hiveha_store *s);
size_t h_open_txns(const hiveha_store *s);
void h_get_counts(const hiveha_store *s, memstore_counts *out);
void h_reset_counts(const hiveha_store *s);

/* Data entry of doubles with good quality. */
void h_samples(const hiveha_store *s, const char *item, const hiveha_time *t, const double *v,
               size_t n);
void h_sample1(const hiveha_store *s, const char *item, hiveha_time t, double v);
void h_event(const hiveha_store *s, hiveha_time t, uint32_t src, uint32_t type, const char *msg,
             uint32_t severity);

/* Writes a persisted sync state for `kind` into `s` (pending/closed are
 * pairs from,to; n counts pairs; lacks marks all pending as peer-lacks). */
void h_put_state(const hiveha_store *s, int kind, hiveha_time covered_until,
                 hiveha_time history_start, const hiveha_time *pending, size_t npending,
                 const hiveha_time *closed, size_t nclosed, int lacks);

/* The persisted sync state of `kind` in `s` (asserts it loads); free it
 * with hh_syncstate_free(). */
struct hh_syncstate h_load_state(const hiveha_store *s, int kind);

/* Formats an item's samples as "(t,v) (t,v)" with doubles printed %g. */
const char *h_fmt(const hiveha_store *s, const char *item, char *buf, size_t size);

/* An item's samples as "[a..b] [c..d]": runs of samples `unit` ticks
 * apart, printed in units. */
const char *h_runs(const hiveha_store *s, const char *item, hiveha_time unit, char *buf,
                   size_t size);

/* The sequence of DeputyState values published for `deputy` ("TrendHistory"). */
size_t h_states(const harness *h, const char *deputy, int64_t *out, size_t max);
/* The last SyncState text published for `deputy`. */
const char *h_sync_state(const harness *h, const char *deputy);

#endif /* HH_TEST_HARNESS_H */
