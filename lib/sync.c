/*
 * sync.c - logging, stop flag, sleeps and thread marks of the sync work.
 */
#include "sync.h"

#include <stdarg.h>
#include <stdio.h>

void hh_sync_log(const hh_sync *s, int level, const char *fmt, ...)
{
	if (!s->cfg->on_log)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap); /* a long line is cut, not lost */
	va_end(ap);
	s->cfg->on_log(level, line, s->cfg->payload);
}

int hh_sync_stopping(const hh_sync *s)
{
	return hh_atomic_load(s->stop);
}

int hh_sync_sleep_ms(const hh_sync *s, int64_t ms)
{
	if (hh_sync_stopping(s))
		return HIVEHA_ECANCELLED;
	int rc = s->clock->sleep(s->clock->ctx, ms * 1000000);
	if (rc || hh_sync_stopping(s))
		return HIVEHA_ECANCELLED;
	return HIVEHA_OK;
}

/* The governor whose sync work the calling thread does, or NULL. */
static HH_THREAD_LOCAL const void *sync_owner;

const void *hh_sync_mark_thread(const void *owner)
{
	const void *outer = sync_owner;
	sync_owner = owner;
	return outer;
}

int hh_sync_on_thread(const void *owner)
{
	return owner && sync_owner == owner;
}
