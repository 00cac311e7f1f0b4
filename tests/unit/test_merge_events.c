/*
 * The events merge plan (lib/merge_events.c), called directly: one test
 * per MERGE-CASES row about what a page does to the local events.
 *
 * Plans are executed against `local`, a model of the event store that
 * follows store.h's insert_events contract (insert unless the identity
 * exists, hiveha_event_identity_compare; never change or delete), and
 * pages come from `serve`, a model of the responder paging a range. The
 * identity rules themselves are the store's and are tested against every
 * store in tests/conformance; here the question is what the plan hands it
 * and how far the pending range shrinks.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "merge.h"

typedef struct local {
	hiveha_event v[64];
	size_t n;
} local;

static void local_insert(local *l, const hiveha_event *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < l->n && hiveha_event_identity_compare(&l->v[k], &e[i]) != 0)
			k++;
		if (k < l->n)
			continue;
		cr_assert_lt(l->n, sizeof(l->v) / sizeof(l->v[0]));
		l->v[l->n++] = e[i];
	}
}

static hiveha_event E(hiveha_time t, uint32_t src, uint32_t type, char *msg)
{
	hiveha_event e;
	memset(&e, 0, sizeof(e));
	e.time = t;
	e.source_id = src;
	e.type_id = type;
	e.message = msg;
	e.severity = 500;
	return e;
}

static int has(const local *l, const hiveha_event *e)
{
	int n = 0;
	for (size_t k = 0; k < l->n; k++) {
		const hiveha_event *x = &l->v[k];
		if (hiveha_event_identity_compare(x, e) == 0 && x->severity == e->severity)
			n++;
	}
	return n;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const hh_range GAP = { 10, 20 };

static hh_ev_reply page_of(hiveha_event *ev, size_t n, char *cursor)
{
	hh_ev_reply p;
	memset(&p, 0, sizeof(p));
	p.events = ev;
	p.count = n;
	p.cursor = cursor;
	return p;
}

/* What apply_page does with a plan: insert, then shrink `cur`. */
static void execute(local *l, hh_range *cur, const hh_events_plan *p)
{
	cr_assert_null(p->invalid, "plan refused a valid page: %s", p->invalid);
	cr_assert(p->done_to >= cur->from && p->done_to <= cur->to);
	local_insert(l, p->events, p->count);
	cur->from = p->done_to;
}

/* The peer's events in `cur`, `limit` a page, from its index `pos` in
 * that range; the page has a cursor unless it holds the last. */
static hh_ev_reply serve(hiveha_event *peer, size_t n, hh_range cur, size_t *pos, size_t limit)
{
	static char cursor[] = "c";
	size_t lo = 0;
	while (lo < n && peer[lo].time < cur.from)
		lo++;
	size_t hi = lo;
	while (hi < n && peer[hi].time < cur.to)
		hi++;
	size_t from = lo + *pos, to = from + limit < hi ? from + limit : hi;
	*pos = to - lo;
	return page_of(&peer[from], to - from, to == hi ? NULL : cursor);
}

/*
 * Fills `gap` from `peer` with pages of `limit`, stopping after
 * `max_pages` (a kill; the pending range then starts at cur.from) and
 * returns whether the gap is done. A restart asks [cur.from, gap.to) anew.
 */
static int fill(local *l, hh_range *cur, hiveha_event *peer, size_t n, size_t limit,
                size_t max_pages)
{
	size_t pos = 0;
	hh_range asked = *cur;
	for (size_t k = 0; k < max_pages; k++) {
		hh_ev_reply p = serve(peer, n, asked, &pos, limit);
		hh_events_plan plan;
		cr_assert_eq(hh_merge_events_page(&plan, *cur, &p), HIVEHA_OK);
		execute(l, cur, &plan);
		if (!p.cursor) {
			cr_assert_eq(cur->from, cur->to, "the last page completes the range");
			return 1;
		}
	}
	return 0;
}

static char hi[] = "hi", a[] = "a", b[] = "b", other[] = "other";

Test(merge_events, E1_identical_event_once)
{
	hiveha_event e1 = E(12, 1, 2, hi), e2 = E(13, 1, 2, other);
	local l = { .n = 0 };
	local_insert(&l, &e1, 1);
	hiveha_event peer[] = { e1, e2 };
	hh_range cur = GAP;
	cr_assert(fill(&l, &cur, peer, N(peer), 100, SIZE_MAX));
	cr_assert_eq(l.n, 2);
	cr_assert_eq(has(&l, &e1), 1, "E1: e1 once");
	cr_assert_eq(has(&l, &e2), 1, "E1: e2 arrives");
}

/* The cursor's edge: a page is done up to its last event's time, not
 * past it, so events sharing that time on the next page (or after a
 * restart) arrive; the ones re-sent are stored once. */
Test(merge_events, E1_resent_at_a_page_edge_and_after_a_restart_stored_once)
{
	hiveha_event peer[] = { E(11, 1, 1, a), E(12, 1, 1, a), E(12, 1, 2, a), E(12, 1, 3, a),
		                    E(15, 1, 1, a) };
	for (size_t limit = 1; limit <= 3; limit++) {
		for (size_t cut = 1;; cut++) {
			local l = { .n = 0 };
			hh_range cur = GAP;
			int done = fill(&l, &cur, peer, N(peer), limit, cut);
			if (!done)
				cr_assert(fill(&l, &cur, peer, N(peer), limit, SIZE_MAX));
			cr_assert_eq(l.n, N(peer), "limit %zu, cut after page %zu: %zu events", limit, cut,
			             l.n);
			for (size_t i = 0; i < N(peer); i++)
				cr_assert_eq(has(&l, &peer[i]), 1, "event %zu once", i);
			if (done)
				break;
		}
	}
	/* And a continued page without events is done nowhere. */
	hh_ev_reply empty = page_of(NULL, 0, "c");
	hh_events_plan plan;
	cr_assert_eq(hh_merge_events_page(&plan, GAP, &empty), HIVEHA_OK);
	cr_assert_eq(plan.done_to, GAP.from);
}

