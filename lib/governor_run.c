/*
 * governor_run.c - running a governor: the start-up that opens and persists
 * each deputy's gap, the covered-until heartbeat and clean-stop mark, the
 * blocking run, poll, the background thread, and stop - the lifecycle
 * state machine that governor.h documents.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "deputy_kind.h"
#include "governor_internal.h"
#include "deputy_report.h"
#include "deputy_state.h"
#include "gaps.h"
#include "store_access.h"

/* ---- start-up -------------------------------------------------------- */

static hiveha_time expert_start(const hiveha_governor *gov, int kind)
{
	return hh_deputy_kind_get(kind)->expert_start(&gov->cfg);
}

/* The part of `gap` this instance stored itself, by its persisted state
 * `old`: after history_start, before covered-until, neither pending nor
 * closed. A start re-reads it (the overlap) but must keep vouching for it:
 * the peer may have nothing else there (DESIGN §5 rule 1). */
static int held_part(const hh_syncstate *old, hh_range gap, hh_spans *out)
{
	hiveha_time from = gap.from > old->history_start ? gap.from : old->history_start;
	hiveha_time to = gap.to < old->covered_until ? gap.to : old->covered_until;
	if (!old->present || from >= to)
		return HIVEHA_OK;
	int rc = hh_spans_set(out, from, to, 0);
	for (size_t i = 0; i < old->pending.n && !rc; i++)
		rc = hh_spans_remove(out, old->pending.v[i].from, old->pending.v[i].to);
	for (size_t i = 0; i < old->closed.n && !rc; i++)
		rc = hh_spans_remove(out, old->closed.v[i].from, old->closed.v[i].to);
	return rc;
}

/* Opens the start-up gap in `next` (a copy of the persisted state). Only
 * the part that is not pending yet is added, as spans of its own: a gap
 * left by a killed run keeps its extent and so its checkpoint, and the
 * restart resumes it instead of refetching it whole. */
static int open_gap(hh_syncstate *next, hh_range gap, int enabled)
{
	hh_spans fresh, held;
	hh_spans_init(&fresh, next->alloc);
	hh_spans_init(&held, next->alloc);
	int rc = held_part(next, gap, &held);
	if (!rc)
		rc = hh_spans_set(&fresh, gap.from, gap.to, 0);
	for (size_t i = 0; i < next->pending.n && !rc; i++)
		rc = hh_spans_remove(&fresh, next->pending.v[i].from, next->pending.v[i].to);
	/* A disabled deputy never fills its gap: record what it did not store
	 * as closed so that this instance never vouches for time it did not
	 * collect. */
	for (size_t i = 0; !enabled && i < held.n && !rc; i++)
		rc = hh_spans_remove(&fresh, held.v[i].from, held.v[i].to);
	for (size_t i = 0; i < fresh.n && !rc; i++)
		rc = enabled ? hh_spans_set(&next->pending, fresh.v[i].from, fresh.v[i].to, 0) :
		               hh_spans_add(&next->closed, fresh.v[i].from, fresh.v[i].to);
	if (!rc && enabled)
		rc = hh_spans_remove(&next->closed, gap.from, gap.to);
	for (size_t i = 0; enabled && i < held.n && !rc; i++)
		rc = hh_spans_add(&next->held, held.v[i].from, held.v[i].to);
	if (!rc)
		rc = hh_syncstate_prune_held(next);
	if (!rc && gap.from < next->history_start)
		next->history_start = gap.from;
	hh_spans_free(&fresh);
	hh_spans_free(&held);
	return rc;
}

static void note_gap(hiveha_governor *gov, int k, hh_range gap)
{
	char a[HIVEHA_ISO8601_SIZE] = "?", b[HIVEHA_ISO8601_SIZE] = "?";
	hiveha_time_to_iso8601(a, sizeof(a), gap.from);
	hiveha_time_to_iso8601(b, sizeof(b), gap.to);
	hh_sync_log(&gov->sync, HIVEHA_LOG_INFO, "%s: gap [%s, %s) opened at start", hiveha_deputy_name(k), a, b);
}

/* Computes every deputy's new gap and persists it with covered-until =
 * start time, in one transaction, before any sync work: a crash from here
 * on finds the gap pending at the next start. */
