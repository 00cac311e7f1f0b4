/*
 * deputy.c - what both deputies share: publishing state items, the round
 * driver (attempts, back-off, finished_ok / finished_with_error), the
 * connection and hello, one request/reply exchange, and splitting a gap
 * when the peer does not vouch for all of it (DESIGN §5 rule 4).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "deputy_kind.h"
#include "governor_internal.h"
#include "store_txn.h"

/* Upper bound of gap pieces handled in one round; a peer whose coverage
 * keeps changing cannot keep a round alive forever. */
#define HH_MAX_FILLS_PER_ROUND 256

/* The table of deputy kinds, indexed by hiveha_deputy_kind (deputy_kind.h).
 * It lives here, not in a file of its own: the rows' fills still call back
 * into this file, so a separate table file would add edges to that cycle
 * (tests/layers/allowed_cycles.txt). A kind appended to the enum without a
 * row fails to compile on the assertion below. */
static const hh_deputy_kind *const kinds[] = {
	[HIVEHA_DEPUTY_TREND] = &hh_kind_trend,
	[HIVEHA_DEPUTY_EVENTS] = &hh_kind_events,
};

_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == HH_DEPUTY_KINDS,
               "one row per deputy kind (HH_DEPUTY_KINDS)");

const hh_deputy_kind *hh_deputy_kind_get(int kind)
{
	if (kind < 0 || kind >= HH_DEPUTY_KINDS)
		return NULL;
	return kinds[kind];
}

static void publish(hiveha_governor *gov, hh_deputy *d, const char *item, const hiveha_value *v)
{
	if (!gov->cfg.on_state)
		return;
	char name[64];
	snprintf(name, sizeof(name), "%s_%s", hiveha_deputy_name(d->kind), item);
	gov->cfg.on_state(name, v, gov->cfg.payload);
}

void hh_dep_set_state(hiveha_governor *gov, hh_deputy *d, int state)
{
	hh_mutex_lock(&gov->lock);
	int changed = d->state != state;
	d->state = state;
	hh_mutex_unlock(&gov->lock);
	if (!changed)
		return;
	hiveha_value v;
	memset(&v, 0, sizeof(v));
	hiveha_value_set_int64(&v, state);
	publish(gov, d, "DeputyState", &v);
	hh_gov_log(gov, HIVEHA_LOG_DEBUG, "%s_DeputyState = %d (%s)", hiveha_deputy_name(d->kind), state,
	           hiveha_deputy_state_name(state));
}

static void publish_sync_state(hiveha_governor *gov, hh_deputy *d)
{
	hiveha_value v;
	memset(&v, 0, sizeof(v));
	v.type = HIVEHA_TYPE_STRING;
	v.as.str.ptr = d->sync_state; /* borrowed for the duration of the callback */
	v.as.str.len = strlen(d->sync_state);
	publish(gov, d, "SyncState", &v);
}

void hh_dep_note(hiveha_governor *gov, hh_deputy *d, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	hh_mutex_lock(&gov->lock);
	hh_notes_add(&d->notes, line);
	hh_notes_render(&d->notes, d->sync_state, sizeof(d->sync_state));
	hh_mutex_unlock(&gov->lock);
	hh_gov_log(gov, level, "%s: %s", hiveha_deputy_name(d->kind), line);
	publish_sync_state(gov, d);
}

void hh_dep_progress(hiveha_governor *gov, hh_deputy *d)
{
	if (!gov->cfg.on_progress)
		return;
	hiveha_progress p;
	hh_mutex_lock(&gov->lock);
	p = d->progress;
	hh_mutex_unlock(&gov->lock);
	gov->cfg.on_progress(&p, gov->cfg.payload);
}

static void fmt_range(char *buf, size_t size, hiveha_time from, hiveha_time to)
{
	char a[HIVEHA_ISO8601_SIZE], b[HIVEHA_ISO8601_SIZE];
	if (hiveha_time_to_iso8601(a, sizeof(a), from))
		snprintf(a, sizeof(a), "%lld", (long long)from);
	if (hiveha_time_to_iso8601(b, sizeof(b), to))
		snprintf(b, sizeof(b), "%lld", (long long)to);
	snprintf(buf, size, "[%s, %s)", a, b);
}

