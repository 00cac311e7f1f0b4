/*
 * merge_trend.c - the timeseries merge rule for one item of a page
 * (DESIGN §5 rules 2-3; contract in merge.h).
 */
#include <string.h>

#include "merge.h"

int hh_merge_trend_resumes(const hh_checkpoint *ck, hh_range gap, const char *id)
{
	return ck->active && ck->gap_from == gap.from && ck->gap_to == gap.to && ck->item &&
	       !ck->item_done && strcmp(ck->item, id) == 0;
}

static hh_trend_action invalid(hh_trend_plan *out, const char *why)
{
	out->action = HH_TREND_INVALID;
	out->invalid = why;
	return HH_TREND_INVALID;
}

/* Times must lie in [lo, gap.to) and never go down: anything else would
 * write outside what the page replaces. */
static int samples_in_order(const hh_ts_item *it, hiveha_time lo, hiveha_time to)
{
	for (size_t k = 0; k < it->count; k++) {
		hiveha_time t = it->samples[k].time;
		if (t < lo || t >= to || (k && t < it->samples[k - 1].time))
			return 0;
	}
	return 1;
}

hh_trend_action hh_merge_trend_item(hh_trend_plan *out, hh_range gap, const hh_checkpoint *ck,
                                    const char *expected, const hh_ts_item *it, unsigned int place)
{
	memset(out, 0, sizeof(*out));
	if (!expected || strcmp(it->id, expected) != 0)
		return invalid(out, "item out of the requested order");
	int cont = hh_merge_trend_resumes(ck, gap, it->id);
	if (it->unknown) {
		/* Rule 3: nothing local is touched; the position is kept. */
		out->action = HH_TREND_UNKNOWN;
		out->mark.item_done = 1;
		out->mark.time = ck->time;
		out->mark.skip = ck->skip;
		out->mark.deleted_to = ck->deleted_to;
		return HH_TREND_UNKNOWN;
	}
	if (!samples_in_order(it, cont ? ck->time : gap.from, gap.to))
		return invalid(out, "sample time outside the range or out of order");
	if (!it->complete &&
	    (!(place & HH_MERGE_LAST_OF_PAGE) || it->count == 0 || (place & HH_MERGE_LAST_PAGE)))
		return invalid(out, "an unfinished item must be the last of a page and not empty");

	out->action = HH_TREND_REPLACE;
	out->delete_from = cont ? ck->deleted_to : gap.from;
	out->delete_to = gap.to;
	out->samples = it->samples;
	out->count = it->count;
	out->mark.item_done = it->complete;
	if (!it->complete) {
		hiveha_time t_last = it->samples[it->count - 1].time;
		uint64_t skip = 0;
		for (size_t k = it->count; k > 0 && it->samples[k - 1].time == t_last; k--)
			skip++;
		if (cont && ck->time == t_last)
			skip += ck->skip; /* the time spans more than one page */
		out->delete_to = t_last + 1;
		out->mark.time = t_last;
		out->mark.skip = skip;
	}
	out->mark.deleted_to = out->delete_to;
	return HH_TREND_REPLACE;
}
