/*
 * harness.h - two in-memory instances wired together for engine tests.
 *
 * "peer" is the instance that was running: a memstore served by a real
 * hiveha_responder. "local" is the instance that restarts: a memstore, a
 * looptransport into the peer's responder, a fake clock and a governor.
 * Times in the tests are small tick counts as in MERGE-CASES.md.
 */
#ifndef HH_TEST_HARNESS_H
#define HH_TEST_HARNESS_H

#include <hiveha/hiveha.h>

#include "fakeclock.h"
#include "looptransport.h"
#include "memstore.h"

#define H_MAX_STATES 4096

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
	hiveha_clock clock;         /* reference held by the test */
	hiveha_governor_config cfg;
	hiveha_governor *gov;
	h_state_event *states;
	size_t nstates;
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
 * (not started) that supplies live vouching from the peer's sync state. */
void h_peer_responder(harness *h, int with_peer_gov);

/* Data entry. */
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

/* Formats an item's samples as "(t,v) (t,v)" with doubles printed %g. */
const char *h_fmt(const hiveha_store *s, const char *item, char *buf, size_t size);

/* The sequence of DeputyState values published for `deputy` ("TrendHistory"). */
size_t h_states(const harness *h, const char *deputy, int64_t *out, size_t max);
/* The last SyncState text published for `deputy`. */
const char *h_sync_state(const harness *h, const char *deputy);

#endif /* HH_TEST_HARNESS_H */
