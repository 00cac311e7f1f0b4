/*
 * deputy_kinds.c - the table of deputy kinds (deputy_kind.h), indexed by
 * hiveha_deputy_kind. A kind appended to the enum without a row here fails
 * to compile on the assertion below.
 */
#include "deputy_kind.h"

static const hh_deputy_kind *const kinds[] = {
	[HIVEHA_DEPUTY_TREND] = &hh_kind_trend,
	[HIVEHA_DEPUTY_EVENTS] = &hh_kind_events,
};

_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == HH_DEPUTY_KINDS,
               "one row per deputy kind (HH_DEPUTY_KINDS)");

const hh_deputy_kind *hh_deputy_kind_get(int kind)
{
	if (kind < 0 || kind >= HH_DEPUTY_KINDS)
		return NULL;
	return kinds[kind];
}
