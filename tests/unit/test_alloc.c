/*
 * Allocator wrappers, with a counting custom allocator.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

typedef struct counter {
	int mallocs, reallocs, frees;
	size_t last_size;
	int fail; /* when set, every allocation fails */
} counter;

static void *c_malloc(size_t size, void *ctx)
{
	counter *c = ctx;
	void *p;

	c->mallocs++;
	c->last_size = size;
	if (c->fail)
		return NULL;
	p = malloc(size);
	/* Garbage, so that a missing zeroing in hh_calloc shows. */
	if (p)
		memset(p, 0xA5, size);
	return p;
}

static void *c_realloc(void *ptr, size_t size, void *ctx)
{
	counter *c = ctx;

	c->reallocs++;
	c->last_size = size;
	return c->fail ? NULL : realloc(ptr, size);
}

static void c_free(void *ptr, void *ctx)
{
	counter *c = ctx;

	c->frees++;
	free(ptr);
}

static counter cnt;
static hiveha_allocator alloc = { c_malloc, c_realloc, c_free, &cnt };

Test(alloc, malloc_and_free_go_through_the_allocator)
{
	void *p = hh_malloc(&alloc, 40);

	cr_assert_not_null(p);
	cr_assert_eq(cnt.mallocs, 1);
	cr_assert_eq(cnt.last_size, 40);
	hh_free(&alloc, p);
	cr_assert_eq(cnt.frees, 1);
	hh_free(&alloc, NULL);
	cr_assert_eq(cnt.frees, 1, "free(NULL) must not reach the allocator");
}

Test(alloc, zero_size_is_not_null)
{
	void *p = hh_malloc(&alloc, 0);

	cr_assert_not_null(p);
	hh_free(&alloc, p);
	p = hh_malloc(NULL, 0);
	cr_assert_not_null(p);
	hh_free(NULL, p);
}

Test(alloc, calloc_zeroes_and_checks_overflow)
{
	unsigned char *p = hh_calloc(&alloc, 10, 8);
	size_t i;

	cr_assert_not_null(p);
	cr_assert_eq(cnt.last_size, 80);
	for (i = 0; i < 80; i++)
		cr_assert_eq(p[i], 0, "byte %zu", i);
	hh_free(&alloc, p);

	cnt.mallocs = 0;
	cr_assert_null(hh_calloc(&alloc, SIZE_MAX / 2 + 1, 2));
	cr_assert_null(hh_calloc(&alloc, 3, SIZE_MAX / 2));
	cr_assert_null(hh_calloc(NULL, SIZE_MAX, SIZE_MAX));
	cr_assert_eq(cnt.mallocs, 0, "an overflowing calloc must not allocate");
}

Test(alloc, realloc)
{
	char *p = hh_realloc(&alloc, NULL, 4);

	cr_assert_not_null(p);
	cr_assert_eq(cnt.mallocs, 1, "realloc(NULL) allocates fresh memory");
	cr_assert_eq(cnt.reallocs, 0);
	memcpy(p, "abc", 4);
	p = hh_realloc(&alloc, p, 100);
	cr_assert_not_null(p);
	cr_assert_eq(cnt.reallocs, 1);
	cr_assert_str_eq(p, "abc");
	hh_free(&alloc, p);

	p = hh_realloc(NULL, NULL, 4);
	cr_assert_not_null(p);
	p = hh_realloc(NULL, p, 8);
	cr_assert_not_null(p);
	hh_free(NULL, p);
}

Test(alloc, strings)
{
	char *s = hh_strdup(&alloc, "hello");

	cr_assert_str_eq(s, "hello");
	cr_assert_eq(cnt.last_size, 6);
	hh_free(&alloc, s);
	s = hh_strndup(&alloc, "abcdef", 3);
	cr_assert_str_eq(s, "abc");
	hh_free(&alloc, s);
	s = hh_strndup(NULL, "a\0b", 3);
	cr_assert_eq(memcmp(s, "a\0b\0", 4), 0);
	hh_free(NULL, s);
	cr_assert_null(hh_strdup(&alloc, NULL));
	cr_assert_eq(cnt.mallocs, 2);
	cr_assert_eq(cnt.frees, 2);
}

Test(alloc, failures_are_null)
{
	cnt.fail = 1;
	cr_assert_null(hh_malloc(&alloc, 8));
	cr_assert_null(hh_calloc(&alloc, 2, 8));
	cr_assert_null(hh_strdup(&alloc, "x"));
	cr_assert_null(hh_strndup(&alloc, "xy", 2));
	cr_assert_null(hh_strndup(&alloc, "xy", SIZE_MAX));
}
