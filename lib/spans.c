/*
 * spans.c - span list arithmetic. Lists are short (a handful of gaps), so
 * the operations rebuild the list rather than patch it in place: simple
 * code is worth more here than speed.
 */
#include "spans.h"

#include <string.h>

#include "alloc.h"

void hh_spans_init(hh_spans *s, const hiveha_allocator *alloc)
{
	memset(s, 0, sizeof(*s));
	s->alloc = alloc;
}

void hh_spans_free(hh_spans *s)
{
	if (!s)
		return;
	hh_free(s->alloc, s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

void hh_spans_clear(hh_spans *s)
{
	s->n = 0;
}

static int reserve(hh_spans *s, size_t need)
{
	if (need <= s->cap)
		return HIVEHA_OK;
	size_t cap = s->cap ? s->cap * 2 : 8;
	while (cap < need)
		cap *= 2;
	hh_span *v = hh_realloc(s->alloc, s->v, cap * sizeof(*v));
	if (!v)
		return HIVEHA_ENOMEM;
	s->v = v;
	s->cap = cap;
	return HIVEHA_OK;
}

static int push(hh_spans *s, hiveha_time from, hiveha_time to, int flags)
{
	if (from >= to)
		return HIVEHA_OK;
	int rc = reserve(s, s->n + 1);
	if (rc)
		return rc;
	s->v[s->n].from = from;
	s->v[s->n].to = to;
	s->v[s->n].flags = flags;
	s->n++;
	return HIVEHA_OK;
}

int hh_spans_copy(hh_spans *dst, const hh_spans *src)
{
	dst->n = 0;
	int rc = reserve(dst, src->n);
	if (rc)
		return rc;
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(*src->v));
	dst->n = src->n;
	return HIVEHA_OK;
}

/* Keeps the list sorted by `from` after an append. */
static void sort_last(hh_spans *s)
{
	for (size_t i = s->n; i > 1 && s->v[i - 1].from < s->v[i - 2].from; i--) {
		hh_span t = s->v[i - 1];
		s->v[i - 1] = s->v[i - 2];
		s->v[i - 2] = t;
	}
}

int hh_spans_remove(hh_spans *s, hiveha_time from, hiveha_time to)
{
	if (from >= to)
		return HIVEHA_OK;
	hh_spans out;
	hh_spans_init(&out, s->alloc);
	for (size_t i = 0; i < s->n; i++) {
		hh_span sp = s->v[i];
		int rc = HIVEHA_OK;
		if (sp.to <= from || sp.from >= to) {
			rc = push(&out, sp.from, sp.to, sp.flags);
		} else {
			if (sp.from < from)
				rc = push(&out, sp.from, from, sp.flags);
			if (!rc && sp.to > to)
				rc = push(&out, to, sp.to, sp.flags);
		}
		if (rc) {
			hh_spans_free(&out);
			return rc;
		}
	}
	hh_spans_free(s);
	*s = out;
	return HIVEHA_OK;
}

int hh_spans_set(hh_spans *s, hiveha_time from, hiveha_time to, int flags)
{
	if (from >= to)
		return HIVEHA_OK;
	int rc = hh_spans_remove(s, from, to);
	if (rc)
		return rc;
	rc = push(s, from, to, flags);
	if (!rc)
		sort_last(s);
	return rc;
}

int hh_spans_add(hh_spans *s, hiveha_time from, hiveha_time to)
{
	if (from >= to)
		return HIVEHA_OK;
	hh_spans out;
	hh_spans_init(&out, s->alloc);
	int rc = HIVEHA_OK;
	for (size_t i = 0; i < s->n && !rc; i++) {
		hh_span sp = s->v[i];
		if (sp.to < from || sp.from > to) {
			rc = push(&out, sp.from, sp.to, sp.flags);
		} else {
			/* overlapping or touching: absorb into the new span */
			if (sp.from < from)
				from = sp.from;
			if (sp.to > to)
				to = sp.to;
		}
	}
	if (!rc)
		rc = push(&out, from, to, 0);
	if (rc) {
		hh_spans_free(&out);
		return rc;
	}
	sort_last(&out);
	hh_spans_free(s);
	*s = out;
	return HIVEHA_OK;
}

int hh_spans_intersects(const hh_spans *s, hiveha_time from, hiveha_time to)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].from < to && s->v[i].to > from)
			return 1;
	return 0;
}

hiveha_time hh_spans_total(const hh_spans *s)
{
	hiveha_time total = 0;
	for (size_t i = 0; i < s->n; i++) {
		hiveha_time len = s->v[i].to - s->v[i].from;
		if (total > HIVEHA_TIME_MAX - len)
			return HIVEHA_TIME_MAX;
		total += len;
	}
	return total;
}
