/*
 * governor.c - lifecycle of a governor: creation from config and
 * interfaces, the blocking run, poll, the background thread, stop, and
 * snapshots. The sync work itself lives in deputy*.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "governor_internal.h"

#define DEFAULT_INSTANCE "hiveha"
#define DEFAULT_BATCH_ITEMS 1000u
#define DEFAULT_CHUNK_SAMPLES 65536u
#define DEFAULT_CHUNK_EVENTS 10000u
#define DEFAULT_MAX_REPLY (64u << 20)
#define DEFAULT_HEARTBEAT_MS 10000
#define DEFAULT_CONNECT_MS 10000
#define DEFAULT_REQUEST_MS 60000
#define DEFAULT_RETRY_INITIAL_MS 1000
#define DEFAULT_RETRY_MAX_MS 60000
#define DEFAULT_MAX_ATTEMPTS 3u

static void set_err(hiveha_governor *gov, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void set_err(hiveha_governor *gov, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(gov->errmsg, sizeof(gov->errmsg), fmt, ap);
	va_end(ap);
}

void hh_gov_log(hiveha_governor *gov, int level, const char *fmt, ...)
{
	if (!gov->cfg.on_log)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	gov->cfg.on_log(level, line, gov->cfg.payload);
}

int hh_gov_stopping(hiveha_governor *gov)
{
	return atomic_load(&gov->stop);
}

int hh_gov_sleep_ms(hiveha_governor *gov, int64_t ms)
{
	if (hh_gov_stopping(gov))
		return HIVEHA_ECANCELLED;
	int rc = gov->clock.sleep(gov->clock.ctx, ms * 1000000);
	if (rc || hh_gov_stopping(gov))
		return HIVEHA_ECANCELLED;
	return HIVEHA_OK;
}

static void apply_defaults(hiveha_governor_config *c)
{
	if (!c->deputies)
		c->deputies = HIVEHA_DEPUTIES_ALL;
	if (!c->batch_items)
		c->batch_items = DEFAULT_BATCH_ITEMS;
	if (!c->chunk_samples)
		c->chunk_samples = DEFAULT_CHUNK_SAMPLES;
	if (!c->chunk_events)
		c->chunk_events = DEFAULT_CHUNK_EVENTS;
	if (!c->max_reply_bytes)
		c->max_reply_bytes = DEFAULT_MAX_REPLY;
	if (!c->heartbeat_ms)
		c->heartbeat_ms = DEFAULT_HEARTBEAT_MS;
	if (!c->connect_timeout_ms)
		c->connect_timeout_ms = DEFAULT_CONNECT_MS;
	if (!c->request_timeout_ms)
		c->request_timeout_ms = DEFAULT_REQUEST_MS;
	if (!c->retry_initial_ms)
		c->retry_initial_ms = DEFAULT_RETRY_INITIAL_MS;
	if (!c->retry_max_ms)
		c->retry_max_ms = DEFAULT_RETRY_MAX_MS;
	if (!c->max_attempts)
		c->max_attempts = DEFAULT_MAX_ATTEMPTS;
}

static void report(const hiveha_governor_config *cfg, const char *msg)
{
	if (cfg && cfg->on_log)
		cfg->on_log(HIVEHA_LOG_ERROR, msg, cfg->payload);
}

/* Copies an interface struct. Only version 1 exists, so its size is the
 * struct's; when a version 2 appends members, this must copy by the size of
 * the version the host declared, never reading past an older host's struct. */
#define COPY_IFACE(dst, src) memcpy((dst), (src), sizeof(*(dst)))