int hh_dep_commit_state(hiveha_governor *gov, hh_deputy *d, hiveha_store_txn *txn,
                        const hh_syncstate *next)
{
	int rc = hh_syncstate_save(next, &gov->store, txn, d->kind);
	if (rc) {
		gov->store.rollback(gov->store.ctx, txn);
		return rc;
	}
	rc = gov->store.commit(gov->store.ctx, txn);
	if (rc)
		return rc;
	hh_syncstate copy;
	hh_syncstate_init(&copy, gov->alloc);
	int crc = hh_syncstate_copy(&copy, next);
	if (crc) {
		/* The store has the new state; memory could not hold it. Stop the
		 * round rather than carry on from a stale picture. */
		hh_syncstate_free(&copy);
		return crc;
	}
	hh_mutex_lock(&gov->lock);
	hh_syncstate old = d->st;
	d->st = copy;
	hh_mutex_unlock(&gov->lock);
	hh_syncstate_free(&old);
	return HIVEHA_OK;
}

/* A kv-only transaction that replaces the deputy state with `next`. */
static int save_state(hiveha_governor *gov, hh_deputy *d, const hh_syncstate *next)
{
	hiveha_store_txn *txn = NULL;
	int rc = hh_store_begin(&gov->store, &txn);
	if (rc)
		return rc;
	return hh_dep_commit_state(gov, d, txn, next);
}

/* Closes [from, to) as nobody's, except what this instance stored itself
 * there: that is no longer pending either (the peer has nothing to add)
 * but stays vouched for, so the peer can still fill it from here. `why`
 * ends the warning for the closed parts. */
static int close_unheld(hiveha_governor *gov, hh_deputy *d, hh_syncstate *next, hiveha_time from,
                        hiveha_time to, const char *why)
{
	hh_spans lost;
	hh_spans_init(&lost, gov->alloc);
	int rc = hh_spans_set(&lost, from, to, 0);
	for (size_t i = 0; i < next->held.n && !rc; i++) {
		const hh_span *h = &next->held.v[i];
		if (h->to <= from || h->from >= to)
			continue;
		rc = hh_spans_remove(&lost, h->from, h->to);
		char r[100];
		fmt_range(r, sizeof(r), h->from > from ? h->from : from, h->to < to ? h->to : to);
		hh_dep_note(gov, d, HIVEHA_LOG_INFO,
		            "%s done: the peer lacks it and this instance stored it itself", r);
	}
	for (size_t i = 0; i < lost.n && !rc; i++) {
		rc = hh_spans_add(&next->closed, lost.v[i].from, lost.v[i].to);
		char r[100];
		fmt_range(r, sizeof(r), lost.v[i].from, lost.v[i].to);
		hh_dep_note(gov, d, HIVEHA_LOG_WARN, "%s closed: %s", r, why);
	}
	hh_spans_free(&lost);
	return rc;
}

/* Rounds of the gap `gap` (an exact pending span) the peer answered "still
 * filling" for so far. */
static int filling_rounds(const hh_deputy *d, hh_range gap)
{
	for (size_t i = 0; i < d->st.pending.n; i++)
		if (d->st.pending.v[i].from == gap.from && d->st.pending.v[i].to == gap.to)
			return HH_SPAN_ROUNDS(d->st.pending.v[i].flags);
	return 0;
}

