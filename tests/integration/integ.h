/*
 * integ.h - two complete instances talking real HTTP over loopback.
 *
 * An instance is what a host wires: an SQLite store file, a governor with
 * an HTTP client transport to the other instance, and a responder (backed
 * by the instance's governor) behind an HTTP listener on 127.0.0.1, port 0.
 * Everything goes through the public API only.
 *
 * The test opens the store file once (`obs`) for host data entry and
 * inspection; the governor and the responder get copies of that handle
 * without `destroy` (a file has one read-write store at a time, sqlite.h),
 * and the test frees it after them.
 */
#ifndef HH_INTEG_H
#define HH_INTEG_H

#include <stddef.h>
#include <stdint.h>

#include <hiveha/hiveha.h>
#include <hiveha/http.h>
#include <hiveha/sqlite.h>

/* The deputy kinds these tests know (the library has no public count). */
#define IN_DEPUTY_KINDS 2

#define IN_TOKEN "integration-secret"

typedef struct inst inst;

struct inst {
	char name[16];
	char path[256];
	hiveha_store obs;                /* the test's own handle on the file */
	hiveha_governor *gov;
	hiveha_store gov_store;          /* the governor's copy of obs */
	hiveha_responder *resp;
	hiveha_http_listener *lis;
	char endpoint[64];               /* where this instance listens */
	uint64_t served;                 /* requests its listener handled */

	/* published by the governor */
	int64_t last_state[IN_DEPUTY_KINDS];
	char sync_state[IN_DEPUTY_KINDS][1024];
	uint64_t progress_calls;
	/* when non-zero: at this progress report, `victim`'s listener is freed */
	uint64_t kill_at_progress;
	inst *victim;
	char log[16384];
};

/* Per-test setup: a temporary directory; `tls` makes a self-signed
 * certificate there with the openssl command, and every listener serves
 * HTTPS and every transport verifies it as its CA. */
void in_setup(int tls);
void in_teardown(void);

/* Opens the instance's store file in the test directory. */
void in_init(inst *in, const char *name);
/* Frees everything of the instance (listener, responder, governor, obs). */
void in_fini(inst *in);

/* A config for a governor of `in` syncing from `peer` (token IN_TOKEN,
 * overlap 0, both deputies, quick retries, callbacks into `in`). */
void in_config(inst *in, const inst *peer, hiveha_governor_config *cfg);
/* Creates the governor from `cfg` with a new store handle and an HTTP
 * transport (asserts success). `in` must have no responder. */
void in_gov(inst *in, const hiveha_governor_config *cfg);
/* Stops serving (in_unserve), then frees the governor (a clean stop). */
void in_gov_free(inst *in);

/* Starts a listener on 127.0.0.1, port 0 (in->endpoint names it) that
 * serves whatever responder the instance has (none yet: HIVEHA_ESTORE). */
void in_listen(inst *in);
/* Creates the responder, backed by in->gov, requiring `token`. */
void in_respond(inst *in, const char *token);
/* Stops the listener and frees the responder. */
void in_unserve(inst *in);

/* ---- data ----------------------------------------------------------------- */

/* Deep copies of samples / events in store order. */
typedef struct in_samples {
	hiveha_sample *v;
	size_t n, cap;
} in_samples;
typedef struct in_events {
	hiveha_event *v;
	size_t n, cap;
} in_events;

void in_read_samples(const inst *in, const char *item, hiveha_time from, hiveha_time to,
                     in_samples *out);
void in_read_events(const inst *in, hiveha_time from, hiveha_time to, in_events *out);
void in_samples_free(in_samples *s);
void in_events_free(in_events *e);

/* Asserts that both hold the same samples of `item` in [from, to). */
void in_assert_same_samples(const inst *a, const inst *b, const char *item, hiveha_time from,
                            hiveha_time to);
/* Asserts that both hold the same events in [from, to). */
void in_assert_same_events(const inst *a, const inst *b, hiveha_time from, hiveha_time to);

/* A readable digest of every item's samples and every event in [from, to),
 * for "nothing changed" checks. Caller frees. */
char *in_digest(const inst *in, hiveha_time from, hiveha_time to);

#endif /* HH_INTEG_H */