static int validate(const hiveha_governor_config *cfg, const hiveha_store *store,
                    const hiveha_transport *transport, const hiveha_clock *clock, char *msg,
                    size_t msglen)
{
	if (!cfg || !store || !transport) {
		snprintf(msg, msglen, "hiveha_governor_new: config, store and transport are required");
		return HIVEHA_EINVAL;
	}
	if (cfg->version == 0 || cfg->version > HIVEHA_GOVERNOR_CONFIG_VERSION) {
		snprintf(msg, msglen,
		         "hiveha_governor_config: version %u is not supported (this library knows 1..%d)",
		         cfg->version, HIVEHA_GOVERNOR_CONFIG_VERSION);
		return HIVEHA_EVERSION;
	}
	unsigned int deputies = cfg->deputies ? cfg->deputies : HIVEHA_DEPUTIES_ALL;
	if (deputies & ~(unsigned)HIVEHA_DEPUTIES_ALL) {
		snprintf(msg, msglen, "hiveha_governor_config: unknown deputy bits 0x%x",
		         deputies & ~(unsigned)HIVEHA_DEPUTIES_ALL);
		return HIVEHA_EINVAL;
	}
	if (cfg->overlap_ms < 0 || cfg->lookback_ms < 0 || cfg->heartbeat_ms < 0 ||
	    cfg->connect_timeout_ms < 0 || cfg->request_timeout_ms < 0 || cfg->retry_initial_ms < 0 ||
	    cfg->retry_max_ms < 0) {
		snprintf(msg, msglen, "hiveha_governor_config: durations must not be negative");
		return HIVEHA_EINVAL;
	}
	if (cfg->allocator && (!cfg->allocator->malloc || !cfg->allocator->realloc ||
	                       !cfg->allocator->free)) {
		snprintf(msg, msglen, "hiveha_governor_config: an allocator needs malloc, realloc and free");
		return HIVEHA_EINVAL;
	}
	int rc = hiveha_store_check(store, deputies, msg, msglen);
	if (!rc)
		rc = hiveha_transport_check(transport, msg, msglen);
	if (!rc && clock)
		rc = hiveha_clock_check(clock, msg, msglen);
	return rc;
}

static void free_strings(hiveha_governor *gov)
{
	hh_free(gov->alloc, gov->instance_id);
	hh_free(gov->alloc, gov->peer);
	hh_free(gov->alloc, gov->token);
}

int hiveha_governor_new(hiveha_governor **out, const hiveha_governor_config *cfg,
                        const hiveha_store *store, const hiveha_transport *transport,
                        const hiveha_clock *clock)
{
	char msg[512] = "";
	if (!out) {
		report(cfg, "hiveha_governor_new: out is NULL");
		return HIVEHA_EINVAL;
	}
	*out = NULL;
	int rc = validate(cfg, store, transport, clock, msg, sizeof(msg));
	if (rc) {
		report(cfg, msg);
		return rc;
	}
	const hiveha_allocator *alloc = cfg->allocator;
	hiveha_governor *gov = hh_calloc(alloc, 1, sizeof(*gov));
	if (!gov) {
		report(cfg, "hiveha_governor_new: out of memory");
		return HIVEHA_ENOMEM;
	}
	if (alloc) {
		gov->alloc_copy = *alloc;
		gov->alloc = &gov->alloc_copy;
	}
	gov->cfg = *cfg;
	apply_defaults(&gov->cfg);
	gov->instance_id = hh_strdup(gov->alloc, cfg->instance_id ? cfg->instance_id : DEFAULT_INSTANCE);
	gov->peer = hh_strdup(gov->alloc, cfg->peer ? cfg->peer : "");
	gov->token = cfg->token ? hh_strdup(gov->alloc, cfg->token) : NULL;
	if (!gov->instance_id || !gov->peer || (cfg->token && !gov->token)) {
		free_strings(gov);
		hh_free(gov->alloc, gov);
		report(cfg, "hiveha_governor_new: out of memory");
		return HIVEHA_ENOMEM;
	}
	gov->cfg.instance_id = gov->instance_id;
	gov->cfg.peer = gov->peer;
	gov->cfg.token = gov->token;
	gov->cfg.allocator = gov->alloc;

	COPY_IFACE(&gov->store, store);
	COPY_IFACE(&gov->transport, transport);
	if (clock) {
		COPY_IFACE(&gov->clock, clock);
	} else if ((rc = hiveha_clock_system(&gov->clock)) != 0) {
		free_strings(gov);
		hh_free(gov->alloc, gov);
		report(cfg, "hiveha_governor_new: cannot create the system clock");
		return rc;
	}
	if ((rc = hh_mutex_init(&gov->lock)) != 0) {
		if (!clock && gov->clock.destroy)
			gov->clock.destroy(gov->clock.ctx);
		free_strings(gov);
		hh_free(gov->alloc, gov);
		report(cfg, "hiveha_governor_new: cannot create a mutex");
		return rc;
	}
	atomic_init(&gov->stop, 0);
	atomic_init(&gov->in_run, 0);
	hh_limits_default(&gov->limits);
	gov->limits.max_message_bytes = gov->cfg.max_reply_bytes;

	/* Load each deputy's persisted state now, so that a responder attached
	 * to this governor vouches correctly even before start. */
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++) {
		hh_deputy *d = &gov->dep[k];
		d->kind = k;
		d->enabled = (gov->cfg.deputies & HIVEHA_DEPUTY_MASK(k)) != 0;
		d->state = HIVEHA_DEPUTY_IDLE;
		d->progress.kind = k;
		d->backoff_ms = gov->cfg.retry_initial_ms;
		hh_syncstate_init(&d->st, gov->alloc);
		if (!rc)
			rc = hh_syncstate_load(&d->st, &gov->store, k, msg, sizeof(msg));
	}
	if (rc) {
		char full[600];
		snprintf(full, sizeof(full), "hiveha_governor_new: %s", msg);
		report(cfg, full);
		for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++)
			hh_syncstate_free(&gov->dep[k].st);
		hh_mutex_destroy(&gov->lock);
		if (!clock && gov->clock.destroy)
			gov->clock.destroy(gov->clock.ctx);
		free_strings(gov);
		hh_free(gov->alloc, gov);
		return rc;
	}
	*out = gov;
	return HIVEHA_OK;
}

