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

int hh_governor_unvouched(hiveha_governor *gov, int kind, hiveha_time from, hiveha_time to,
                          hh_gap_list *out)
{
	memset(out, 0, sizeof(*out));
	if (!gov || kind < 0 || kind >= HH_DEPUTY_KINDS)
		return HIVEHA_EINVAL;
	hh_mutex_lock(&gov->lock);
	const hh_deputy *d = &gov->dep[kind];
	hh_vouch_input in = { &d->st, 1, d->enabled, gov->started, gov->cfg.overlap_ms };
	int rc = hh_unvouched(&in, from, to, NULL, &out->gaps, &out->count);
	hh_mutex_unlock(&gov->lock);
	return rc;
}

int hh_store_unvouched(const hiveha_store *store, int kind, hiveha_time from, hiveha_time to,
                       hh_gap_list *out)
{
	memset(out, 0, sizeof(*out));
	if (!store || !hh_syncstate_key(kind))
		return HIVEHA_EINVAL;
	hh_syncstate st;
	hh_syncstate_init(&st, NULL);
	char err[256] = "";
	int rc = hh_syncstate_load(&st, store, kind, err, sizeof(err));
	if (!rc) {
		hh_vouch_input in = { &st, 0, 1, 1, 0 };
		rc = hh_unvouched(&in, from, to, NULL, &out->gaps, &out->count);
	}
	hh_syncstate_free(&st);
	return rc;
}
