/*
 * deputy_info.c - the data-only table of deputy kinds (deputy_info.h).
 * Adding a kind adds a row here; the assertion below fails to compile
 * while the count and the table disagree.
 */
#include "deputy_info.h"

#include <stddef.h>

const hh_deputy_info hh_deputy_infos[] = {
	[HIVEHA_DEPUTY_TREND] = {
		.kind = HIVEHA_DEPUTY_TREND,
		.name = "TrendHistory",
		.state_key = "hiveha/TrendHistory/state",
		.needs = HH_NEEDS_SAMPLES,
	},
	[HIVEHA_DEPUTY_EVENTS] = {
		.kind = HIVEHA_DEPUTY_EVENTS,
		.name = "EventHistory",
		.state_key = "hiveha/EventHistory/state",
		.needs = HH_NEEDS_EVENTS,
	},
};

_Static_assert(sizeof(hh_deputy_infos) / sizeof(hh_deputy_infos[0]) == HH_DEPUTY_KINDS,
               "one info row per deputy kind (HH_DEPUTY_KINDS)");

const hh_deputy_info *hh_deputy_info_get(int kind)
{
	if (kind < 0 || kind >= HH_DEPUTY_KINDS)
		return NULL;
	return &hh_deputy_infos[kind];
}