static int startup(hiveha_governor *gov)
{
	if (gov->started)
		return HIVEHA_OK;
	gov->start_time = gov->cfg.start_time ? gov->cfg.start_time : gov->clock.now(gov->clock.ctx);
	hh_syncstate next[HH_DEPUTY_KINDS];
	int rc = HIVEHA_OK;
	for (int k = 0; k < HH_DEPUTY_KINDS; k++)
		hh_syncstate_init(&next[k], gov->alloc);
	for (int k = 0; k < HH_DEPUTY_KINDS && !rc; k++) {
		hh_deputy *d = &gov->dep[k];
		rc = hh_syncstate_copy(&next[k], &d->st);
		if (rc)
			break;
		hh_gap_config gc = { gov->cfg.overlap_ms, gov->cfg.lookback_ms, expert_start(gov, k) };
		hh_range gap;
		int has_gap = 0;
		hh_startup_gap(&d->st, &gc, gov->start_time, &gap, &has_gap);
		if (!d->st.present)
			next[k].history_start = gov->start_time;
		if (has_gap)
			rc = open_gap(&next[k], gap, d->enabled);
		next[k].present = 1;
		/* A clock that jumped back must not pull the mark back: the time
		 * up to it is stored, whatever the clock says now. */
		int behind = d->st.present && d->st.covered_until > gov->start_time;
		if (!behind)
			next[k].covered_until = gov->start_time;
		if (rc)
			continue;
		if (behind) {
			char a[HIVEHA_ISO8601_SIZE] = "?", b[HIVEHA_ISO8601_SIZE] = "?";
			hiveha_time_to_iso8601(a, sizeof(a), gov->start_time);
			hiveha_time_to_iso8601(b, sizeof(b), d->st.covered_until);
			hh_dep_note(d, HIVEHA_LOG_WARN,
			            "the start time %s is before covered-until %s: the clock went back; "
			            "covered-until is kept and the host may collect times it already holds",
			            a, b);
		}
		if (d->enabled && has_gap)
			note_gap(gov, k, gap);
		else if (d->enabled && !d->st.present)
			hh_dep_note(d, HIVEHA_LOG_INFO,
			            "no previous state: nothing to sync (configure a look-back to sync at first start)");
	}
	if (!rc) {
		/* every deputy's start-up state in one transaction, installed
		 * together with the started mark */
		rc = hh_state_commit_all(gov->dep, next, HH_DEPUTY_KINDS, &gov->started);
		char why[320];
		if (rc)
			hh_gov_set_err(gov, "writing the start-up sync state failed: %s",
			               hh_store_reason(&gov->store, rc, why, sizeof(why)));
	}
	if (!rc) {
		gov->next_heartbeat_ns = gov->clock.monotonic_ns(gov->clock.ctx) +
		                         gov->cfg.heartbeat_ms * 1000000;
	}
	for (int k = 0; k < HH_DEPUTY_KINDS; k++)
		hh_syncstate_free(&next[k]);
	return rc;
}

int hiveha_governor_set_stored_until(hiveha_governor *gov, hiveha_time t)
{
	if (!gov)
		return HIVEHA_EINVAL;
	hh_mutex_lock(&gov->lock);
	gov->stored_until = t;
	gov->stored_set = 1;
	hh_mutex_unlock(&gov->lock);
	return HIVEHA_OK;
}

/* What covered-until may claim: the clock's now, but never more than the
 * host said it has stored, once it has said anything. */
static hiveha_time mark_time(hiveha_governor *gov)
{
	hiveha_time now = gov->clock.now(gov->clock.ctx);
	hh_mutex_lock(&gov->lock);
	if (gov->stored_set && gov->stored_until < now)
		now = gov->stored_until;
	hh_mutex_unlock(&gov->lock);
	return now;
}

/* Writes covered-until = mark_time() for every deputy in one transaction;
 * covered-until never moves back. */
static int heartbeat(hiveha_governor *gov)
{
	hiveha_time now = mark_time(gov);
	hh_syncstate next[HH_DEPUTY_KINDS];
	int rc = HIVEHA_OK;
	for (int k = 0; k < HH_DEPUTY_KINDS; k++)
		hh_syncstate_init(&next[k], gov->alloc);
	for (int k = 0; k < HH_DEPUTY_KINDS && !rc; k++) {
		rc = hh_syncstate_copy(&next[k], &gov->dep[k].st);
		if (now > next[k].covered_until)
			next[k].covered_until = now;
	}
	if (!rc)
		rc = hh_state_commit_all(gov->dep, next, HH_DEPUTY_KINDS, NULL);
	if (rc) {
		char why[320];
		hh_sync_log(&gov->sync, HIVEHA_LOG_WARN, "writing the covered-until heartbeat failed: %s",
		           hh_store_reason(&gov->store, rc, why, sizeof(why)));
	}
	for (int k = 0; k < HH_DEPUTY_KINDS; k++)
		hh_syncstate_free(&next[k]);
	return rc;
}

