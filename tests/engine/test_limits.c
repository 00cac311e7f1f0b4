/*
 * Limits and the records around a bad one (issue 9 items 10-12, issue 10
 * item 12; MERGE-CASES.md L1-L3): two instances with different settings
 * never fail for ever, and a round never loops or grows its SyncState
 * without bound. Runs on both store backends (harness.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "proxystore.h"

static harness h;

static void setup(void)
{
	h_init(&h);
	h.cfg.start_time = 20;
}

static void teardown(void)
{
	h_fini(&h);
}

TestSuite(limits, .init = setup, .fini = teardown);

/* TrendHistory alone, filling the gap from 10 on. */
static void trend_only(void)
{
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
}

/* How many requests of `kind` the loop transport carried. */
static uint64_t requests(int kind)
{
	looptransport_counts c;
	looptransport_get_counts(&h.transport, &c);
	return c.exchanges[kind];
}

static size_t count_of(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* Issue 10 item 12: forty failed attempts give a few readable lines with
 * counts, the latest message last - not forty appended copies. */
Test(limits, sync_state_stays_readable_over_many_retries)
{
	trend_only();
	h.cfg.max_attempts = 40;
	h_sample1(&h.peer, "X", 12, 1);
	h_add_item(&h.local, "X");
	looptransport_set_peer_down(&h.transport, 1);
	cr_assert_neq(h_run(&h), 0);
	const char *st = h_sync_state(&h, "TrendHistory");
	cr_assert_lt(strlen(st), 600, "%s", st);
	cr_assert_eq(count_of(st, "cannot connect"), 1, "%s", st);
	cr_assert(strstr(st, "(x40)"), "%s", st);
	cr_assert(strstr(st, "(x39)"), "%s", st);
	const char *last = strstr(st, "sync failed");
	cr_assert(last && last > strstr(st, "(x40)"), "the latest message comes last: %s", st);
}

/* Issue 9 item 14: "store failure" alone does not tell a full disk from a
 * corrupt file; the store's own reason (store.h last_error) is carried
 * into SyncState and the governor's message. */
Test(limits, store_reason_reaches_sync_state_and_governor_message)
{
	trend_only();
	h.cfg.max_attempts = 1;
	h_sample1(&h.peer, "X", 12, 1);
	h_add_item(&h.local, "X");
	h_fail_nth(&h.local, MEMSTORE_MASK(MEMSTORE_REPLACE_SAMPLES), 1, HIVEHA_ESTORE);
	cr_assert_eq(h_run(&h), HIVEHA_ESTORE, "%s", h.log);
	const char *st = h_sync_state(&h, "TrendHistory");
	cr_assert(strstr(st, "store failed writing item X: store failure: "), "%s", st);
	cr_assert(strstr(st, "injected failure of replace_samples"), "%s", st);
	cr_assert(strstr(hiveha_governor_errmsg(h.gov), "injected failure of replace_samples"), "%s",
	          hiveha_governor_errmsg(h.gov));
}

/* ---- MERGE-CASES L1, L2: requests sized to the peer's announced limits -- */

/* An id of about 1.5 KiB, unique per i, ascending with i. */
static void long_id(char *buf, size_t size, int i)
{
	int n = snprintf(buf, size, "plant.area.%04d.", i);
	memset(buf + n, 'x', 1536 - (size_t)n);
	buf[1536] = '\0';
}

static void l_items(int n, int long_ids)
{
	char id[1600];
	for (int i = 0; i < n; i++) {
		if (long_ids)
			long_id(id, sizeof(id), i);
		else
			snprintf(id, sizeof(id), "item%04d", i);
		h_sample1(&h.peer, id, 10 + i % 10, i);
		h_add_item(&h.local, id);
	}
}

static void assert_all_filled(size_t n)
{
	cr_assert_eq(h_total_samples(&h.local), n, "%zu of %zu samples; %s", h_total_samples(&h.local),
	             n, h_sync_state(&h, "TrendHistory"));
	char diff[256];
	cr_assert(h_equal(&h.local, &h.peer, diff, sizeof(diff)), "%s", diff);
}

/* L1: 1000 ids of 1.5 KiB make a 1.5 MB request; the peer takes 1 MiB. */
Test(limits, L1_batches_split_to_the_peers_request_bytes)
{
	trend_only();
	h.cfg.batch_items = 1000;
	l_items(1000, 1);
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "TrendHistory"));
	assert_all_filled(1000);
	uint64_t r = requests(LOOPTRANSPORT_TIMESERIES);
	cr_assert(r >= 2 && r <= 4, "%llu requests", (unsigned long long)r);
	cr_assert_null(strstr(h_sync_state(&h, "TrendHistory"), "exceeds the limit"));
}

