/*
 * threads.h - the part of C11 <threads.h> that libhiveha's SQLite tests use
 * (threads, plain mutexes, condition variables), for Windows toolchains
 * without one (MinGW-w64 before v12 with msvcrt); the adapter itself locks
 * through adapters/sqlite/sqlite_mutex.h. Put on the include path only there
 * (cmake/testing.cmake checks for a real <threads.h> first).
 *
 * Slim reader/writer locks are not recursive: mtx_recursive is refused.
 * thrd_create / thrd_join (the tests use them) sit on _beginthreadex.
 */
#ifndef HH_COMPAT_WIN32_THREADS_H
#define HH_COMPAT_WIN32_THREADS_H

#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <process.h>
#include <stdlib.h>

enum { thrd_success = 0, thrd_error = 2, thrd_nomem = 3, thrd_busy = 1, thrd_timedout = 4 };
enum { mtx_plain = 0, mtx_recursive = 1, mtx_timed = 2 };

typedef SRWLOCK mtx_t;
typedef CONDITION_VARIABLE cnd_t;

static inline int mtx_init(mtx_t *m, int type)
{
	if (type & mtx_recursive)
		return thrd_error;
	InitializeSRWLock(m);
	return thrd_success;
}

static inline int mtx_lock(mtx_t *m)
{
	AcquireSRWLockExclusive(m);
	return thrd_success;
}

static inline int mtx_trylock(mtx_t *m)
{
	return TryAcquireSRWLockExclusive(m) ? thrd_success : thrd_busy;
}

static inline int mtx_unlock(mtx_t *m)
{
	ReleaseSRWLockExclusive(m);
	return thrd_success;
}

static inline void mtx_destroy(mtx_t *m)
{
	(void)m; /* an SRWLOCK holds no resources */
}

static inline int cnd_init(cnd_t *c)
{
	InitializeConditionVariable(c);
	return thrd_success;
}

static inline int cnd_wait(cnd_t *c, mtx_t *m)
{
	return SleepConditionVariableSRW(c, m, INFINITE, 0) ? thrd_success : thrd_error;
}

static inline int cnd_signal(cnd_t *c)
{
	WakeConditionVariable(c);
	return thrd_success;
}

static inline int cnd_broadcast(cnd_t *c)
{
	WakeAllConditionVariable(c);
	return thrd_success;
}

static inline void cnd_destroy(cnd_t *c)
{
	(void)c; /* a CONDITION_VARIABLE holds no resources */
}

typedef HANDLE thrd_t;
typedef int (*thrd_start_t)(void *);

struct hh_compat_thrd_start {
	thrd_start_t fn;
	void *arg;
};

static inline unsigned __stdcall hh_compat_thrd_main(void *p)
{
	struct hh_compat_thrd_start s = *(struct hh_compat_thrd_start *)p;

	free(p);
	return (unsigned)s.fn(s.arg);
}

static inline int thrd_create(thrd_t *t, thrd_start_t fn, void *arg)
{
	struct hh_compat_thrd_start *s = (struct hh_compat_thrd_start *)malloc(sizeof(*s));
	uintptr_t h;

	if (!s)
		return thrd_nomem;
	s->fn = fn;
	s->arg = arg;
	h = _beginthreadex(NULL, 0, hh_compat_thrd_main, s, 0, NULL);
	if (!h) {
		free(s);
		return thrd_error;
	}
	*t = (HANDLE)h;
	return thrd_success;
}

static inline int thrd_join(thrd_t t, int *res)
{
	DWORD code = 0;

	if (WaitForSingleObject(t, INFINITE) != WAIT_OBJECT_0)
		return thrd_error;
	GetExitCodeThread(t, &code);
	CloseHandle(t);
	if (res)
		*res = (int)code;
	return thrd_success;
}

#endif /* HH_COMPAT_WIN32_THREADS_H */