int hh_dep_resplit(hiveha_governor *gov, hh_deputy *d, hh_range gap, const hh_gap *gaps, size_t n)
{
	hh_syncstate next;
	hh_syncstate_init(&next, gov->alloc);
	int rounds = filling_rounds(d, gap) + 1;
	int rc = hh_syncstate_copy(&next, &d->st);
	/* what the peer vouches for becomes fresh work */
	if (!rc)
		rc = hh_spans_set(&next.pending, gap.from, gap.to, 0);
	for (size_t i = 0; i < n && !rc; i++) {
		hiveha_time from = gaps[i].from < gap.from ? gap.from : gaps[i].from;
		hiveha_time to = gaps[i].to > gap.to ? gap.to : gaps[i].to;
		if (from >= to)
			continue;
		char r[100];
		fmt_range(r, sizeof(r), from, to);
		if (gaps[i].filling && rounds <= HH_MAX_FILLING_ROUNDS) {
			rc = hh_spans_set(&next.pending, from, to,
			                  HH_SPAN_WITH_ROUNDS(HH_SPAN_PEER_LACKS, rounds));
			hh_dep_note(gov, d, HIVEHA_LOG_INFO,
			            "%s stays pending: the peer is still filling it or has not stored it "
			            "yet (round %d of at most %d), retry later",
			            r, rounds, HH_MAX_FILLING_ROUNDS);
		} else {
			char why[128];
			if (gaps[i].filling)
				snprintf(why, sizeof(why),
				         "the peer still says it is filling it after %d rounds; local data "
				         "there is kept", HH_MAX_FILLING_ROUNDS);
			else
				snprintf(why, sizeof(why), "neither instance has this history (both were down)");
			rc = hh_spans_remove(&next.pending, from, to);
			if (!rc)
				rc = close_unheld(gov, d, &next, from, to, why);
		}
	}
	if (next.ck.active && next.ck.gap_from == gap.from && next.ck.gap_to == gap.to)
		hh_checkpoint_clear(&next);
	if (!rc)
		rc = save_state(gov, d, &next);
	hh_syncstate_free(&next);
	return rc;
}

/* ---- the exchange ----------------------------------------------------- */

struct reply_sink {
	hh_buf *buf;
	size_t limit;
};

static int on_reply(const void *data, size_t len, void *payload)
{
	struct reply_sink *s = payload;
	if (len > s->limit - s->buf->len)
		return HIVEHA_ELIMIT;
	return hh_buf_append(s->buf, data, len);
}

static void drop_conn(hiveha_governor *gov)
{
	if (gov->conn) {
		gov->transport.close(gov->transport.ctx, gov->conn);
		gov->conn = NULL;
	}
}

void hh_dep_request_begin(hiveha_governor *gov, hh_deputy *d)
{
	hh_dep_set_state(gov, d, HIVEHA_DEPUTY_SENDING_SYNC_REQUEST);
	hh_dep_set_state(gov, d, HIVEHA_DEPUTY_WAITING_FOR_REPLY);
}

int hh_dep_exchange_raw(hiveha_governor *gov, const char *kind, const hh_buf *body, hh_buf *reply)
{
	if (hh_gov_stopping(gov))
		return HIVEHA_ECANCELLED;
	hiveha_request req = { .version = HIVEHA_REQUEST_VERSION, .kind = kind, .token = gov->token,
	                       .body = body->data, .body_len = body->len };
	struct reply_sink sink = { reply, gov->cfg.max_reply_bytes };
	reply->len = 0;
	return gov->transport.exchange(gov->transport.ctx, gov->conn, &req, on_reply, &sink,
	                               gov->cfg.request_timeout_ms);
}

int hh_dep_request_end(hiveha_governor *gov, hh_deputy *d, const char *kind, int rc)
{
	hh_mutex_lock(&gov->lock);
	d->progress.requests++;
	hh_mutex_unlock(&gov->lock);
	d->requests_round++;
	if (rc) {
		drop_conn(gov);
		if (rc == HIVEHA_ELIMIT)
			hh_dep_note(gov, d, HIVEHA_LOG_ERROR, "%s reply larger than %u bytes", kind,
			            gov->cfg.max_reply_bytes);
		else if (rc == HIVEHA_EAUTH)
			hh_dep_note(gov, d, HIVEHA_LOG_ERROR,
			            "the peer refused our token (check that both instances share it)");
		else if (rc != HIVEHA_ECANCELLED)
			hh_dep_note(gov, d, HIVEHA_LOG_ERROR, "%s request failed: %s", kind,
			            hiveha_strerror(rc));
	}
	return rc;
}

int hh_dep_exchange(hiveha_governor *gov, hh_deputy *d, const char *kind, const hh_buf *body,
                    hh_buf *reply)
{
	if (hh_gov_stopping(gov))
		return HIVEHA_ECANCELLED;
	hh_dep_request_begin(gov, d);
	return hh_dep_request_end(gov, d, kind, hh_dep_exchange_raw(gov, kind, body, reply));
}

