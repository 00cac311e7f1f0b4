/*
 * gendata.c - the computed data set and the read-only store serving it.
 */
#include "gendata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_SAMPLES 512
#define BATCH_EVENTS 128

hiveha_time gen_end(const gen_params *p)
{
	return p->t0 + (hiveha_time)p->samples * HIVEHA_TICKS_PER_SECOND;
}

void gen_item_id(char *buf, size_t size, size_t i)
{
	/* i < 10^7 (bench_sync checks) */
	snprintf(buf, size, "Plant1/Area%03u/Tag%07u", (unsigned)(i / 1000u % 1000u),
	         (unsigned)(i % 10000000u));
}

long gen_item_index(const gen_params *p, const char *id)
{
	size_t len = strlen(id);
	char back[48];
	char *end;
	unsigned long i;

	if (len < 7)
		return -1;
	i = strtoul(id + len - 7, &end, 10);
	if (*end || i >= p->items)
		return -1;
	gen_item_id(back, sizeof back, i);
	return strcmp(back, id) == 0 ? (long)i : -1;
}

int gen_sample(hiveha_sample *out, const gen_params *p, size_t i, size_t k)
{
	/* a slowly varying process value; the binary encoding sends the 8
	 * bytes of a double whatever they are */
	double base = 20.0 + (double)((i * 7919u + k) % 100000u) * 0.001;
	double *e;

	out->time = p->t0 + (hiveha_time)k * HIVEHA_TICKS_PER_SECOND;
	out->quality = HIVEHA_QUALITY_GOOD;
	if (!p->elems) {
		out->value.type = HIVEHA_TYPE_DOUBLE;
		out->value.reserved = 0;
		out->value.as.f64 = base;
		return 0;
	}
	/* a spectrum-like vector: each element its own slowly varying value */
	memset(&out->value, 0, sizeof(out->value));
	if (hiveha_value_set_vector(&out->value, HIVEHA_TYPE_DOUBLE, NULL, p->elems))
		return HIVEHA_ENOMEM;
	e = hiveha_value_elements_mut(&out->value);
	for (size_t j = 0; j < p->elems; j++)
		e[j] = base + (double)j * 0.5;
	return 0;
}

typedef struct gen {
	gen_params p;
	hiveha_time ev_step; /* ticks between events */
} gen;

/* First index k >= 0 with t0 + k * step >= t (ceil), clamped to n. */
static size_t first_at(hiveha_time t0, hiveha_time step, hiveha_time t, size_t n)
{
	hiveha_time d;
	size_t k;

	if (t <= t0)
		return 0;
	d = t - t0;
	k = (size_t)((d + step - 1) / step);
	return k > n ? n : k;
}

static int gen_list(void *ctx, hiveha_item_fn fn, void *payload)
{
	gen *g = ctx;
	char id[48];
	int rc;

	for (size_t i = 0; i < g->p.items; i++) {
		gen_item_id(id, sizeof id, i);
		if ((rc = fn(id, payload)))
			return rc;
	}
	return 0;
}

static void clear_all(hiveha_sample *s, size_t n)
{
	for (size_t j = 0; j < n; j++)
		hiveha_value_clear(&s[j].value);
}

static int gen_read_samples(void *ctx, const char *item_id, hiveha_time from, hiveha_time to,
                            uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload)
{
	gen *g = ctx;
	hiveha_sample buf[BATCH_SAMPLES];
	long i = gen_item_index(&g->p, item_id);
	size_t k, n = 0;
	int rc;

	if (i < 0)
		return HIVEHA_ENOTFOUND;
	k = first_at(g->p.t0, HIVEHA_TICKS_PER_SECOND, from, g->p.samples);
	/* times are unique: at most one sample sits at exactly `from` */
	if (skip && k < g->p.samples &&
	    g->p.t0 + (hiveha_time)k * HIVEHA_TICKS_PER_SECOND == from)
		k++;
	rc = 0;
	for (; k < g->p.samples && max > 0 && !rc; k++, max--) {
		rc = gen_sample(&buf[n], &g->p, (size_t)i, k);
		if (rc)
			break;
		if (buf[n].time >= to) {
			hiveha_value_clear(&buf[n].value);
			break;
		}
		if (++n == BATCH_SAMPLES) {
			rc = fn(buf, n, payload);
			clear_all(buf, n);
			n = 0;
		}
	}
	if (!rc && n)
		rc = fn(buf, n, payload);
	clear_all(buf, n);
	return rc;
}

