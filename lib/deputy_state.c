/*
 * deputy_state.c - edits of a deputy's sync state, and the split of a gap
 * the peer does not vouch for all of (DESIGN §5 rule 4).
 */
#include "deputy_state.h"

#include <stdio.h>
#include <string.h>

#include "deputy_report.h"
#include "store_txn.h"

int hh_state_edit_begin(hh_state_edit *e, hh_deputy *d)
{
	memset(e, 0, sizeof(*e));
	e->d = d;
	hh_syncstate_init(&e->next, d->sync->alloc);
	int rc = hh_syncstate_copy(&e->next, &d->st);
	if (rc)
		hh_syncstate_free(&e->next);
	return rc;
}

int hh_state_edit_txn(hh_state_edit *e, hiveha_store_txn **txn)
{
	if (!e->open) {
		int rc = hh_store_begin(e->d->sync->store, &e->txn);
		if (rc)
			return rc;
		e->open = 1;
	}
	*txn = e->txn;
	return HIVEHA_OK;
}

/* Makes next[i] deps[i]'s state, under the lock; next[i] gets the old. */
static void install(hh_deputy *deps, hh_syncstate *next, size_t n, int *mark)
{
	hh_mutex_lock(deps[0].sync->lock);
	for (size_t i = 0; i < n; i++) {
		hh_syncstate old = deps[i].st;
		deps[i].st = next[i];
		next[i] = old;
	}
	if (mark)
		*mark = 1;
	hh_mutex_unlock(deps[0].sync->lock);
}

/* Saves next[i] for each deputy in `txn` and ends it (store_txn.h). */
static int save_all(hh_deputy *deps, const hh_syncstate *next, size_t n, hiveha_store_txn *txn,
                    int rc)
{
	const hiveha_store *store = deps[0].sync->store;
	for (size_t i = 0; i < n && !rc; i++)
		rc = hh_syncstate_save(&next[i], store, txn, deps[i].kind);
	return hh_store_end(store, txn, rc);
}

int hh_state_edit_end(hh_state_edit *e, int rc)
{
	hiveha_store_txn *txn = NULL;
	if (!rc)
		rc = hh_state_edit_txn(e, &txn);
	if (e->open)
		rc = save_all(e->d, &e->next, 1, e->txn, rc);
	if (!rc)
		install(e->d, &e->next, 1, NULL);
	hh_syncstate_free(&e->next);
	e->open = 0;
	return rc;
}

int hh_state_commit_all(hh_deputy *deps, hh_syncstate *next, size_t n, int *mark)
{
	hiveha_store_txn *txn = NULL;
	int rc = hh_store_begin(deps[0].sync->store, &txn);
	if (rc)
		return rc;
	rc = save_all(deps, next, n, txn, HIVEHA_OK);
	if (!rc)
		install(deps, next, n, mark);
	return rc;
}

/* ---- splitting a gap ------------------------------------------------- */

static void fmt_range(char *buf, size_t size, hiveha_time from, hiveha_time to)
{
	char a[HIVEHA_ISO8601_SIZE], b[HIVEHA_ISO8601_SIZE];
	if (hiveha_time_to_iso8601(a, sizeof(a), from))
		(void)snprintf(a, sizeof(a), "%lld", (long long)from);
	if (hiveha_time_to_iso8601(b, sizeof(b), to))
		(void)snprintf(b, sizeof(b), "%lld", (long long)to);
	(void)snprintf(buf, size, "[%s, %s)", a, b);
}

/* Closes [from, to) as nobody's, except what this instance stored itself
 * there: that is no longer pending either (the peer has nothing to add)
 * but stays vouched for, so the peer can still fill it from here. `why`
 * ends the warning for the closed parts. */
static int close_unheld(hh_deputy *d, hh_syncstate *next, hiveha_time from, hiveha_time to,
                        const char *why)
{
	hh_spans lost;
	hh_spans_init(&lost, d->sync->alloc);
	int rc = hh_spans_set(&lost, from, to, 0);
	for (size_t i = 0; i < next->held.n && !rc; i++) {
		const hh_span *h = &next->held.v[i];
		if (h->to <= from || h->from >= to)
			continue;
		rc = hh_spans_remove(&lost, h->from, h->to);
		char r[100];
		fmt_range(r, sizeof(r), h->from > from ? h->from : from, h->to < to ? h->to : to);
		hh_dep_note(d, HIVEHA_LOG_INFO,
		            "%s done: the peer lacks it and this instance stored it itself", r);
	}
	for (size_t i = 0; i < lost.n && !rc; i++) {
		rc = hh_spans_add(&next->closed, lost.v[i].from, lost.v[i].to);
		char r[100];
		fmt_range(r, sizeof(r), lost.v[i].from, lost.v[i].to);
		hh_dep_note(d, HIVEHA_LOG_WARN, "%s closed: %s", r, why);
	}
	hh_spans_free(&lost);
	return rc;
}

/* Rounds of the gap `gap` (an exact pending span) the peer answered "still
 * filling" for so far. */
static int filling_rounds(const hh_deputy *d, hh_range gap)
{
	for (size_t i = 0; i < d->st.pending.n; i++)
		if (d->st.pending.v[i].from == gap.from && d->st.pending.v[i].to == gap.to)
			return HH_SPAN_ROUNDS(d->st.pending.v[i].flags);
	return 0;
}

int hh_dep_resplit(hh_deputy *d, hh_range gap, const hh_gap *gaps, size_t n)
{
	int rounds = filling_rounds(d, gap) + 1;
	hh_state_edit e;
	int rc = hh_state_edit_begin(&e, d);
	if (rc)
		return rc;
	hh_syncstate *next = &e.next;
	/* what the peer vouches for becomes fresh work */
	rc = hh_spans_set(&next->pending, gap.from, gap.to, 0);
	for (size_t i = 0; i < n && !rc; i++) {
		hiveha_time from = gaps[i].from < gap.from ? gap.from : gaps[i].from;
		hiveha_time to = gaps[i].to > gap.to ? gap.to : gaps[i].to;
		if (from >= to)
			continue;
		char r[100];
		fmt_range(r, sizeof(r), from, to);
		if (gaps[i].filling && rounds <= HH_MAX_FILLING_ROUNDS) {
			rc = hh_spans_set(&next->pending, from, to,
			                  HH_SPAN_WITH_ROUNDS(HH_SPAN_PEER_LACKS, rounds));
			hh_dep_note(d, HIVEHA_LOG_INFO,
			            "%s stays pending: the peer is still filling it or has not stored it "
			            "yet (round %d of at most %d), retry later",
			            r, rounds, HH_MAX_FILLING_ROUNDS);
		} else {
			char why[128];
			if (gaps[i].filling)
				(void)snprintf(why, sizeof(why),
				               "the peer still says it is filling it after %d rounds; local "
				               "data there is kept", HH_MAX_FILLING_ROUNDS);
			else
				(void)snprintf(why, sizeof(why),
				               "neither instance has this history (both were down)");
			rc = hh_spans_remove(&next->pending, from, to);
			if (!rc)
				rc = close_unheld(d, next, from, to, why);
		}
	}
	if (hh_checkpoint_belongs(&next->ck, gap.from, gap.to))
		hh_checkpoint_clear(next);
	return hh_state_edit_end(&e, rc);
}
