#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syncstate.h"

#ifdef HH_ENGINE_SQLITE
#include <hiveha/sqlite.h>

#include "proxystore.h"
#include "scratchdir.h"

const char *const h_backend = "sqlite";

/* Store files live in one directory per test process, removed with the
 * last store. Criterion runs every test in a process of its own. */
static char tmpdir[128];
static unsigned live_stores;
static unsigned store_seq;

typedef struct db_file {
	char path[256];
} db_file;

static void db_removed(void *arg)
{
	db_file *f = arg;
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal", "-lock", "-lock-journal" };
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		char p[300];
		snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		unlink(p);
	}
	free(f);
	if (--live_stores == 0) {
		rmdir(tmpdir);
		tmpdir[0] = '\0';
	}
}

void h_store_new(hiveha_store *out)
{
	if (!tmpdir[0]) {
		cr_assert_eq(scratchdir_make(tmpdir, sizeof(tmpdir), "engine"), 0,
		             "cannot create a temporary directory");
	}
	db_file *f = calloc(1, sizeof(*f));
	cr_assert_not_null(f);
	snprintf(f->path, sizeof(f->path), "%s/store%u.db", tmpdir, ++store_seq);
	char err[256] = "";
	hiveha_sqlite_options o = HIVEHA_SQLITE_OPTIONS_INIT;
	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	o.synchronous = HIVEHA_SQLITE_SYNC_OFF; /* throw-away files; durability is not under test */
	hiveha_store inner;
	cr_assert_eq(hiveha_sqlite_open(&inner, f->path, &o), 0, "%s: %s", f->path, err);
	cr_assert(hiveha_sqlite_is_sqlite(&inner));
	cr_assert_eq(proxystore_new(out, &inner), 0);
	live_stores++;
	proxystore_on_destroyed(out, db_removed, f);
}

void h_store_ref(const hiveha_store *s)
{
	proxystore_ref(s);
}

void h_store_free(hiveha_store *s)
{
	proxystore_free(s);
}

#define INNER(s) proxystore_inner(s)

void h_add_item(const hiveha_store *s, const char *item)
{
	cr_assert_eq(hiveha_sqlite_ensure_item(INNER(s), item), 0);
}

void h_append(const hiveha_store *s, const char *item, const hiveha_sample *v, size_t n)
{
	cr_assert_eq(hiveha_sqlite_append_samples(INNER(s), item, v, n), 0);
}

void h_add_events(const hiveha_store *s, const hiveha_event *e, size_t n)
{
	cr_assert_eq(hiveha_sqlite_add_events(INNER(s), e, n, NULL), 0);
}

void h_put_kv(const hiveha_store *s, const char *key, const void *data, size_t len)
{
	const hiveha_store *in = INNER(s);
	hiveha_store_txn *txn = NULL;
	cr_assert_eq(in->begin(in->ctx, &txn), 0);
	cr_assert_eq(in->kv_put(in->ctx, txn, key, data, len), 0);
	cr_assert_eq(in->commit(in->ctx, txn), 0);
}

void h_fail_nth(const hiveha_store *s, unsigned mask, uint64_t n, int err)
{
	proxystore_fail_nth(s, mask, n, err);
}

void h_fail_from(const hiveha_store *s, unsigned mask, uint64_t n, int err)
{
	proxystore_fail_from(s, mask, n, err);
}

void h_faults_off(const hiveha_store *s)
{
	proxystore_faults_off(s);
}

void h_crash(const hiveha_store *s)
{
	proxystore_crash(s);
}

size_t h_open_txns(const hiveha_store *s)
{
	return proxystore_open_txns(s);
}

void h_get_counts(const hiveha_store *s, memstore_counts *out)
{
	proxystore_get_counts(s, out);
}

void h_reset_counts(const hiveha_store *s)
{
	proxystore_reset_counts(s);
}

/* ---- inspection through the public store interface ---------------------- */

typedef struct copies {
	hiveha_sample *s;
	hiveha_event *e;
	size_t n, cap;
} copies;

