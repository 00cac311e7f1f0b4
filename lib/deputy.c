/*
 * deputy.c - the round driver both deputies share: attempts, back-off,
 * the connection and hello before each gap, the clock-skew rule, and
 * finished_ok / finished_with_error. What differs between kinds is read
 * from their rows (deputy_kind.h); what is published goes through
 * deputy_report.h, every state change through deputy_state.h.
 */
#include <string.h>

#include "deputy_kind.h"
#include "deputy_report.h"
#include "deputy_state.h"
#include "peer.h"
#include "store_access.h"

/* Upper bound of gap pieces handled in one round; a peer whose coverage
 * keeps changing cannot keep a round alive forever. */
#define HH_MAX_FILLS_PER_ROUND 256

/* ---- the link -------------------------------------------------------- */

/*
 * DESIGN §5 rule 1: replacing local samples trusts the peer's timestamps
 * as far as the overlap absorbs a skew. Beyond it the peer's samples of a
 * range are of other moments - or, with its clock behind, not taken yet -
 * so no range is replaced: the gaps stay pending and the round fails, to
 * be retried (with a fresh hello, hence a fresh measure) after back-off.
 * Events are only ever inserted, never deleted: their deputy goes on.
 */
static int check_skew(hh_deputy *d)
{
	hh_peer *peer = d->sync->peer;
	if (hh_deputy_kind_get(d->kind)->write != HH_KIND_REPLACES_SAMPLES ||
	    !hh_peer_skew_too_large(peer, d->sync))
		return HIVEHA_OK;
	hh_dep_note(d, HIVEHA_LOG_ERROR,
	            "clock skew to the peer is %lld ms, more than the overlap of %lld ms: no sample "
	            "replaced, the gap stays pending (synchronise the clocks or raise overlap_ms)",
	            (long long)hh_peer_skew_ms(peer), (long long)d->sync->cfg->overlap_ms);
	hh_peer_close(peer);
	return HIVEHA_ERANGE;
}

/* Connects and says hello, unless a connection is open already. */
static int ensure_conn(hh_deputy *d)
{
	hh_sync *s = d->sync;
	hh_peer *peer = s->peer;
	hh_dep_set_state(d, HIVEHA_DEPUTY_WAITING_FOR_CONNECTION);
	if (peer->conn)
		return HIVEHA_OK;
	hh_errbuf err = { "" };
	int rc = hh_peer_connect(peer, s, &err);
	if (rc) {
		if (err.msg[0])
			hh_dep_note(d, HIVEHA_LOG_ERROR, "%s", err.msg);
		return rc;
	}
	hh_buf body, reply;
	hh_buf_init(&body, s->alloc);
	hh_buf_init(&reply, s->alloc);
	hiveha_time sent = 0;
	rc = hh_peer_hello_request(peer, s, &body, &sent);
	if (!rc)
		rc = hh_dep_exchange(d, HIVEHA_MSG_HELLO, &body, &reply);
	if (!rc) {
		rc = hh_peer_hello_reply(peer, s, sent, &reply, &err);
		if (rc)
			hh_dep_note(d, HIVEHA_LOG_ERROR, "%s", err.msg);
	}
	if (!rc && hh_peer_skew_too_large(peer, s))
		hh_dep_note(d, HIVEHA_LOG_WARN,
		            "clock skew to the peer is %lld ms, more than the overlap of %lld ms",
		            (long long)hh_peer_skew_ms(peer), (long long)s->cfg->overlap_ms);
	hh_buf_free(&body);
	hh_buf_free(&reply);
	if (rc)
		hh_peer_close(peer);
	return rc;
}

/* ---- the round -------------------------------------------------------- */

static int retryable(int rc)
{
	/* a clock skew (ERANGE) does not mend in seconds: the background retry
	 * measures it again */
	return rc != HIVEHA_EAUTH && rc != HIVEHA_ECANCELLED && rc != HIVEHA_EVERSION &&
	       rc != HIVEHA_EINVAL && rc != HIVEHA_ENOMEM && rc != HIVEHA_ERANGE;
}

