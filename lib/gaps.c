/*
 * gaps.c - which window a start opens (DESIGN §6) and which ranges an
 * instance refuses to vouch for (DESIGN §5). Pure functions: the tests of
 * MERGE-CASES W1..W5 and U1..U2 drive them directly.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "coverage.h"
#include "gaps.h"

hiveha_time hh_time_sub_ms(hiveha_time t, int64_t ms)
{
	hiveha_time d = ms > HIVEHA_TIME_MAX / HIVEHA_TICKS_PER_MS ? HIVEHA_TIME_MAX : ms * HIVEHA_TICKS_PER_MS;
	return t < HIVEHA_TIME_MIN + d ? HIVEHA_TIME_MIN : t - d;
}

void hh_startup_gap(const hh_syncstate *st, const hh_gap_config *gc, hiveha_time start,
                    hh_range *gap, int *has_gap)
{
	*has_gap = 0;
	gap->from = gap->to = start;
	if (gc->expert_start) {
		gap->from = gc->expert_start;
	} else if (st->present && st->covered_until) {
		gap->from = hh_time_sub_ms(st->covered_until, gc->overlap_ms);
	} else if (gc->lookback_ms > 0) {
		gap->from = hh_time_sub_ms(start, gc->lookback_ms);
	} else {
		return;
	}
	*has_gap = gap->from < gap->to;
}

/* Whether the instance itself is still filling a piece (hh_gap.filling). */
enum { PIECE_LOST = 0, PIECE_FILLING = 1 };

/* One source of unvouched time. */
typedef struct piece {
	hiveha_time from, to;
	int filling;
} piece;

typedef struct pieces {
	piece *v;
	size_t n, cap;
	const hiveha_allocator *alloc;
} pieces;

static int add_piece(pieces *p, hiveha_time from, hiveha_time to, hiveha_time lo, hiveha_time hi,
                     int filling)
{
	if (from < lo)
		from = lo;
	if (to > hi)
		to = hi;
	if (from >= to)
		return HIVEHA_OK;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		piece *v = hh_realloc(p->alloc, p->v, cap * sizeof(*v));
		if (!v)
			return HIVEHA_ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = (piece){ from, to, filling };
	return HIVEHA_OK;
}

/* A pending span minus what this instance holds itself there (held
 * ranges are vouched for: they are re-read, not unknown). */
static int add_pending(pieces *p, const hh_syncstate *st, const hh_span *s, hiveha_time lo,
                       hiveha_time hi, int filling)
{
	hiveha_time from = s->from;
	int rc = HIVEHA_OK;
	for (size_t i = 0; i < st->held.n && !rc && from < s->to; i++) {
		const hh_span *h = &st->held.v[i];
		if (h->to <= from || h->from >= s->to)
			continue;
		rc = add_piece(p, from, h->from, lo, hi, filling);
		from = h->to;
	}
	if (!rc && from < s->to)
		rc = add_piece(p, from, s->to, lo, hi, filling);
	return rc;
}

static int cmp_time(const void *a, const void *b)
{
	hiveha_time x = *(const hiveha_time *)a, y = *(const hiveha_time *)b;
	return (x > y) - (x < y);
}

int hh_unvouched(const hh_vouch_input *in, hiveha_time from, hiveha_time to,
                 const hiveha_allocator *alloc, hh_gap **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (from >= to)
		return HIVEHA_OK;
	const hh_syncstate *st = in->st;
	pieces p = { .alloc = alloc };
	int rc = HIVEHA_OK;

	if (!st->present) {
		/* A governor that has not started yet will open a gap whose extent
		 * is unknown: vouch for nothing until it has. Without a governor
		 * there is no sync at all: the store is all there is. */
		if (in->have_governor && !in->started)
			rc = add_piece(&p, from, to, from, to, in->filling);
	} else {
		if (st->history_start > from)
			rc = add_piece(&p, from, st->history_start, from, to, PIECE_LOST);
		for (size_t i = 0; !rc && i < st->pending.n; i++) {
			const hh_span *s = &st->pending.v[i];
			int filling = in->have_governor && in->filling && !(s->flags & HH_SPAN_PEER_LACKS);
			rc = add_pending(&p, st, s, from, to, filling);
		}
		for (size_t i = 0; !rc && i < st->closed.n; i++)
			rc = add_piece(&p, st->closed.v[i].from, st->closed.v[i].to, from, to, PIECE_LOST);
		/* Before start-up the new gap is not known yet; what is before
		 * covered-until is stored here, even the overlap the start will
		 * re-read. */
		if (!rc && in->have_governor && !in->started && st->covered_until)
			rc = add_piece(&p, st->covered_until, HIVEHA_TIME_MAX, from, to, in->filling);
	}
	/* Rule 5: what arrived in the last settle window may not be stored yet;
	 * it will be, so the peer retries it. Rule 1: an instance that is not
	 * collecting has nothing after its covered-until, and never will. */
	if (!rc && in->settled_until)
		rc = add_piece(&p, in->settled_until, HIVEHA_TIME_MAX, from, to, PIECE_FILLING);
	if (!rc && in->stored_until)
		rc = add_piece(&p, in->stored_until, HIVEHA_TIME_MAX, from, to, PIECE_LOST);
	if (rc || p.n == 0) {
		hh_free(alloc, p.v);
		return rc;
	}

	/* Cut [from, to) at every piece edge; an elementary segment is
	 * unvouched if any piece covers it, and "filling" only if every
	 * covering piece is - a range that anyone knows to be lost must not
	 * keep the peer retrying. */
	size_t nb = 0;
	hiveha_time *b = hh_malloc(alloc, 2 * p.n * sizeof(*b));
	hh_gap *g = hh_malloc(alloc, 2 * p.n * sizeof(*g));
	if (!b || !g) {
		hh_free(alloc, b);
		hh_free(alloc, g);
		hh_free(alloc, p.v);
		return HIVEHA_ENOMEM;
	}
	for (size_t i = 0; i < p.n; i++) {
		b[nb++] = p.v[i].from;
		b[nb++] = p.v[i].to;
	}
	qsort(b, nb, sizeof(*b), cmp_time);
	size_t ng = 0;
	for (size_t i = 0; i + 1 < nb; i++) {
		hiveha_time s = b[i], e = b[i + 1];
		if (s >= e)
			continue;
		int covered = 0, filling = 1;
		for (size_t k = 0; k < p.n; k++) {
			if (p.v[k].from <= s && p.v[k].to >= e) {
				covered = 1;
				filling &= p.v[k].filling;
			}
		}
		if (!covered)
			continue;
		if (ng && g[ng - 1].to == s && g[ng - 1].filling == filling) {
			g[ng - 1].to = e;
		} else {
			g[ng].from = s;
			g[ng].to = e;
			g[ng].filling = filling;
			ng++;
		}
	}
	hh_free(alloc, b);
	hh_free(alloc, p.v);
	if (ng == 0) {
		hh_free(alloc, g);
		return HIVEHA_OK;
	}
	*out = g;
	*count = ng;
	return HIVEHA_OK;
}
