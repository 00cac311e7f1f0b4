#define _POSIX_C_SOURCE 200809L
#include "integ.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scratchdir.h"

static char dir[160];
static char cert[192], key[192];
static int use_tls;

void in_setup(int tls)
{
	cr_assert_eq(scratchdir_make(dir, sizeof(dir), "integ"), 0);
	use_tls = tls;
	cert[0] = key[0] = '\0';
	if (!tls)
		return;
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	char cmd[768];
	snprintf(cmd, sizeof(cmd),
	         "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
	         "-keyout %s -out %s -days 2 -subj /CN=localhost "
	         "-addext subjectAltName=IP:127.0.0.1,DNS:localhost >/dev/null 2>&1",
	         key, cert);
	cr_assert_eq(system(cmd), 0, "openssl could not make a certificate");
}

void in_teardown(void)
{
	/* The stores are closed by now: on Windows an open file cannot go. */
	scratchdir_remove(dir);
}

static void open_store(const inst *in, hiveha_store *out)
{
	char err[256] = "";
	hiveha_sqlite_options o = HIVEHA_SQLITE_OPTIONS_INIT;
	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	o.synchronous = HIVEHA_SQLITE_SYNC_OFF; /* throw-away files */
	cr_assert_eq(hiveha_sqlite_open(out, in->path, &o), 0, "%s: %s", in->path, err);
}

/* The library's objects share the test's handle without owning it (destroy
 * NULL; in_fini frees it after them): a store file has one read-write
 * handle at a time (sqlite.h). */
static hiveha_store borrowed(const inst *in)
{
	hiveha_store s = in->obs;
	s.destroy = NULL;
	return s;
}

void in_init(inst *in, const char *name)
{
	memset(in, 0, sizeof(*in));
	snprintf(in->name, sizeof(in->name), "%s", name);
	snprintf(in->path, sizeof(in->path), "%s/%s.db", dir, name);
	open_store(in, &in->obs);
}

void in_fini(inst *in)
{
	in_gov_free(in);
	in_unserve(in);
	if (in->obs.destroy)
		in->obs.destroy(in->obs.ctx);
	memset(&in->obs, 0, sizeof(in->obs));
}

/* ---- governor ------------------------------------------------------------- */

static void on_state(const char *name, const hiveha_value *v, void *payload)
{
	inst *in = payload;
	for (int k = 0; k < IN_DEPUTY_KINDS; k++) {
		const char *dep = hiveha_deputy_name(k);
		size_t n = strlen(dep);
		if (strncmp(name, dep, n) != 0 || name[n] != '_')
			continue;
		if (strcmp(name + n + 1, "DeputyState") == 0 && v->type == HIVEHA_TYPE_INT64)
			in->last_state[k] = v->as.i64;
		else if (strcmp(name + n + 1, "SyncState") == 0 && v->type == HIVEHA_TYPE_STRING)
			snprintf(in->sync_state[k], sizeof(in->sync_state[k]), "%.*s", (int)v->as.str.len,
			         v->as.str.ptr);
	}
}

static void on_progress(const hiveha_progress *p, void *payload)
{
	(void)p;
	inst *in = payload;
	in->progress_calls++;
	/* Runs on the syncing thread (the caller of run()), not on a listener
	 * thread, so the peer's listener may be freed here: the next request
	 * of this sync finds nobody listening. */
	if (in->kill_at_progress && in->progress_calls == in->kill_at_progress && in->victim) {
		hiveha_http_listener_free(in->victim->lis);
		in->victim->lis = NULL;
	}
}

static void on_log(int level, const char *msg, void *payload)
{
	inst *in = payload;
	(void)level;
	size_t used = strlen(in->log);
	if (used + strlen(msg) + 2 < sizeof(in->log))
		snprintf(in->log + used, sizeof(in->log) - used, "%s\n", msg);
}

void in_config(inst *in, const inst *peer, hiveha_governor_config *cfg)
{
	hiveha_governor_config_init(cfg, HIVEHA_GOVERNOR_CONFIG_VERSION);
	cfg->instance_id = in->name;
	cfg->peer = peer->endpoint;
	cfg->token = IN_TOKEN;
	cfg->overlap_ms = 0;
	cfg->max_attempts = 2;
	cfg->retry_initial_ms = 1; /* back-off, never synchronisation: keep it short */
	cfg->retry_max_ms = 1;
	cfg->connect_timeout_ms = 5000;
	cfg->request_timeout_ms = 30000;
	cfg->on_state = on_state;
	cfg->on_progress = on_progress;
	cfg->on_log = on_log;
	cfg->payload = in;
}

