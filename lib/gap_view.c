/*
 * gap_view.c - the gaps a reply lists: coverage, settled and capped.
 */
#include "gap_view.h"

#include <string.h>

#include "alloc.h"
#include "platform/platform.h"
#include "protocol/codec.h"

hiveha_time hh_gap_view_now(const hh_gap_view *v)
{
	if (v->clock)
		return v->clock->now(v->clock->ctx);
	if (v->governor)
		return hh_governor_now(v->governor);
	return hh_time_realtime();
}

int hh_gap_view_list(const hh_gap_view *v, int kind, hiveha_time from, hiveha_time to,
                     hh_gap **gaps_out, size_t *count_out, hh_errbuf *err)
{
	hh_gap_list list = { .gaps = NULL, .count = 0 };
	hh_limits lim;
	hiveha_time settled = 0;
	size_t n;
	int rc;

	*gaps_out = NULL;
	*count_out = 0;
	/* DESIGN §5 rule 5: what arrived in the last settle_ms may not be
	 * stored yet; even a settle window of 0 never vouches for the future. */
	settled = hh_time_sub_ms(hh_gap_view_now(v), v->settle_ms);
	if (v->coverage)
		rc = v->coverage(v->coverage_ctx, kind, from, to, &list);
	else if (v->governor)
		rc = hh_governor_unvouched(v->governor, kind, from, to, settled, &list);
	else
		rc = hh_store_unvouched(v->store, kind, from, to, settled, &list);
	if (rc) {
		if (!v->coverage)
			hh_gap_list_free(&list);
		return hh_err(err, rc == HIVEHA_ENOMEM ? rc : HIVEHA_ESTORE,
		              "cannot determine the vouched ranges (%s)", hiveha_strerror(rc));
	}
	/* A peer's decoder accepts at most max_ranges gaps. Listing fewer only
	 * under-reports: the peer asks again for what it believes vouched and
	 * is told the remaining gaps then; it never closes a gap we did not
	 * report. */
	hh_limits_default(&lim);
	n = list.count < lim.max_ranges ? list.count : lim.max_ranges;
	if (n) {
		*gaps_out = hh_calloc(NULL, n, sizeof(hh_gap));
		if (!*gaps_out) {
			rc = hh_err(err, HIVEHA_ENOMEM, "out of memory");
		} else {
			memcpy(*gaps_out, list.gaps, n * sizeof(hh_gap));
			*count_out = n;
		}
	}
	if (!v->coverage)
		hh_gap_list_free(&list);
	return rc;
}