static int grow(copies *c, size_t more, size_t elem, void **arr)
{
	if (c->n + more <= c->cap)
		return 0;
	size_t cap = c->cap ? c->cap : 64;
	while (cap < c->n + more)
		cap *= 2;
	void *p = realloc(*arr, cap * elem);
	if (!p)
		return HIVEHA_ENOMEM;
	memset((char *)p + c->cap * elem, 0, (cap - c->cap) * elem);
	*arr = p;
	c->cap = cap;
	return 0;
}

static int copy_samples(const hiveha_sample *v, size_t n, void *payload)
{
	copies *c = payload;
	void *arr = c->s;
	int rc = grow(c, n, sizeof(*v), &arr);
	c->s = arr;
	for (size_t i = 0; !rc && i < n; i++) {
		c->s[c->n].time = v[i].time;
		c->s[c->n].quality = v[i].quality;
		rc = hiveha_value_copy(&c->s[c->n].value, &v[i].value);
		if (!rc)
			c->n++;
	}
	return rc;
}

static int copy_events(const hiveha_event *v, size_t n, void *payload)
{
	copies *c = payload;
	void *arr = c->e;
	int rc = grow(c, n, sizeof(*v), &arr);
	c->e = arr;
	for (size_t i = 0; !rc && i < n; i++) {
		rc = hiveha_event_copy(&c->e[c->n], &v[i]);
		if (!rc)
			c->n++;
	}
	return rc;
}

int h_get_samples(const hiveha_store *s, const char *item, hiveha_sample **out, size_t *n)
{
	const hiveha_store *in = INNER(s);
	copies c = { 0 };
	int rc = in->read_samples(in->ctx, item, INT64_MIN, INT64_MAX, 0, SIZE_MAX, copy_samples, &c);
	if (rc) {
		memstore_free_samples(c.s, c.n);
		*out = NULL;
		*n = 0;
		return rc;
	}
	*out = c.s;
	*n = c.n;
	return 0;
}

void h_get_events(const hiveha_store *s, hiveha_event **out, size_t *n)
{
	const hiveha_store *in = INNER(s);
	copies c = { 0 };
	int rc = in->read_events(in->ctx, INT64_MIN, INT64_MAX, 0, SIZE_MAX, copy_events, &c);
	cr_assert_eq(rc, 0, "read_events: %s", hiveha_strerror(rc));
	*out = c.e;
	*n = c.n;
}

int h_sample_count(const hiveha_store *s, const char *item, size_t *out)
{
	uint64_t n = 0;
	int rc = hiveha_sqlite_count_samples(INNER(s), item, INT64_MIN, INT64_MAX, &n);
	*out = (size_t)n;
	return rc;
}

size_t h_event_count(const hiveha_store *s)
{
	uint64_t n = 0;
	cr_assert_eq(hiveha_sqlite_count_events(INNER(s), INT64_MIN, INT64_MAX, &n), 0);
	return (size_t)n;
}

typedef struct ids {
	char **v;
	size_t n, cap;
} ids;

static int add_id(const char *id, void *payload)
{
	ids *l = payload;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **p = realloc(l->v, cap * sizeof(*p));
		if (!p)
			return HIVEHA_ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n] = strdup(id);
	if (!l->v[l->n])
		return HIVEHA_ENOMEM;
	l->n++;
	return 0;
}

static void list_ids(const hiveha_store *s, ids *out)
{
	const hiveha_store *in = INNER(s);
	memset(out, 0, sizeof(*out));
	cr_assert_eq(in->list_items(in->ctx, add_id, out), 0);
}