void in_gov(inst *in, const hiveha_governor_config *cfg)
{
	cr_assert_null(in->gov);
	cr_assert_null(in->resp, "free the responder before replacing its governor");
	hiveha_store store = borrowed(in);
	hiveha_http_client_options co = HIVEHA_HTTP_CLIENT_OPTIONS_INIT;
	if (use_tls) {
		co.use_tls = 1;
		co.ca_file = cert;
	}
	hiveha_transport t;
	cr_assert_eq(hiveha_http_transport_new(&t, &co), 0);
	memset(in->last_state, 0, sizeof(in->last_state));
	memset(in->sync_state, 0, sizeof(in->sync_state));
	in->progress_calls = 0;
	int rc = hiveha_governor_new(&in->gov, cfg, &store, &t, NULL);
	cr_assert_eq(rc, 0, "%s: hiveha_governor_new: %s\n%s", in->name, hiveha_strerror(rc), in->log);
	in->gov_store = store;
}

void in_gov_free(inst *in)
{
	in_unserve(in);
	hiveha_governor_free(in->gov);
	in->gov = NULL;
	memset(&in->gov_store, 0, sizeof(in->gov_store));
}

/* ---- serving -------------------------------------------------------------- */

static int handle(void *ctx, const hiveha_request *req, hiveha_reply_fn write, void *payload)
{
	inst *in = ctx;
	__atomic_add_fetch(&in->served, 1, __ATOMIC_RELAXED);
	/* the tests create the responder before any peer can ask */
	hiveha_responder *r = __atomic_load_n(&in->resp, __ATOMIC_ACQUIRE);
	if (!r)
		return HIVEHA_ESTORE;
	return hiveha_responder_handle(r, req, write, payload);
}

void in_listen(inst *in)
{
	cr_assert_null(in->lis);
	hiveha_http_listener_options lo = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	lo.address = "127.0.0.1:0";
	if (use_tls) {
		lo.tls_cert_file = cert;
		lo.tls_key_file = key;
	}
	int rc = hiveha_http_listener_new_handler(&in->lis, &lo, handle, in);
	if (rc == HIVEHA_ENOTIMPL)
		cr_skip_test("libmicrohttpd built without TLS");
	cr_assert_eq(rc, 0, "listener: %s", hiveha_strerror(rc));
	snprintf(in->endpoint, sizeof(in->endpoint), "127.0.0.1:%u",
	         (unsigned)hiveha_http_listener_port(in->lis));
}

void in_respond(inst *in, const char *token)
{
	cr_assert_null(in->resp);
	hiveha_responder_config rc;
	hiveha_responder_config_init(&rc, HIVEHA_RESPONDER_CONFIG_VERSION);
	rc.instance_id = in->name;
	rc.token = token;
	/* With a governor the store belongs to the governor (the responder
	 * borrows the governor's copy and never destroys it); without one the
	 * responder gets a handle of its own and destroys it. */
	hiveha_store store = in->gov ? in->gov_store : borrowed(in);
	int st = hiveha_responder_new(&in->resp, &rc, &store, in->gov);
	cr_assert_eq(st, 0, "hiveha_responder_new: %s", hiveha_strerror(st));
}

void in_unserve(inst *in)
{
	hiveha_http_listener_free(in->lis);
	in->lis = NULL;
	hiveha_responder_free(in->resp);
	in->resp = NULL;
}

/* ---- data ----------------------------------------------------------------- */

static int copy_samples(const hiveha_sample *v, size_t n, void *payload)
{
	in_samples *c = payload;
	if (c->n + n > c->cap) {
		size_t cap = c->cap ? c->cap : 256;
		while (cap < c->n + n)
			cap *= 2;
		hiveha_sample *p = realloc(c->v, cap * sizeof(*p));
		if (!p)
			return HIVEHA_ENOMEM;
		c->v = p;
		c->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		hiveha_sample *d = &c->v[c->n];
		d->time = v[i].time;
		d->quality = v[i].quality;
		int rc = hiveha_value_copy(&d->value, &v[i].value);
		if (rc)
			return rc;
		c->n++;
	}
	return 0;
}

static int copy_events(const hiveha_event *v, size_t n, void *payload)
{
	in_events *c = payload;
	if (c->n + n > c->cap) {
		size_t cap = c->cap ? c->cap : 256;
		while (cap < c->n + n)
			cap *= 2;
		hiveha_event *p = realloc(c->v, cap * sizeof(*p));
		if (!p)
			return HIVEHA_ENOMEM;
		c->v = p;
		c->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = hiveha_event_copy(&c->v[c->n], &v[i]);
		if (rc)
			return rc;
		c->n++;
	}
	return 0;
}

void in_read_samples(const inst *in, const char *item, hiveha_time from, hiveha_time to,
                     in_samples *out)
{
	memset(out, 0, sizeof(*out));
	int rc = in->obs.read_samples(in->obs.ctx, item, from, to, 0, SIZE_MAX, copy_samples, out);
	cr_assert_eq(rc, 0, "%s: read_samples(%s): %s", in->name, item, hiveha_strerror(rc));
}