void hiveha_governor_free(hiveha_governor *gov)
{
	if (!gov)
		return;
	hiveha_governor_stop(gov);
	if (gov->conn)
		gov->transport.close(gov->transport.ctx, gov->conn);
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++)
		hh_syncstate_free(&gov->dep[k].st);
	hh_mutex_destroy(&gov->lock);
	if (gov->transport.destroy)
		gov->transport.destroy(gov->transport.ctx);
	if (gov->store.destroy)
		gov->store.destroy(gov->store.ctx);
	if (gov->clock.destroy)
		gov->clock.destroy(gov->clock.ctx);
	free_strings(gov);
	const hiveha_allocator *alloc = gov->alloc;
	hiveha_allocator copy;
	if (alloc) {
		copy = *alloc;
		alloc = &copy;
	}
	hh_free(alloc, gov);
}

/* ---- start-up -------------------------------------------------------- */

static hiveha_time expert_start(const hiveha_governor *gov, int kind)
{
	return kind == HIVEHA_DEPUTY_TREND ? gov->cfg.trend_expert_start : gov->cfg.events_expert_start;
}

/* Computes every deputy's new gap and persists it with covered-until =
 * start time, in one transaction, before any sync work: a crash from here
 * on finds the gap pending at the next start. */
static int startup(hiveha_governor *gov)
{
	if (gov->started)
		return HIVEHA_OK;
	gov->start_time = gov->cfg.start_time ? gov->cfg.start_time : gov->clock.now(gov->clock.ctx);
	hh_syncstate next[HIVEHA_DEPUTY_KIND_COUNT];
	int rc = HIVEHA_OK;
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++)
		hh_syncstate_init(&next[k], gov->alloc);
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT && !rc; k++) {
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
		if (has_gap) {
			/* A disabled deputy never fills its gap: record it as closed so
			 * that this instance never vouches for time it did not collect. */
			rc = d->enabled ? hh_spans_add(&next[k].pending, gap.from, gap.to) :
			                  hh_spans_add(&next[k].closed, gap.from, gap.to);
			if (!rc && d->enabled)
				rc = hh_spans_remove(&next[k].closed, gap.from, gap.to);
			if (!rc && gap.from < next[k].history_start)
				next[k].history_start = gap.from;
			/* A merged gap is different work: the checkpoint would lie. */
			if (next[k].ck.active && !rc) {
				int still = 0;
				for (size_t i = 0; i < next[k].pending.n; i++)
					if (next[k].pending.v[i].from == next[k].ck.gap_from &&
					    next[k].pending.v[i].to == next[k].ck.gap_to)
						still = 1;
				if (!still)
					hh_checkpoint_clear(&next[k]);
			}
		}
		next[k].present = 1;
		next[k].covered_until = gov->start_time;
		if (!rc && d->enabled) {
			char a[HIVEHA_ISO8601_SIZE] = "?", b[HIVEHA_ISO8601_SIZE] = "?";
			if (has_gap) {
				hiveha_time_to_iso8601(a, sizeof(a), gap.from);
				hiveha_time_to_iso8601(b, sizeof(b), gap.to);
				hh_gov_log(gov, HIVEHA_LOG_INFO, "%s: gap [%s, %s) opened at start",
				           hiveha_deputy_name(k), a, b);
			} else if (!d->st.present) {
				hh_dep_note(gov, d, HIVEHA_LOG_INFO,
				            "no previous state: nothing to sync (configure a look-back to sync at first start)");
			}
		}
	}
	if (!rc) {
		hiveha_store_txn *txn = NULL;
		rc = gov->store.begin(gov->store.ctx, &txn);
		for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT && !rc; k++)
			rc = hh_syncstate_save(&next[k], &gov->store, txn, k);
		if (txn) {
			if (!rc)
				rc = gov->store.commit(gov->store.ctx, txn);
			else
				gov->store.rollback(gov->store.ctx, txn);
		}
		if (rc)
			set_err(gov, "writing the start-up sync state failed: %s", hiveha_strerror(rc));
	}
	if (!rc) {
		hh_mutex_lock(&gov->lock);
		for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++) {
			hh_syncstate t = gov->dep[k].st;
			gov->dep[k].st = next[k];
			next[k] = t;
		}
		gov->started = 1;
		hh_mutex_unlock(&gov->lock);
		gov->next_heartbeat_ns = gov->clock.monotonic_ns(gov->clock.ctx) +
		                         gov->cfg.heartbeat_ms * 1000000;
	}
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++)
		hh_syncstate_free(&next[k]);
	return rc;
}