static int all_rounds(hiveha_governor *gov)
{
	int first = HIVEHA_OK;
	for (int k = 0; k < HH_DEPUTY_KINDS; k++) {
		hh_deputy *d = &gov->dep[k];
		if (!d->enabled)
			continue;
		int rc = hh_dep_round(d);
		if (rc && !first)
			first = rc;
		if (rc == HIVEHA_ECANCELLED)
			break;
	}
	return first;
}

/* ---- lifecycle -------------------------------------------------------
 *
 * The state machine of governor.h, in gov->life under gov->lock:
 *
 *   IDLE --run/poll--> RUNNING --returns--> IDLE
 *   IDLE --start-----> BACKGROUND --stop--> STOPPING --> IDLE
 *   IDLE --stop------> STOPPING --> IDLE          (clean-stop mark only)
 *
 * Only the thread that entered RUNNING leaves it, and only the stop that
 * entered STOPPING leaves that: one owner for the join and one for the
 * clean-stop mark, which never runs beside sync work. A stop that finds
 * RUNNING, or that is called on a sync thread (from a callback, the
 * transport or the store), only requests: it sets gov->stop and calls the
 * clock's wake and the transport's cancel; the run's owner writes the mark
 * as it leaves. `stoppers` counts the stops inside those wake and cancel
 * calls, and nothing enters RUNNING or BACKGROUND while one is counted or
 * a STOPPING lasts: a wake that lands late cannot cancel a sleep of the
 * next run (W8), and a stop called before a run or start is ordered
 * before it.
 *
 * Every run begins on its sync thread by dropping what an earlier stop
 * left behind - the clock's latched wake and the transport's cancel -
 * before it can sleep or send. The stop flag, cleared at entry under the
 * lock, is what the sync work checks before every sleep and request, so a
 * stop requested after entry is never lost.
 */

/* The governor whose background thread the calling thread is, or NULL. */
static HH_THREAD_LOCAL const hiveha_governor *background_gov;

void hh_gov_set_err(hiveha_governor *gov, const char *fmt, ...)
{
	char *buf = background_gov == gov ? gov->bg_errmsg : gov->errmsg;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(gov->errmsg), fmt, ap); /* a long message is cut */
	va_end(ap);
}

/* Enters RUNNING or BACKGROUND from IDLE, after any stop in progress.
 * Lock held; a refusal is HIVEHA_ESTATE with *why set. */
static int enter_locked(hiveha_governor *gov, int to, int need_started, const char **why)
{
	while (gov->life == HH_LIFE_STOPPING || gov->stoppers)
		hh_cond_wait(&gov->life_cond, &gov->lock);
	if (gov->life == HH_LIFE_BACKGROUND) {
		*why = "the governor runs in the background; stop it first";
		return HIVEHA_ESTATE;
	}
	if (gov->life == HH_LIFE_RUNNING) {
		*why = "a run or poll is in progress on another thread";
		return HIVEHA_ESTATE;
	}
	if (need_started && !gov->started) {
		*why = "call hiveha_governor_run first";
		return HIVEHA_ESTATE;
	}
	gov->life = to;
	hh_atomic_store(&gov->stop, 0);
	return HIVEHA_OK;
}

/* On the sync thread, before anything can sleep or send. */
static const void *begin_sync(hiveha_governor *gov)
{
	const void *outer = hh_sync_mark_thread(gov);
	if (gov->clock.version >= 2 && gov->clock.reset)
		gov->clock.reset(gov->clock.ctx);
	else
		gov->clock.sleep(gov->clock.ctx, 0); /* consumes a latched wake (clock.h) */
	if (gov->transport.cancel && gov->transport.reset)
		gov->transport.reset(gov->transport.ctx);
	return outer;
}

/* Enters RUNNING on the caller's thread; refusals go to errmsg. *outer
 * gets the governor this thread did sync work for before (for leave). */
