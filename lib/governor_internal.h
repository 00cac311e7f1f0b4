/*
 * governor_internal.h - the governor and deputy structures (internal).
 *
 * Locking: `lock` guards what other threads read - each deputy's published
 * items (state, sync_state, progress) and its sync state `st`, which the
 * responder consults for vouching. Only the sync thread (the caller of
 * run/poll, or the background thread) modifies `st`, and always under
 * `lock`; it may read `st` without the lock.
 */
#ifndef HH_GOVERNOR_INTERNAL_H
#define HH_GOVERNOR_INTERNAL_H

#include <hiveha/governor.h>

#include "deputy_info.h"
#include "notes.h"
#include "store_access.h"
#include "platform/compiler.h"
#include "platform/platform.h"
#include "protocol/protocol.h"
#include "syncstate.h"

#define HH_SYNC_STATE_SIZE 1024

/* The governor's lifecycle states (governor.h describes them to hosts). */
typedef enum hh_life {
	HH_LIFE_IDLE = 0,     /* no sync work runs */
	HH_LIFE_RUNNING,      /* run() or poll() executes on a host thread */
	HH_LIFE_BACKGROUND,   /* start() created the background thread */
	HH_LIFE_STOPPING      /* one stop joins the thread and writes the clean-stop mark */
} hh_life;

typedef struct hh_deputy {
	int kind;
	int enabled;
	int state;                        /* hiveha_deputy_state */
	char sync_state[HH_SYNC_STATE_SIZE]; /* rendered from `notes` */
	hh_notes notes;                   /* this round's messages (notes.h) */
	hiveha_progress progress;
	hh_syncstate st;
	int64_t next_retry_ns;            /* monotonic; 0 = nothing scheduled; written under lock */
	int64_t backoff_ms;               /* next back-off for background retries */
	/* per round */
	uint64_t unknown_items;
	char unknown_names[256];
	uint64_t samples_round, events_round, requests_round;
} hh_deputy;

struct hiveha_governor {
	hiveha_allocator alloc_copy;
	const hiveha_allocator *alloc;    /* NULL or &alloc_copy */
	hiveha_governor_config cfg;       /* strings point to owned copies */
	char *instance_id, *peer, *token;
	hiveha_store store;
	hiveha_transport transport;
	hiveha_clock clock;

	hh_mutex lock;
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

	hiveha_conn *conn;                /* open connection to the peer, or NULL */
	uint32_t peer_caps;
	hh_wire_limits peer_limits;       /* from the peer's hello; 0 = not announced */
	hiveha_time peer_skew;            /* the last hello's peer clock outside [sent, received] */
	hh_limits limits;

	char errmsg[512];
};

/* ---- governor.c ---- */
/* Sets the message hiveha_governor_errmsg() returns. */
void hh_gov_set_err(hiveha_governor *gov, const char *fmt, ...) HH_FMT(2, 3);
void hh_gov_log(hiveha_governor *gov, int level, const char *fmt, ...) HH_FMT(3, 4);
int hh_gov_stopping(hiveha_governor *gov);
/* Marks the calling thread as doing `gov`'s sync work (NULL: none) and
 * returns the previous mark, so that a stop called on it only requests
 * instead of waiting for itself. governor_run.c marks the sync threads,
 * fetch.c its helpers. */
const hiveha_governor *hh_gov_sync_thread(const hiveha_governor *gov);
/* Where hh_gov_set_err writes on the calling thread (governor_run.c). */
char *hh_gov_errbuf(hiveha_governor *gov);
/* Sleeps on the clock; HIVEHA_ECANCELLED when stopping. */
int hh_gov_sleep_ms(hiveha_governor *gov, int64_t ms);