static int find_exact(const hh_spans *s, hh_range r)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].from == r.from && s->v[i].to == r.to)
			return (int)i;
	return -1;
}

/* Fills every gap that was pending when the round began (each once), and
 * the fresh pieces that splitting them produces. */
static int fill_all(hh_deputy *d)
{
	hh_sync *s = d->sync;
	hh_spans todo;
	hh_spans_init(&todo, s->alloc);
	int rc = hh_spans_copy(&todo, &d->st.pending);
	/* the gap with a checkpoint first: resume where the last run stopped */
	if (!rc && d->st.ck.active) {
		for (size_t i = 1; i < todo.n; i++) {
			if (hh_checkpoint_belongs(&d->st.ck, todo.v[i].from, todo.v[i].to)) {
				hh_span t = todo.v[i];
				memmove(&todo.v[1], &todo.v[0], i * sizeof(t));
				todo.v[0] = t;
			}
		}
	}
	int fills = 0;
	while (!rc && todo.n > 0) {
		hh_range gap = { todo.v[0].from, todo.v[0].to };
		memmove(&todo.v[0], &todo.v[1], (todo.n - 1) * sizeof(todo.v[0]));
		todo.n--;
		if (find_exact(&d->st.pending, gap) < 0)
			continue;
		if (++fills > HH_MAX_FILLS_PER_ROUND) {
			hh_dep_note(d, HIVEHA_LOG_ERROR, "the peer's coverage keeps changing; giving up this round");
			rc = HIVEHA_EPROTOCOL;
			break;
		}
		rc = ensure_conn(d);
		if (!rc)
			rc = check_skew(d);
		if (rc)
			break;
		hh_mutex_lock(s->lock);
		d->progress.window_from = gap.from;
		d->progress.window_to = gap.to;
		d->progress.position = gap.from;
		hh_mutex_unlock(s->lock);
		rc = hh_deputy_kind_get(d->kind)->fill(d, gap);
		if (rc == HH_FILL_RESPLIT) {
			rc = HIVEHA_OK;
			/* queue the pieces of the gap the peer vouched for */
			for (size_t i = 0; i < d->st.pending.n && !rc; i++) {
				const hh_span *sp = &d->st.pending.v[i];
				if (sp->from >= gap.from && sp->to <= gap.to && !(sp->flags & HH_SPAN_PEER_LACKS))
					rc = hh_spans_set(&todo, sp->from, sp->to, 0);
			}
		}
	}
	hh_spans_free(&todo);
	return rc;
}

static int64_t backoff_ms(const hh_sync *s, unsigned attempt)
{
	int64_t ms = s->cfg->retry_initial_ms;
	for (unsigned i = 1; i < attempt && ms < s->cfg->retry_max_ms; i++)
		ms *= 2;
	return ms > s->cfg->retry_max_ms ? s->cfg->retry_max_ms : ms;
}

/* next_retry_ns is written under the lock: a responder reads it to tell
 * its peer whether this deputy will fill its gaps (coverage.c). */
static void set_next_retry(hh_deputy *d, int64_t ns)
{
	hh_sync *s = d->sync;
	hh_mutex_lock(s->lock);
	d->next_retry_ns = ns;
	hh_mutex_unlock(s->lock);
}

static void schedule_retry(hh_deputy *d)
{
	hh_sync *s = d->sync;
	set_next_retry(d, s->clock->monotonic_ns(s->clock->ctx) + d->backoff_ms * 1000000);
	d->backoff_ms *= 2;
	if (d->backoff_ms > s->cfg->retry_max_ms)
		d->backoff_ms = s->cfg->retry_max_ms;
}

