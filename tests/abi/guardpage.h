/*
 * guardpage.h - host memory that ends exactly where a struct of an older
 * version ends, followed by an inaccessible page: reading or writing one
 * byte past it faults at once, with or without ASan.
 */
#ifndef HH_TEST_GUARDPAGE_H
#define HH_TEST_GUARDPAGE_H

#include <stddef.h>

/* `n` bytes (a multiple of 8, at most a page) whose last byte is followed
 * by a PROT_NONE page; the bytes are zeroed. Asserts on failure. */
void *guard_tail(size_t n);

/* Releases what guard_tail returned. NULL is a no-op. */
void guard_release(void *p);

#endif /* HH_TEST_GUARDPAGE_H */