/* L1, a smaller peer: 64 KiB requests, so about 40 ids per request. */
Test(limits, L1_small_request_limit_of_the_peer)
{
	h.peer_max_request_bytes = 64 << 10;
	h_peer_responder(&h, 0);
	trend_only();
	l_items(200, 1);
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "TrendHistory"));
	assert_all_filled(200);
}

/* L2: the peer takes 100 items per request, we are set for 1000. */
Test(limits, L2_batches_fit_the_peers_items_per_request)
{
	h.peer_max_items = 100;
	h_peer_responder(&h, 0);
	trend_only();
	h.cfg.batch_items = 1000;
	l_items(1000, 0);
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "TrendHistory"));
	assert_all_filled(1000);
	uint64_t r = requests(LOOPTRANSPORT_TIMESERIES);
	cr_assert_eq(r, 10, "%llu requests", (unsigned long long)r);
}

/* A reply page the requester would refuse is never sent: the peer pages
 * to the requester's max_reply_bytes (announced in each request). */
Test(limits, replies_sized_to_the_requesters_reply_limit)
{
	trend_only();
	h.cfg.max_reply_bytes = 64 << 10;
	/* 2000 strings of 100 bytes: about 200 KB, several pages of 64 KiB */
	char text[101];
	memset(text, 's', 100);
	text[100] = '\0';
	for (int k = 0; k < 2000; k++) {
		hiveha_sample smp;
		memset(&smp, 0, sizeof(smp));
		smp.time = 10 + k / 200;
		smp.quality = HIVEHA_QUALITY_GOOD;
		cr_assert_eq(hiveha_value_set_string(&smp.value, text, 100), 0);
		h_append(&h.peer, "X", &smp, 1);
		hiveha_value_clear(&smp.value);
	}
	h_add_item(&h.local, "X");
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "TrendHistory"));
	assert_all_filled(2000);
}

/* An id the peer cannot take even alone is skipped and named; the items
 * around it are filled. */
Test(limits, an_item_that_cannot_be_carried_is_skipped_and_named)
{
	h.peer_max_request_bytes = 8 << 10;
	h_peer_responder(&h, 0);
	trend_only();
	h_sample1(&h.peer, "a", 12, 1);
	h_sample1(&h.peer, "c", 13, 3);
	h_add_item(&h.local, "a");
	h_add_item(&h.local, "c");
	char big[12000];
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	h_add_item(&h.local, big);
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "TrendHistory"));
	const char *st = h_sync_state(&h, "TrendHistory");
	cr_assert(strstr(st, "item bbbb") && strstr(st, "skipped: a request for it alone is"), "%s", st);
	cr_assert_eq(h_total_samples(&h.local), 2, "%s", st);
}

/* ---- MERGE-CASES L3: the records around a bad one ------------------------ */

static size_t events_equal(const hiveha_store *a, const hiveha_store *b, char *why, size_t size)
{
	hiveha_event *ea = NULL, *eb = NULL;
	size_t na = 0, nb = 0, same = 0;
	h_get_events(a, &ea, &na);
	h_get_events(b, &eb, &nb);
	snprintf(why, size, "%zu vs %zu events", na, nb);
	for (size_t i = 0; i < na && i < nb; i++) {
		if (!hiveha_event_equal(&ea[i], &eb[i])) {
			snprintf(why, size, "event %zu differs", i);
			break;
		}
		same++;
	}
	memstore_free_events(ea, na);
	memstore_free_events(eb, nb);
	return na == nb && same == na;
}

