/*
 * platform_win32.c - threads and time on Windows (Vista+ slim reader/writer
 * locks and condition variables, _beginthreadex, the precise system time
 * of Windows 8 and the performance counter).
 */
/* GetSystemTimePreciseAsFileTime is declared from Windows 8 on. */
#if !defined(_WIN32_WINNT) || _WIN32_WINNT < 0x0602
#  undef _WIN32_WINNT
#  define _WIN32_WINNT 0x0602
#endif
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <process.h>

#include "platform/platform.h"

#include <errno.h>
#include <stdlib.h>

#include <hiveha/common.h>

/* platform.h mirrors these types without <windows.h>. */
_Static_assert(sizeof(hh_mutex) == sizeof(SRWLOCK), "hh_mutex mirrors SRWLOCK");
_Static_assert(sizeof(hh_cond) == sizeof(CONDITION_VARIABLE), "hh_cond mirrors CONDITION_VARIABLE");
_Static_assert(sizeof(hh_thread) == sizeof(HANDLE), "hh_thread mirrors HANDLE");

#define SRW(m) ((PSRWLOCK)(void *)(m))
#define CV(c) ((PCONDITION_VARIABLE)(void *)(c))

int hh_mutex_init(hh_mutex *m)
{
	InitializeSRWLock(SRW(m));
	return 0;
}

void hh_mutex_destroy(hh_mutex *m)
{
	(void)m; /* an SRWLOCK holds no resources */
}

void hh_mutex_lock(hh_mutex *m)
{
	AcquireSRWLockExclusive(SRW(m));
}

void hh_mutex_unlock(hh_mutex *m)
{
	ReleaseSRWLockExclusive(SRW(m));
}

int hh_cond_init(hh_cond *c)
{
	InitializeConditionVariable(CV(c));
	return 0;
}

void hh_cond_destroy(hh_cond *c)
{
	(void)c; /* a CONDITION_VARIABLE holds no resources */
}

void hh_cond_wait(hh_cond *c, hh_mutex *m)
{
	SleepConditionVariableSRW(CV(c), SRW(m), INFINITE, 0);
}

/* The longest single wait: one millisecond short of INFINITE, so that a
 * long timeout is never taken for "wait forever". */
#define MAX_WAIT_MS (INFINITE - 1)

uint32_t hh_win32_wait_ms(int64_t ns)
{
	int64_t ms;

	if (ns <= 0)
		return 0;
	/* Windows waits in whole milliseconds: round up, so that a wait of
	 * 1 ns is a wait and not a busy poll. */
	ms = ns / 1000000 + (ns % 1000000 != 0);
	return ms > MAX_WAIT_MS ? MAX_WAIT_MS : (uint32_t)ms;
}

int hh_cond_timedwait_ns(hh_cond *c, hh_mutex *m, int64_t ns)
{
	int64_t start;

	if (ns <= 0)
		return HIVEHA_ETIMEOUT;
	start = hh_time_monotonic_ns();
	if (SleepConditionVariableSRW(CV(c), SRW(m), hh_win32_wait_ms(ns), 0))
		return 0;
	/* The timer ticks every ~15.6 ms by default and a timeout may end up
	 * to one tick early; time out only once the monotonic clock agrees
	 * (otherwise it is a spurious wake-up, which callers handle), and a
	 * clamped wait of 49 days is one too. */
	if (GetLastError() != ERROR_TIMEOUT || hh_time_monotonic_ns() - start < ns)
		return 0;
	return HIVEHA_ETIMEOUT;
}

void hh_cond_signal(hh_cond *c)
{
	WakeConditionVariable(CV(c));
}

void hh_cond_broadcast(hh_cond *c)
{
	WakeAllConditionVariable(CV(c));
}

struct thread_start {
	hh_thread_fn fn;
	void *arg;
};

/* _beginthreadex, not CreateThread: the C runtime's per-thread state (errno,
 * strtok, locale) is set up and freed with the thread. */
static unsigned __stdcall thread_main(void *p)
{
	struct thread_start start = *(struct thread_start *)p;

	free(p);
	start.fn(start.arg);
	return 0;
}

int hh_thread_create(hh_thread *t, hh_thread_fn fn, void *arg)
{
	struct thread_start *start = malloc(sizeof(*start));
	uintptr_t h;

	if (!start)
		return HIVEHA_ENOMEM;
	start->fn = fn;
	start->arg = arg;
	h = _beginthreadex(NULL, 0, thread_main, start, 0, NULL);
	if (!h) {
		free(start);
		return errno == EAGAIN ? HIVEHA_ENOMEM : HIVEHA_ERROR;
	}
	*t = (hh_thread)h;
	return 0;
}

void hh_thread_join(hh_thread t)
{
	WaitForSingleObject((HANDLE)t, INFINITE);
	CloseHandle((HANDLE)t);
}

hiveha_time hh_time_realtime(void)
{
	FILETIME ft;

	/* FILETIME is the tick itself: 100 ns since 1601-01-01 UTC. */
	GetSystemTimePreciseAsFileTime(&ft);
	return (hiveha_time)(((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime);
}

int64_t hh_time_monotonic_ns(void)
{
	LARGE_INTEGER count, freq;

	/* Both never fail from Windows XP on. The frequency is fixed at boot
	 * and read from shared memory, so it is not cached (a cache would be
	 * a data race or need a once-flag). Split to avoid overflowing
	 * count * 1e9 after a few days of uptime at 10 MHz. */
	QueryPerformanceCounter(&count);
	QueryPerformanceFrequency(&freq);
	return count.QuadPart / freq.QuadPart * 1000000000 +
	       count.QuadPart % freq.QuadPart * 1000000000 / freq.QuadPart;
}
