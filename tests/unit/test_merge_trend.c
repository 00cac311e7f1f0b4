/*
 * The timeseries merge plan (lib/merge_trend.c), called directly: one test
 * per MERGE-CASES row about what a page does to the local samples.
 *
 * The plans are executed against `local`, a model of one item's samples
 * that follows store.h's replace_samples contract (delete the range, then
 * insert after existing equal times, keeping the given order), and pages
 * come from `serve`, a model of the responder's paging of one item
 * (docs/protocol.md: at most `limit` samples a page, a restart resumes at
 * (time, skip)). What each test asserts is the "local after" column.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"

/* ---- a model of one item in the local store --------------------------- */

typedef struct local {
	hiveha_sample *v;
	size_t n, cap;
} local;

static size_t bound(const local *l, hiveha_time t, int after_equal)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].time < t || (after_equal && l->v[mid].time == t))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void local_insert(local *l, const hiveha_sample *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		cr_assert_not_null(l->v);
	}
	size_t at = bound(l, s->time, 1);
	memmove(&l->v[at + 1], &l->v[at], (l->n - at) * sizeof(*l->v));
	l->v[at] = *s;
	l->n++;
}

static void local_replace(local *l, hiveha_time from, hiveha_time to, const hiveha_sample *s,
                          size_t n)
{
	if (from < to && l->n) { /* memmove(NULL, ...) is undefined even for 0 bytes */
		size_t a = bound(l, from, 0), b = bound(l, to, 0);
		memmove(&l->v[a], &l->v[b], (l->n - b) * sizeof(*l->v));
		l->n -= b - a;
	}
	for (size_t i = 0; i < n; i++)
		local_insert(l, &s[i]);
}

