/*
 * platform_posix.c - threads and time on POSIX (pthreads, clock_gettime).
 */
#define _POSIX_C_SOURCE 200809L

#include "platform/platform.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <hiveha/common.h>

static int status_of(int err)
{
	return err == ENOMEM || err == EAGAIN ? HIVEHA_ENOMEM : HIVEHA_ERROR;
}

int hh_mutex_init(hh_mutex *m)
{
	int rc = pthread_mutex_init(m, NULL);

	return rc ? status_of(rc) : 0;
}

void hh_mutex_destroy(hh_mutex *m)
{
	pthread_mutex_destroy(m);
}

void hh_mutex_lock(hh_mutex *m)
{
	pthread_mutex_lock(m);
}

void hh_mutex_unlock(hh_mutex *m)
{
	pthread_mutex_unlock(m);
}

int hh_cond_init(hh_cond *c)
{
	pthread_condattr_t attr;
	int rc;

	rc = pthread_condattr_init(&attr);
	if (rc)
		return status_of(rc);
	/* Waits must not jump when someone sets the wall clock. */
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!rc)
		rc = pthread_cond_init(c, &attr);
	pthread_condattr_destroy(&attr);
	return rc ? status_of(rc) : 0;
}

void hh_cond_destroy(hh_cond *c)
{
	pthread_cond_destroy(c);
}

void hh_cond_wait(hh_cond *c, hh_mutex *m)
{
	pthread_cond_wait(c, m);
}

int hh_cond_timedwait_ns(hh_cond *c, hh_mutex *m, int64_t ns)
{
	struct timespec now, deadline;
	int64_t sec, nsec;
	int rc;

	if (ns <= 0)
		return HIVEHA_ETIMEOUT;
	clock_gettime(CLOCK_MONOTONIC, &now);
	sec = ns / 1000000000;
	nsec = (int64_t)now.tv_nsec + ns % 1000000000;
	if (nsec >= 1000000000) {
		nsec -= 1000000000;
		sec++;
	}
	/* A deadline centuries away is as good as forever; keep it within
	 * time_t instead of overflowing. */
	if (sec > INT32_MAX)
		sec = INT32_MAX;
	deadline.tv_sec = now.tv_sec + (time_t)sec;
	deadline.tv_nsec = (long)nsec;
	rc = pthread_cond_timedwait(c, m, &deadline);
	return rc == ETIMEDOUT ? HIVEHA_ETIMEOUT : 0;
}

void hh_cond_signal(hh_cond *c)
{
	pthread_cond_signal(c);
}

void hh_cond_broadcast(hh_cond *c)
{
	pthread_cond_broadcast(c);
}

struct thread_start {
	hh_thread_fn fn;
	void *arg;
};

static void *thread_main(void *p)
{
	struct thread_start start = *(struct thread_start *)p;

	free(p);
	start.fn(start.arg);
	return NULL;
}

int hh_thread_create(hh_thread *t, hh_thread_fn fn, void *arg)
{
	struct thread_start *start = malloc(sizeof(*start));
	int rc;

	if (!start)
		return HIVEHA_ENOMEM;
	start->fn = fn;
	start->arg = arg;
	rc = pthread_create(t, NULL, thread_main, start);
	if (rc) {
		free(start);
		return status_of(rc);
	}
	return 0;
}

void hh_thread_join(hh_thread t)
{
	pthread_join(t, NULL);
}

hiveha_time hh_time_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return HIVEHA_UNIX_EPOCH_TICKS + (int64_t)ts.tv_sec * HIVEHA_TICKS_PER_SECOND +
	       (int64_t)ts.tv_nsec / 100;
}

int64_t hh_time_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + (int64_t)ts.tv_nsec;
}
