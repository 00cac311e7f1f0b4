/*
 * deputy_report.c - a deputy's state items, notes, progress and request
 * bookkeeping: everything the host hears from the sync work.
 */
#include "deputy_report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "deputy_info.h"
#include "peer.h"

static void publish(hh_deputy *d, const char *item, const hiveha_value *v)
{
	const hiveha_governor_config *cfg = d->sync->cfg;
	if (!cfg->on_state)
		return;
	char name[64];
	(void)snprintf(name, sizeof(name), "%s_%s", hiveha_deputy_name(d->kind), item);
	cfg->on_state(name, v, cfg->payload);
}

void hh_dep_set_state(hh_deputy *d, int state)
{
	hh_mutex_lock(d->sync->lock);
	int changed = d->state != state;
	d->state = state;
	hh_mutex_unlock(d->sync->lock);
	if (!changed)
		return;
	hiveha_value v;
	memset(&v, 0, sizeof(v));
	hiveha_value_set_int64(&v, state);
	publish(d, "DeputyState", &v);
	hh_sync_log(d->sync, HIVEHA_LOG_DEBUG, "%s_DeputyState = %d (%s)", hiveha_deputy_name(d->kind),
	            state, hiveha_deputy_state_name(state));
}

static void publish_sync_state(hh_deputy *d)
{
	hiveha_value v;
	memset(&v, 0, sizeof(v));
	v.type = HIVEHA_TYPE_STRING;
	v.as.str.ptr = d->sync_state; /* borrowed for the duration of the callback */
	v.as.str.len = strlen(d->sync_state);
	publish(d, "SyncState", &v);
}

void hh_dep_note(hh_deputy *d, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap); /* SyncState is bounded anyway */
	va_end(ap);
	hh_mutex_lock(d->sync->lock);
	hh_notes_add(&d->notes, line);
	hh_notes_render(&d->notes, d->sync_state, sizeof(d->sync_state));
	hh_mutex_unlock(d->sync->lock);
	hh_sync_log(d->sync, level, "%s: %s", hiveha_deputy_name(d->kind), line);
	publish_sync_state(d);
}

void hh_dep_progress(hh_deputy *d)
{
	const hiveha_governor_config *cfg = d->sync->cfg;
	if (!cfg->on_progress)
		return;
	hiveha_progress p;
	hh_mutex_lock(d->sync->lock);
	p = d->progress;
	hh_mutex_unlock(d->sync->lock);
	cfg->on_progress(&p, cfg->payload);
}

void hh_dep_publish_up_to_date(hh_deputy *d, hiveha_time t)
{
	hiveha_value v;
	memset(&v, 0, sizeof(v));
	hiveha_value_set_time(&v, t);
	publish(d, "LastUpToDate", &v);
}

void hh_dep_request_begin(hh_deputy *d)
{
	hh_dep_set_state(d, HIVEHA_DEPUTY_SENDING_SYNC_REQUEST);
	hh_dep_set_state(d, HIVEHA_DEPUTY_WAITING_FOR_REPLY);
}

int hh_dep_request_end(hh_deputy *d, const char *kind, int rc)
{
	hh_mutex_lock(d->sync->lock);
	d->progress.requests++;
	hh_mutex_unlock(d->sync->lock);
	d->requests_round++;
	if (rc) {
		hh_peer_close(d->sync->peer);
		hh_errbuf why;
		hh_peer_failure(d->sync, kind, rc, &why);
		if (why.msg[0])
			hh_dep_note(d, HIVEHA_LOG_ERROR, "%s", why.msg);
	}
	return rc;
}

int hh_dep_exchange(hh_deputy *d, const char *kind, const hh_buf *body, hh_buf *reply)
{
	if (hh_sync_stopping(d->sync))
		return HIVEHA_ECANCELLED;
	hh_dep_request_begin(d);
	return hh_dep_request_end(d, kind, hh_peer_exchange(d->sync->peer, d->sync, kind, body, reply));
}

/* ---- the pager's observer ---- */

static void obs_sending(void *ctx)
{
	hh_dep_request_begin(ctx);
}

static int obs_replied(void *ctx, const char *kind, int rc)
{
	return hh_dep_request_end(ctx, kind, rc);
}

static void obs_rejected(void *ctx, const char *kind, const char *why)
{
	hh_dep_note(ctx, HIVEHA_LOG_ERROR, "%s reply rejected: %s", kind, why);
}

static void obs_applied(void *ctx)
{
	hh_dep_progress(ctx);
}

hh_fetch_observer hh_dep_observer(hh_deputy *d)
{
	hh_fetch_observer o = {
		.sending = obs_sending,
		.replied = obs_replied,
		.rejected = obs_rejected,
		.applied = obs_applied,
		.ctx = d,
	};
	return o;
}