static void local_free(local *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Samples are (time, tag): the tag is a letter standing for the value. */
static hiveha_sample S(hiveha_time t, char tag)
{
	hiveha_sample s;
	memset(&s, 0, sizeof(s));
	s.time = t;
	s.quality = HIVEHA_QUALITY_GOOD;
	hiveha_value_set_int64(&s.value, tag);
	return s;
}

static local local_of(const hiveha_sample *s, size_t n)
{
	local l = { NULL, 0, 0 };
	for (size_t i = 0; i < n; i++)
		local_insert(&l, &s[i]);
	return l;
}

static void assert_local(const local *l, const hiveha_sample *want, size_t n, const char *why)
{
	cr_assert_eq(l->n, n, "%s: %zu samples, want %zu", why, l->n, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(l->v[i].time, want[i].time, "%s: time of sample %zu", why, i);
		cr_assert_eq(l->v[i].value.as.i64, want[i].value.as.i64,
		             "%s: value of sample %zu (%c, want %c)", why, i, (char)l->v[i].value.as.i64,
		             (char)want[i].value.as.i64);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a model of the peer paging one item ------------------------------ */

static const hh_range GAP = { 10, 20 };

/* The peer's samples of the item inside `gap` from index `pos`: at most
 * `limit` of them, complete when they are the last. */
static size_t serve(hh_ts_item *it, char *id, const hiveha_sample *peer, size_t n, hh_range gap,
                    size_t pos, size_t limit)
{
	size_t lo = 0;
	while (lo < n && peer[lo].time < gap.from)
		lo++;
	size_t hi = lo;
	while (hi < n && peer[hi].time < gap.to)
		hi++;
	size_t from = lo + pos, to = from + limit < hi ? from + limit : hi;
	memset(it, 0, sizeof(*it));
	it->id = id;
	it->samples = (hiveha_sample *)&peer[from];
	it->count = to - from;
	it->complete = to == hi;
	return to - lo;
}

/* Where a restart resumes in the peer's samples of the gap: after `skip`
 * samples at `time` (the responder's reading of a request's start). */
static size_t resume_pos(const hiveha_sample *peer, size_t n, hh_range gap, hiveha_time time,
                         uint64_t skip)
{
	size_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		if (peer[i].time < gap.from || peer[i].time >= gap.to)
			continue;
		if (peer[i].time < time || (peer[i].time == time && skip)) {
			if (peer[i].time == time)
				skip--;
			pos++;
		}
	}
	return pos;
}

/* What apply_page does with a plan, for one item, against the model. */
static void execute(local *l, hh_checkpoint *ck, hh_range gap, char *id, const hh_trend_plan *p)
{
	cr_assert_neq(p->action, HH_TREND_INVALID, "plan refused a valid page: %s", p->invalid);
	if (p->action == HH_TREND_REPLACE) {
		cr_assert_geq(p->delete_from, gap.from, "a plan deletes before its gap");
		cr_assert_leq(p->delete_to, gap.to, "a plan deletes past its gap");
		local_replace(l, p->delete_from, p->delete_to, p->samples, p->count);
	}
	ck->active = 1;
	ck->gap_from = gap.from;
	ck->gap_to = gap.to;
	ck->item = id;
	ck->item_done = p->mark.item_done;
	ck->time = p->mark.time;
	ck->skip = p->mark.skip;
	ck->deleted_to = p->mark.deleted_to;
}

/*
 * Fills item "X" of `gap` from `peer`, `limit` samples a page, starting
 * where `ck` says, and stops after `max_pages` pages (a kill: each page is
 * one transaction, so the model is as after page max_pages). Returns
 * whether the item was finished.
 */
static int fill(local *l, hh_checkpoint *ck, hh_range gap, const hiveha_sample *peer, size_t n,
                size_t limit, size_t max_pages)
{
	static char id[] = "X";
	size_t pos = 0;
	if (hh_merge_trend_resumes(ck, gap, id))
		pos = resume_pos(peer, n, gap, ck->time, ck->skip);
	for (size_t page = 0; page < max_pages; page++) {
		hh_ts_item it;
		pos = serve(&it, id, peer, n, gap, pos, limit);
		hh_trend_plan plan;
		hh_merge_trend_item(&plan, gap, ck, id, &it,
		                    it.complete ? HH_MERGE_LAST_OF_PAGE | HH_MERGE_LAST_PAGE
		                                : HH_MERGE_LAST_OF_PAGE);
		if (plan.action == HH_TREND_REPLACE)
			cr_assert(plan.count <= limit && plan.samples == it.samples,
			          "the plan writes the page's samples, borrowed, not more");
		execute(l, ck, gap, id, &plan);
		if (it.complete)
			return 1;
	}
	return 0;
}

static void fill_all(local *l, const hiveha_sample *peer, size_t n, size_t limit)
{
	hh_checkpoint ck;
	memset(&ck, 0, sizeof(ck));
	cr_assert(fill(l, &ck, GAP, peer, n, limit, SIZE_MAX));
}

/* ---- T: timeseries ---------------------------------------------------- */

Test(merge_trend, T1_plain_fill)
{
	hiveha_sample peer[10];
	for (int i = 0; i < 10; i++)
		peer[i] = S(10 + i, (char)('a' + i));
	local l = { NULL, 0, 0 };
	fill_all(&l, peer, N(peer), 100);
	assert_local(&l, peer, N(peer), "T1");
	local_free(&l);
}

Test(merge_trend, T2_peer_wins)
{
	hiveha_sample before[] = { S(12, 'x') };
	hiveha_sample peer[] = { S(12, 'y'), S(15, 'z') };
	local l = local_of(before, N(before));
	fill_all(&l, peer, N(peer), 100);
	assert_local(&l, peer, N(peer), "T2");
	local_free(&l);
}

Test(merge_trend, T3_local_only_sample_in_a_vouched_range_is_replaced_away)
{
	hiveha_sample before[] = { S(13, 'x') };
	hiveha_sample peer[] = { S(12, 'y') };
	local l = local_of(before, N(before));
	fill_all(&l, peer, N(peer), 100);
	assert_local(&l, peer, N(peer), "T3");
	local_free(&l);
}

/* The page that leaves [14,17) unvouched carries no samples; the deputy
 * fills what the peer vouches for as two gaps (hh_dep_resplit). Their
 * plans must not reach into [14,17). */
Test(merge_trend, T4_unvouched_range_left_alone)
{
	hiveha_sample before[] = { S(15, 'x') };
	hiveha_sample peer[] = { S(11, 'a'), S(18, 'b') };
	local l = local_of(before, N(before));
	hh_range vouched[] = { { 10, 14 }, { 17, 20 } };
	for (size_t g = 0; g < N(vouched); g++) {
		hh_checkpoint ck;
		memset(&ck, 0, sizeof(ck));
		cr_assert(fill(&l, &ck, vouched[g], peer, N(peer), 100, SIZE_MAX));
	}
	hiveha_sample want[] = { S(11, 'a'), S(15, 'x'), S(18, 'b') };
	assert_local(&l, want, N(want), "T4");
	local_free(&l);
}

Test(merge_trend, T5_half_open_edges)
{
	hiveha_sample before[] = { S(9, 'p'), S(20, 'q') };
	hiveha_sample peer[] = { S(9, 'r'), S(10, 'a'), S(19, 'b'), S(20, 's') };
	local l = local_of(before, N(before));
	fill_all(&l, peer, N(peer), 100);
	hiveha_sample want[] = { S(9, 'p'), S(10, 'a'), S(19, 'b'), S(20, 'q') };
	assert_local(&l, want, N(want), "T5");

	/* A page that carries a sample at either edge outside is refused
	 * whole: nothing at 9 or 20 may be written by a fill of [10,20). */
	hh_checkpoint ck;
	memset(&ck, 0, sizeof(ck));
	hiveha_sample *edges[] = { &peer[0], &peer[2] }; /* (9,r)(10,a)... and (19,b)(20,s) */
	for (size_t e = 0; e < N(edges); e++) {
		hh_ts_item it = { "X", 0, 1, edges[e], 2 };
		hh_trend_plan plan;
		cr_assert_eq(hh_merge_trend_item(&plan, GAP, &ck, "X", &it,
		                                 HH_MERGE_LAST_OF_PAGE | HH_MERGE_LAST_PAGE),
		             HH_TREND_INVALID, "T5: a sample at %lld is outside [10,20)",
		             (long long)(e ? 20 : 9));
	}
	local_free(&l);
}

Test(merge_trend, T6_equal_timestamps_in_order_at_every_chunk_limit)
{
	hiveha_sample peer[] = { S(15, 'a'), S(15, 'b'), S(15, 'c') };
	for (size_t limit = 1; limit <= 4; limit++) {
		hiveha_sample before[] = { S(15, 'x'), S(16, 'y') };
		local l = local_of(before, N(before));
		fill_all(&l, peer, N(peer), limit);
		cr_assert_eq(l.n, 3, "T6 at chunk limit %zu: %zu samples", limit, l.n);
		assert_local(&l, peer, N(peer), "T6");
		local_free(&l);
	}
}

/* The cut that makes T6 work: only the last item of a continued page may
 * be unfinished, and it must carry something to resume after. */
Test(merge_trend, T6_an_unfinished_item_only_at_the_end_of_a_continued_page)
{
	hiveha_sample s[] = { S(15, 'a') };
	hh_checkpoint ck;
	memset(&ck, 0, sizeof(ck));
	hh_ts_item cut = { "X", 0, 0, s, 1 };
	hh_ts_item empty_cut = { "X", 0, 0, NULL, 0 };
	hh_trend_plan plan;
	cr_assert_eq(hh_merge_trend_item(&plan, GAP, &ck, "X", &cut, HH_MERGE_MIDDLE), HH_TREND_INVALID,
	             "unfinished item followed by another");
	cr_assert_eq(hh_merge_trend_item(&plan, GAP, &ck, "X", &cut,
	                                 HH_MERGE_LAST_OF_PAGE | HH_MERGE_LAST_PAGE),
	             HH_TREND_INVALID, "unfinished item on the last page");
	cr_assert_eq(hh_merge_trend_item(&plan, GAP, &ck, "X", &empty_cut, HH_MERGE_LAST_OF_PAGE),
	             HH_TREND_INVALID, "unfinished item with nothing to resume after");
	cr_assert_eq(hh_merge_trend_item(&plan, GAP, &ck, "X", &cut, HH_MERGE_LAST_OF_PAGE),
	             HH_TREND_REPLACE);
	cr_assert_eq(plan.delete_to, 16, "a cut item replaces up to just after its last time");
	cr_assert(!plan.mark.item_done && plan.mark.time == 15 && plan.mark.skip == 1);
}

Test(merge_trend, T7_unknown_item_left_untouched)
{
	/* One page answers X (unknown to the peer) and Y. */
	hiveha_sample x_before[] = { S(12, 'x') };
	hiveha_sample y_peer[] = { S(13, 'y') };
	local x = local_of(x_before, N(x_before));
	local y = { NULL, 0, 0 };
	hh_checkpoint ck;
	memset(&ck, 0, sizeof(ck));
	ck.time = 7; /* whatever the checkpoint held stays as it was */
	ck.skip = 3;
	ck.deleted_to = 8;
	hh_ts_item items[] = { { "X", 1, 1, NULL, 0 }, { "Y", 0, 1, y_peer, 1 } };
	hh_trend_plan plan;
	cr_assert_eq(hh_merge_trend_item(&plan, GAP, &ck, "X", &items[0], HH_MERGE_MIDDLE),
	             HH_TREND_UNKNOWN);
	cr_assert(plan.mark.item_done, "T7: an unknown item is done, the deputy goes on");
	cr_assert(plan.mark.time == 7 && plan.mark.skip == 3 && plan.mark.deleted_to == 8,
	          "T7: the checkpoint's position is kept");
	execute(&x, &ck, GAP, "X", &plan);
	cr_assert_eq(hh_merge_trend_item(&plan, GAP, &ck, "Y", &items[1],
	                                 HH_MERGE_LAST_OF_PAGE | HH_MERGE_LAST_PAGE),
	             HH_TREND_REPLACE);
	execute(&y, &ck, GAP, "Y", &plan);
	assert_local(&x, x_before, N(x_before), "T7: X");
	assert_local(&y, y_peer, N(y_peer), "T7: Y");
	local_free(&x);
	local_free(&y);
}

Test(merge_trend, T8_running_the_same_sync_twice_changes_nothing)
{
	hiveha_sample before[] = { S(9, 'p'), S(12, 'x'), S(13, 'x'), S(15, 'x'), S(20, 'q') };
	hiveha_sample peer[] = { S(11, 'a'), S(15, 'b'), S(15, 'c'), S(15, 'd'), S(19, 'e') };
	for (size_t limit = 1; limit <= 6; limit++) {
		local once = local_of(before, N(before));
		fill_all(&once, peer, N(peer), limit);
		local twice = local_of(before, N(before));
		fill_all(&twice, peer, N(peer), limit);
		fill_all(&twice, peer, N(peer), limit);
		assert_local(&twice, once.v, once.n, "T8");
		local_free(&once);
		local_free(&twice);
	}
}

Test(merge_trend, T9_a_million_samples_in_pages_of_the_chunk_limit)
{
	/* Ten distinct times in [10,20): every page but the last is cut inside
	 * a run of 100 000 equal times. */
	const size_t n = 1000000, limit = 1000;
	hiveha_sample *peer = malloc(n * sizeof(*peer));
	cr_assert_not_null(peer);
	for (size_t i = 0; i < n; i++) {
		peer[i] = S(10 + (hiveha_time)(i / 100000), 0);
		peer[i].value.as.i64 = (int64_t)i;
	}
	local l = { NULL, 0, 0 };
	fill_all(&l, peer, n, limit); /* fill() checks each plan borrows at most `limit` */
	cr_assert_eq(l.n, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(l.v[i].value.as.i64, (int64_t)i, "T9: sample %zu out of place", i);
	local_free(&l);
	free(peer);
}

/* ---- W: windows, gaps and checkpoints --------------------------------- */

/* W5 leaves two gaps pending; a checkpoint inside [40,60) must not be
 * continued by a page of [100,200): that would delete from 41. */
Test(merge_trend, W5_a_checkpoint_of_another_pending_gap_is_not_continued)
{
	hiveha_sample before[] = { S(45, 'x'), S(150, 'y') };
	hiveha_sample peer[] = { S(120, 'a') };
	local l = local_of(before, N(before));
	hh_checkpoint ck = { .active = 1,
		                 .gap_from = 40,
		                 .gap_to = 60,
		                 .item = "X",
		                 .time = 40,
		                 .skip = 1,
		                 .deleted_to = 41 };
	hh_range gap = { 100, 200 };
	cr_assert(!hh_merge_trend_resumes(&ck, gap, "X"));
	cr_assert(fill(&l, &ck, gap, peer, N(peer), 100, SIZE_MAX));
	hiveha_sample want[] = { S(45, 'x'), S(120, 'a') };
	assert_local(&l, want, N(want), "W5");
	local_free(&l);
}

/* W6 at the level of a page: a failed store call rolls the page back, so
 * a run is cut between two pages; a restart resumes at the checkpoint the
 * last committed page wrote. Cut after every page, at several chunk
 * limits: the result equals the uninterrupted run, and until the restart
 * no local sample the peer has not replaced yet is gone. */
Test(merge_trend, W6_a_restart_after_any_page_equals_an_uninterrupted_run)
{
	hiveha_sample before[] = { S(12, 'x'), S(15, 'x'), S(17, 'x'), S(18, 'x') };
	hiveha_sample peer[] = {
		S(11, 'a'), S(15, 'b'), S(15, 'c'), S(15, 'd'), S(15, 'e'), S(17, 'f')
	};
	for (size_t limit = 1; limit <= 4; limit++) {
		local whole = local_of(before, N(before));
		fill_all(&whole, peer, N(peer), limit);
		for (size_t cut = 1;; cut++) {
			local l = local_of(before, N(before));
			hh_checkpoint ck;
			memset(&ck, 0, sizeof(ck));
			int done = fill(&l, &ck, GAP, peer, N(peer), limit, cut);
			for (size_t i = 0; i < N(before) && !done; i++) {
				if (before[i].time <= ck.time)
					continue; /* the peer's samples up to ck.time are stored */
				size_t at = bound(&l, before[i].time, 0);
				cr_assert(at < l.n && l.v[at].value.as.i64 == 'x',
				          "W6: limit %zu, cut after page %zu: (%lld,x) gone early", limit, cut,
				          (long long)before[i].time);
			}
			if (!done)
				cr_assert(fill(&l, &ck, GAP, peer, N(peer), limit, SIZE_MAX));
			assert_local(&l, whole.v, whole.n, "W6: restarted run");
			local_free(&l);
			if (done)
				break;
		}
		local_free(&whole);
	}
}

/* W7: "nothing is closed as filled that was not" rests on items coming
 * back in request order (item_done means "and every smaller id"). */
Test(merge_trend, W7_an_item_answered_out_of_order_is_refused)
{
	hiveha_sample s[] = { S(12, 'a') };
	hh_checkpoint ck;
	memset(&ck, 0, sizeof(ck));
	hh_ts_item c = { "C", 0, 1, s, 1 };
	hh_trend_plan plan;
	cr_assert_eq(hh_merge_trend_item(&plan, GAP, &ck, "B", &c, HH_MERGE_LAST_OF_PAGE),
	             HH_TREND_INVALID, "W7: C answered where B was due");
	cr_assert_str_eq(plan.invalid, "item out of the requested order");
	cr_assert_eq(hh_merge_trend_item(&plan, GAP, &ck, NULL, &c, HH_MERGE_LAST_OF_PAGE),
	             HH_TREND_INVALID, "W7: an item more than was asked");
	cr_assert_eq(hh_merge_trend_item(&plan, GAP, &ck, "C", &c, HH_MERGE_LAST_OF_PAGE),
	             HH_TREND_REPLACE);
}

/* ---- V: values --------------------------------------------------------- */

/* Arrays and matrices are reserved types (hiveha/value.h); the scalar
 * edge cases stand in: a NaN with a payload, -0.0, a string with a NUL.
 * The plan hands the decoded samples to the store as they are. */
Test(merge_trend, V1_values_reach_the_store_bit_for_bit)
{
	hiveha_sample peer[3];
	memset(peer, 0, sizeof(peer));
	uint64_t nan_bits = UINT64_C(0x7ff8000000000123);
	double nan_payload;
	memcpy(&nan_payload, &nan_bits, sizeof(nan_payload));
	peer[0].time = 12;
	hiveha_value_set_double(&peer[0].value, nan_payload);
	peer[1].time = 13;
	hiveha_value_set_double(&peer[1].value, -0.0);
	peer[2].time = 14;
	cr_assert_eq(hiveha_value_set_string(&peer[2].value, "b\0c", 3), HIVEHA_OK);

	local l = { NULL, 0, 0 };
	fill_all(&l, peer, N(peer), 2);
	cr_assert_eq(l.n, 3);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(l.v[i].value.type, HIVEHA_TYPE_DOUBLE);
		cr_assert(memcmp(&l.v[i].value.as.f64, &peer[i].value.as.f64, sizeof(double)) == 0,
		          "V1: sample %zu has other bits", i);
	}
	uint64_t got;
	memcpy(&got, &l.v[0].value.as.f64, sizeof(got));
	cr_assert_eq(got, nan_bits, "V1: the NaN's payload is kept");
	cr_assert(signbit(l.v[1].value.as.f64), "V1: -0.0 stays negative");
	cr_assert_eq(l.v[2].value.type, HIVEHA_TYPE_STRING);
	cr_assert_eq(l.v[2].value.as.str.len, 3);
	cr_assert(memcmp(l.v[2].value.as.str.ptr, "b\0c", 3) == 0, "V1: the NUL and after it");
	local_free(&l);
	hiveha_value_clear(&peer[2].value);
}
