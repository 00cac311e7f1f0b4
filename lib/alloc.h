/*
 * alloc.h - allocation through the per-object hiveha_allocator (internal).
 * A NULL allocator means the C library heap. hh_free(a, NULL) is a no-op.
 */
#ifndef HH_ALLOC_H
#define HH_ALLOC_H

#include <hiveha/common.h>

void *hh_malloc(const hiveha_allocator *a, size_t size);
/* Zeroed; returns NULL if nmemb * size overflows. */
void *hh_calloc(const hiveha_allocator *a, size_t nmemb, size_t size);
void *hh_realloc(const hiveha_allocator *a, void *ptr, size_t size);
void hh_free(const hiveha_allocator *a, void *ptr);
/* Copies a NUL-terminated string; NULL in gives NULL out. */
char *hh_strdup(const hiveha_allocator *a, const char *s);
/* Copies len bytes and appends a NUL. */
char *hh_strndup(const hiveha_allocator *a, const char *s, size_t len);

#endif /* HH_ALLOC_H */
