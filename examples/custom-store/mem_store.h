/*
 * mem_store.h - a minimal in-memory hiveha_store, written to be copied.
 *
 * docs/custom-store.md walks through it. It implements every member of
 * include/hiveha/store.h; what a real store does differently is said where
 * it matters (look for "A real store").
 */
#ifndef MEM_STORE_H
#define MEM_STORE_H

#include <hiveha/hiveha.h>

/* Fills `out` with a new, empty store. Its destroy member frees it. */
int mem_store_new(hiveha_store *out);

/* Host data entry (what the instance collects), committed at once. */
int mem_store_append(const hiveha_store *s, const char *item, const hiveha_sample *samples, size_t n);
int mem_store_add_event(const hiveha_store *s, const hiveha_event *e);

/* Counts for the report: samples of `item` (0 if unknown), and events. */
size_t mem_store_count_samples(const hiveha_store *s, const char *item);
size_t mem_store_count_events(const hiveha_store *s);

#endif /* MEM_STORE_H */
