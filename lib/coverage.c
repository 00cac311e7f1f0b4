/*
 * coverage.c - the responder's view of what this instance vouches for.
 */
#include "coverage.h"

#include <string.h>

#include "alloc.h"
#include "governor_internal.h"

void hh_gap_list_free(hh_gap_list *l)
{
	if (!l)
		return;
	/* Lists are allocated with the C heap here, whatever the allocator of
	 * the governor, so that the responder can free them without knowing it. */
	hh_free(NULL, l->gaps);
	l->gaps = NULL;
	l->count = 0;
}

/*
 * Whether deputy `d` is filling its own gaps (DESIGN §5 rule 4): a round is
 * running, or a retry is due and somebody will run it. A governor that has
 * not started yet is about to run its start-up round. A retry overdue by
 * more than the longest back-off has nobody to run it (a host that called
 * run once and never polls), and a stopped governor retries nothing. Called
 * with gov->lock held.
 */
static int deputy_filling(hiveha_governor *gov, const hh_deputy *d)
{
	if (!d->enabled)
		return 0;
	if (!gov->started)
		return 1;
	if (atomic_load(&gov->stop))
		return 0;
	if (d->state >= HIVEHA_DEPUTY_STARTED && d->state <= HIVEHA_DEPUTY_WAITING_FOR_REPLY)
		return 1;
	if (!d->next_retry_ns)
		return 0;
	int64_t now = gov->clock.monotonic_ns(gov->clock.ctx);
	return now <= d->next_retry_ns || (now - d->next_retry_ns) / 1000000 <= gov->cfg.retry_max_ms;
}

int hh_governor_unvouched(hiveha_governor *gov, int kind, hiveha_time from, hiveha_time to,
                          hiveha_time settled_until, hh_gap_list *out)
{
	memset(out, 0, sizeof(*out));
	if (!gov || kind < 0 || kind >= HH_DEPUTY_KINDS)
		return HIVEHA_EINVAL;
	hh_mutex_lock(&gov->lock);
	const hh_deputy *d = &gov->dep[kind];
	hh_vouch_input in = {
		.st = &d->st,
		.have_governor = 1,
		.enabled = d->enabled,
		.started = gov->started,
		.overlap_ms = gov->cfg.overlap_ms,
		.filling = deputy_filling(gov, d),
		.settled_until = settled_until,
	};
	/* The host's own word on how far it has stored (set_stored_until) beats
	 * the settle window's guess: what comes after it is not vouched for
	 * yet - it will be stored, so the peer retries it (DESIGN §5 rule 1).
	 * A cap of 0 means none, hence the 1 for a host that said 0. */
	if (gov->stored_set && (!in.settled_until || gov->stored_until < in.settled_until))
		in.settled_until = gov->stored_until ? gov->stored_until : 1;
	/* A stopped governor's instance no longer collects: its history ends
	 * at the clean-stop mark. */
	if (gov->started && atomic_load(&gov->stop))
		in.stored_until = d->st.covered_until;
	int rc = hh_unvouched(&in, from, to, NULL, &out->gaps, &out->count);
	hh_mutex_unlock(&gov->lock);
	return rc;
}

int hh_store_unvouched(const hiveha_store *store, int kind, hiveha_time from, hiveha_time to,
                       hiveha_time settled_until, hh_gap_list *out)
{
	memset(out, 0, sizeof(*out));
	if (!store || !hh_syncstate_key(kind))
		return HIVEHA_EINVAL;
	hh_syncstate st;
	hh_syncstate_init(&st, NULL);
	int rc = hh_syncstate_load(&st, store, kind, NULL); /* this call reports a status only */
	if (!rc) {
		/* Without a governor nothing advances covered-until: a persisted
		 * mark is where this store's synced history ends. */
		hh_vouch_input in = {
			.st = &st,
			.have_governor = 0,
			.enabled = 1,
			.started = 1,
			.settled_until = settled_until,
		};
		if (st.present)
			in.stored_until = st.covered_until;
		rc = hh_unvouched(&in, from, to, NULL, &out->gaps, &out->count);
	}
	hh_syncstate_free(&st);
	return rc;
}

hiveha_time hh_governor_now(hiveha_governor *gov)
{
	return gov->clock.now(gov->clock.ctx);
}
