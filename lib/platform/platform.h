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

/* UTC wall time in hiveha ticks, and monotonic nanoseconds. */
hiveha_time hh_time_realtime(void);
int64_t hh_time_monotonic_ns(void);

#endif /* HH_PLATFORM_H */
