/*
 * deputy_kind.h - one constant row per deputy kind (internal), after
 * curl's struct Curl_handler: what differs between TrendHistory and
 * EventHistory is read from the row, so the shared code (deputy.c,
 * governor_run.c) names no kind. Adding a kind means one file with its
 * row, plus a line in the table of deputy_kinds.c and its info row in
 * deputy_info.c (HACKING.md, "Adding a deputy kind").
 *
 * The rows are hh_kind_trend (deputy_trend.c) and hh_kind_events
 * (deputy_events.c); deputy_kinds.c indexes them by hiveha_deputy_kind.
 * The data-only part (name, state key, store needs) is hh_deputy_info
 * (deputy_info.h), which the low layers read without the fills.
 */
#ifndef HH_DEPUTY_KIND_H
#define HH_DEPUTY_KIND_H

#include "deputy_info.h"
#include "deputy.h"

/* How a kind's fill writes the peer's data: it decides whether a clock
 * skew beyond the overlap must stop the fill (DESIGN §5 rule 1). */
typedef enum hh_kind_write {
	HH_KIND_REPLACES_SAMPLES = 0, /* deletes local data of a range: skew-sensitive */
	HH_KIND_INSERTS_ONLY          /* only ever inserts: a skew harms nothing */
} hh_kind_write;

typedef struct hh_deputy_kind {
	int kind;                     /* hiveha_deputy_kind: the row's index */
	const hh_deputy_info *info;   /* name, state key, store needs (deputy_info.h) */
	hh_kind_write write;
	/* Fills one pending gap: HH_FILL_DONE, HH_FILL_RESPLIT or an error. */
	int (*fill)(hh_deputy *d, hh_range gap);
	/* The expert-mode start of its config member; 0 = off. */
	hiveha_time (*expert_start)(const hiveha_governor_config *cfg);
	/* Notes what a successful round with requests filled (its counters). */
	void (*note_filled)(hh_deputy *d);
} hh_deputy_kind;

extern const hh_deputy_kind hh_kind_trend;
extern const hh_deputy_kind hh_kind_events;

/* The row of `kind`; NULL for a kind this library does not know (deputy_kinds.c). */
const hh_deputy_kind *hh_deputy_kind_get(int kind);

#endif /* HH_DEPUTY_KIND_H */
