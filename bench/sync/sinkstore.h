/*
 * sinkstore.h - a syncing-only store that keeps nothing but counts.
 *
 * Floor (b) of the benchmark: the governor fills the gap into this store,
 * so the run measures peer store -> responder -> HTTP -> transport ->
 * decode -> deputy, without a local store's cost. It lists the data set's
 * items (so the deputy asks for them), counts what replace_samples and
 * insert_events receive, and keeps the governor's sync-state keys in a
 * small table (it needs them to checkpoint and close gaps).
 */
#ifndef BENCH_SINKSTORE_H
#define BENCH_SINKSTORE_H

#include <hiveha/store.h>

#include "gendata.h"

typedef struct sink_counts {
	uint64_t samples;
	uint64_t events;
	uint64_t txns;
} sink_counts;

/* Fills `out`. `counts` is borrowed and receives the counts as they come
 * (it must outlive the store). */
int sink_store_new(hiveha_store *out, const gen_params *p, sink_counts *counts);

#endif /* BENCH_SINKSTORE_H */
