#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syncstate.h"

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
		hiveha_clock pclock;
		cr_assert_eq(fakeclock_new(&pclock, 1000000, 0), 0);
		memstore_ref(&h->peer);
		cr_assert_eq(hiveha_governor_new(&h->peer_gov, &pc, &h->peer, &pt, &pclock), 0);
	}
	hiveha_responder_config rc;
	hiveha_responder_config_init(&rc, HIVEHA_RESPONDER_CONFIG_VERSION);
	rc.token = "secret";
	rc.instance_id = "peer";
	if (!with_peer_gov)
		memstore_ref(&h->peer);
	cr_assert_eq(hiveha_responder_new(&h->responder, &rc, &h->peer, h->peer_gov), 0);
	if (h->transport.ctx) {
		looptransport_free(&h->transport);
		memset(&h->transport, 0, sizeof(h->transport));
	}
	cr_assert_eq(looptransport_new_responder(&h->transport, h->responder), 0);
}

void h_init(harness *h)
{
	memset(h, 0, sizeof(*h));
	h->states = calloc(H_MAX_STATES, sizeof(*h->states));
	cr_assert_not_null(h->states);
	cr_assert_eq(memstore_new(&h->peer), 0);
	cr_assert_eq(memstore_new(&h->local), 0);
	cr_assert_eq(fakeclock_new(&h->clock, 1000, 0), 0);
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
	memstore_ref(&h->local);
	looptransport_ref(&h->transport);
	fakeclock_ref(&h->clock);
	int rc = hiveha_governor_new(&h->gov, &h->cfg, &h->local, &h->transport, &h->clock);
	cr_assert_eq(rc, 0, "hiveha_governor_new: %s; log: %s", hiveha_strerror(rc), h->log);
}

int h_try_run(harness *h)
{
	cr_assert_null(h->gov);
	memstore_ref(&h->local);
	looptransport_ref(&h->transport);
	fakeclock_ref(&h->clock);
	int rc = hiveha_governor_new(&h->gov, &h->cfg, &h->local, &h->transport, &h->clock);
	if (rc) {
		/* on failure the interfaces stay the caller's: drop the refs taken */
		memstore_free(&h->local);
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
	memstore_free(&h->peer);
	memstore_free(&h->local);
	free(h->states);
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
	cr_assert_eq(memstore_append_samples(s, item, buf, n), 0);
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
	cr_assert_eq(memstore_add_events(s, &e, 1, NULL), 0);
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
	cr_assert_eq(memstore_put_kv(s, hh_syncstate_key(kind), text, len), 0);
	free(text);
	hh_syncstate_free(&st);
}

const char *h_fmt(const hiveha_store *s, const char *item, char *buf, size_t size)
{
	hiveha_sample *v = NULL;
	size_t n = 0;
	buf[0] = '\0';
	if (memstore_get_samples(s, item, &v, &n))
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
