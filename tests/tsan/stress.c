/*
 * stress.c - exercises every thread-safety promise of the public headers,
 * for ThreadSanitizer (.ci/run builds it with -fsanitize=thread in
 * build-tsan/ and fails on any report). Plain C: Criterion does not start
 * under TSan here.
 *
 * Promises (governor.h, responder.h, store.h, transport.h, clock.h):
 * snapshot, set_stored_until and stop from any thread at any time, stop
 * also concurrently; run, poll and start again after any stop;
 * responder_handle from many threads at once while the attached governor
 * syncs. Scenarios, each bounded:
 *
 *   1. background start/stop loops with snapshot threads and stray stops
 *   2. several threads stopping one background governor at once
 *   3. a foreign stop during poll's transfers, polling on until filled
 *   4. stops landing inside transfers, restart loops, until filled
 *   5. stop racing start from two threads
 *   6. two governors syncing symmetrically, each through the other's
 *      responder attached to its own governor
 *   7. many governors syncing at once from one responder whose governor
 *      runs in the background
 *   8. (when hiveha_sqlite is built) SQLite stores in a scratch folder
 *      (sqlite.h: every member from any thread): a governor fills its gap
 *      from a responder in start/stop loops while the host appends to
 *      both stores and reader threads count them
 *
 * Scenarios 1-7 use memstores, 8 the SQLite adapter (which locks with
 * pthreads, adapters/sqlite/sqlite_mutex.h, so TSan sees its locks); the
 * transports are looptransports. Time is the system clock with
 * millisecond heartbeats and back-offs, so threads really interleave;
 * nothing asserts on timing. Waits have a deadline: a hang (such as a
 * second join) fails instead of blocking CI. Exits 0 when every check
 * held; TSan's own exit code (TSAN_OPTIONS=exitcode=66) on a report.
 *
 *   stress [rounds [scenario]]   rounds scales the loops (default 1);
 *                                scenario (1-based) runs only that one
 */
#define _POSIX_C_SOURCE 200809L

#include <hiveha/hiveha.h>
#ifdef HIVEHA_STRESS_SQLITE
#  include <hiveha/sqlite.h>
#endif

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "looptransport.h"
#include "memstore.h"
#ifdef HIVEHA_STRESS_SQLITE
#  include "scratchdir.h"
#endif
#include "syncstate.h"

#define ITEMS 12
#define SAMPLES 400          /* per item */
#define EVENTS 60
#define GAP_FROM 10
#define GAP_TO 1000000       /* start_time: the gap is [GAP_FROM, GAP_TO) */
#define DEADLINE_S 120       /* a wait longer than this is a hang */

static int rounds = 1;
static const int kinds[] = { HIVEHA_DEPUTY_TREND, HIVEHA_DEPUTY_EVENTS };
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))
static atomic_uint log_lines;
static atomic_uint interrupted; /* rounds cut short by a stop */

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "stress: FAILED: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(1);
}

