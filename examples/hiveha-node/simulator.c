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
 *    identity (time, source id, type id, message) and received_time = time;
 *  - array items (--simulate-arrays) are computed the same way, element by
 *    element, and carry the values a lossless path must keep: -0.0, NaNs
 *    with payloads, infinities, subnormals, 64-bit integers beyond 2^53,
 *    empty strings, a NUL byte inside a string, bytes that are not UTF-8.
 */
#include "node.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_HIGH_LIMIT 80.0
#define SIM_TYPE_HIGH 1u
#define SIM_TYPE_CLEARED 2u
/* bounds the memory of one call after a long pause (e.g. a stopped debugger) */
#define SIM_MAX_STEPS 4096

enum sim_kind { SIM_SCALAR, SIM_VECTOR, SIM_MATRIX, SIM_STRINGS };

#define SIM_VECTOR_LEN 16
#define SIM_MATRIX_DIM 3
#define SIM_MATRIX_ELEMS 9
#define SIM_STRINGS_LEN 7

struct sim_item {
	char id[48];
	enum sim_kind kind;
	uint64_t half;   /* samples from bottom to top of the triangle */
	uint64_t offset; /* phase */
};

struct node_sim {
	uint32_t count;    /* all items */
	uint32_t scalars;  /* items [0, scalars) are scalar, the rest arrays */
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

static double sim_wave(const struct sim_item *it, int64_t k, uint64_t phase)
{
	uint64_t ph = ((uint64_t)k + it->offset + phase) % (2 * it->half);
	uint64_t tri = ph < it->half ? ph : 2 * it->half - ph;
	return 100.0 * (double)tri / (double)it->half;
}

static double sim_value(const struct sim_item *it, int64_t k)
{
	return sim_wave(it, k, 0);
}

static double double_of_bits(uint64_t bits)
{
	double d;
	memcpy(&d, &bits, sizeof(d));
	return d;
}

/* 16 doubles: triangle waves in phase steps, then the special values. */
static int sim_vector(const struct sim_item *it, int64_t k, hiveha_value *out)
{
	double e[SIM_VECTOR_LEN];
	uint64_t uk = (uint64_t)k;
	for (uint64_t j = 0; j < 13; j++)
		e[j] = sim_wave(it, k, 7 * j);
	e[13] = double_of_bits(uk % (UINT64_C(1) << 20) + 1); /* a subnormal */
	e[14] = uk % 10 == 3 ? INFINITY : uk % 10 == 7 ? -INFINITY : -e[0]; /* -0.0 when e[0] is 0 */
	if (uk % 10 == 5) /* quiet NaNs: a payload, and the negative default one */
		e[15] = double_of_bits(UINT64_C(0x7FF8000000000000) | (uk & 0xFFFFF));
	else if (uk % 10 == 0)
		e[15] = double_of_bits(UINT64_C(0xFFF8000000000000));
	else
		e[15] = (double)k * 0.1; /* one correctly rounded product */
	return hiveha_value_set_vector(out, HIVEHA_TYPE_DOUBLE, e, SIM_VECTOR_LEN);
}

/* 3 x 3 int64, row-major; two corners beyond what a double holds exactly. */
static int sim_matrix(const struct sim_item *it, int64_t k, hiveha_value *out)
{
	int64_t e[SIM_MATRIX_ELEMS];
	int64_t base = k + (int64_t)it->offset;
	for (int64_t i = 0; i < SIM_MATRIX_ELEMS; i++)
		e[i] = base * (i + 1) * (i % 2 ? -1 : 1);
	e[6] = INT64_MIN + k % 1000;
	e[8] = INT64_MAX - k;
	return hiveha_value_set_matrix(out, HIVEHA_TYPE_INT64, e, SIM_MATRIX_DIM, SIM_MATRIX_DIM);
}

static int sim_strings(int64_t k, hiveha_value *out)
{
	char b[SIM_STRINGS_LEN][64];
	hiveha_string e[SIM_STRINGS_LEN];
	long long kk = (long long)k;
	int n[SIM_STRINGS_LEN];
	b[0][0] = '\0';
	n[0] = 0; /* the empty string */
	n[1] = snprintf(b[1], sizeof(b[1]), "sample %lld", kk);
	n[2] = snprintf(b[2], sizeof(b[2]), "nul%c%lld", 0, kk); /* a NUL byte inside */
	n[3] = snprintf(b[3], sizeof(b[3]), "\xc3\x9c" "n" "\xc3\xaf" "c" "\xc3\xb6" "d" "\xc3\xa9" " \xe2\x82\xac%02lld",
	                kk % 100); /* "Ünïcödé €NN" */
	n[4] = snprintf(b[4], sizeof(b[4]), "quote\" comma, back\\slash %lld", kk % 7);
	n[5] = snprintf(b[5], sizeof(b[5]), "line\nbreak\ttab\r%lld", kk % 3);
	n[6] = snprintf(b[6], sizeof(b[6]), "\xff\xfe not UTF-8 %lld", kk % 5);
	for (size_t i = 0; i < SIM_STRINGS_LEN; i++) {
		/* about 40 bytes at most: never cut */
		if (n[i] < 0 || (size_t)n[i] >= sizeof(b[i]))
			return HIVEHA_ERANGE;
		e[i].ptr = b[i];
		e[i].len = (size_t)n[i];
	}
	return hiveha_value_set_vector(out, HIVEHA_TYPE_STRING, e, SIM_STRINGS_LEN);
}

/* The value of sample k of any item. */
static int sim_sample_value(const struct sim_item *it, int64_t k, hiveha_value *out)
{
	switch (it->kind) {
	case SIM_VECTOR:
		return sim_vector(it, k, out);
	case SIM_MATRIX:
		return sim_matrix(it, k, out);
	case SIM_STRINGS:
		return sim_strings(k, out);
	default:
		hiveha_value_set_double(out, sim_value(it, k));
		return HIVEHA_OK;
	}
}

uint32_t node_sim_period_ticks(const node_sim *sim)
{
	return sim->period;
}

/* Array item i (0-based among the arrays): vectors, matrices, the strings. */
static int array_item_id(struct sim_item *it, uint32_t i, uint32_t arrays)
{
	int len;
	if (i < arrays) {
		it->kind = SIM_VECTOR;
		len = snprintf(it->id, sizeof(it->id), "Plant/Arrays/Vector%04u", i + 1);
	} else if (i < 2 * arrays) {
		it->kind = SIM_MATRIX;
		len = snprintf(it->id, sizeof(it->id), "Plant/Arrays/Matrix%04u", i - arrays + 1);
	} else {
		it->kind = SIM_STRINGS;
		len = snprintf(it->id, sizeof(it->id), "Plant/Arrays/Strings");
	}
	return len < 0 || (size_t)len >= sizeof(it->id) ? HIVEHA_ERANGE : HIVEHA_OK;
}

int node_sim_new(node_sim **out, uint32_t items, uint32_t arrays, uint32_t hz, hiveha_time now,
                 hiveha_time *first)
{
	*out = NULL;
	if (items == 0 || hz == 0 || HIVEHA_TICKS_PER_SECOND % hz != 0 || now <= 0 ||
	    arrays > NODE_SIM_MAX_ARRAYS)
		return HIVEHA_EINVAL;
	node_sim *sim = calloc(1, sizeof(*sim));
	if (!sim)
		return HIVEHA_ENOMEM;
	sim->scalars = items;
	items += arrays ? 2 * arrays + 1 : 0;
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
		int rc = len < 0 || (size_t)len >= sizeof(it->id) ? HIVEHA_ERANGE : HIVEHA_OK;
		it->kind = SIM_SCALAR;
		if (i >= sim->scalars)
			rc = array_item_id(it, i - sim->scalars, arrays);
		if (rc) {
			node_sim_free(sim);
			return rc;
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
			int64_t made = 0;
			for (int64_t s = 0; s < steps && !rc; s++) {
				int64_t k = sim->next_k + s;
				hiveha_sample *smp = &sim->buf[s];
				memset(smp, 0, sizeof(*smp));
				smp->time = k * sim->period;
				smp->quality = HIVEHA_QUALITY_GOOD;
				rc = sim_sample_value(it, k, &smp->value);
				if (rc)
					break;
				made++;
				if (it->kind != SIM_SCALAR)
					continue; /* arrays raise no events */
				double v = smp->value.as.f64;
				if (prev < SIM_HIGH_LIMIT && v >= SIM_HIGH_LIMIT)
					rc = push_event(sim, &nev, i, smp->time, 1);
				else if (prev >= SIM_HIGH_LIMIT && v < SIM_HIGH_LIMIT)
					rc = push_event(sim, &nev, i, smp->time, 0);
				prev = v;
			}
			if (!rc)
				rc = hiveha_sqlite_append_samples(store, it->id, sim->buf, (size_t)steps);
			for (int64_t s = 0; s < made; s++)
				hiveha_value_clear(&sim->buf[s].value); /* array elements */
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
