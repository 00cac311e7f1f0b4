/*
 * syncstate.h - the per-deputy sync state persisted in the store's
 * key/value area (internal; DESIGN §6).
 *
 * One key per deputy ("hiveha/<DeputyName>/state") holds a small JSON
 * document. It is rewritten in the same store transaction as the data a
 * chunk writes, so the checkpoint never runs ahead of or behind the data.
 */
#ifndef HH_SYNCSTATE_H
#define HH_SYNCSTATE_H

#include <hiveha/store.h>

#include "errbuf.h"
#include "spans.h"

#define HH_SYNCSTATE_FORMAT 1
#define HH_SYNCSTATE_MAX_BYTES (1u << 20)

/* Where the fill of one pending gap stands (TrendHistory: per item). */
typedef struct hh_checkpoint {
	int active;               /* 0: no fill in progress */
	hiveha_time gap_from;     /* the pending gap it belongs to */
	hiveha_time gap_to;
	char *item;               /* last item touched (ids ascend) */
	int item_done;            /* 1: `item` and every smaller id are done */
	int has_prefix;           /* 0: `prefix` unknown (state of an older library) */
	uint64_t prefix;          /* hh_item_digest of the ids before `item` when it was
	                           * touched: a restart with another item set below
	                           * `item` sees a different digest and redoes the gap */
	hiveha_time time;         /* else: resume `item` at (time, skip) */
	uint64_t skip;
	hiveha_time deleted_to;   /* local samples of `item` < this are replaced */
} hh_checkpoint;

typedef struct hh_syncstate {
	int present;               /* 0: nothing was persisted (first start) */
	hiveha_time covered_until; /* heartbeat mark; 0 = none */
	hiveha_time last_up_to_date;
	hiveha_time history_start; /* nothing before this is vouched for */
	hh_spans pending;          /* gaps still to fill */
	hh_spans closed;           /* ranges nobody has: never vouched */
	hh_spans held;             /* parts of pending gaps this instance stored itself
	                            * (the overlap a start re-reads): vouched for, and
	                            * never closed as nobody's */
	hh_checkpoint ck;
	const hiveha_allocator *alloc;
} hh_syncstate;

void hh_syncstate_init(hh_syncstate *st, const hiveha_allocator *alloc);
void hh_syncstate_free(hh_syncstate *st);
int hh_syncstate_copy(hh_syncstate *dst, const hh_syncstate *src);
void hh_checkpoint_clear(hh_syncstate *st);
int hh_checkpoint_set_item(hh_syncstate *st, const char *item);
/* Whether the checkpoint is active and belongs to the pending gap
 * [from, to) exactly: the one test of "is this checkpoint this gap's". */
static inline int hh_checkpoint_belongs(const hh_checkpoint *ck, hiveha_time from, hiveha_time to)
{
	return ck->active && ck->gap_from == from && ck->gap_to == to;
}

/* Folds one item id into a digest of an ascending id list (xxHash's XXH3,
 * seeded with the digest so far). Start from HH_ITEM_DIGEST_INIT. It detects a changed item
 * list between a kill and a restart; it is not a defence against anyone. */
#define HH_ITEM_DIGEST_INIT UINT64_C(0)
uint64_t hh_item_digest(uint64_t digest, const char *id);

/* Drops the held ranges that are no longer pending. */
int hh_syncstate_prune_held(hh_syncstate *st);

/* "hiveha/TrendHistory/state" etc.; NULL for an unknown kind. */
const char *hh_syncstate_key(int kind);

/* Loads the state of `kind`. A missing key leaves `present` 0 and returns 0.
 * On failure `err` (may be NULL) says why; on success it is not written. */
int hh_syncstate_load(hh_syncstate *st, const hiveha_store *store, int kind, hh_errbuf *err);

/* Writes the state of `kind` inside `txn`. */
int hh_syncstate_save(const hh_syncstate *st, const hiveha_store *store, hiveha_store_txn *txn,
                      int kind);

/* JSON codec, exposed for tests and the inspection tool. */
int hh_syncstate_encode(const hh_syncstate *st, char **out, size_t *len);
int hh_syncstate_decode(hh_syncstate *st, const void *data, size_t len, hh_errbuf *err);

#endif /* HH_SYNCSTATE_H */
