/*
 * sqtest.h - helpers shared by the hiveha-sqlite tests: a fresh temporary
 * directory per test (Criterion runs each test in its own process), store
 * opening with a message on failure, and collecting visitors.
 */
#ifndef HH_SQTEST_H
#define HH_SQTEST_H

#include <stdbool.h>
#include <hiveha/sqlite.h>
#include <hiveha/value.h>

/* Creates the per-test directory; call from a Criterion .init. */
void sqt_setup(void);
/* Removes it with everything inside; call from .fini. */
void sqt_teardown(void);
/* "<dir>/<name>" in a static buffer per call slot (4 slots). */
const char *sqt_path(const char *name);

/* Opens `name` in the test dir with `flags`, asserting success. */
void sqt_open(hiveha_store *st, const char *name, unsigned int flags);
/* Opens, returning the status and the error message in msg. */
int sqt_try_open(hiveha_store *st, const char *name, unsigned int flags, char *msg, size_t size);
void sqt_close(hiveha_store *st);

/* Runs SQL on the file with a plain SQLite connection; asserts success. */
void sqt_exec(const char *name, const char *sql);
/* First column of the first row of `sql` as an integer / text (static). */
long long sqt_query_int(const char *name, const char *sql);
const char *sqt_query_text(const char *name, const char *sql);

/* Collected samples (deep copies) and the batch calls seen. */
typedef struct sqt_samples {
	hiveha_sample *v;
	size_t n, cap;
	size_t calls;
	int stop_after; /* >0: the visitor returns 42 after this many samples */
} sqt_samples;
int sqt_collect_samples(const hiveha_sample *s, size_t n, void *payload);
void sqt_samples_free(sqt_samples *c);

typedef struct sqt_events {
	hiveha_event *v;
	size_t n, cap;
	size_t calls;
} sqt_events;
int sqt_collect_events(const hiveha_event *e, size_t n, void *payload);
void sqt_events_free(sqt_events *c);

/* A good-quality double sample. */
hiveha_sample sqt_dbl(hiveha_time t, double d);
/* An event with the given identity (message is borrowed). */
hiveha_event sqt_event(hiveha_time t, uint32_t source, uint32_t type, const char *message);

/* Runs fn inside begin/commit of the store, asserting both succeed. */
hiveha_store_txn *sqt_begin(const hiveha_store *st);
void sqt_commit(const hiveha_store *st, hiveha_store_txn *txn);

#endif