/* L3: one event among 10 000 has a string attribute with an embedded NUL
 * (and one a message that is not UTF-8): JSON cannot hold either as a
 * plain string; all 10 000 arrive, bit for bit. */
Test(limits, L3_an_event_with_a_nul_byte_arrives_with_the_rest)
{
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS);
	h.cfg.events_expert_start = 10;
	h.cfg.start_time = 20000;
	enum { N = 10000 };
	hiveha_event *ev = calloc(N, sizeof(*ev));
	hiveha_attribute attr[2];
	memset(attr, 0, sizeof(attr));
	attr[0].name = (char *)"note";
	cr_assert_eq(hiveha_value_set_string(&attr[0].value, "b\0c", 3), 0);
	attr[1].name = (char *)"n";
	hiveha_value_set_int64(&attr[1].value, 7);
	char msg[N][16];
	for (int i = 0; i < N; i++) {
		ev[i].time = 10 + i;
		ev[i].received_time = 10 + i;
		ev[i].source_id = 1;
		ev[i].type_id = 2;
		ev[i].severity = 500;
		snprintf(msg[i], sizeof(msg[i]), "e%d", i);
		ev[i].message = msg[i];
	}
	ev[4321].attributes = attr;
	ev[4321].attribute_count = 2;
	char latin1[] = "caf\xe9";
	ev[4322].message = latin1;
	h_add_events(&h.peer, ev, N);
	hiveha_value_clear(&attr[0].value);
	free(ev);
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "EventHistory"));
	char why[128];
	cr_assert(events_equal(&h.local, &h.peer, why, sizeof(why)), "%s; %s", why,
	          h_sync_state(&h, "EventHistory"));
	cr_assert_eq(h_event_count(&h.local), N);
}

/* L3, the other half: an event that truly cannot be carried (more
 * attributes than any peer decodes) is skipped with a warning naming it;
 * the events around it arrive. */
Test(limits, L3_an_event_that_cannot_be_carried_is_skipped_and_named)
{
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS);
	h.cfg.events_expert_start = 10;
	h.cfg.start_time = 20;
	h_event(&h.peer, 11, 1, 2, "before", 100);
	hiveha_attribute many[300];
	memset(many, 0, sizeof(many));
	char names[300][8];
	for (int i = 0; i < 300; i++) {
		snprintf(names[i], sizeof(names[i]), "a%d", i);
		many[i].name = names[i];
		hiveha_value_set_int64(&many[i].value, i);
	}
	hiveha_event big;
	memset(&big, 0, sizeof(big));
	big.time = 12;
	big.source_id = 5;
	big.type_id = 6;
	big.message = (char *)"too many attributes";
	big.attributes = many;
	big.attribute_count = 300;
	h_add_events(&h.peer, &big, 1);
	h_event(&h.peer, 13, 1, 2, "after", 100);
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "EventHistory"));
	const char *st = h_sync_state(&h, "EventHistory");
	cr_assert(strstr(st, "the peer skipped 1 event(s) it cannot send: event at 12, source 5, type 6"),
	          "%s", st);
	cr_assert_eq(h_event_count(&h.local), 2, "%s", st);
}

/* ---- issue 9 item 12: a peer whose store ignores skip ------------------- */

/* Serves the peer's store through a proxy that ignores `skip`: every
 * continuation between equal timestamps gets the same page again. */
static void peer_ignores_skip(void)
{
	hiveha_responder_free(h.responder);
	h.responder = NULL;
	hiveha_store w;
	h_store_ref(&h.peer);
	cr_assert_eq(proxystore_new(&w, &h.peer), 0);
	proxystore_ignore_skip(&w, 1);
	hiveha_responder_config rc;
	hiveha_responder_config_init(&rc, HIVEHA_RESPONDER_CONFIG_VERSION);
	rc.token = "secret";
	rc.clock = &h.clock; /* the harness's time base: no skew (as h_peer_responder) */
	rc.settle_ms = h.peer_settle_ms;
	cr_assert_eq(hiveha_responder_new(&h.responder, &rc, &w, NULL), 0);
	looptransport_free(&h.transport);
	cr_assert_eq(looptransport_new_responder(&h.transport, h.responder), 0);
}

