/*
 * gendata.h - the benchmark's data set, computed rather than held.
 *
 * M items x S samples (1 Hz doubles - or vectors of `elems` doubles -, good
 * quality, from `t0`) and E events
 * spread evenly over the same S seconds. Every process of a run derives the
 * same data from (M, S, E), so the peer can serve it without holding it
 * (its memory then measures the library, not the data set) and the floor
 * can ingest exactly the samples the sync transfers.
 */
#ifndef BENCH_GENDATA_H
#define BENCH_GENDATA_H

#include <hiveha/store.h>

typedef struct gen_params {
	size_t items;          /* M */
	size_t samples;        /* S per item, one per second */
	size_t events;         /* E over the S seconds */
	hiveha_time t0;        /* first sample / gap start */
	size_t elems;          /* 0: scalar doubles; else vectors of this many doubles */
} gen_params;

/* The longest vector the bench generates (-a). */
#define BENCH_MAX_ELEMS 4096u

/* Gap end: t0 + S seconds. */
hiveha_time gen_end(const gen_params *p);

/* Item id of index `i` ("Plant1/Area007/Tag0007123"): ascending index is
 * ascending strcmp order. `buf` holds at least 32 bytes. */
void gen_item_id(char *buf, size_t size, size_t i);

/* Index of an item id, or -1 if it is not one of the set. */
long gen_item_index(const gen_params *p, const char *id);

/* Sample `k` of item `i`. A vector value is owned by `out`: release it
 * with hiveha_value_clear(&out->value) (a no-op for scalars). Returns 0 or
 * HIVEHA_ENOMEM. */
int gen_sample(hiveha_sample *out, const gen_params *p, size_t i, size_t k);

/* Ticks between two events (events are at t0 + k * step, k < E). */
hiveha_time gen_event_step(const gen_params *p);

/* String storage of one generated event. */
typedef struct gen_event_strings {
	char source[64], message[64];
} gen_event_strings;

/* Event `k`; its strings point into `s` (and to a literal). */
void gen_event(hiveha_event *out, gen_event_strings *s, const gen_params *p, hiveha_time step,
               size_t k);

/* Fills `out` (version 1) with a read-only store serving the data set:
 * list_items, read_samples, read_events, kv_get (no sync state: the peer
 * vouches for everything); writes fail with HIVEHA_ESTORE. `p` is copied;
 * destroy frees it. */
int gen_store_new(hiveha_store *out, const gen_params *p);

#endif /* BENCH_GENDATA_H */