/* Writes covered-until = now for every deputy in one transaction. */
static int heartbeat(hiveha_governor *gov)
{
	hiveha_time now = gov->clock.now(gov->clock.ctx);
	hh_syncstate next[HIVEHA_DEPUTY_KIND_COUNT];
	int rc = HIVEHA_OK;
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++)
		hh_syncstate_init(&next[k], gov->alloc);
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT && !rc; k++) {
		rc = hh_syncstate_copy(&next[k], &gov->dep[k].st);
		if (now > next[k].covered_until)
			next[k].covered_until = now;
	}
	hiveha_store_txn *txn = NULL;
	if (!rc)
		rc = gov->store.begin(gov->store.ctx, &txn);
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT && !rc; k++)
		rc = hh_syncstate_save(&next[k], &gov->store, txn, k);
	if (txn) {
		if (!rc)
			rc = gov->store.commit(gov->store.ctx, txn);
		else
			gov->store.rollback(gov->store.ctx, txn);
	}
	if (!rc) {
		hh_mutex_lock(&gov->lock);
		for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++)
			gov->dep[k].st.covered_until = next[k].covered_until;
		hh_mutex_unlock(&gov->lock);
	} else {
		hh_gov_log(gov, HIVEHA_LOG_WARN, "writing the covered-until heartbeat failed: %s",
		           hiveha_strerror(rc));
	}
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++)
		hh_syncstate_free(&next[k]);
	return rc;
}

static int all_rounds(hiveha_governor *gov)
{
	int first = HIVEHA_OK;
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++) {
		hh_deputy *d = &gov->dep[k];
		if (!d->enabled)
			continue;
		int rc = hh_dep_round(gov, d);
		if (rc && !first)
			first = rc;
		if (rc == HIVEHA_ECANCELLED)
			break;
	}
	return first;
}

static void reset_transport(hiveha_governor *gov)
{
	if (gov->transport.cancel && gov->transport.reset)
		gov->transport.reset(gov->transport.ctx);
}

int hiveha_governor_run(hiveha_governor *gov)
{
	if (!gov)
		return HIVEHA_EINVAL;
	if (gov->thread_running) {
		set_err(gov, "hiveha_governor_run: the governor runs in the background; stop it first");
		return HIVEHA_ESTATE;
	}
	atomic_store(&gov->stop, 0);
	reset_transport(gov);
	gov->errmsg[0] = '\0';
	atomic_store(&gov->in_run, 1);
	int rc = startup(gov);
	if (!rc)
		rc = all_rounds(gov);
	atomic_store(&gov->in_run, 0);
	if (rc == HIVEHA_ECANCELLED && !gov->errmsg[0])
		set_err(gov, "hiveha_governor_run: stopped");
	if (rc && !gov->errmsg[0]) {
		for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++)
			if (gov->dep[k].state == HIVEHA_DEPUTY_FINISHED_WITH_ERROR) {
				set_err(gov, "%s: %s", hiveha_deputy_name(k), gov->dep[k].sync_state);
				break;
			}
	}
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
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT && !hh_gov_stopping(gov); k++) {
		hh_deputy *d = &gov->dep[k];
		if (!d->enabled || !d->next_retry_ns)
			continue;
		now = gov->clock.monotonic_ns(gov->clock.ctx);
		if (now >= d->next_retry_ns) {
			int r = hh_dep_round(gov, d);
			if (r && !rc)
				rc = r;
		}
	}
	now = gov->clock.monotonic_ns(gov->clock.ctx);
	int64_t next = ms_until(now, gov->next_heartbeat_ns);
	for (int k = 0; k < HIVEHA_DEPUTY_KIND_COUNT; k++) {
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
	if (gov->thread_running) {
		set_err(gov, "hiveha_governor_poll: the governor runs in the background");
		return HIVEHA_ESTATE;
	}
	if (!gov->started) {
		set_err(gov, "hiveha_governor_poll: call hiveha_governor_run first");
		return HIVEHA_ESTATE;
	}
	atomic_store(&gov->stop, 0);
	return poll_once(gov, next_ms_out);
}

