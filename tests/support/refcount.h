/*
 * refcount.h - the reference count every test double shares (memstore,
 * proxystore, fakeclock, looptransport).
 *
 * A double's `*_new` takes one reference, each call of its interface's
 * destroy drops one and `*_ref` adds one, so a test keeps inspecting a
 * double after the governor that owned it is freed, or hands it to a
 * restarted one. Only the drop that reaches zero may free the double.
 *
 * Threads: safe from any thread without the double's own lock (C11
 * atomics), so a destroy never has to take a lock it then frees.
 */
#ifndef HH_TEST_REFCOUNT_H
#define HH_TEST_REFCOUNT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct refcount {
	atomic_uint n;
} refcount;

/** Starts at one reference: the creator's. */
static inline void refcount_init(refcount *r)
{
	atomic_init(&r->n, 1u);
}

static inline void refcount_get(refcount *r)
{
	atomic_fetch_add_explicit(&r->n, 1u, memory_order_relaxed);
}

/**
 * Drops one reference; true when it was the last (the caller frees). A drop
 * with none left is a test's double free: it aborts rather than wrap.
 */
static inline bool refcount_put(refcount *r)
{
	unsigned before = atomic_fetch_sub_explicit(&r->n, 1u, memory_order_acq_rel);
	if (before == 0) {
		fprintf(stderr, "refcount: reference dropped after the last one\n");
		abort();
	}
	return before == 1u;
}

#endif /* HH_TEST_REFCOUNT_H */
