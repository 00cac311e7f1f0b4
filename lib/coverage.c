/*
 * coverage.c - what an instance vouches for, from the sync state its store
 * persisted (a responder without a governor); governor_vouch.c has the
 * live view of a governor.
 */
#include "coverage.h"

#include <string.h>

#include "alloc.h"
#include "gaps.h"

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