static int enter_running(hiveha_governor *gov, int need_started, const char *fn,
                         const void **outer)
{
	const char *why = NULL;
	hh_mutex_lock(&gov->lock);
	int rc = enter_locked(gov, HH_LIFE_RUNNING, need_started, &why);
	hh_mutex_unlock(&gov->lock);
	if (rc)
		hh_gov_set_err(gov, "%s: %s", fn, why);
	else
		*outer = begin_sync(gov);
	return rc;
}

/* The clean-stop mark: even a short run leaves covered-until. */
static int clean_stop_mark(hiveha_governor *gov)
{
	return gov->started ? heartbeat(gov) : HIVEHA_OK;
}

/* Leaves RUNNING; a stop requested during the run gets its mark first. */
static void leave_running(hiveha_governor *gov, const void *outer)
{
	int marked = 0, rc = HIVEHA_OK;
	hh_mutex_lock(&gov->lock);
	while (hh_atomic_load(&gov->stop) && !marked) {
		hh_mutex_unlock(&gov->lock);
		rc = clean_stop_mark(gov);
		marked = 1;
		hh_mutex_lock(&gov->lock);
	}
	if (marked)
		gov->stop_rc = rc;
	gov->life = HH_LIFE_IDLE;
	hh_cond_broadcast(&gov->life_cond);
	hh_mutex_unlock(&gov->lock);
	hh_sync_mark_thread(outer);
}

/* Interrupts a sleep or transfer in progress; gov->stop is already set. */
static void interrupt(hiveha_governor *gov)
{
	gov->clock.wake(gov->clock.ctx);
	if (gov->transport.cancel)
		gov->transport.cancel(gov->transport.ctx);
}

int hiveha_governor_run(hiveha_governor *gov)
{
	if (!gov)
		return HIVEHA_EINVAL;
	const void *outer = NULL;
	int rc = enter_running(gov, 0, "hiveha_governor_run", &outer);
	if (rc)
		return rc;
	gov->errmsg[0] = '\0';
	rc = startup(gov);
	if (!rc)
		rc = all_rounds(gov);
	if (rc == HIVEHA_ECANCELLED && !gov->errmsg[0])
		hh_gov_set_err(gov, "hiveha_governor_run: stopped");
	if (rc && !gov->errmsg[0]) {
		for (int k = 0; k < HH_DEPUTY_KINDS; k++)
			if (gov->dep[k].state == HIVEHA_DEPUTY_FINISHED_WITH_ERROR) {
				hh_gov_set_err(gov, "%s: %s", hiveha_deputy_name(k), gov->dep[k].sync_state);
				break;
			}
	}
	leave_running(gov, outer);
	return rc;
}

static int64_t ms_until(int64_t now_ns, int64_t due_ns)
{
	if (due_ns <= now_ns)
		return 0;
	return (due_ns - now_ns + 999999) / 1000000;
}

/* The background work that is due: heartbeat and retries. */
static int poll_once(hiveha_governor *gov, int64_t *next_ms)
{
	int rc = HIVEHA_OK;
	int64_t now = gov->clock.monotonic_ns(gov->clock.ctx);
	if (now >= gov->next_heartbeat_ns) {
		heartbeat(gov);
		gov->next_heartbeat_ns = now + gov->cfg.heartbeat_ms * 1000000;
	}
	for (int k = 0; k < HH_DEPUTY_KINDS && !hh_sync_stopping(&gov->sync); k++) {
		hh_deputy *d = &gov->dep[k];
		if (!d->enabled || !d->next_retry_ns)
			continue;
		now = gov->clock.monotonic_ns(gov->clock.ctx);
		if (now >= d->next_retry_ns) {
			int r = hh_dep_round(d);
			if (r && !rc)
				rc = r;
		}
	}
	now = gov->clock.monotonic_ns(gov->clock.ctx);
	int64_t next = ms_until(now, gov->next_heartbeat_ns);
	for (int k = 0; k < HH_DEPUTY_KINDS; k++) {
		const hh_deputy *d = &gov->dep[k];
		if (d->enabled && d->next_retry_ns) {
			int64_t m = ms_until(now, d->next_retry_ns);
			if (m < next)
				next = m;
		}
	}
	if (next_ms)
		*next_ms = next;
	return rc;
}