static int finish_ok(hh_deputy *d)
{
	hh_sync *s = d->sync;
	hh_state_edit e;
	int rc = hh_state_edit_begin(&e, d);
	if (rc)
		return rc;
	hiveha_time now = s->clock->now(s->clock->ctx);
	e.next.last_up_to_date = now;
	rc = hh_state_edit_end(&e, HIVEHA_OK);
	if (rc)
		return rc;
	hh_dep_set_state(d, HIVEHA_DEPUTY_FINISHED_OK);
	hh_dep_publish_up_to_date(d, now);
	return HIVEHA_OK;
}

int hh_dep_round(hh_deputy *d)
{
	hh_sync *s = d->sync;
	/* SyncState describes the latest round (start-up notes stay in the first) */
	hh_mutex_lock(s->lock);
	if (d->progress.requests || d->state != HIVEHA_DEPUTY_IDLE) {
		d->sync_state[0] = '\0';
		hh_notes_clear(&d->notes);
	}
	d->progress.samples_done = d->progress.events_done = 0;
	d->progress.items_done = 0;
	hh_mutex_unlock(s->lock);
	d->unknown_items = 0;
	d->unknown_names[0] = '\0';
	d->samples_round = d->events_round = d->requests_round = 0;
	set_next_retry(d, 0);
	hh_dep_set_state(d, HIVEHA_DEPUTY_STARTED);

	int rc = HIVEHA_OK;
	unsigned attempts = s->cfg->max_attempts;
	for (unsigned attempt = 1; attempt <= attempts; attempt++) {
		rc = fill_all(d);
		if (!rc || !retryable(rc) || hh_sync_stopping(s))
			break;
		hh_peer_close(s->peer);
		if (attempt < attempts) {
			int64_t ms = backoff_ms(s, attempt);
			hh_dep_note(d, HIVEHA_LOG_WARN, "attempt %u of %u failed (%s); retrying in %lld ms",
			            attempt, attempts, hiveha_strerror(rc), (long long)ms);
			if (hh_sync_sleep_ms(s, ms)) {
				rc = HIVEHA_ECANCELLED;
				break;
			}
		}
	}
	if (hh_sync_stopping(s) && rc)
		rc = HIVEHA_ECANCELLED;

	if (d->unknown_items)
		hh_dep_note(d, HIVEHA_LOG_WARN, "%llu item(s) unknown to the peer, left untouched: %s",
		            (unsigned long long)d->unknown_items, d->unknown_names);
	if (!rc) {
		if (d->requests_round)
			hh_deputy_kind_get(d->kind)->note_filled(d);
		rc = finish_ok(d);
	}
	if (!rc) {
		if (d->st.pending.n) {
			hh_dep_note(d, HIVEHA_LOG_INFO, "%zu range(s) still pending; retry scheduled",
			            d->st.pending.n);
			schedule_retry(d);
		} else {
			d->backoff_ms = s->cfg->retry_initial_ms;
		}
		return HIVEHA_OK;
	}
	char why[320];
	if (rc == HIVEHA_ECANCELLED)
		hh_dep_note(d, HIVEHA_LOG_WARN, "interrupted by stop; the gap stays pending");
	else if (rc == HIVEHA_ESTORE)
		hh_dep_note(d, HIVEHA_LOG_ERROR, "sync failed: %s; the gap stays pending",
		            hh_store_reason(s->store, rc, why, sizeof(why)));
	else
		hh_dep_note(d, HIVEHA_LOG_ERROR, "sync failed: %s; the gap stays pending",
		            hiveha_strerror(rc));
	hh_dep_set_state(d, HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
	if (rc != HIVEHA_ECANCELLED) {
		schedule_retry(d);
	} else {
		/* A stop is no failure: the next poll resumes at once, without
		 * back-off (0 would mean "nothing scheduled"). */
		int64_t now = s->clock->monotonic_ns(s->clock->ctx);
		d->next_retry_ns = now > 0 ? now : 1;
	}
	return rc;
}
