/*
 * guardpage.c - see guardpage.h.
 */
#if !defined(_WIN32)
#  define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#endif
#include "guardpage.h"

#include <criterion/criterion.h>
#include <stdint.h>

#if defined(_WIN32)
#  define WIN32_LEAN_AND_MEAN
#  include <windows.h>

static size_t page_size(void)
{
	SYSTEM_INFO si;

	GetSystemInfo(&si);
	return si.dwPageSize;
}

/* Two pages, the second inaccessible. VirtualAlloc zeroes them. */
static unsigned char *map_guarded(size_t page)
{
	unsigned char *base = VirtualAlloc(NULL, 2 * page, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
	DWORD old;

	cr_assert_not_null(base);
	cr_assert(VirtualProtect(base + page, page, PAGE_NOACCESS, &old));
	return base;
}

static void unmap_guarded(void *base, size_t page)
{
	(void)page;
	VirtualFree(base, 0, MEM_RELEASE);
}
#else
#  include <sys/mman.h>
#  include <unistd.h>

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Two pages, the second inaccessible. mmap zeroes them. */
static unsigned char *map_guarded(size_t page)
{
	unsigned char *base = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
	                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(base, MAP_FAILED);
	cr_assert_eq(mprotect(base + page, page, PROT_NONE), 0);
	return base;
}

static void unmap_guarded(void *base, size_t page)
{
	munmap(base, 2 * page);
}
#endif

void *guard_tail(size_t n)
{
	size_t page = page_size();

	cr_assert(n > 0 && n <= page && n % 8 == 0, "guard_tail(%zu)", n);
	return map_guarded(page) + page - n;
}

void guard_release(void *p)
{
	size_t page = page_size();

	if (p)
		unmap_guarded((void *)((uintptr_t)p & ~(uintptr_t)(page - 1)), page);
}