static void background(void *arg)
{
	hiveha_governor *gov = arg;
	/* A store that is briefly unavailable must not leave a governor that
	 * never heartbeats: retry the start-up with back-off until stopped. */
	int64_t backoff = gov->cfg.retry_initial_ms;
	while (startup(gov) != HIVEHA_OK) {
		hh_gov_log(gov, HIVEHA_LOG_ERROR, "start-up failed: %s; retrying in %lld ms", gov->errmsg,
		           (long long)backoff);
		if (hh_gov_sleep_ms(gov, backoff))
			return;
		backoff = backoff * 2 > gov->cfg.retry_max_ms ? gov->cfg.retry_max_ms : backoff * 2;
	}
	all_rounds(gov);
	while (!hh_gov_stopping(gov)) {
		int64_t next_ms = 0;
		poll_once(gov, &next_ms);
		if (next_ms < 1)
			next_ms = 1;
		if (hh_gov_sleep_ms(gov, next_ms))
			break;
	}
}

int hiveha_governor_start(hiveha_governor *gov)
{
	if (!gov)
		return HIVEHA_EINVAL;
	if (gov->thread_running) {
		set_err(gov, "hiveha_governor_start: already started");
		return HIVEHA_ESTATE;
	}
	atomic_store(&gov->stop, 0);
	reset_transport(gov);
	int rc = hh_thread_create(&gov->thread, background, gov);
	if (rc) {
		set_err(gov, "hiveha_governor_start: cannot create the background thread");
		return rc;
	}
	gov->thread_running = 1;
	return HIVEHA_OK;
}

int hiveha_governor_stop(hiveha_governor *gov)
{
	if (!gov)
		return HIVEHA_EINVAL;
	atomic_store(&gov->stop, 1);
	gov->clock.wake(gov->clock.ctx);
	if (gov->transport.cancel)
		gov->transport.cancel(gov->transport.ctx);
	if (gov->thread_running) {
		hh_thread_join(gov->thread);
		gov->thread_running = 0;
	}
	/* The clean-stop mark: even a short run leaves covered-until. When
	 * run() is executing on another thread it is the writer; the mark is
	 * written by the stop (or free) that follows its return. */
	int rc = HIVEHA_OK;
	if (gov->started && !atomic_load(&gov->in_run)) {
		rc = heartbeat(gov);
		if (rc)
			set_err(gov, "hiveha_governor_stop: writing covered-until failed: %s",
			        hiveha_strerror(rc));
	}
	return rc;
}

int hiveha_governor_snapshot(hiveha_governor *gov, int kind, hiveha_deputy_snapshot *out)
{
	if (!gov || !out || kind < 0 || kind >= HIVEHA_DEPUTY_KIND_COUNT)
		return HIVEHA_EINVAL;
	memset(out, 0, sizeof(*out));
	hh_mutex_lock(&gov->lock);
	const hh_deputy *d = &gov->dep[kind];
	out->kind = kind;
	out->enabled = d->enabled;
	out->state = d->state;
	out->last_up_to_date = d->st.last_up_to_date;
	out->covered_until = d->st.covered_until;
	out->pending_gaps = d->st.pending.n;
	out->progress = d->progress;
	snprintf(out->sync_state, sizeof(out->sync_state), "%s", d->sync_state);
	hh_mutex_unlock(&gov->lock);
	return HIVEHA_OK;
}

const char *hiveha_governor_errmsg(hiveha_governor *gov)
{
	return gov ? gov->errmsg : "";
}