/*
 * The skew a hello proves: the peer read its clock somewhere between our
 * `sent` and `received`, so only its distance outside that interval is
 * certain - the round trip is not held against the peer (two instances on
 * one clock measure 0, whatever the network). Unsigned arithmetic: a
 * hostile clock must not overflow.
 */
static hiveha_time certain_skew(hiveha_time sent, hiveha_time received, hiveha_time peer)
{
	uint64_t skew = 0;
	if (peer > received)
		skew = (uint64_t)peer - (uint64_t)received;
	else if (peer < sent)
		skew = (uint64_t)sent - (uint64_t)peer;
	return skew > (uint64_t)HIVEHA_TIME_MAX ? HIVEHA_TIME_MAX : (hiveha_time)skew;
}

/* The skew measured at the last hello exceeds what the overlap absorbs. */
static int skew_too_large(const hiveha_governor *gov)
{
	return gov->peer_skew / HIVEHA_TICKS_PER_MS > gov->cfg.overlap_ms;
}

/*
 * DESIGN §5 rule 1: replacing local samples trusts the peer's timestamps
 * as far as the overlap absorbs a skew. Beyond it the peer's samples of a
 * range are of other moments - or, with its clock behind, not taken yet -
 * so no range is replaced: the gaps stay pending and the round fails, to
 * be retried (with a fresh hello, hence a fresh measure) after back-off.
 * Events are only ever inserted, never deleted: their deputy goes on.
 */
static int check_skew(hiveha_governor *gov, hh_deputy *d)
{
	if (hh_deputy_kind_get(d->kind)->write != HH_KIND_REPLACES_SAMPLES || !skew_too_large(gov))
		return HIVEHA_OK;
	hh_dep_note(gov, d, HIVEHA_LOG_ERROR,
	            "clock skew to the peer is %lld ms, more than the overlap of %lld ms: no sample "
	            "replaced, the gap stays pending (synchronise the clocks or raise overlap_ms)",
	            (long long)(gov->peer_skew / HIVEHA_TICKS_PER_MS), (long long)gov->cfg.overlap_ms);
	drop_conn(gov);
	return HIVEHA_ERANGE;
}