static void check(int ok, const char *what)
{
	if (!ok)
		fail(what, NULL);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Pacing between polls of a condition, not synchronisation: every
 * condition waited for is read through a thread-safe call. */
static void pause_briefly(void)
{
	struct timespec ts = { 0, 200000 };
	nanosleep(&ts, NULL);
}

static void on_log(int level, const char *msg, void *payload)
{
	(void)level;
	(void)payload;
	atomic_fetch_add(&log_lines, 1);
	if (strstr(msg, "interrupted by stop"))
		atomic_fetch_add(&interrupted, 1);
}

/* ---- stores, peers and governors ---------------------------------------- */

/* The peer's j-th event. */
static hiveha_event peer_event(int j)
{
	hiveha_event e;
	memset(&e, 0, sizeof(e));
	e.time = e.received_time = 200 + 50 * j;
	e.source_id = 1;
	e.type_id = 2;
	e.message = (char *)"stress";
	e.source_name = (char *)"src";
	return e;
}

static void fill_peer_data(const hiveha_store *s)
{
	for (int i = 0; i < ITEMS; i++) {
		char id[16];
		hiveha_sample v[SAMPLES];
		snprintf(id, sizeof(id), "item%d", i);
		memset(v, 0, sizeof(v));
		for (int j = 0; j < SAMPLES; j++) {
			v[j].time = 100 + 100 * j;
			hiveha_value_set_double(&v[j].value, i * 1000 + j);
			v[j].quality = HIVEHA_QUALITY_GOOD;
		}
		check(memstore_append_samples(s, id, v, SAMPLES) == 0, "append samples");
	}
	for (int j = 0; j < EVENTS; j++) {
		hiveha_event e = peer_event(j);
		check(memstore_add_events(s, &e, 1, NULL) == 0, "add event");
	}
}

/* A local store that trends the peer's items but has none of its samples. */
static void new_local_store(hiveha_store *out)
{
	check(memstore_new(out) == 0, "memstore_new");
	for (int i = 0; i < ITEMS; i++) {
		char id[16];
		snprintf(id, sizeof(id), "item%d", i);
		check(memstore_add_item(out, id) == 0, "add item");
	}
}

/* Persists "collected since `history_start`, up to `covered_until`" for
 * both deputies, as a governor that ran before would have left it. */
static void put_history(const hiveha_store *s, hiveha_time history_start, hiveha_time covered_until)
{
	for (size_t k = 0; k < NKINDS; k++) {
		hh_syncstate st;
		char *text = NULL;
		size_t len = 0;
		hh_syncstate_init(&st, NULL);
		st.present = 1;
		st.history_start = history_start;
		st.covered_until = covered_until;
		check(hh_syncstate_encode(&st, &text, &len) == 0, "encode sync state");
		check(memstore_put_kv(s, hh_syncstate_key(kinds[k]), text, len) == 0, "put sync state");
		free(text);
		hh_syncstate_free(&st);
	}
}

static hiveha_responder *new_responder(const hiveha_store *store, hiveha_governor *gov)
{
	hiveha_responder_config rc;
	hiveha_responder *r = NULL;
	hiveha_responder_config_init(&rc, HIVEHA_RESPONDER_CONFIG_VERSION);
	rc.token = "stress";
	rc.instance_id = "peer";
	if (!gov)
		memstore_ref(store); /* a responder without a governor owns its store */
	check(hiveha_responder_new(&r, &rc, store, gov) == 0, "hiveha_responder_new");
	return r;
}

static void base_config(hiveha_governor_config *cfg)
{
	hiveha_governor_config_init(cfg, HIVEHA_GOVERNOR_CONFIG_VERSION);
	cfg->instance_id = "local";
	cfg->peer = "peer";
	cfg->token = "stress";
	cfg->overlap_ms = 0;
	cfg->trend_expert_start = GAP_FROM;
	cfg->events_expert_start = GAP_FROM;
	cfg->start_time = GAP_TO;
	cfg->batch_items = 3;
	cfg->chunk_samples = 30;
	cfg->chunk_events = 16;
	cfg->heartbeat_ms = 1;
	cfg->retry_initial_ms = 1;
	cfg->retry_max_ms = 2;
	cfg->max_attempts = 2;
	cfg->on_log = on_log;
}

/* A governor over `store` (a reference is taken) reaching `responder`
 * through a new looptransport, whose reference goes to *transport_out. */
static hiveha_governor *new_governor(const hiveha_governor_config *cfg, const hiveha_store *store,
                                     hiveha_responder *responder, hiveha_transport *transport_out)
{
	hiveha_governor *gov = NULL;
	check(looptransport_new_responder(transport_out, responder) == 0, "looptransport");
	looptransport_set_piece_size(transport_out, 512);
	looptransport_ref(transport_out);
	memstore_ref(store);
	check(hiveha_governor_new(&gov, cfg, store, transport_out, NULL) == 0, "hiveha_governor_new");
	return gov;
}

static hiveha_deputy_snapshot snapshot(hiveha_governor *gov, int kind)
{
	hiveha_deputy_snapshot s;
	check(hiveha_governor_snapshot(gov, kind, &s, HIVEHA_DEPUTY_SNAPSHOT_VERSION) == 0, "snapshot");
	return s;
}

static int filled(hiveha_governor *gov)
{
	for (size_t k = 0; k < NKINDS; k++) {
		hiveha_deputy_snapshot s = snapshot(gov, kinds[k]);
		if (s.pending_gaps || s.state != HIVEHA_DEPUTY_FINISHED_OK)
			return 0;
	}
	return 1;
}

static void check_equal(const hiveha_store *a, const hiveha_store *b, const char *what)
{
	char diff[256];
	if (!memstore_equal(a, b, 0, diff, sizeof(diff)))
		fail(what, diff);
}

/* Waits until `t` made `n` more exchanges than `base`, or `gov` has
 * nothing left to fill (then no exchange may come), or the deadline. */
static void wait_exchanges(hiveha_governor *gov, const hiveha_transport *t, uint64_t base,
                           uint64_t n)
{
	double until = now_s() + DEADLINE_S;
	while (looptransport_exchanges(t) < base + n && !filled(gov)) {
		if (now_s() > until)
			fail("waiting for exchanges", "no progress");
		pause_briefly();
	}
}

/* ---- threads that hammer a governor ------------------------------------- */

typedef struct hammer {
	hiveha_governor *gov;
	atomic_int *done;
	int stops;                /* 0: snapshots only; else stop this many times */
	pthread_t thread;
} hammer;

static void *hammer_main(void *arg)
{
	hammer *h = arg;
	int stops = 0;
	while (!atomic_load(h->done)) {
		if (h->stops) {
			if (stops++ >= h->stops)
				break;
			int rc = hiveha_governor_stop(h->gov);
			if (rc)
				fail("stray stop", hiveha_strerror(rc));
		} else {
			snapshot(h->gov, HIVEHA_DEPUTY_TREND);
			snapshot(h->gov, HIVEHA_DEPUTY_EVENTS);
			/* the host's collection commits on its own thread */
			check(hiveha_governor_set_stored_until(h->gov, GAP_TO + (hiveha_time)stops++) == 0,
			      "set_stored_until");
		}
		pause_briefly();
	}
	return NULL;
}

static void hammers_start(hammer *h, size_t n, hiveha_governor *gov, atomic_int *done, int stops)
{
	for (size_t i = 0; i < n; i++) {
		h[i].gov = gov;
		h[i].done = done;
		h[i].stops = stops;
		check(pthread_create(&h[i].thread, NULL, hammer_main, &h[i]) == 0, "pthread_create");
	}
}

static void hammers_join(hammer *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pthread_join(h[i].thread, NULL);
}

/* A local governor syncing from a pure server over a filled peer store. */
typedef struct pair {
	hiveha_store peer, local;
	hiveha_responder *responder;
	hiveha_transport transport;
	hiveha_governor *gov;
} pair;

static void pair_new(pair *p)
{
	hiveha_governor_config cfg;
	memset(p, 0, sizeof(*p));
	check(memstore_new(&p->peer) == 0, "memstore_new");
	fill_peer_data(&p->peer);
	new_local_store(&p->local);
	p->responder = new_responder(&p->peer, NULL);
	base_config(&cfg);
	p->gov = new_governor(&cfg, &p->local, p->responder, &p->transport);
}

static void pair_free(pair *p)
{
	hiveha_governor_free(p->gov);
	hiveha_responder_free(p->responder);
	looptransport_free(&p->transport);
	memstore_free(&p->local);
	memstore_free(&p->peer);
}

/* ---- the scenarios ------------------------------------------------------- */

static void background_with_snapshots(void)
{
	pair p;
	hammer snaps[3], strays[2];
	atomic_int done = 0;
	pair_new(&p);
	hammers_start(snaps, 3, p.gov, &done, 0);
	hammers_start(strays, 2, p.gov, &done, 50 * rounds);
	for (int i = 0; i < 20 * rounds; i++) {
		int rc = hiveha_governor_start(p.gov);
		/* a stray stop may be stopping it right now: start waits for it */
		if (rc)
			fail("start", hiveha_governor_errmsg(p.gov));
		/* let some start-ups reach the peer; a stray stop may end the
		 * thread first, so this wait is bounded and not a check */
		uint64_t base = looptransport_exchanges(&p.transport);
		for (int w = 0; i % 4 == 0 && w < 50 && !filled(p.gov) &&
		                looptransport_exchanges(&p.transport) == base;
		     w++)
			pause_briefly();
		check(hiveha_governor_stop(p.gov) == 0, "stop");
	}
	atomic_store(&done, 1);
	hammers_join(snaps, 3);
	hammers_join(strays, 2);
	check(hiveha_governor_run(p.gov) == 0, "run after the loops");
	check_equal(&p.local, &p.peer, "background loops: stores differ");
	pair_free(&p);
}

typedef struct stopper {
	hiveha_governor *gov;
	pthread_barrier_t *barrier;
	int rc;
	pthread_t thread;
} stopper;

static void *stopper_main(void *arg)
{
	stopper *s = arg;
	pthread_barrier_wait(s->barrier);
	s->rc = hiveha_governor_stop(s->gov);
	return NULL;
}

static void concurrent_stops(void)
{
	enum { N = 4 };
	pair p;
	stopper s[N];
	pthread_barrier_t barrier;
	pair_new(&p);
	check(pthread_barrier_init(&barrier, NULL, N) == 0, "barrier");
	for (int i = 0; i < 15 * rounds; i++) {
		check(hiveha_governor_start(p.gov) == 0, "start");
		for (int k = 0; k < N; k++) {
			s[k].gov = p.gov;
			s[k].barrier = &barrier;
			s[k].rc = -1;
			check(pthread_create(&s[k].thread, NULL, stopper_main, &s[k]) == 0, "pthread_create");
		}
		for (int k = 0; k < N; k++) {
			pthread_join(s[k].thread, NULL);
			check(s[k].rc == 0, "a concurrent stop failed");
		}
	}
	pthread_barrier_destroy(&barrier);
	check(hiveha_governor_run(p.gov) == 0, "run after concurrent stops");
	check_equal(&p.local, &p.peer, "concurrent stops: stores differ");
	pair_free(&p);
}

typedef struct poll_stopper {
	pair *p;
	atomic_int *done;
	pthread_t thread;
} poll_stopper;

/* Stops after every few exchanges, wherever the poll is. */
static void *poll_stopper_main(void *arg)
{
	poll_stopper *s = arg;
	while (!atomic_load(s->done)) {
		uint64_t base = looptransport_exchanges(&s->p->transport);
		while (!atomic_load(s->done) && looptransport_exchanges(&s->p->transport) < base + 3)
			pause_briefly();
		check(hiveha_governor_stop(s->p->gov) == 0, "stop during poll");
	}
	return NULL;
}

static void stop_during_poll(void)
{
	pair p;
	poll_stopper s;
	atomic_int done = 0;
	pair_new(&p);
	/* the first run fails, so that poll has the whole gap to retry */
	looptransport_set_peer_down(&p.transport, 1);
	check(hiveha_governor_run(p.gov) == HIVEHA_ETRANSPORT, "run with the peer down");
	looptransport_set_peer_down(&p.transport, 0);
	s.p = &p;
	s.done = &done;
	check(pthread_create(&s.thread, NULL, poll_stopper_main, &s) == 0, "pthread_create");
	double until = now_s() + DEADLINE_S;
	while (!filled(p.gov)) {
		int64_t next_ms = 0;
		int rc = hiveha_governor_poll(p.gov, &next_ms);
		if (rc && rc != HIVEHA_ECANCELLED)
			fail("poll", hiveha_strerror(rc));
		if (now_s() > until)
			fail("stop during poll", "never filled");
		if (next_ms > 0)
			pause_briefly();
	}
	atomic_store(&done, 1);
	pthread_join(s.thread, NULL);
	check(hiveha_governor_stop(p.gov) == 0, "final stop");
	check_equal(&p.local, &p.peer, "stop during poll: stores differ");
	pair_free(&p);
}

static void stop_in_transfers(void)
{
	pair p;
	pair_new(&p);
	int restarts = 0;
	while (!filled(p.gov) && restarts++ < 200 * rounds) {
		uint64_t base = looptransport_exchanges(&p.transport);
		check(hiveha_governor_start(p.gov) == 0, "start");
		wait_exchanges(p.gov, &p.transport, base, 2 + (uint64_t)restarts % 3);
		check(hiveha_governor_stop(p.gov) == 0, "stop inside a transfer");
	}
	check(hiveha_governor_run(p.gov) == 0, "run after the restarts");
	check_equal(&p.local, &p.peer, "stops in transfers: stores differ");
	pair_free(&p);
}

typedef struct starter {
	hiveha_governor *gov;
	int n;
	pthread_t thread;
} starter;

static void *starter_main(void *arg)
{
	starter *s = arg;
	for (int i = 0; i < s->n; i++) {
		int rc = hiveha_governor_start(s->gov);
		if (rc)
			fail("start racing stop", hiveha_strerror(rc));
		pause_briefly();
		hiveha_governor_stop(s->gov);
	}
	return NULL;
}

static void stop_racing_start(void)
{
	pair p;
	starter st;
	hammer strays[2], snaps[1];
	atomic_int done = 0;
	pair_new(&p);
	st.gov = p.gov;
	st.n = 40 * rounds;
	check(pthread_create(&st.thread, NULL, starter_main, &st) == 0, "pthread_create");
	hammers_start(strays, 2, p.gov, &done, 200 * rounds);
	hammers_start(snaps, 1, p.gov, &done, 0);
	pthread_join(st.thread, NULL);
	atomic_store(&done, 1);
	hammers_join(strays, 2);
	hammers_join(snaps, 1);
	check(hiveha_governor_stop(p.gov) == 0, "final stop");
	pair_free(&p);
}

/* A transport handler answering through a responder chosen later: the
 * symmetric pair needs each governor before the other's responder. */
static int via_slot(const hiveha_request *req, hiveha_reply_fn write, void *write_payload,
                    void *ctx)
{
	hiveha_responder *const *slot = ctx;
	return hiveha_responder_handle(*slot, req, write, write_payload);
}

static void start_all(hiveha_governor **gov, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check(hiveha_governor_start(gov[i]) == 0, "start");
}

/* Stops every governor at once, one thread each. */
static void stop_all(hiveha_governor **gov, size_t n)
{
	hammer h[16];
	atomic_int done = 0;
	check(n <= 16, "too many governors");
	for (size_t i = 0; i < n; i++)
		hammers_start(&h[i], 1, gov[i], &done, 1);
	hammers_join(h, n);
}

/* Two instances, each serving its store through a responder attached to
 * its own governor, each syncing from the other: every responder read of
 * a governor's state runs beside that governor's own sync. */
static void symmetric_pair(void)
{
	hiveha_store store[2];
	hiveha_responder *resp[2] = { NULL, NULL };
	hiveha_transport tr[2];
	hiveha_governor *gov[2];
	hammer snaps[2];
	atomic_int done = 0;
	/* a collected the data and ran until GAP_TO; b was down since GAP_FROM
	 * (its expert start) and fills [GAP_FROM, GAP_TO) from a */
	new_local_store(&store[0]);
	new_local_store(&store[1]);
	fill_peer_data(&store[0]);
	put_history(&store[0], 1, GAP_TO);
	for (int i = 0; i < 2; i++) {
		hiveha_governor_config cfg;
		base_config(&cfg);
		cfg.instance_id = i ? "b" : "a";
		if (i == 0)
			cfg.trend_expert_start = cfg.events_expert_start = 0;
		check(looptransport_new_with_handler(&tr[i], via_slot, &resp[1 - i]) == 0, "transport");
		looptransport_ref(&tr[i]);
		memstore_ref(&store[i]);
		check(hiveha_governor_new(&gov[i], &cfg, &store[i], &tr[i], NULL) == 0, "governor");
	}
	for (int i = 0; i < 2; i++)
		resp[i] = new_responder(&store[i], gov[i]);
	hammers_start(snaps, 1, gov[0], &done, 0);
	hammers_start(snaps + 1, 1, gov[1], &done, 0);
	for (int r = 0; r < 5 * rounds; r++) {
		uint64_t base0 = looptransport_exchanges(&tr[0]);
		uint64_t base1 = looptransport_exchanges(&tr[1]);
		start_all(gov, 2);
		wait_exchanges(gov[0], &tr[0], base0, 4);
		wait_exchanges(gov[1], &tr[1], base1, 4);
		stop_all(gov, 2);
	}
	atomic_store(&done, 1);
	hammers_join(snaps, 2);
	check(hiveha_governor_run(gov[1]) == 0, "b's run after the loops");
	check_equal(&store[1], &store[0], "symmetric pair: stores differ");
	for (int i = 0; i < 2; i++) {
		hiveha_responder_free(resp[i]);
		hiveha_governor_free(gov[i]);
		looptransport_free(&tr[i]);
		memstore_free(&store[i]);
	}
}

/* Many governors sync at once from one responder whose own governor runs
 * in the background (heartbeats and retries beside the requests). */
static void many_clients(void)
{
	enum { CLIENTS = 6 };
	hiveha_store peer, local[CLIENTS];
	hiveha_transport tr[CLIENTS], peer_tr;
	hiveha_governor *gov[CLIENTS], *peer_gov = NULL;
	hiveha_governor_config cfg;
	check(memstore_new(&peer) == 0, "memstore_new");
	fill_peer_data(&peer);
	/* the peer's governor has nobody to sync from (its own start-up gap
	 * stays pending); its persisted state says it collected the clients'
	 * gap */
	put_history(&peer, 1, GAP_TO);
	base_config(&cfg);
	cfg.instance_id = "peer";
	cfg.peer = NULL;
	cfg.trend_expert_start = cfg.events_expert_start = 0;
	cfg.start_time = 0;
	check(looptransport_new_with_handler(&peer_tr, via_slot, NULL) == 0, "transport");
	looptransport_ref(&peer_tr);
	memstore_ref(&peer);
	check(hiveha_governor_new(&peer_gov, &cfg, &peer, &peer_tr, NULL) == 0, "peer governor");
	hiveha_responder *resp = new_responder(&peer, peer_gov);
	check(hiveha_governor_start(peer_gov) == 0, "start the peer");
	base_config(&cfg);
	for (int i = 0; i < CLIENTS; i++) {
		new_local_store(&local[i]);
		gov[i] = new_governor(&cfg, &local[i], resp, &tr[i]);
	}
	start_all(gov, CLIENTS);
	double until = now_s() + DEADLINE_S;
	for (int i = 0; i < CLIENTS; i++)
		while (!filled(gov[i])) {
			if (now_s() > until)
				fail("many clients", "a client never filled its gap");
			pause_briefly();
		}
	stop_all(gov, CLIENTS);
	for (int i = 0; i < CLIENTS; i++) {
		check_equal(&local[i], &peer, "many clients: stores differ");
		hiveha_governor_free(gov[i]);
		looptransport_free(&tr[i]);
		memstore_free(&local[i]);
	}
	check(hiveha_governor_stop(peer_gov) == 0, "stop the peer");
	hiveha_responder_free(resp);
	hiveha_governor_free(peer_gov);
	looptransport_free(&peer_tr);
	memstore_free(&peer);
}

#ifdef HIVEHA_STRESS_SQLITE
/* ---- SQLite stores ------------------------------------------------------- */

static void sqlite_open(hiveha_store *out, const char *dir, const char *name)
{
	char path[512], err[256] = "";
	hiveha_sqlite_options opts = HIVEHA_SQLITE_OPTIONS_INIT;
	opts.errbuf = err;
	opts.errbuf_size = sizeof(err);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (hiveha_sqlite_open(out, path, &opts) != 0)
		fail("hiveha_sqlite_open", err);
}

static void sqlite_append(const hiveha_store *s, int item, hiveha_time from, int n, int step)
{
	char id[16];
	hiveha_sample v[SAMPLES];
	check(n <= SAMPLES, "too many samples");
	snprintf(id, sizeof(id), "item%d", item);
	memset(v, 0, sizeof(v));
	for (int j = 0; j < n; j++) {
		v[j].time = from + (hiveha_time)step * j;
		hiveha_value_set_double(&v[j].value, item * 1000 + j);
		v[j].quality = HIVEHA_QUALITY_GOOD;
	}
	check(hiveha_sqlite_append_samples(s, id, v, (size_t)n) == 0, "sqlite append samples");
}

/* The peer's data inside the gap, as fill_peer_data writes it. */
static void sqlite_fill_peer(const hiveha_store *s)
{
	for (int i = 0; i < ITEMS; i++)
		sqlite_append(s, i, 100, SAMPLES, 100);
	for (int j = 0; j < EVENTS; j++) {
		hiveha_event e = peer_event(j);
		check(hiveha_sqlite_add_events(s, &e, 1, NULL) == 0, "sqlite add event");
	}
}

/* A host thread: collects into `store` after the gap (at GAP_TO and
 * later, which no sync touches) until told to stop; or, with `writes` 0,
 * counts what the store holds, as a monitoring page would. */
typedef struct sqlite_host {
	const hiveha_store *store;
	atomic_int *done;
	int writes;
	pthread_t thread;
} sqlite_host;

static void *sqlite_host_main(void *arg)
{
	sqlite_host *h = arg;
	hiveha_time t = GAP_TO;
	char msg[256];
	for (int n = 0; !atomic_load(h->done); n++) {
		if (h->writes) {
			sqlite_append(h->store, n % ITEMS, t, 5, 1);
			t += 5;
		} else {
			char id[16];
			uint64_t count;
			snprintf(id, sizeof(id), "item%d", n % ITEMS);
			int rc = hiveha_sqlite_count_samples(h->store, id, 0, GAP_TO, &count);
			check(rc == 0 || rc == HIVEHA_ENOTFOUND, "sqlite count samples");
			check(hiveha_sqlite_count_events(h->store, 0, GAP_TO, &count) == 0,
			      "sqlite count events");
			check(hiveha_sqlite_last_error(h->store, msg, sizeof(msg)) == 0, "last_error");
		}
		pause_briefly();
	}
	return NULL;
}

/* Equal counts inside the gap, per item and for events. */
static void sqlite_check_filled(const hiveha_store *local, const hiveha_store *peer)
{
	for (int i = 0; i < ITEMS; i++) {
		char id[16];
		uint64_t a = 0, b = 0;
		snprintf(id, sizeof(id), "item%d", i);
		check(hiveha_sqlite_count_samples(local, id, GAP_FROM, GAP_TO, &a) == 0, "count local");
		check(hiveha_sqlite_count_samples(peer, id, GAP_FROM, GAP_TO, &b) == 0, "count peer");
		if (a != b || b != SAMPLES)
			fail("sqlite: samples differ", id);
	}
	uint64_t a = 0, b = 0;
	check(hiveha_sqlite_count_events(local, GAP_FROM, GAP_TO, &a) == 0, "count local events");
	check(hiveha_sqlite_count_events(peer, GAP_FROM, GAP_TO, &b) == 0, "count peer events");
	check(a == b && b == EVENTS, "sqlite: events differ");
}

/* A governor over an SQLite store syncing from a responder over another,
 * in start/stop loops, while one host thread appends to each store and
 * two count both: the responder's reads, the governor's transactions,
 * the host's data entry and the readers all run on the two stores at once. */
static void sqlite_stores(void)
{
	char dir[400];
	hiveha_store peer, local;
	hiveha_transport tr;
	hiveha_governor_config cfg;
	hiveha_governor *gov = NULL;
	sqlite_host host[4];
	hammer snaps;
	atomic_int done = 0;
	check(scratchdir_make(dir, sizeof(dir), "stress") == 0, "scratchdir_make");
	sqlite_open(&peer, dir, "peer.db");
	sqlite_open(&local, dir, "local.db");
	sqlite_fill_peer(&peer);
	for (int i = 0; i < ITEMS; i++) {
		char id[16];
		snprintf(id, sizeof(id), "item%d", i);
		check(hiveha_sqlite_ensure_item(&local, id) == 0, "ensure item");
	}
	/* each owner (responder, governor) destroys its store when freed */
	hiveha_responder *resp = NULL;
	hiveha_responder_config rc;
	hiveha_responder_config_init(&rc, HIVEHA_RESPONDER_CONFIG_VERSION);
	rc.token = "stress";
	rc.instance_id = "peer";
	check(hiveha_responder_new(&resp, &rc, &peer, NULL) == 0, "hiveha_responder_new");
	base_config(&cfg);
	check(looptransport_new_responder(&tr, resp) == 0, "looptransport");
	looptransport_set_piece_size(&tr, 512);
	looptransport_ref(&tr);
	check(hiveha_governor_new(&gov, &cfg, &local, &tr, NULL) == 0, "hiveha_governor_new");

	const hiveha_store *host_store[4] = { &local, &peer, &local, &peer };
	for (int i = 0; i < 4; i++) {
		host[i].store = host_store[i];
		host[i].done = &done;
		host[i].writes = i < 2;
		check(pthread_create(&host[i].thread, NULL, sqlite_host_main, &host[i]) == 0,
		      "pthread_create");
	}
	hammers_start(&snaps, 1, gov, &done, 0);
	for (int r = 0; r < 3 * rounds; r++) {
		uint64_t base = looptransport_exchanges(&tr);
		start_all(&gov, 1);
		wait_exchanges(gov, &tr, base, 4);
		stop_all(&gov, 1);
	}
	check(hiveha_governor_start(gov) == 0, "start");
	double until = now_s() + DEADLINE_S;
	while (!filled(gov)) {
		if (now_s() > until)
			fail("sqlite stores", "the gap was never filled");
		pause_briefly();
	}
	check(hiveha_governor_stop(gov) == 0, "stop");
	atomic_store(&done, 1);
	for (int i = 0; i < 4; i++)
		pthread_join(host[i].thread, NULL);
	hammers_join(&snaps, 1);
	sqlite_check_filled(&local, &peer);
	hiveha_governor_free(gov);
	looptransport_free(&tr);
	hiveha_responder_free(resp);
	scratchdir_remove(dir);
}
#endif /* HIVEHA_STRESS_SQLITE */

static void usage_exit(void)
{
	fprintf(stderr, "usage: stress [rounds [scenario]]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int only = -1;
	if (argc > 3)
		usage_exit();
	if (argc >= 2 && (rounds = atoi(argv[1])) < 1)
		usage_exit();
	if (argc == 3)
		only = atoi(argv[2]);
	static const struct {
		const char *name;
		void (*fn)(void);
	} scenarios[] = {
		{ "background start/stop with snapshots and stray stops", background_with_snapshots },
		{ "concurrent stops", concurrent_stops },
		{ "stop during poll", stop_during_poll },
		{ "stops inside transfers, restart loops", stop_in_transfers },
		{ "stop racing start", stop_racing_start },
		{ "two governors syncing symmetrically", symmetric_pair },
		{ "many governors syncing from one responder", many_clients },
#ifdef HIVEHA_STRESS_SQLITE
		{ "a governor and a responder over SQLite stores", sqlite_stores },
#endif
	};
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (only >= 0 && (size_t)only != i + 1)
			continue;
		double t0 = now_s();
		scenarios[i].fn();
		printf("stress: %-55s ok (%.1f s, %u rounds interrupted)\n", scenarios[i].name,
		       now_s() - t0, atomic_exchange(&interrupted, 0));
		fflush(stdout);
	}
	printf("stress: all scenarios passed (%u log lines)\n", atomic_load(&log_lines));
	return 0;
}