static void free_ids(ids *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

size_t h_total_samples(const hiveha_store *s)
{
	ids l;
	list_ids(s, &l);
	size_t total = 0;
	for (size_t i = 0; i < l.n; i++) {
		size_t n = 0;
		cr_assert_eq(h_sample_count(s, l.v[i], &n), 0);
		total += n;
	}
	free_ids(&l);
	return total;
}

static bool samples_equal(const hiveha_store *a, const hiveha_store *b, const char *item,
                          char *diff, size_t size)
{
	hiveha_sample *x = NULL, *y = NULL;
	size_t nx = 0, ny = 0;
	cr_assert_eq(h_get_samples(a, item, &x, &nx), 0);
	cr_assert_eq(h_get_samples(b, item, &y, &ny), 0);
	bool eq = nx == ny;
	if (!eq)
		snprintf(diff, size, "item %s: %zu samples vs %zu", item, nx, ny);
	for (size_t i = 0; eq && i < nx; i++)
		if (hiveha_sample_compare(&x[i], &y[i]) != 0) {
			eq = false;
			snprintf(diff, size, "item %s: sample %zu differs (time %lld vs %lld)", item, i,
			         (long long)x[i].time, (long long)y[i].time);
		}
	memstore_free_samples(x, nx);
	memstore_free_samples(y, ny);
	return eq;
}

bool h_equal(const hiveha_store *a, const hiveha_store *b, char *diff, size_t size)
{
	char scratch[8];
	if (!diff) {
		diff = scratch;
		size = sizeof(scratch);
	}
	diff[0] = '\0';
	ids la, lb;
	list_ids(a, &la);
	list_ids(b, &lb);
	bool eq = la.n == lb.n;
	if (!eq)
		snprintf(diff, size, "%zu items vs %zu", la.n, lb.n);
	for (size_t i = 0; eq && i < la.n; i++)
		if (strcmp(la.v[i], lb.v[i]) != 0) {
			eq = false;
			snprintf(diff, size, "item %zu: %s vs %s", i, la.v[i], lb.v[i]);
		}
	for (size_t i = 0; eq && i < la.n; i++)
		eq = samples_equal(a, b, la.v[i], diff, size);
	free_ids(&la);
	free_ids(&lb);
	if (!eq)
		return false;
	hiveha_event *x = NULL, *y = NULL;
	size_t nx = 0, ny = 0;
	h_get_events(a, &x, &nx);
	h_get_events(b, &y, &ny);
	eq = nx == ny;
	if (!eq)
		snprintf(diff, size, "%zu events vs %zu", nx, ny);
	for (size_t i = 0; eq && i < nx; i++)
		if (!hiveha_event_equal(&x[i], &y[i])) {
			eq = false;
			snprintf(diff, size, "event %zu differs (time %lld vs %lld)", i, (long long)x[i].time,
			         (long long)y[i].time);
		}
	memstore_free_events(x, nx);
	memstore_free_events(y, ny);
	return eq;
}

#else /* memstore */

const char *const h_backend = "memstore";

void h_store_new(hiveha_store *out)
{
	cr_assert_eq(memstore_new(out), 0);
}

void h_store_ref(const hiveha_store *s)
{
	memstore_ref(s);
}

void h_store_free(hiveha_store *s)
{
	memstore_free(s);
}

void h_add_item(const hiveha_store *s, const char *item)
{
	cr_assert_eq(memstore_add_item(s, item), 0);
}

void h_append(const hiveha_store *s, const char *item, const hiveha_sample *v, size_t n)
{
	cr_assert_eq(memstore_append_samples(s, item, v, n), 0);
}

void h_add_events(const hiveha_store *s, const hiveha_event *e, size_t n)
{
	cr_assert_eq(memstore_add_events(s, e, n, NULL), 0);
}

void h_put_kv(const hiveha_store *s, const char *key, const void *data, size_t len)
{
	cr_assert_eq(memstore_put_kv(s, key, data, len), 0);
}

int h_get_samples(const hiveha_store *s, const char *item, hiveha_sample **out, size_t *n)
{
	return memstore_get_samples(s, item, out, n);
}

void h_get_events(const hiveha_store *s, hiveha_event **out, size_t *n)
{
	cr_assert_eq(memstore_get_events(s, out, n), 0);
}

int h_sample_count(const hiveha_store *s, const char *item, size_t *out)
{
	return memstore_sample_count(s, item, out);
}

size_t h_total_samples(const hiveha_store *s)
{
	return memstore_total_samples(s);
}

size_t h_event_count(const hiveha_store *s)
{
	return memstore_event_count(s);
}

bool h_equal(const hiveha_store *a, const hiveha_store *b, char *diff, size_t size)
{
	return memstore_equal(a, b, 0, diff, size);
}

void h_fail_nth(const hiveha_store *s, unsigned mask, uint64_t n, int err)
{
	memstore_fail_nth(s, mask, n, err);
}

void h_fail_from(const hiveha_store *s, unsigned mask, uint64_t n, int err)
{
	memstore_fail_from(s, mask, n, err);
}

void h_faults_off(const hiveha_store *s)
{
	memstore_faults_off(s);
}

void h_crash(const hiveha_store *s)
{
	memstore_crash(s);
}

size_t h_open_txns(const hiveha_store *s)
{
	return memstore_open_txns(s);
}

void h_get_counts(const hiveha_store *s, memstore_counts *out)
{
	memstore_get_counts(s, out);
}

void h_reset_counts(const hiveha_store *s)
{
	memstore_reset_counts(s);
}

#endif

static void on_state(const char *name, const hiveha_value *v, void *payload)
{
	harness *h = payload;
	if (h->nstates == H_MAX_STATES)
		return;
	h_state_event *e = &h->states[h->nstates++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (v->type == HIVEHA_TYPE_INT64)
		e->i = v->as.i64;
	else if (v->type == HIVEHA_TYPE_TIME)
		e->i = v->as.time;
	else if (v->type == HIVEHA_TYPE_STRING)
		snprintf(e->text, sizeof(e->text), "%s", v->as.str.ptr);
}

static void on_log(int level, const char *msg, void *payload)
{
	harness *h = payload;
	(void)level;
	size_t used = strlen(h->log);
	if (used + strlen(msg) + 2 < sizeof(h->log))
		snprintf(h->log + used, sizeof(h->log) - used, "%s\n", msg);
}

/* The peer's own peer: never reached in these tests. */
static int unreachable(const hiveha_request *req, hiveha_reply_fn write, void *write_payload, void *ctx)
{
	(void)req;
	(void)write;
	(void)write_payload;
	(void)ctx;
	return HIVEHA_ETRANSPORT;
}

void h_peer_responder(harness *h, int with_peer_gov)
{
	hiveha_responder_free(h->responder);
	h->responder = NULL;
	hiveha_governor_free(h->peer_gov);
	h->peer_gov = NULL;
	if (with_peer_gov) {
		/* the peer's own governor: never run, it only answers coverage */
		hiveha_governor_config pc;
		hiveha_governor_config_init(&pc, HIVEHA_GOVERNOR_CONFIG_VERSION);
		pc.peer = "nowhere";
		pc.overlap_ms = 1;
		hiveha_transport pt;
		cr_assert_eq(looptransport_new_with_handler(&pt, unreachable, NULL), 0);
		h_store_ref(&h->peer);
		fakeclock_ref(&h->peer_clock);
		cr_assert_eq(hiveha_governor_new(&h->peer_gov, &pc, &h->peer, &pt, &h->peer_clock), 0);
	}
	hiveha_responder_config rc;
	hiveha_responder_config_init(&rc, HIVEHA_RESPONDER_CONFIG_VERSION);
	rc.token = "secret";
	rc.instance_id = "peer";
	rc.max_request_bytes = h->peer_max_request_bytes;
	rc.max_items = h->peer_max_items;
	rc.max_reply_bytes = h->peer_max_reply_bytes;
	/* Both instances share the test's time base: no skew, and the peer's
	 * "now" is the fake clock's. Tests of the settle window set their own. */
	rc.clock = h->peer_resp_clock ? h->peer_resp_clock : &h->clock;
	rc.settle_ms = h->peer_settle_ms;
	if (!with_peer_gov)
		h_store_ref(&h->peer);
	cr_assert_eq(hiveha_responder_new(&h->responder, &rc, &h->peer, h->peer_gov), 0);
	if (h->transport.ctx) {
		looptransport_free(&h->transport);
		memset(&h->transport, 0, sizeof(h->transport));
	}
	cr_assert_eq(looptransport_new_responder(&h->transport, h->responder), 0);
}

static pthread_mutex_t sleep_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cv = PTHREAD_COND_INITIALIZER;
static uint64_t sleeps_begun;

static void count_sleep(uint64_t index, int64_t ns, void *payload)
{
	(void)ns;
	(void)payload;
	pthread_mutex_lock(&sleep_mu);
	sleeps_begun = index;
	pthread_cond_broadcast(&sleep_cv);
	pthread_mutex_unlock(&sleep_mu);
}

void h_count_sleeps(harness *h)
{
	pthread_mutex_lock(&sleep_mu);
	sleeps_begun = 0;
	pthread_mutex_unlock(&sleep_mu);
	fakeclock_set_hook(&h->clock, count_sleep, NULL);
}

void h_wait_in_sleep(harness *h, uint64_t k)
{
	pthread_mutex_lock(&sleep_mu);
	while (sleeps_begun < k)
		pthread_cond_wait(&sleep_cv, &sleep_mu);
	pthread_mutex_unlock(&sleep_mu);
	fakeclock_wait_sleepers(&h->clock, 1);
}

void h_init(harness *h)
{
	memset(h, 0, sizeof(*h));
	h->states = calloc(H_MAX_STATES, sizeof(*h->states));
	cr_assert_not_null(h->states);
	h_store_new(&h->peer);
	h_store_new(&h->local);
	/* Far after every time a test syncs: a peer never vouches for its future. */
	cr_assert_eq(fakeclock_new(&h->clock, H_NOW, 0), 0);
	cr_assert_eq(fakeclock_new(&h->peer_clock, H_NOW, 0), 0);
	h_peer_responder(h, 0);
	hiveha_governor_config_init(&h->cfg, HIVEHA_GOVERNOR_CONFIG_VERSION);
	h->cfg.instance_id = "local";
	h->cfg.peer = "peer";
	h->cfg.token = "secret";
	h->cfg.overlap_ms = 0;
	h->cfg.max_attempts = 2;
	h->cfg.on_state = on_state;
	h->cfg.on_log = on_log;
	h->cfg.payload = h;
}

void h_gov(harness *h)
{
	cr_assert_null(h->gov);
	h_store_ref(&h->local);
	looptransport_ref(&h->transport);
	fakeclock_ref(&h->clock);
	int rc = hiveha_governor_new(&h->gov, &h->cfg, &h->local, &h->transport, &h->clock);
	cr_assert_eq(rc, 0, "hiveha_governor_new: %s; log: %s", hiveha_strerror(rc), h->log);
}

int h_try_run(harness *h)
{
	cr_assert_null(h->gov);
	h_store_ref(&h->local);
	looptransport_ref(&h->transport);
	fakeclock_ref(&h->clock);
	int rc = hiveha_governor_new(&h->gov, &h->cfg, &h->local, &h->transport, &h->clock);
	if (rc) {
		/* on failure the interfaces stay the caller's: drop the refs taken */
		h_store_free(&h->local);
		looptransport_free(&h->transport);
		fakeclock_free(&h->clock);
		return rc;
	}
	return hiveha_governor_run(h->gov);
}

void h_gov_free(harness *h)
{
	hiveha_governor_free(h->gov);
	h->gov = NULL;
}

int h_run(harness *h)
{
	h_gov(h);
	return hiveha_governor_run(h->gov);
}

void h_fini(harness *h)
{
	h_gov_free(h);
	hiveha_responder_free(h->responder);
	hiveha_governor_free(h->peer_gov);
	looptransport_free(&h->transport);
	fakeclock_free(&h->clock);
	fakeclock_free(&h->peer_clock);
	h_store_free(&h->peer);
	h_store_free(&h->local);
	free(h->states);
}

hh_syncstate h_load_state(const hiveha_store *s, int kind)
{
	hh_syncstate st;
	hh_syncstate_init(&st, NULL);
	hh_errbuf err = { .msg = "" };
	cr_assert_eq(hh_syncstate_load(&st, s, kind, &err), 0, "%s", err.msg);
	return st;
}

void h_samples(const hiveha_store *s, const char *item, const hiveha_time *t, const double *v,
               size_t n)
{
	hiveha_sample *buf = calloc(n ? n : 1, sizeof(*buf));
	cr_assert_not_null(buf);
	for (size_t i = 0; i < n; i++) {
		buf[i].time = t[i];
		hiveha_value_set_double(&buf[i].value, v[i]);
		buf[i].quality = HIVEHA_QUALITY_GOOD;
	}
	h_append(s, item, buf, n);
	free(buf);
}

void h_sample1(const hiveha_store *s, const char *item, hiveha_time t, double v)
{
	h_samples(s, item, &t, &v, 1);
}

void h_event(const hiveha_store *s, hiveha_time t, uint32_t src, uint32_t type, const char *msg,
             uint32_t severity)
{
	hiveha_event e;
	memset(&e, 0, sizeof(e));
	e.time = t;
	e.received_time = t;
	e.source_id = src;
	e.type_id = type;
	e.severity = severity;
	e.message = (char *)msg;
	e.source_name = (char *)"src";
	h_add_events(s, &e, 1);
}

void h_put_state(const hiveha_store *s, int kind, hiveha_time covered_until,
                 hiveha_time history_start, const hiveha_time *pending, size_t npending,
                 const hiveha_time *closed, size_t nclosed, int lacks)
{
	hh_syncstate st;
	hh_syncstate_init(&st, NULL);
	st.present = 1;
	st.covered_until = covered_until;
	st.history_start = history_start;
	for (size_t i = 0; i < npending; i++)
		cr_assert_eq(hh_spans_set(&st.pending, pending[2 * i], pending[2 * i + 1],
		                          lacks ? HH_SPAN_PEER_LACKS : 0), 0);
	for (size_t i = 0; i < nclosed; i++)
		cr_assert_eq(hh_spans_add(&st.closed, closed[2 * i], closed[2 * i + 1]), 0);
	char *text = NULL;
	size_t len = 0;
	cr_assert_eq(hh_syncstate_encode(&st, &text, &len), 0);
	h_put_kv(s, hh_syncstate_key(kind), text, len);
	free(text);
	hh_syncstate_free(&st);
}

const char *h_fmt(const hiveha_store *s, const char *item, char *buf, size_t size)
{
	hiveha_sample *v = NULL;
	size_t n = 0;
	buf[0] = '\0';
	if (h_get_samples(s, item, &v, &n))
		return "<unknown item>";
	size_t used = 0;
	for (size_t i = 0; i < n && used + 40 < size; i++) {
		char val[32];
		if (v[i].value.type == HIVEHA_TYPE_DOUBLE)
			snprintf(val, sizeof(val), "%g", v[i].value.as.f64);
		else
			snprintf(val, sizeof(val), "type%u", v[i].value.type);
		used += (size_t)snprintf(buf + used, size - used, "%s(%lld,%s)", i ? " " : "",
		                         (long long)v[i].time, val);
	}
	memstore_free_samples(v, n);
	return buf;
}

size_t h_states(const harness *h, const char *deputy, int64_t *out, size_t max)
{
	char name[64];
	snprintf(name, sizeof(name), "%s_DeputyState", deputy);
	size_t n = 0;
	for (size_t i = 0; i < h->nstates && n < max; i++)
		if (strcmp(h->states[i].name, name) == 0)
			out[n++] = h->states[i].i;
	return n;
}

const char *h_sync_state(const harness *h, const char *deputy)
{
	char name[64];
	snprintf(name, sizeof(name), "%s_SyncState", deputy);
	for (size_t i = h->nstates; i > 0; i--)
		if (strcmp(h->states[i - 1].name, name) == 0)
			return h->states[i - 1].text;
	return "";
}

const char *h_runs(const hiveha_store *s, const char *item, hiveha_time unit, char *buf,
                   size_t size)
{
	hiveha_sample *v = NULL;
	size_t n = 0;
	cr_assert_eq(h_get_samples(s, item, &v, &n), 0);
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && v[j + 1].time == v[j].time + unit)
			j++;
		used += (size_t)snprintf(buf + used, size - used, "%s[%lld..%lld]", used ? " " : "",
		                         (long long)(v[i].time / unit), (long long)(v[j].time / unit));
		i = j + 1;
	}
	memstore_free_samples(v, n);
	return buf;
}
