/*
 * alloc.c - allocation through an optional per-object hiveha_allocator.
 */
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *hh_malloc(const hiveha_allocator *a, size_t size)
{
	/* malloc(0) may return NULL; ask for one byte so that NULL always
	 * means "out of memory" to the caller. */
	if (size == 0)
		size = 1;
	return a ? a->malloc(size, a->ctx) : malloc(size);
}

void *hh_calloc(const hiveha_allocator *a, size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	p = hh_malloc(a, nmemb * size);
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}

void *hh_realloc(const hiveha_allocator *a, void *ptr, size_t size)
{
	if (size == 0)
		size = 1;
	if (!a)
		return realloc(ptr, size);
	if (!ptr)
		return a->malloc(size, a->ctx);
	return a->realloc(ptr, size, a->ctx);
}

void hh_free(const hiveha_allocator *a, void *ptr)
{
	if (!ptr)
		return;
	if (a)
		a->free(ptr, a->ctx);
	else
		free(ptr);
}

char *hh_strndup(const hiveha_allocator *a, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return NULL;
	p = hh_malloc(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *hh_strdup(const hiveha_allocator *a, const char *s)
{
	if (!s)
		return NULL;
	return hh_strndup(a, s, strlen(s));
}
