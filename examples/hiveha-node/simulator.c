/*
 * simulator.c - a deterministic plant.
 *
 * Two nodes simulating the same plant must store identical samples and
 * events wherever both ran, whenever each was started. So nothing here
 * depends on when or where it runs:
 *  - sample k of every item falls at k * period ticks (period = 1 s / hz),
 *    i.e. on exact multiples of the period since 1601, aligned to the wall
 *    clock's seconds;
 *  - the value is a triangle wave computed from (item, k) with integer
 *    arithmetic and one correctly rounded IEEE division, so it is the same
 *    double on every machine;
 *  - events are limit crossings between samples k-1 and k, with a fixed
 *    identity (time, source id, type id, message) and received_time = time.
 */
#include "node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_HIGH_LIMIT 80.0
#define SIM_TYPE_HIGH 1u
#define SIM_TYPE_CLEARED 2u
/* bounds the memory of one call after a long pause (e.g. a stopped debugger) */
#define SIM_MAX_STEPS 4096

struct sim_item {
	char id[48];
	uint64_t half;   /* samples from bottom to top of the triangle */
	uint64_t offset; /* phase */
};

struct node_sim {
	uint32_t count;
	uint32_t period;   /* ticks */
	int64_t next_k;    /* next sample index to store */
	struct sim_item *items;
	hiveha_sample *buf;
	hiveha_event *events;
	size_t events_cap;
	char (*messages)[96];
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static double sim_value(const struct sim_item *it, int64_t k)
{
	uint64_t ph = ((uint64_t)k + it->offset) % (2 * it->half);
	uint64_t tri = ph < it->half ? ph : 2 * it->half - ph;
	return 100.0 * (double)tri / (double)it->half;
}

uint32_t node_sim_period_ticks(const node_sim *sim)
{
	return sim->period;
}

int node_sim_new(node_sim **out, uint32_t items, uint32_t hz, hiveha_time now, hiveha_time *first)
{
	*out = NULL;
	if (items == 0 || hz == 0 || HIVEHA_TICKS_PER_SECOND % hz != 0 || now <= 0)
		return HIVEHA_EINVAL;
	node_sim *sim = calloc(1, sizeof(*sim));
	if (!sim)
		return HIVEHA_ENOMEM;
	sim->count = items;
	sim->period = (uint32_t)(HIVEHA_TICKS_PER_SECOND / hz);
	sim->next_k = (now + sim->period - 1) / sim->period;
	sim->items = calloc(items, sizeof(*sim->items));
	sim->buf = calloc(SIM_MAX_STEPS, sizeof(*sim->buf));
	if (!sim->items || !sim->buf) {
		node_sim_free(sim);
		return HIVEHA_ENOMEM;
	}
	for (uint32_t i = 0; i < items; i++) {
		struct sim_item *it = &sim->items[i];
		/* 35 characters at most for any uint32_t; a cut id could merge items */
		int len = snprintf(it->id, sizeof(it->id), "Plant/Area%02u/Signal%04u", i / 100 + 1,
		                   i + 1);
		if (len < 0 || (size_t)len >= sizeof(it->id)) {
			node_sim_free(sim);
			return HIVEHA_ERANGE;
		}
		uint64_t h = fnv1a(it->id);
		it->half = 40 + h % 80;
		it->offset = (h >> 16) % (2 * it->half);
	}
	*first = sim->next_k * sim->period;
	*out = sim;
	return HIVEHA_OK;
}

void node_sim_free(node_sim *sim)
{
	if (!sim)
		return;
	free(sim->items);
	free(sim->buf);
	free(sim->events);
	free(sim->messages);
	free(sim);
}

static int push_event(node_sim *sim, size_t *n, uint32_t item, hiveha_time t, int up)
{
	if (*n == sim->events_cap) {
		size_t cap = sim->events_cap ? sim->events_cap * 2 : 64;
		hiveha_event *e = realloc(sim->events, cap * sizeof(*e));
		if (!e)
			return HIVEHA_ENOMEM;
		sim->events = e;
		char (*m)[96] = realloc(sim->messages, cap * sizeof(*m));
		if (!m)
			return HIVEHA_ENOMEM;
		sim->messages = m;
		sim->events_cap = cap;
	}
	struct sim_item *it = &sim->items[item]; /* mutable: source_name is char * */
	/* the message is part of the event's identity: never store a cut one */
	int len = snprintf(sim->messages[*n], sizeof(sim->messages[*n]), "%s %s high limit %.1f",
	                   it->id, up ? "above" : "back below", SIM_HIGH_LIMIT);
	if (len < 0 || (size_t)len >= sizeof(sim->messages[*n]))
		return HIVEHA_ERANGE;
	hiveha_event *e = &sim->events[*n];
	memset(e, 0, sizeof(*e));
	e->time = e->received_time = t;
	e->source_id = item + 1;
	e->source_name = it->id;
	e->type_id = up ? SIM_TYPE_HIGH : SIM_TYPE_CLEARED;
	e->category = 1;
	e->state = up ? 1u : 0u;
	e->severity = up ? 700u : 300u;
	e->message = NULL; /* set by fix_messages(): a realloc may move the texts */
	e->user_name = (char *)"simulator";
	(*n)++;
	return HIVEHA_OK;
}

static void fix_messages(node_sim *sim, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sim->events[i].message = sim->messages[i];
}

int node_sim_collect(node_sim *sim, const hiveha_store *store, hiveha_time now,
                     uint64_t *samples_out, uint64_t *events_out)
{
	*samples_out = *events_out = 0;
	int64_t last_k = now / sim->period; /* samples at or before now are due */
	int rc = HIVEHA_OK;
	while (!rc && sim->next_k <= last_k) {
		int64_t steps = last_k - sim->next_k + 1;
		if (steps > SIM_MAX_STEPS)
			steps = SIM_MAX_STEPS;
		size_t nev = 0;
		for (uint32_t i = 0; i < sim->count && !rc; i++) {
			const struct sim_item *it = &sim->items[i];
			double prev = sim_value(it, sim->next_k - 1);
			for (int64_t s = 0; s < steps && !rc; s++) {
				int64_t k = sim->next_k + s;
				hiveha_sample *smp = &sim->buf[s];
				double v = sim_value(it, k);
				memset(smp, 0, sizeof(*smp));
				smp->time = k * sim->period;
				smp->quality = HIVEHA_QUALITY_GOOD;
				hiveha_value_set_double(&smp->value, v);
				if (prev < SIM_HIGH_LIMIT && v >= SIM_HIGH_LIMIT)
					rc = push_event(sim, &nev, i, smp->time, 1);
				else if (prev >= SIM_HIGH_LIMIT && v < SIM_HIGH_LIMIT)
					rc = push_event(sim, &nev, i, smp->time, 0);
				prev = v;
			}
			if (!rc)
				rc = hiveha_sqlite_append_samples(store, it->id, sim->buf, (size_t)steps);
		}
		size_t added = 0;
		fix_messages(sim, nev);
		if (!rc && nev)
			rc = hiveha_sqlite_add_events(store, sim->events, nev, &added);
		if (!rc) {
			sim->next_k += steps;
			*samples_out += (uint64_t)steps * sim->count;
			*events_out += added;
		}
	}
	return rc;
}

hiveha_time node_sim_stored_until(const node_sim *sim)
{
	return (hiveha_time)sim->next_k * sim->period;
}
