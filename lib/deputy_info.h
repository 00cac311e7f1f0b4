/*
 * deputy_info.h - the data-only part of a deputy kind (internal): its
 * name, its sync-state key and the store members it needs.
 *
 * Split from hh_deputy_kind (deputy_kind.h) because that row holds the
 * kind's fill, which calls into deputy.c: a low layer (syncstate.c,
 * interfaces.c) that read the full row would sit on that cycle
 * (tests/layers). This file depends on nothing but the public enum, so
 * any layer may read it.
 */
#ifndef HH_DEPUTY_INFO_H
#define HH_DEPUTY_INFO_H

#include <hiveha/governor.h>

/* The deputy kinds this library runs (hiveha_deputy_kind 0..n-1) and their
 * mask. Internal on purpose: a public count would change when a kind is
 * appended (governor.h). */
#define HH_DEPUTY_KINDS 2
#define HH_DEPUTIES_KNOWN HIVEHA_DEPUTIES_HIVE

/* The hiveha_store members a kind requires, one flag per member, so
 * hiveha_store_check reports exactly the member that is missing. */
typedef enum hh_deputy_needs {
	HH_NEEDS_LIST_ITEMS = 1u << 0,      /* store->list_items */
	HH_NEEDS_READ_SAMPLES = 1u << 1,    /* store->read_samples */
	HH_NEEDS_READ_EVENTS = 1u << 2,     /* store->read_events */
	HH_NEEDS_REPLACE_SAMPLES = 1u << 3, /* store->replace_samples */
	HH_NEEDS_INSERT_EVENTS = 1u << 4    /* store->insert_events */
} hh_deputy_needs;

/* What a trend deputy uses of the store (list, read, replace samples);
 * what an event deputy uses (read, insert events). */
#define HH_NEEDS_SAMPLES \
	((unsigned)HH_NEEDS_LIST_ITEMS | (unsigned)HH_NEEDS_READ_SAMPLES | \
	 (unsigned)HH_NEEDS_REPLACE_SAMPLES)
#define HH_NEEDS_EVENTS ((unsigned)HH_NEEDS_READ_EVENTS | (unsigned)HH_NEEDS_INSERT_EVENTS)

typedef struct hh_deputy_info {
	int kind;              /* hiveha_deputy_kind: the row's index */
	const char *name;      /* "TrendHistory": state item prefix, log prefix */
	const char *state_key; /* the store key of its hh_syncstate (DESIGN §6) */
	unsigned needs;        /* hh_deputy_needs flags */
} hh_deputy_info;

/* Indexed by hiveha_deputy_kind; extern so constant rows (hh_deputy_kind)
 * can point at an element. */
extern const hh_deputy_info hh_deputy_infos[HH_DEPUTY_KINDS];

/* The info of `kind`; NULL for a kind this library does not know. */
const hh_deputy_info *hh_deputy_info_get(int kind);

#endif /* HH_DEPUTY_INFO_H */