Test(limits, trend_pages_without_progress_end_the_round)
{
	peer_ignores_skip();
	trend_only();
	h.cfg.chunk_samples = 2;
	h.cfg.max_attempts = 1;
	hiveha_time t[5] = { 15, 15, 15, 15, 15 };
	double v[5] = { 1, 2, 3, 4, 5 };
	h_samples(&h.peer, "X", t, v, 5);
	h_add_item(&h.local, "X");
	cr_assert_eq(h_run(&h), HIVEHA_EPROTOCOL, "%s", h_sync_state(&h, "TrendHistory"));
	const char *st = h_sync_state(&h, "TrendHistory");
	cr_assert(strstr(st, "no progress: the peer sent the same timeseries page again (item X at 15"),
	          "%s", st);
	int64_t s[64];
	size_t n = h_states(&h, "TrendHistory", s, 64);
	cr_assert_eq(s[n - 1], HIVEHA_DEPUTY_FINISHED_WITH_ERROR);
	cr_assert_leq(requests(LOOPTRANSPORT_TIMESERIES), 4);
}

Test(limits, event_pages_without_progress_end_the_round)
{
	peer_ignores_skip();
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS);
	h.cfg.events_expert_start = 10;
	h.cfg.chunk_events = 2;
	h.cfg.max_attempts = 1;
	h_event(&h.peer, 15, 1, 2, "a", 1);
	h_event(&h.peer, 15, 1, 2, "b", 1);
	h_event(&h.peer, 15, 1, 2, "c", 1);
	h_event(&h.peer, 15, 1, 2, "d", 1);
	h_event(&h.peer, 15, 1, 2, "e", 1);
	cr_assert_eq(h_run(&h), HIVEHA_EPROTOCOL, "%s", h_sync_state(&h, "EventHistory"));
	const char *st = h_sync_state(&h, "EventHistory");
	cr_assert(strstr(st, "no progress: the peer sent the same events page again at 15"), "%s", st);
	cr_assert_leq(requests(LOOPTRANSPORT_EVENTS), 4);
}

/* ---- a peer that announces no limits (an older version) ------------------ */

typedef struct strip_ctx {
	hiveha_responder *r;
	hiveha_reply_fn write;
	void *payload;
	char buf[4096];
	size_t len;
} strip_ctx;

static int keep_reply(const void *data, size_t len, void *payload)
{
	strip_ctx *c = payload;
	if (c->len + len >= sizeof(c->buf))
		return c->write(data, len, c->payload); /* not a hello: pass through */
	memcpy(c->buf + c->len, data, len);
	c->len += len;
	return 0;
}

/* Answers like the peer's responder, but its hello says nothing of limits. */
static int old_hello(const hiveha_request *req, hiveha_reply_fn write, void *write_payload,
                     void *ctx)
{
	if (strcmp(req->kind, HIVEHA_MSG_HELLO) != 0)
		return hiveha_responder_handle(ctx, req, write, write_payload);
	strip_ctx c = { ctx, write, write_payload, "", 0 };
	int rc = hiveha_responder_handle(ctx, req, keep_reply, &c);
	c.buf[c.len] = '\0';
	char *l = strstr(c.buf, ",\"limits\":{");
	cr_assert_not_null(l, "%s", c.buf);
	char *end = strchr(l, '}');
	memmove(l, end + 1, strlen(end + 1) + 1);
	int wrc = write(c.buf, strlen(c.buf), write_payload);
	return rc ? rc : wrc;
}

/* L1 against an older peer: its 1 MiB request limit is the v1 default,
 * assumed when hello announces none. */
Test(limits, L1_a_peer_without_announced_limits_gets_the_v1_defaults)
{
	looptransport_free(&h.transport);
	cr_assert_eq(looptransport_new_with_handler(&h.transport, old_hello, h.responder), 0);
	trend_only();
	l_items(1000, 1);
	cr_assert_eq(h_run(&h), 0, "%s", h_sync_state(&h, "TrendHistory"));
	assert_all_filled(1000);
}