Test(merge_events, E2_local_events_are_never_deleted)
{
	hiveha_event e3 = E(14, 1, 2, hi);
	local l = { .n = 0 };
	local_insert(&l, &e3, 1);
	hh_ev_reply p = page_of(NULL, 0, NULL);
	hh_events_plan plan;
	cr_assert_eq(hh_merge_events_page(&plan, GAP, &p), HIVEHA_OK);
	cr_assert_eq(plan.count, 0);
	cr_assert_eq(plan.done_to, GAP.to, "E2: the peer has nothing: the gap is done");
	hh_range cur = GAP;
	execute(&l, &cur, &plan);
	cr_assert_eq(l.n, 1);
	cr_assert_eq(has(&l, &e3), 1, "E2: e3 stays");
}

Test(merge_events, E3_a_different_message_is_a_different_event)
{
	hiveha_event e4 = E(15, 1, 2, a), e5 = E(15, 1, 2, b);
	local l = { .n = 0 };
	local_insert(&l, &e4, 1);
	hiveha_event peer[] = { e5 };
	hh_range cur = GAP;
	cr_assert(fill(&l, &cur, peer, N(peer), 100, SIZE_MAX));
	cr_assert_eq(l.n, 2);
	cr_assert_eq(has(&l, &e4), 1, "E3: e4 kept");
	cr_assert_eq(has(&l, &e5), 1, "E3: e5 arrives");
}

Test(merge_events, E4_kept_not_overwritten)
{
	hiveha_event e1 = E(12, 1, 2, hi), e1b = e1;
	e1b.severity = 900;
	local l = { .n = 0 };
	local_insert(&l, &e1, 1);
	hiveha_event peer[] = { e1b };
	hh_range cur = GAP;
	cr_assert(fill(&l, &cur, peer, N(peer), 100, SIZE_MAX));
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.v[0].severity, 500, "E4: the local e1 keeps its severity");
}

Test(merge_events, E5_an_event_outside_the_gap_never_lands)
{
	hiveha_event e7 = E(10, 1, 2, a), e6 = E(20, 1, 2, b), e0 = E(9, 1, 2, b);
	hiveha_event outside[][2] = { { e7, e6 }, { e0, e7 } };
	for (size_t i = 0; i < N(outside); i++) {
		hh_ev_reply p = page_of(outside[i], 2, NULL);
		hh_events_plan plan;
		cr_assert_eq(hh_merge_events_page(&plan, GAP, &p), HIVEHA_EPROTOCOL,
		             "E5: a page with an event at %lld", (long long)(i ? 9 : 20));
		cr_assert_eq(plan.count, 0, "E5: nothing of a refused page is inserted");
		cr_assert_eq(plan.done_to, GAP.from, "E5: nothing of a refused page is done");
		cr_assert_str_eq(plan.invalid, "event time outside the range or out of order");
	}
	hiveha_event backwards[] = { E(13, 1, 2, a), E(12, 1, 2, a) };
	hh_ev_reply p = page_of(backwards, 2, NULL);
	hh_events_plan plan;
	cr_assert_eq(hh_merge_events_page(&plan, GAP, &p), HIVEHA_EPROTOCOL, "out of order");

	/* What a peer sends for [10,20): e7 only, at the gap's first tick. */
	local l = { .n = 0 };
	hiveha_event peer[] = { e7, e6 };
	hh_range cur = GAP;
	cr_assert(fill(&l, &cur, peer, N(peer), 100, SIZE_MAX));
	cr_assert_eq(l.n, 1);
	cr_assert_eq(has(&l, &e7), 1, "E5: e7 only");
}

/* L3: an event the peer cannot carry is skipped and named; the rest of
 * the page arrives and the range is done past it (never asked again). */
Test(merge_events, L3_a_skipped_event_is_named_and_the_rest_arrive)
{
	hiveha_event ev[] = { E(11, 1, 2, a), E(13, 1, 2, a), E(19, 1, 2, a) };
	hh_skipped sk[] = { { 14, 3, 4, "embedded NUL" },
		                { 15, 5, 6, NULL },
		                { 16, 7, 8, "too long" },
		                { 17, 9, 9, "fourth" } };
	hh_ev_reply p = page_of(ev, N(ev), NULL);
	p.skipped = sk;
	p.skipped_count = 1;
	p.skipped_total = 1;
	hh_events_plan plan;
	cr_assert_eq(hh_merge_events_page(&plan, GAP, &p), HIVEHA_OK);
	cr_assert_eq(plan.count, N(ev), "L3: all the others arrive");
	cr_assert_eq(plan.skipped, 1, "L3: the skip is reported");
	cr_assert_eq(plan.done_to, GAP.to, "L3: the skipped event does not hold the gap open");
	char text[400];
	cr_assert_str_eq(hh_merge_events_describe_skipped(text, sizeof(text), &p),
	                 "event at 14, source 3, type 4 (embedded NUL)");

	p.skipped_count = 4;
	p.skipped_total = 9;
	cr_assert_str_eq(hh_merge_events_describe_skipped(text, sizeof(text), &p),
	                 "event at 14, source 3, type 4 (embedded NUL); "
	                 "event at 15, source 5, type 6 (no reason given); "
	                 "event at 16, source 7, type 8 (too long)",
	                 "L3: the first three are named");
	cr_assert_str_eq(hh_merge_events_describe_skipped(text, 12, &p), "event at 14",
	                 "cut at the buffer, still a string");
}
