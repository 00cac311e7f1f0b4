/*
 * guardpage.c - see guardpage.h.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "guardpage.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

void *guard_tail(size_t n)
{
	size_t page = page_size();
	unsigned char *base;

	cr_assert(n > 0 && n <= page && n % 8 == 0, "guard_tail(%zu)", n);
	base = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(base, MAP_FAILED);
	cr_assert_eq(mprotect(base + page, page, PROT_NONE), 0);
	return base + page - n; /* mmap zeroed it */
}

void guard_release(void *p)
{
	size_t page = page_size();

	if (p)
		munmap((void *)((uintptr_t)p & ~(uintptr_t)(page - 1)), 2 * page);
}
