/*
 * deputy_state.h - the one path every change of a deputy's sync state
 * takes (internal), after libgit2's git_filebuf open/commit: begin takes a
 * private copy, the caller edits it (and may write data in the same store
 * transaction), end either commits both and makes the copy the deputy's
 * state, under the lock, or rolls everything back. Nobody writes d->st,
 * or saves a state, any other way.
 */
#ifndef HH_DEPUTY_STATE_H
#define HH_DEPUTY_STATE_H

#include <hiveha/store.h>

#include "deputy.h"
#include "protocol/protocol.h"

typedef struct hh_state_edit {
	hh_deputy *d;
	hh_syncstate next;        /* the state being edited: starts as a copy of d->st */
	hiveha_store_txn *txn;    /* valid once `open` */
	int open;
} hh_state_edit;

/* Starts an edit of d's state. On failure the edit is already ended. */
int hh_state_edit_begin(hh_state_edit *e, hh_deputy *d);

/* The store transaction the edit commits in, opened on the first call:
 * data written in it commits together with the state, or not at all. */
int hh_state_edit_txn(hh_state_edit *e, hiveha_store_txn **txn);

/* Ends the edit. With `rc` 0: saves e->next in the transaction (opened
 * here if it is not yet), commits, and makes it d's state. Otherwise, or
 * when any of that fails, rolls back and leaves d's state as it was.
 * Returns the outcome. */
int hh_state_edit_end(hh_state_edit *e, int rc);

/* The same for several deputies at once (start-up, heartbeat): saves
 * next[i] as deps[i]'s state, all in one transaction, and installs them
 * under one lock, setting *mark (if not NULL) to 1 under it too. On
 * success next[i] holds the replaced states, for the caller to free. */
int hh_state_commit_all(hh_deputy *deps, hh_syncstate *next, size_t n, int *mark);

/* The reply named unvouched sub-ranges of `gap`: splits the pending gap,
 * marks or closes the unvouched parts (DESIGN §5 rule 4), persists it. */
int hh_dep_resplit(hh_deputy *d, hh_range gap, const hh_gap *gaps, size_t n);

#endif /* HH_DEPUTY_STATE_H */
