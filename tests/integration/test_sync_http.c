/*
 * Issue 4 §4: two complete instances (SQLite store + governor + responder
 * + HTTP listener + HTTP transport) sync over real loopback HTTP.
 *
 * History used by every test (times relative to BASE, 2024-01-01Z):
 *  - A has run since BASE: its first governor starts at BASE with no
 *    look-back, so it syncs nothing and vouches for [BASE, ...) from then.
 *  - Both collected the same items and events from BASE to BASE + 300 s,
 *    except while they were down: B during [G0, G1), A during [G2, G3).
 *  - B also holds stale samples and one event inside its hole: the stale
 *    samples must be replaced away, the event must not be doubled.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integ.h"

#define S HIVEHA_TICKS_PER_SECOND
#define MS HIVEHA_TICKS_PER_MS
#define SPAN_S 300
#define PERIOD (100 * MS)

static hiveha_time BASE, G0, G1, G2, G3, END;
static const char *const items[] = { "plant.flow", "plant.count", "plant.state" };
#define NITEMS (sizeof(items) / sizeof(items[0]))

static inst a, b;

static void times(void)
{
	cr_assert_eq(hiveha_time_from_unix(&BASE, 1704067200, 0), 0);
	G0 = BASE + 100 * S;
	G1 = BASE + 160 * S;
	G2 = BASE + 200 * S;
	G3 = BASE + 230 * S;
	END = BASE + SPAN_S * S;
}

static hiveha_sample sample_at(size_t item, hiveha_time t, char *strbuf, size_t size)
{
	hiveha_sample s;
	memset(&s, 0, sizeof(s));
	long long k = (long long)((t - BASE) / PERIOD);
	s.time = t;
	s.quality = k % 7 == 0 ? 0x40u | (1u << 16) : HIVEHA_QUALITY_GOOD;
	if (item == 0) {
		hiveha_value_set_double(&s.value, k % 97 == 0 ? NAN : sin((double)k / 10.0) * 1e3);
	} else if (item == 1) {
		hiveha_value_set_int64(&s.value, INT64_C(1) << 60 | k);
	} else {
		snprintf(strbuf, size, "state %lld \xc3\xa4", k);
		s.value.type = HIVEHA_TYPE_STRING;
		s.value.as.str.ptr = strbuf;
		s.value.as.str.len = strlen(strbuf);
	}
	return s;
}

static hiveha_event event_at(long long k, hiveha_attribute *attr)
{
	hiveha_event e;
	static char msg[64], src[32];
	memset(&e, 0, sizeof(e));
	snprintf(msg, sizeof(msg), "alarm %lld", k);
	snprintf(src, sizeof(src), "Pump %lld", k % 5);
	e.time = BASE + k * S;
	e.received_time = e.time + MS;
	e.source_id = (uint32_t)(k % 5);
	e.type_id = (uint32_t)(k % 3);
	e.category = 7;
	e.state = (uint32_t)k & 0x3u;
	e.severity = (uint32_t)((k * 37) % 1001);
	e.source_name = src;
	e.message = msg;
	e.user_name = k % 2 ? (char *)"operator" : NULL;
	if (k % 4 == 0) {
		memset(attr, 0, sizeof(*attr));
		attr->name = (char *)"limit";
		hiveha_value_set_uint64(&attr->value, UINT64_MAX - (uint64_t)k);
		e.attributes = attr;
		e.attribute_count = 1;
	}
	return e;
}

/* What an instance collected while it ran: everything outside its hole. */
static void collect(const inst *in, hiveha_time hole_from, hiveha_time hole_to)
{
	enum { BATCH = 512 };
	static hiveha_sample buf[BATCH];
	static char strs[BATCH][48];
	for (size_t it = 0; it < NITEMS; it++) {
		size_t n = 0;
		for (hiveha_time t = BASE; t < END; t += PERIOD) {
			if (t >= hole_from && t < hole_to)
				continue;
			buf[n] = sample_at(it, t, strs[n], sizeof(strs[n]));
			if (++n == BATCH) {
				cr_assert_eq(hiveha_sqlite_append_samples(&in->obs, items[it], buf, n), 0);
				n = 0;
			}
		}
		if (n)
			cr_assert_eq(hiveha_sqlite_append_samples(&in->obs, items[it], buf, n), 0);
	}
	for (long long k = 0; k < SPAN_S; k++) {
		hiveha_attribute attr;
		hiveha_event e = event_at(k, &attr);
		if (e.time >= hole_from && e.time < hole_to)
			continue;
		cr_assert_eq(hiveha_sqlite_add_events(&in->obs, &e, 1, NULL), 0);
	}
}

static void setup_plain(void)
{
	times();
	in_setup(0);
}

static void setup_tls(void)
{
	times();
	in_setup(1);
}

static void teardown(void)
{
	in_fini(&a);
	in_fini(&b);
	in_teardown();
}

TestSuite(http_sync, .init = setup_plain, .fini = teardown);
/* On Windows the listener has no TLS (libmicrohttpd without GnuTLS,
 * docs/windows.md) and the setup needs the openssl command. */