void in_read_events(const inst *in, hiveha_time from, hiveha_time to, in_events *out)
{
	memset(out, 0, sizeof(*out));
	int rc = in->obs.read_events(in->obs.ctx, from, to, 0, SIZE_MAX, copy_events, out);
	cr_assert_eq(rc, 0, "%s: read_events: %s", in->name, hiveha_strerror(rc));
}

void in_samples_free(in_samples *s)
{
	for (size_t i = 0; i < s->n; i++)
		hiveha_value_clear(&s->v[i].value);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void in_events_free(in_events *e)
{
	for (size_t i = 0; i < e->n; i++)
		hiveha_event_clear(&e->v[i]);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

void in_assert_same_samples(const inst *a, const inst *b, const char *item, hiveha_time from,
                            hiveha_time to)
{
	in_samples x, y;
	in_read_samples(a, item, from, to, &x);
	in_read_samples(b, item, from, to, &y);
	cr_assert_eq(x.n, y.n, "%s: %s has %zu samples, %s has %zu", item, a->name, x.n, b->name, y.n);
	for (size_t i = 0; i < x.n; i++)
		cr_assert_eq(hiveha_sample_compare(&x.v[i], &y.v[i]), 0,
		             "%s: sample %zu differs (time %lld vs %lld)", item, i, (long long)x.v[i].time,
		             (long long)y.v[i].time);
	in_samples_free(&x);
	in_samples_free(&y);
}

void in_assert_same_events(const inst *a, const inst *b, hiveha_time from, hiveha_time to)
{
	in_events x, y;
	in_read_events(a, from, to, &x);
	in_read_events(b, from, to, &y);
	cr_assert_eq(x.n, y.n, "%s has %zu events, %s has %zu", a->name, x.n, b->name, y.n);
	for (size_t i = 0; i < x.n; i++)
		cr_assert(hiveha_event_equal(&x.v[i], &y.v[i]), "event %zu differs (time %lld vs %lld)", i,
		          (long long)x.v[i].time, (long long)y.v[i].time);
	in_events_free(&x);
	in_events_free(&y);
}

typedef struct digest_ctx {
	const inst *in;
	FILE *f;
	hiveha_time from, to;
} digest_ctx;

static int digest_item(const char *id, void *payload)
{
	digest_ctx *ctx = payload;
	FILE *f = ctx->f;
	in_samples s;
	in_read_samples(ctx->in, id, ctx->from, ctx->to, &s);
	fprintf(f, "item %s: %zu\n", id, s.n);
	for (size_t i = 0; i < s.n; i++) {
		const hiveha_value *v = &s.v[i].value;
		fprintf(f, "%lld %u %d ", (long long)s.v[i].time, s.v[i].quality, (int)v->type);
		if (v->type == HIVEHA_TYPE_DOUBLE)
			fprintf(f, "%a\n", v->as.f64);
		else if (v->type == HIVEHA_TYPE_INT64)
			fprintf(f, "%lld\n", (long long)v->as.i64);
		else if (v->type == HIVEHA_TYPE_STRING)
			fprintf(f, "%.*s\n", (int)v->as.str.len, v->as.str.ptr);
		else
			fprintf(f, "?\n");
	}
	in_samples_free(&s);
	return 0;
}

char *in_digest(const inst *in, hiveha_time from, hiveha_time to)
{
	/* A file in the test's directory, read back: open_memstream is POSIX
	 * only. */
	char path[200];
	char *buf;
	long len;
	snprintf(path, sizeof(path), "%s/digest.txt", dir);
	FILE *f = fopen(path, "w+b");
	cr_assert_not_null(f);
	digest_ctx ctx = { in, f, from, to };
	cr_assert_eq(in->obs.list_items(in->obs.ctx, digest_item, &ctx), 0);
	in_events e;
	in_read_events(in, from, to, &e);
	fprintf(f, "events: %zu\n", e.n);
	for (size_t i = 0; i < e.n; i++)
		fprintf(f, "%lld %lld %u %u %u %u %u %s %s %s %zu\n", (long long)e.v[i].time,
		        (long long)e.v[i].received_time, e.v[i].source_id, e.v[i].type_id,
		        e.v[i].category, e.v[i].state, e.v[i].severity,
		        e.v[i].source_name ? e.v[i].source_name : "-", e.v[i].message ? e.v[i].message : "-",
		        e.v[i].user_name ? e.v[i].user_name : "-", e.v[i].attribute_count);
	in_events_free(&e);
	cr_assert_eq(fflush(f), 0);
	len = ftell(f);
	cr_assert_geq(len, 0);
	buf = malloc((size_t)len + 1);
	cr_assert_not_null(buf);
	rewind(f);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}