/* ---- deputy.c ---- */
void hh_dep_set_state(hiveha_governor *gov, hh_deputy *d, int state);
void hh_dep_note(hiveha_governor *gov, hh_deputy *d, int level, const char *fmt, ...) HH_FMT(4, 5);
void hh_dep_progress(hiveha_governor *gov, hh_deputy *d);
/* One round: fill every pending gap that is due; publishes states 1..6.
 * Returns 0 when the deputy finished ok. */
int hh_dep_round(hiveha_governor *gov, hh_deputy *d);
/* Sends `req_body` as `kind`, decodes nothing: the reply bytes land in
 * `reply` (bounded by max_reply_bytes). Publishes states 3 and 4. */
int hh_dep_exchange(hiveha_governor *gov, hh_deputy *d, const char *kind, const hh_buf *body,
                    hh_buf *reply);
/* The parts of hh_dep_exchange, for a fetch running on another thread:
 * begin publishes states 3 and 4 (sync thread), raw only talks to the
 * transport (any thread, one at a time), end counts, closes a failed
 * connection and notes the failure (sync thread). */
void hh_dep_request_begin(hiveha_governor *gov, hh_deputy *d);
int hh_dep_exchange_raw(hiveha_governor *gov, const char *kind, const hh_buf *body, hh_buf *reply);
int hh_dep_request_end(hiveha_governor *gov, hh_deputy *d, const char *kind, int rc);

/* The reply named unvouched sub-ranges of `gap`: splits the pending gap,
 * marks or closes the unvouched parts, persists it. */
int hh_dep_resplit(hiveha_governor *gov, hh_deputy *d, hh_range gap, const hh_gap *gaps, size_t n);
/* Commits `txn` after saving d->st into it; on failure rolls back. */
int hh_dep_commit_state(hiveha_governor *gov, hh_deputy *d, hiveha_store_txn *txn,
                        const hh_syncstate *next);

/* A range the peer keeps answering "still filling" for is asked again in
 * at most this many rounds, then closed with a warning (DESIGN §5 rule 4):
 * about an hour with the default back-off (1 s doubling to 60 s). */
#define HH_MAX_FILLING_ROUNDS 60

/* Outcome of filling one gap. */
#define HH_FILL_DONE 0
#define HH_FILL_RESPLIT 1   /* the gap was split; pick again */

/* ---- deputy_trend.c / deputy_events.c: their fills are rows of deputy_kind.h ---- */

/* ---- gaps.c (pure) ---- */
typedef struct hh_gap_config {
	int64_t overlap_ms;
	int64_t lookback_ms;
	hiveha_time expert_start;         /* 0 = off */
} hh_gap_config;

/* The gap a start at `start` opens, given the persisted state. *has_gap is
 * 0 when there is none (no state and no look-back: W3). */
void hh_startup_gap(const hh_syncstate *st, const hh_gap_config *gc, hiveha_time start,
                    hh_range *gap, int *has_gap);

/* The unvouched parts of [from, to) (DESIGN §5 rules 1, 4 and 5): before
 * history_start, pending gaps minus their held parts (filling only while
 * the deputy is filling - `filling` - and the peer does not lack them),
 * closed ranges, before start-up everything after covered_until, and
 * everything at or after the caps: `settled_until` (now - settle: filling,
 * it will be stored) and `stored_until` (covered-until of an instance that
 * is not collecting: not filling). A cap of 0 is none. `have_governor` 0
 * means a responder without a governor: nobody is filling anything. */
typedef struct hh_vouch_input {
	const hh_syncstate *st;
	int have_governor;
	int enabled;
	int started;
	int64_t overlap_ms;
	int filling;               /* the deputy is in a round, has a retry due, or starts soon */
	hiveha_time settled_until; /* 0 = no cap */
	hiveha_time stored_until;  /* 0 = no cap */
} hh_vouch_input;

int hh_unvouched(const hh_vouch_input *in, hiveha_time from, hiveha_time to,
                 const hiveha_allocator *alloc, hh_gap **out, size_t *count);

#endif /* HH_GOVERNOR_INTERNAL_H */