#if defined(_WIN32)
#  define IN_NO_TLS_LISTENER 1
#else
#  define IN_NO_TLS_LISTENER 0
#endif
TestSuite(https_sync, .init = setup_tls, .fini = teardown, .disabled = IN_NO_TLS_LISTENER);

/* Both instances with their data; A's first governor has run (it vouches
 * for its history from BASE on) and A serves with `a_token`. B listens but
 * has no governor yet. */
static void two_instances(const char *a_token)
{
	in_init(&a, "a");
	in_init(&b, "b");
	collect(&a, G2, G3);
	collect(&b, G0, G1);
	/* stale local samples and an event B already has, inside its hole */
	hiveha_sample stale[2];
	memset(stale, 0, sizeof(stale));
	stale[0].time = G0 + 50 * MS;
	hiveha_value_set_double(&stale[0].value, -1);
	stale[1].time = G1 - 1;
	hiveha_value_set_double(&stale[1].value, -2);
	cr_assert_eq(hiveha_sqlite_append_samples(&b.obs, items[0], stale, 2), 0);
	hiveha_attribute attr;
	hiveha_event dup = event_at(120, &attr);
	cr_assert_eq(hiveha_sqlite_add_events(&b.obs, &dup, 1, NULL), 0);

	in_listen(&a);
	in_listen(&b);
	hiveha_governor_config cfg;
	in_config(&a, &b, &cfg);
	cfg.start_time = BASE;
	in_gov(&a, &cfg);
	cr_assert_eq(hiveha_governor_run(a.gov), 0, "%s", a.log);
	cr_assert_eq(b.served, 0, "A's first start has nothing to sync");
	in_respond(&a, a_token);
}

/* B's governor for its restart after the hole: expert start G0, start G1. */
static void b_restart(hiveha_governor_config *cfg)
{
	in_config(&b, &a, cfg);
	cfg->trend_expert_start = G0;
	cfg->events_expert_start = G0;
	cfg->start_time = G1;
}

static void assert_gap_equal(const inst *x, const inst *y, hiveha_time from, hiveha_time to)
{
	for (size_t it = 0; it < NITEMS; it++)
		in_assert_same_samples(x, y, items[it], from, to);
	in_assert_same_events(x, y, from, to);
}

static size_t samples_in(const inst *in, const char *item, hiveha_time from, hiveha_time to)
{
	uint64_t n = 0;
	cr_assert_eq(hiveha_sqlite_count_samples(&in->obs, item, from, to, &n), 0);
	return (size_t)n;
}

/* Digests of what lies outside [from, to) (before and after). */
static char *outside(const inst *in, hiveha_time from, hiveha_time to)
{
	char *lo = in_digest(in, INT64_MIN, from);
	char *hi = in_digest(in, to, INT64_MAX);
	size_t n = strlen(lo) + strlen(hi) + 8;
	char *all = malloc(n);
	cr_assert_not_null(all);
	snprintf(all, n, "%s---\n%s", lo, hi);
	free(lo);
	free(hi);
	return all;
}

static void sync_both_ways(void)
{
	two_instances(IN_TOKEN);
	hiveha_governor_config cfg;
	b_restart(&cfg);
	in_gov(&b, &cfg);
	in_respond(&b, IN_TOKEN);
	char *before = outside(&b, G0, G1);
	cr_assert_eq(samples_in(&b, items[0], G0, G1), 2, "the stale samples are there");

	cr_assert_eq(hiveha_governor_run(b.gov), 0, "%s", b.log);
	for (int k = 0; k < IN_DEPUTY_KINDS; k++)
		cr_assert_eq(b.last_state[k], HIVEHA_DEPUTY_FINISHED_OK, "%s: %s", hiveha_deputy_name(k),
		             b.sync_state[k]);
	cr_assert_gt(a.served, 0, "B synced without asking A");
	assert_gap_equal(&a, &b, G0, G1);
	cr_assert_eq(samples_in(&b, items[0], G0, G1), (size_t)((G1 - G0) / PERIOD));
	char *after = outside(&b, G0, G1);
	cr_assert_str_eq(after, before, "B changed outside its gap");
	free(before);
	free(after);

	/* Symmetric: A restarts after its own hole [G2, G3) and fills it from
	 * B, which now vouches for its history from G0 on. */
	in_gov_free(&a);
	in_listen(&a);
	in_config(&a, &b, &cfg);
	cfg.trend_expert_start = G2;
	cfg.events_expert_start = G2;
	cfg.start_time = G3;
	in_gov(&a, &cfg);
	in_respond(&a, IN_TOKEN);
	uint64_t served_b = b.served;
	before = outside(&a, G2, G3);
	cr_assert_eq(samples_in(&a, items[1], G2, G3), 0);
	cr_assert_eq(hiveha_governor_run(a.gov), 0, "%s", a.log);
	for (int k = 0; k < IN_DEPUTY_KINDS; k++)
		cr_assert_eq(a.last_state[k], HIVEHA_DEPUTY_FINISHED_OK, "%s: %s", hiveha_deputy_name(k),
		             a.sync_state[k]);
	cr_assert_gt(b.served, served_b, "A synced without asking B");
	assert_gap_equal(&a, &b, G2, G3);
	cr_assert_eq(samples_in(&a, items[1], G2, G3), (size_t)((G3 - G2) / PERIOD));
	after = outside(&a, G2, G3);
	cr_assert_str_eq(after, before, "A changed outside its gap");
	free(before);
	free(after);
	/* in the end both hold the same history */
	assert_gap_equal(&a, &b, INT64_MIN, INT64_MAX);
}