hiveha_time gen_event_step(const gen_params *p)
{
	hiveha_time step = p->events ? (gen_end(p) - p->t0) / (hiveha_time)p->events : 1;

	return step < 1 ? 1 : step;
}

void gen_event(hiveha_event *e, gen_event_strings *s, const gen_params *p, hiveha_time step,
               size_t k)
{
	memset(e, 0, sizeof *e);
	e->time = p->t0 + (hiveha_time)k * step;
	e->received_time = e->time + 2 * HIVEHA_TICKS_PER_MS;
	e->source_id = (uint32_t)(k % 997u);
	e->type_id = (uint32_t)(k % 5u) + 1u;
	e->category = 3;
	e->state = (uint32_t)(k & 3u);
	e->severity = (uint32_t)(k * 37u % 1001u);
	snprintf(s->source, sizeof s->source, "Plant1/Area%03u/Motor%03u",
	         (unsigned)(k % 997u) / 10u, (unsigned)(k % 997u));
	snprintf(s->message, sizeof s->message, "Motor %u: overload trip, current %u.%u A",
	         (unsigned)(k % 997u), (unsigned)(k % 90u) + 10u, (unsigned)(k % 10u));
	e->source_name = s->source;
	e->message = s->message;
	e->user_name = "operator";
}

static int gen_read_events(void *ctx, hiveha_time from, hiveha_time to, uint64_t skip, size_t max,
                           hiveha_events_fn fn, void *payload)
{
	gen *g = ctx;
	hiveha_event *buf;
	gen_event_strings *str;
	size_t k, n = 0;
	int rc = 0;

	if (g->p.events == 0)
		return 0;
	buf = malloc(BATCH_EVENTS * sizeof *buf);
	str = malloc(BATCH_EVENTS * sizeof *str);
	if (!buf || !str) {
		free(buf);
		free(str);
		return HIVEHA_ENOMEM;
	}
	k = first_at(g->p.t0, g->ev_step, from, g->p.events);
	if (skip && k < g->p.events && g->p.t0 + (hiveha_time)k * g->ev_step == from)
		k++;
	for (; k < g->p.events && max > 0 && !rc; k++, max--) {
		gen_event(&buf[n], &str[n], &g->p, g->ev_step, k);
		if (buf[n].time >= to)
			break;
		if (++n == BATCH_EVENTS) {
			rc = fn(buf, n, payload);
			n = 0;
		}
	}
	if (!rc && n)
		rc = fn(buf, n, payload);
	free(buf);
	free(str);
	return rc;
}

static int gen_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	(void)ctx;
	(void)key;
	(void)fn;
	(void)payload;
	return HIVEHA_ENOTFOUND;
}

static int gen_begin(void *ctx, hiveha_store_txn **txn_out)
{
	(void)ctx;
	*txn_out = NULL;
	return HIVEHA_ESTORE;
}

static int gen_commit(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx;
	(void)txn;
	return HIVEHA_ESTORE;
}

static void gen_rollback(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx;
	(void)txn;
}

static int gen_kv_put(void *ctx, hiveha_store_txn *txn, const char *key, const void *data, size_t len)
{
	(void)ctx;
	(void)txn;
	(void)key;
	(void)data;
	(void)len;
	return HIVEHA_ESTORE;
}

static int gen_kv_delete(void *ctx, hiveha_store_txn *txn, const char *key)
{
	(void)ctx;
	(void)txn;
	(void)key;
	return HIVEHA_ESTORE;
}

int gen_store_new(hiveha_store *out, const gen_params *p)
{
	gen *g;

	if (hiveha_store_init(out, HIVEHA_STORE_VERSION))
		return HIVEHA_EVERSION;
	if (!(g = calloc(1, sizeof *g)))
		return HIVEHA_ENOMEM;
	g->p = *p;
	g->ev_step = gen_event_step(p);
	out->ctx = g;
	out->destroy = free;
	out->list_items = gen_list;
	out->read_samples = gen_read_samples;
	out->read_events = gen_read_events;
	out->kv_get = gen_kv_get;
	out->begin = gen_begin;
	out->commit = gen_commit;
	out->rollback = gen_rollback;
	out->kv_put = gen_kv_put;
	out->kv_delete = gen_kv_delete;
	return 0;
}