int hiveha_governor_poll(hiveha_governor *gov, int64_t *next_ms_out)
{
	if (!gov)
		return HIVEHA_EINVAL;
	const void *outer = NULL;
	int rc = enter_running(gov, 1, "hiveha_governor_poll", &outer);
	if (rc)
		return rc;
	rc = poll_once(gov, next_ms_out);
	leave_running(gov, outer);
	return rc;
}

static void background(void *arg)
{
	hiveha_governor *gov = arg;
	background_gov = gov;
	begin_sync(gov);
	/* A store that is briefly unavailable must not leave a governor that
	 * never heartbeats: retry the start-up with back-off until stopped. */
	int64_t backoff = gov->cfg.retry_initial_ms;
	while (startup(gov) != HIVEHA_OK) {
		hh_sync_log(&gov->sync, HIVEHA_LOG_ERROR, "start-up failed: %s; retrying in %lld ms", gov->bg_errmsg,
		           (long long)backoff);
		if (hh_sync_sleep_ms(&gov->sync, backoff))
			return;
		backoff = backoff * 2 > gov->cfg.retry_max_ms ? gov->cfg.retry_max_ms : backoff * 2;
	}
	all_rounds(gov);
	while (!hh_sync_stopping(&gov->sync)) {
		int64_t next_ms = 0;
		poll_once(gov, &next_ms);
		if (next_ms < 1)
			next_ms = 1;
		if (hh_sync_sleep_ms(&gov->sync, next_ms))
			break;
	}
}

int hiveha_governor_start(hiveha_governor *gov)
{
	if (!gov)
		return HIVEHA_EINVAL;
	const char *why = NULL;
	hh_mutex_lock(&gov->lock);
	int rc = enter_locked(gov, HH_LIFE_BACKGROUND, 0, &why);
	if (!rc) {
		/* Created under the lock: a stop sees BACKGROUND only with a
		 * thread to join. */
		rc = hh_thread_create(&gov->thread, background, gov);
		if (rc) {
			gov->life = HH_LIFE_IDLE;
			hh_cond_broadcast(&gov->life_cond);
			why = "cannot create the background thread";
		}
	}
	hh_mutex_unlock(&gov->lock);
	if (rc)
		hh_gov_set_err(gov, "hiveha_governor_start: %s", why);
	return rc;
}

int hiveha_governor_stop(hiveha_governor *gov)
{
	if (!gov)
		return HIVEHA_EINVAL;
	hh_mutex_lock(&gov->lock);
	if (hh_sync_on_thread(gov) || gov->life == HH_LIFE_RUNNING) {
		/* Request only: waiting here could wait for ourselves. */
		hh_atomic_store(&gov->stop, 1);
		gov->stoppers++;
		hh_mutex_unlock(&gov->lock);
		interrupt(gov);
		hh_mutex_lock(&gov->lock);
		gov->stoppers--;
		hh_cond_broadcast(&gov->life_cond);
		hh_mutex_unlock(&gov->lock);
		return HIVEHA_OK;
	}
	if (gov->life == HH_LIFE_STOPPING) {
		/* Another stop owns it: its outcome is ours. */
		while (gov->life == HH_LIFE_STOPPING)
			hh_cond_wait(&gov->life_cond, &gov->lock);
		int rc = gov->stop_rc;
		hh_mutex_unlock(&gov->lock);
		return rc;
	}
	/* IDLE or BACKGROUND: this stop owns the join and the mark. */
	int joined = gov->life == HH_LIFE_BACKGROUND;
	gov->life = HH_LIFE_STOPPING;
	hh_atomic_store(&gov->stop, 1);
	hh_mutex_unlock(&gov->lock);
	if (joined) {
		interrupt(gov);
		hh_thread_join(gov->thread);
	}
	/* a callback of the mark that stops only requests */
	const void *outer = hh_sync_mark_thread(gov);
	int rc = clean_stop_mark(gov);
	hh_sync_mark_thread(outer);
	char why[320] = "";
	if (rc) /* asks the store: not under the lock */
		hh_store_reason(&gov->store, rc, why, sizeof(why));
	hh_mutex_lock(&gov->lock);
	if (rc)
		hh_gov_set_err(gov, "hiveha_governor_stop: writing covered-until failed: %s", why);
	gov->stop_rc = rc;
	gov->life = HH_LIFE_IDLE;
	hh_cond_broadcast(&gov->life_cond);
	hh_mutex_unlock(&gov->lock);
	return rc;
}
