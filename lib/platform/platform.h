/*
 * platform.h - the small layer that keeps threads and time portable
 * (internal). POSIX is implemented in platform_posix.c; a Windows port
 * implements the same functions with SRWLOCK / CONDITION_VARIABLE /
 * _beginthreadex / GetSystemTimePreciseAsFileTime / QueryPerformanceCounter.
 * Nothing outside lib/platform includes pthread.h or calls clock_gettime.
 */
#ifndef HH_PLATFORM_H
#define HH_PLATFORM_H

#include <stdint.h>

#include <hiveha/time.h>

#if defined(_WIN32)
/* SRWLOCK, CONDITION_VARIABLE and HANDLE are one pointer each. Mirrored
 * here (platform_win32.c checks the sizes) so that every file including
 * this header does not pull in <windows.h> and its macros (min, max,
 * ERROR, near, ...). */
typedef struct hh_mutex {
	void *opaque;
} hh_mutex;
typedef struct hh_cond {
	void *opaque;
} hh_cond;
typedef void *hh_thread;
#else
#  include <pthread.h>
typedef pthread_mutex_t hh_mutex;
typedef pthread_cond_t hh_cond;
typedef pthread_t hh_thread;
#endif

/* Thread-local storage class (C11 _Thread_local; MSVC spells it its way). */
#if defined(_MSC_VER) && !defined(__clang__)
#  define HH_THREAD_LOCAL __declspec(thread)
#else
#  define HH_THREAD_LOCAL _Thread_local
#endif

/* All return 0 on success or a negative hiveha_status. */
int hh_mutex_init(hh_mutex *m);
void hh_mutex_destroy(hh_mutex *m);
void hh_mutex_lock(hh_mutex *m);
void hh_mutex_unlock(hh_mutex *m);

/* Condition variables wait on monotonic time. */
int hh_cond_init(hh_cond *c);
void hh_cond_destroy(hh_cond *c);
void hh_cond_wait(hh_cond *c, hh_mutex *m);
/* Waits at most ns nanoseconds; returns 0 if signalled (or spuriously
 * woken), HIVEHA_ETIMEOUT when the time passed. */
int hh_cond_timedwait_ns(hh_cond *c, hh_mutex *m, int64_t ns);
void hh_cond_signal(hh_cond *c);
void hh_cond_broadcast(hh_cond *c);

typedef void (*hh_thread_fn)(void *arg);
int hh_thread_create(hh_thread *t, hh_thread_fn fn, void *arg);
void hh_thread_join(hh_thread t);

/* Atomic int flags, sequentially consistent. C11 <stdatomic.h> where the
 * compiler has it; MSVC has C11 atomics only from VS 2022 17.5 behind
 * /experimental:c11atomics, so there the Interlocked intrinsics serve. */
#if defined(_MSC_VER) && !defined(__clang__)
#  include <intrin.h>
typedef struct hh_atomic_int {
	volatile long v;
} hh_atomic_int;
static inline void hh_atomic_init(hh_atomic_int *a, int x)
{
	a->v = x;
}
static inline int hh_atomic_load(hh_atomic_int *a)
{
	return (int)_InterlockedCompareExchange(&a->v, 0, 0);
}
static inline void hh_atomic_store(hh_atomic_int *a, int x)
{
	(void)_InterlockedExchange(&a->v, x);
}
#else
#  include <stdatomic.h>
typedef atomic_int hh_atomic_int;
static inline void hh_atomic_init(hh_atomic_int *a, int x)
{
	atomic_init(a, x);
}
static inline int hh_atomic_load(hh_atomic_int *a)
{
	return atomic_load(a);
}
static inline void hh_atomic_store(hh_atomic_int *a, int x)
{
	atomic_store(a, x);
}
#endif

#if defined(_WIN32)
/* The millisecond timeout one wait of ns nanoseconds uses: rounded up,
 * at most one short of INFINITE (never "forever" by accident). Exposed for
 * tests/unit/test_platform.c. */
uint32_t hh_win32_wait_ms(int64_t ns);
#endif

/* UTC wall time in hiveha ticks, and monotonic nanoseconds. */
hiveha_time hh_time_realtime(void);
int64_t hh_time_monotonic_ns(void);

#endif /* HH_PLATFORM_H */
