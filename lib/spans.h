/*
 * spans.h - sorted lists of disjoint half-open time ranges (internal).
 *
 * Gaps and closed ranges of a deputy are span lists. Each span carries
 * flags; when spans are united their flags are cleared, because a merged
 * gap is new work whose history (e.g. "the peer lacks it") no longer holds
 * for all of it.
 */
#ifndef HH_SPANS_H
#define HH_SPANS_H

#include <hiveha/common.h>
#include <hiveha/time.h>

/* The peer answered that it lacks this range and is filling it itself. */
#define HH_SPAN_PEER_LACKS 0x1
/* Bits 8..23: rounds in which the peer answered "still filling" for this
 * range (DESIGN §5 rule 4 bounds them). */
#define HH_SPAN_ROUNDS_MAX 0xffff
#define HH_SPAN_ROUNDS(flags) ((int)(((unsigned)(flags) >> 8) & HH_SPAN_ROUNDS_MAX))
#define HH_SPAN_WITH_ROUNDS(flags, n) (((flags) & 0xff) | ((n) << 8))

typedef struct hh_span {
	hiveha_time from, to; /* half-open, from < to */
	int flags;
} hh_span;

typedef struct hh_spans {
	hh_span *v;
	size_t n, cap;
	const hiveha_allocator *alloc;
} hh_spans;

void hh_spans_init(hh_spans *s, const hiveha_allocator *alloc);
void hh_spans_free(hh_spans *s);
void hh_spans_clear(hh_spans *s);
int hh_spans_copy(hh_spans *dst, const hh_spans *src);

/* Unites [from, to) into the list. Spans it overlaps or touches merge into
 * one span with flags 0; an untouched list keeps its flags. */
int hh_spans_add(hh_spans *s, hiveha_time from, hiveha_time to);

/* Inserts [from, to) with `flags` replacing whatever covered that range
 * (neighbours are not merged, so flags stay exact). */
int hh_spans_set(hh_spans *s, hiveha_time from, hiveha_time to, int flags);

/* Removes [from, to) from every span (splitting spans as needed). */
int hh_spans_remove(hh_spans *s, hiveha_time from, hiveha_time to);

/* True when some span intersects [from, to). */
int hh_spans_intersects(const hh_spans *s, hiveha_time from, hiveha_time to);

/* Total length in ticks (saturating). */
hiveha_time hh_spans_total(const hh_spans *s);

#endif /* HH_SPANS_H */
