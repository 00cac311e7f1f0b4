/*
 * deputy.h - a deputy: one kind of sync work of a governor (internal).
 *
 * The struct is what the deputy layers share (deputy*.c, governor*.c); the
 * round driver is deputy.c, what a deputy tells the host deputy_report.c,
 * its sync-state edits deputy_state.c, and each kind's fill its own file
 * with its row in deputy_kinds.c (deputy_kind.h).
 *
 * Locking: the members other threads read - state, sync_state, notes,
 * progress, st, next_retry_ns - change under sync->lock; only the sync
 * thread changes them, so it may read them without it.
 */
#ifndef HH_DEPUTY_H
#define HH_DEPUTY_H

#include "notes.h"
#include "sync.h"
#include "syncstate.h"

#define HH_SYNC_STATE_SIZE 1024

typedef struct hh_deputy {
	hh_sync *sync;                    /* the governor's context */
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

/* A range the peer keeps answering "still filling" for is asked again in
 * at most this many rounds, then closed with a warning (DESIGN §5 rule 4):
 * about an hour with the default back-off (1 s doubling to 60 s). */
#define HH_MAX_FILLING_ROUNDS 60

/* Outcome of filling one gap. */
#define HH_FILL_DONE 0
#define HH_FILL_RESPLIT 1   /* the gap was split; pick again */

/* One round: fill every pending gap that is due; publishes states 1..6.
 * Returns 0 when the deputy finished ok (deputy.c). */
int hh_dep_round(hh_deputy *d);

#endif /* HH_DEPUTY_H */
