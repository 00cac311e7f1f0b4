/*
 * sqlite_mutex.h - the adapter's mutex and condition variable, private to
 * hiveha-sqlite. (sqlite_lock.c is the other lock: the store's hold on its
 * file.)
 *
 * Pthreads on POSIX rather than C11 <threads.h>: glibc's mtx_lock /
 * cnd_wait do not go through pthread_mutex_lock's PLT entry, so
 * ThreadSanitizer (gcc 12, clang 14) does not see them, reports false
 * races and misses real ones; pthreads it intercepts. Slim reader/writer
 * locks and condition variables on Windows (_WIN32), which need no destroy.
 * Only plain (non-recursive) mutexes, as before.
 */
#ifndef HH_SQLITE_MUTEX_H
#define HH_SQLITE_MUTEX_H

#if defined(_WIN32)
#  ifndef WIN32_LEAN_AND_MEAN
#    define WIN32_LEAN_AND_MEAN
#  endif
#  include <windows.h>

typedef SRWLOCK hh_sq_mutex;
typedef CONDITION_VARIABLE hh_sq_cond;

/* Both return 0 (they cannot fail on Windows). */
static inline int hh_sq_mutex_init(hh_sq_mutex *m)
{
	InitializeSRWLock(m);
	return 0;
}

static inline void hh_sq_mutex_lock(hh_sq_mutex *m) { AcquireSRWLockExclusive(m); }
static inline void hh_sq_mutex_unlock(hh_sq_mutex *m) { ReleaseSRWLockExclusive(m); }
static inline void hh_sq_mutex_destroy(hh_sq_mutex *m) { (void)m; }

static inline int hh_sq_cond_init(hh_sq_cond *c)
{
	InitializeConditionVariable(c);
	return 0;
}

static inline void hh_sq_cond_wait(hh_sq_cond *c, hh_sq_mutex *m)
{
	SleepConditionVariableSRW(c, m, INFINITE, 0);
}

static inline void hh_sq_cond_broadcast(hh_sq_cond *c) { WakeAllConditionVariable(c); }
static inline void hh_sq_cond_destroy(hh_sq_cond *c) { (void)c; }

#else
#  include <pthread.h>

typedef pthread_mutex_t hh_sq_mutex;
typedef pthread_cond_t hh_sq_cond;

/* Both return 0 or pthreads' error number. */
static inline int hh_sq_mutex_init(hh_sq_mutex *m) { return pthread_mutex_init(m, NULL); }
static inline void hh_sq_mutex_lock(hh_sq_mutex *m) { (void)pthread_mutex_lock(m); }
static inline void hh_sq_mutex_unlock(hh_sq_mutex *m) { (void)pthread_mutex_unlock(m); }
static inline void hh_sq_mutex_destroy(hh_sq_mutex *m) { (void)pthread_mutex_destroy(m); }

static inline int hh_sq_cond_init(hh_sq_cond *c) { return pthread_cond_init(c, NULL); }
static inline void hh_sq_cond_wait(hh_sq_cond *c, hh_sq_mutex *m) { (void)pthread_cond_wait(c, m); }
static inline void hh_sq_cond_broadcast(hh_sq_cond *c) { (void)pthread_cond_broadcast(c); }
static inline void hh_sq_cond_destroy(hh_sq_cond *c) { (void)pthread_cond_destroy(c); }
#endif

#endif /* HH_SQLITE_MUTEX_H */
