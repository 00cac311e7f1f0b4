/*
 * merge_events.c - the events merge rule for one page (DESIGN §5,
 * "Events"; contract in merge.h).
 */
#include <stdio.h>
#include <string.h>

#include "merge.h"

int hh_merge_events_page(hh_events_plan *out, hh_range cur, const hh_ev_reply *page)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < page->count; i++) {
		hiveha_time t = page->events[i].time;
		if (t < cur.from || t >= cur.to || (i && t < page->events[i - 1].time)) {
			out->invalid = "event time outside the range or out of order";
			out->done_to = cur.from;
			return HIVEHA_EPROTOCOL;
		}
	}
	out->events = page->events;
	out->count = page->count;
	out->skipped = page->skipped_total;
	out->done_to = cur.to;
	if (page->cursor)
		out->done_to = page->count ? page->events[page->count - 1].time : cur.from;
	return HIVEHA_OK;
}

char *hh_merge_events_describe_skipped(char *out, size_t size, const hh_ev_reply *page)
{
	if (!size)
		return out;
	out[0] = '\0';
	size_t used = 0;
	for (size_t i = 0; i < page->skipped_count && i < 3 && used < size; i++) {
		const hh_skipped *k = &page->skipped[i];
		int n = snprintf(out + used, size - used, "%sevent at %lld, source %u, type %u (%.100s)",
		                 i ? "; " : "", (long long)k->time, (unsigned)k->source_id,
		                 (unsigned)k->type_id, k->reason ? k->reason : "no reason given");
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return out;
}