Test(http_sync, gap_filled_end_to_end_and_back)
{
	sync_both_ways();
}

Test(https_sync, gap_filled_over_verified_tls)
{
	sync_both_ways();
}

Test(http_sync, wrong_token_ends_with_error_and_changes_nothing)
{
	two_instances(IN_TOKEN);
	hiveha_governor_config cfg;
	b_restart(&cfg);
	cfg.token = "not-the-token";
	cfg.max_attempts = 3;
	in_gov(&b, &cfg);
	char *before = in_digest(&b, INT64_MIN, INT64_MAX);
	int rc = hiveha_governor_run(b.gov);
	cr_assert_eq(rc, HIVEHA_EAUTH, "%s", hiveha_strerror(rc));
	cr_assert_eq(b.last_state[HIVEHA_DEPUTY_TREND], HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
	cr_assert_eq(b.last_state[HIVEHA_DEPUTY_TREND], 6, "Hive's finished_with_error is 6");
	cr_assert(strstr(b.sync_state[HIVEHA_DEPUTY_TREND], "token"), "SyncState: %s",
	          b.sync_state[HIVEHA_DEPUTY_TREND]);
	hiveha_deputy_snapshot snap;
	cr_assert_eq(hiveha_governor_snapshot(b.gov, HIVEHA_DEPUTY_TREND, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(snap.pending_gaps, 1, "the gap stays pending");
	char *after = in_digest(&b, INT64_MIN, INT64_MAX);
	cr_assert_str_eq(after, before, "B's store changed");
	free(before);
	free(after);
}

Test(http_sync, listener_stopped_mid_transfer_then_resumed)
{
	two_instances(IN_TOKEN);
	hiveha_governor_config cfg;
	b_restart(&cfg);
	cfg.chunk_samples = 50; /* 1800 samples in the gap: ~36 pages */
	cfg.chunk_events = 10;
	in_gov(&b, &cfg);
	b.kill_at_progress = 5;
	b.victim = &a;
	char *before = outside(&b, G0, G1);

	int rc = hiveha_governor_run(b.gov);
	cr_assert_neq(rc, 0, "the sync cannot complete without A");
	cr_assert_null(a.lis, "the listener was not stopped: too few pages?");
	cr_assert_eq(b.last_state[HIVEHA_DEPUTY_TREND], HIVEHA_DEPUTY_FINISHED_WITH_ERROR,
	             "%s", b.sync_state[HIVEHA_DEPUTY_TREND]);
	hiveha_deputy_snapshot snap;
	cr_assert_eq(hiveha_governor_snapshot(b.gov, HIVEHA_DEPUTY_TREND, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_geq(snap.pending_gaps, 1, "the gap must stay pending");
	size_t partial = 0, full = 0;
	for (size_t it = 0; it < NITEMS; it++) {
		partial += samples_in(&b, items[it], G0, G1);
		full += samples_in(&a, items[it], G0, G1);
	}
	cr_log_info("after the cut B holds %zu of %zu samples of the gap", partial, full);
	cr_assert_lt(partial, full, "everything arrived before the cut");
	cr_assert_gt(partial, 2, "nothing was committed before the cut: the resume is not tested");

	/* A's listener comes back on a new port; B restarts with it and
	 * resumes the pending gap (no expert start this time). */
	in_listen(&a);
	b.kill_at_progress = 0;
	in_gov_free(&b);
	in_config(&b, &a, &cfg);
	cfg.start_time = G1;
	cfg.chunk_samples = 50;
	cfg.chunk_events = 10;
	in_gov(&b, &cfg);
	cr_assert_eq(hiveha_governor_run(b.gov), 0, "%s", b.log);
	for (int k = 0; k < IN_DEPUTY_KINDS; k++)
		cr_assert_eq(b.last_state[k], HIVEHA_DEPUTY_FINISHED_OK, "%s: %s", hiveha_deputy_name(k),
		             b.sync_state[k]);
	cr_assert_eq(hiveha_governor_snapshot(b.gov, HIVEHA_DEPUTY_TREND, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION), 0);
	cr_assert_eq(snap.pending_gaps, 0);
	assert_gap_equal(&a, &b, G0, G1);
	char *after = outside(&b, G0, G1);
	cr_assert_str_eq(after, before, "B changed outside its gap");
	free(before);
	free(after);
}