/* Connects and says hello, unless a connection is open already. */
static int ensure_conn(hiveha_governor *gov, hh_deputy *d)
{
	hh_dep_set_state(gov, d, HIVEHA_DEPUTY_WAITING_FOR_CONNECTION);
	if (gov->conn)
		return HIVEHA_OK;
	if (!gov->peer[0]) {
		hh_dep_note(gov, d, HIVEHA_LOG_ERROR, "no peer configured: cannot fill the gap");
		return HIVEHA_EINVAL;
	}
	if (hh_gov_stopping(gov))
		return HIVEHA_ECANCELLED;
	int rc = gov->transport.connect(gov->transport.ctx, gov->peer, gov->cfg.connect_timeout_ms,
	                                &gov->conn);
	if (rc) {
		gov->conn = NULL;
		if (rc != HIVEHA_ECANCELLED)
			hh_dep_note(gov, d, HIVEHA_LOG_ERROR, "cannot connect to %s: %s", gov->peer,
			            hiveha_strerror(rc));
		return rc;
	}
	/* what we accept in replies; the peer's reply says what it accepts in
	 * requests, and every request is sized to that (docs/sync.md "Limits") */
	hiveha_time sent = gov->clock.now(gov->clock.ctx);
	hh_hello hello = { HH_PROTOCOL_VERSION, gov->instance_id, sent,
		           HH_CAPS,
		           { 0, (uint32_t)gov->limits.max_items, gov->cfg.max_reply_bytes,
		             (uint32_t)gov->limits.max_string_bytes } };
	hh_buf body, reply;
	hh_buf_init(&body, gov->alloc);
	hh_buf_init(&reply, gov->alloc);
	rc = hh_encode_hello(&body, &hello);
	if (!rc)
		rc = hh_dep_exchange(gov, d, HIVEHA_MSG_HELLO, &body, &reply);
	hh_hello peer;
	memset(&peer, 0, sizeof(peer));
	if (!rc) {
		hh_errbuf err = { "" };
		rc = hh_decode_hello(&peer, reply.data, reply.len, &gov->limits, &err);
		if (rc)
			hh_dep_note(gov, d, HIVEHA_LOG_ERROR, "bad hello reply from the peer: %s", err.msg);
	}
	if (!rc && peer.protocol != HH_PROTOCOL_VERSION) {
		hh_dep_note(gov, d, HIVEHA_LOG_ERROR, "the peer speaks protocol %u, we speak %d",
		            peer.protocol, HH_PROTOCOL_VERSION);
		rc = HIVEHA_EVERSION;
	}
	if (!rc) {
		gov->peer_caps = peer.caps;
		gov->peer_limits = peer.limits;
		gov->peer_skew = certain_skew(sent, gov->clock.now(gov->clock.ctx), peer.clock);
		if (skew_too_large(gov))
			hh_dep_note(gov, d, HIVEHA_LOG_WARN,
			            "clock skew to the peer is %lld ms, more than the overlap of %lld ms",
			            (long long)(gov->peer_skew / HIVEHA_TICKS_PER_MS),
			            (long long)gov->cfg.overlap_ms);
	}
	hh_hello_free(&peer);
	hh_buf_free(&body);
	hh_buf_free(&reply);
	if (rc)
		drop_conn(gov);
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
static int fill_all(hiveha_governor *gov, hh_deputy *d)
{
	hh_spans todo;
	hh_spans_init(&todo, gov->alloc);
	int rc = hh_spans_copy(&todo, &d->st.pending);
	/* the gap with a checkpoint first: resume where the last run stopped */
	if (!rc && d->st.ck.active) {
		for (size_t i = 1; i < todo.n; i++) {
			if (todo.v[i].from == d->st.ck.gap_from && todo.v[i].to == d->st.ck.gap_to) {
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
			hh_dep_note(gov, d, HIVEHA_LOG_ERROR, "the peer's coverage keeps changing; giving up this round");
			rc = HIVEHA_EPROTOCOL;
			break;
		}
		rc = ensure_conn(gov, d);
		if (!rc)
			rc = check_skew(gov, d);
		if (rc)
			break;
		hh_mutex_lock(&gov->lock);
		d->progress.window_from = gap.from;
		d->progress.window_to = gap.to;
		d->progress.position = gap.from;
		hh_mutex_unlock(&gov->lock);
		rc = hh_deputy_kind_get(d->kind)->fill(gov, d, gap);
		if (rc == HH_FILL_RESPLIT) {
			rc = HIVEHA_OK;
			/* queue the pieces of the gap the peer vouched for */
			for (size_t i = 0; i < d->st.pending.n && !rc; i++) {
				const hh_span *s = &d->st.pending.v[i];
				if (s->from >= gap.from && s->to <= gap.to && !(s->flags & HH_SPAN_PEER_LACKS))
					rc = hh_spans_set(&todo, s->from, s->to, 0);
			}
		}
	}
	hh_spans_free(&todo);
	return rc;
}

static int64_t backoff_ms(const hiveha_governor *gov, unsigned attempt)
{
	int64_t ms = gov->cfg.retry_initial_ms;
	for (unsigned i = 1; i < attempt && ms < gov->cfg.retry_max_ms; i++)
		ms *= 2;
	return ms > gov->cfg.retry_max_ms ? gov->cfg.retry_max_ms : ms;
}

/* next_retry_ns is written under the lock: a responder reads it to tell
 * its peer whether this deputy will fill its gaps (coverage.c). */
static void set_next_retry(hiveha_governor *gov, hh_deputy *d, int64_t ns)
{
	hh_mutex_lock(&gov->lock);
	d->next_retry_ns = ns;
	hh_mutex_unlock(&gov->lock);
}

static void schedule_retry(hiveha_governor *gov, hh_deputy *d)
{
	set_next_retry(gov, d, gov->clock.monotonic_ns(gov->clock.ctx) + d->backoff_ms * 1000000);
	d->backoff_ms *= 2;
	if (d->backoff_ms > gov->cfg.retry_max_ms)
		d->backoff_ms = gov->cfg.retry_max_ms;
}

static int finish_ok(hiveha_governor *gov, hh_deputy *d)
{
	hh_syncstate next;
	hh_syncstate_init(&next, gov->alloc);
	int rc = hh_syncstate_copy(&next, &d->st);
	hiveha_time now = gov->clock.now(gov->clock.ctx);
	next.last_up_to_date = now;
	if (!rc)
		rc = save_state(gov, d, &next);
	hh_syncstate_free(&next);
	if (rc)
		return rc;
	hiveha_value v;
	memset(&v, 0, sizeof(v));
	hiveha_value_set_time(&v, now);
	hh_dep_set_state(gov, d, HIVEHA_DEPUTY_FINISHED_OK);
	publish(gov, d, "LastUpToDate", &v);
	return HIVEHA_OK;
}

int hh_dep_round(hiveha_governor *gov, hh_deputy *d)
{
	/* SyncState describes the latest round (start-up notes stay in the first) */
	hh_mutex_lock(&gov->lock);
	if (d->progress.requests || d->state != HIVEHA_DEPUTY_IDLE) {
		d->sync_state[0] = '\0';
		hh_notes_clear(&d->notes);
	}
	d->progress.samples_done = d->progress.events_done = 0;
	d->progress.items_done = 0;
	hh_mutex_unlock(&gov->lock);
	d->unknown_items = 0;
	d->unknown_names[0] = '\0';
	d->samples_round = d->events_round = d->requests_round = 0;
	set_next_retry(gov, d, 0);
	hh_dep_set_state(gov, d, HIVEHA_DEPUTY_STARTED);

	int rc = HIVEHA_OK;
	unsigned attempts = gov->cfg.max_attempts;
	for (unsigned attempt = 1; attempt <= attempts; attempt++) {
		rc = fill_all(gov, d);
		if (!rc || !retryable(rc) || hh_gov_stopping(gov))
			break;
		drop_conn(gov);
		if (attempt < attempts) {
			int64_t ms = backoff_ms(gov, attempt);
			hh_dep_note(gov, d, HIVEHA_LOG_WARN, "attempt %u of %u failed (%s); retrying in %lld ms",
			            attempt, attempts, hiveha_strerror(rc), (long long)ms);
			if (hh_gov_sleep_ms(gov, ms)) {
				rc = HIVEHA_ECANCELLED;
				break;
			}
		}
	}
	if (hh_gov_stopping(gov) && rc)
		rc = HIVEHA_ECANCELLED;

	if (d->unknown_items)
		hh_dep_note(gov, d, HIVEHA_LOG_WARN, "%llu item(s) unknown to the peer, left untouched: %s",
		            (unsigned long long)d->unknown_items, d->unknown_names);
	if (!rc) {
		if (d->requests_round)
			hh_deputy_kind_get(d->kind)->note_filled(gov, d);
		rc = finish_ok(gov, d);
	}
	if (!rc) {
		if (d->st.pending.n) {
			hh_dep_note(gov, d, HIVEHA_LOG_INFO, "%zu range(s) still pending; retry scheduled",
			            d->st.pending.n);
			schedule_retry(gov, d);
		} else {
			d->backoff_ms = gov->cfg.retry_initial_ms;
		}
		return HIVEHA_OK;
	}
	char why[320];
	if (rc == HIVEHA_ECANCELLED)
		hh_dep_note(gov, d, HIVEHA_LOG_WARN, "interrupted by stop; the gap stays pending");
	else if (rc == HIVEHA_ESTORE)
		hh_dep_note(gov, d, HIVEHA_LOG_ERROR, "sync failed: %s; the gap stays pending",
		            hh_store_reason(&gov->store, rc, why, sizeof(why)));
	else
		hh_dep_note(gov, d, HIVEHA_LOG_ERROR, "sync failed: %s; the gap stays pending",
		            hiveha_strerror(rc));
	hh_dep_set_state(gov, d, HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
	if (rc != HIVEHA_ECANCELLED) {
		schedule_retry(gov, d);
	} else {
		/* A stop is no failure: the next poll resumes at once, without
		 * back-off (0 would mean "nothing scheduled"). */
		int64_t now = gov->clock.monotonic_ns(gov->clock.ctx);
		d->next_retry_ns = now > 0 ? now : 1;
	}
	return rc;
}
