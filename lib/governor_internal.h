/*
 * governor_internal.h - the governor struct (internal). Only the governor
 * files include it (governor.c, governor_run.c, governor_vouch.c; a test in
 * tests/layers fails on any other includer): the layers below see the
 * members they need through hh_sync (sync.h), hh_peer (peer.h) and
 * hh_deputy (deputy.h).
 *
 * Locking: `lock` guards what other threads read - each deputy's published
 * items and sync state (deputy.h), the lifecycle members below and
 * stored_until; hh_sync.lock points to it.
 */
#ifndef HH_GOVERNOR_INTERNAL_H
#define HH_GOVERNOR_INTERNAL_H

#include <hiveha/governor.h>

#include "deputy.h"
#include "deputy_info.h"
#include "peer.h"
#include "platform/compiler.h"
#include "platform/platform.h"
#include "protocol/protocol.h"
#include "sync.h"

/* The governor's lifecycle states (governor.h describes them to hosts). */
typedef enum hh_life {
	HH_LIFE_IDLE = 0,     /* no sync work runs */
	HH_LIFE_RUNNING,      /* run() or poll() executes on a host thread */
	HH_LIFE_BACKGROUND,   /* start() created the background thread */
	HH_LIFE_STOPPING      /* one stop joins the thread and writes the clean-stop mark */
} hh_life;

struct hiveha_governor {
	hiveha_allocator alloc_copy;
	const hiveha_allocator *alloc;    /* NULL or &alloc_copy */
	hiveha_governor_config cfg;       /* strings point to owned copies */
	char *instance_id, *peer, *token;
	hiveha_store store;
	hiveha_transport transport;
	hiveha_clock clock;

	hh_mutex lock;
	hh_sync sync;                     /* the context of the sync work: points into this struct */
	hh_peer link;                     /* the connection to the peer and its hello */
	hh_deputy dep[HH_DEPUTY_KINDS];
	int started;                      /* start-up gaps computed and persisted */
	hiveha_time start_time;
	int64_t next_heartbeat_ns;
	hiveha_time stored_until;         /* under `lock`: the host's stored-until */
	int stored_set;                   /* the host has called set_stored_until */

	/* Lifecycle (governor_run.c has the state machine), under `lock`,
	 * except `stop`, which the sync work reads without it. */
	hh_cond life_cond;                /* broadcast on every change below */
	int life;                         /* hh_life */
	unsigned stoppers;                /* stops busy waking a run (see governor_run.c) */
	int stop_rc;                      /* result of the latest clean-stop mark */
	hh_thread thread;                 /* valid in HH_LIFE_BACKGROUND (and its STOPPING) */
	hh_atomic_int stop;               /* stop requested; cleared when a run begins */
	/* hh_gov_set_err on the background thread writes here: errmsg
	 * belongs to the host's thread. */
	char bg_errmsg[512];

	hh_limits limits;

	char errmsg[512];
};

/* ---- governor_run.c ---- */
/* Sets the message hiveha_governor_errmsg() returns - or, on the
 * background thread, the one its start-up retry logs. */
void hh_gov_set_err(hiveha_governor *gov, const char *fmt, ...) HH_FMT(2, 3);

#endif /* HH_GOVERNOR_INTERNAL_H */
