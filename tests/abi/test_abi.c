/*
 * test_abi.c - public structs are read and written by their declared
 * version (docs/conventions.md, "Versioned structs").
 *
 * A host built against version 1 of a header hands the library a struct
 * that ends where version 1's last member ends. Each such struct is placed
 * at the very end of a page followed by an inaccessible one
 * (guardpage.h): the library reading or writing a single byte more faults.
 * The version-1 sizes are frozen here, from the version-1 members, and
 * must never change; when a header appends a version 2 these tests are
 * what proves an old host still works.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <hiveha/hiveha.h>

#include "abi.h"
#include "fakeclock.h"
#include "guardpage.h"
#include "looptransport.h"
#include "memstore.h"

#define END(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* Version 1 of each struct, as a host built against it sees it. */
#define STORE_V1 END(hiveha_store, kv_delete)
#define TRANSPORT_V1 END(hiveha_transport, reset)
#define CLOCK_V1 END(hiveha_clock, wake)
#define GOVERNOR_CONFIG_V1 END(hiveha_governor_config, allocator)
#define RESPONDER_CONFIG_V1 END(hiveha_responder_config, allocator)
#define REQUEST_V1 END(hiveha_request, body_len)
#define SNAPSHOT_V1 END(hiveha_deputy_snapshot, sync_state)

static const char hello[] = "{\"type\":\"hello\",\"protocol\":1,\"instance_id\":\"old-host\","
                            "\"clock\":\"133800000000000000\",\"caps\":0}";

/* A version-1 copy of `full` in exactly `n` bytes of guarded memory. */
static void *as_v1(const void *full, size_t n)
{
	unsigned int one = 1;
	void *p = guard_tail(n);

	memcpy(p, full, n);
	memcpy(p, &one, sizeof(one)); /* every versioned struct starts with it */
	return p;
}

/* ---- the copy helper on a struct that has a version 2 -------------------- */

typedef struct two_versions {
	unsigned int version;
	/* ---- version 1 ---- */
	int a;
	/* ---- version 2 ---- */
	int b;
	void *c;
} two_versions;

static const size_t two_ends[] = { 0, END(two_versions, a), END(two_versions, c) };
static const hh_abi_layout two = { "two_versions", 2, sizeof(two_versions), two_ends };

Test(abi, copy_in_reads_only_the_hosts_version_and_zeroes_the_rest)
{
	two_versions *old = guard_tail(END(two_versions, a));
	two_versions dst;

	old->version = 1;
	old->a = 7;
	memset(&dst, 0xFF, sizeof(dst));
	cr_assert_eq(hh_abi_copy_in(&two, &dst, old), HIVEHA_OK);
	cr_assert_eq(dst.version, 1);
	cr_assert_eq(dst.a, 7);
	cr_assert_eq(dst.b, 0, "a member the host's version lacks reads as 0");
	cr_assert_null(dst.c);
	guard_release(old);
}

Test(abi, copy_in_rejects_unknown_versions_and_leaves_dst)
{
	two_versions src = { 0, 1, 2, NULL }, dst = { 9, 9, 9, NULL };

	cr_assert_eq(hh_abi_copy_in(&two, &dst, &src), HIVEHA_EVERSION);
	src.version = 3;
	cr_assert_eq(hh_abi_copy_in(&two, &dst, &src), HIVEHA_EVERSION);
	cr_assert_eq(dst.version, 9);
	cr_assert_eq(dst.a, 9);
}

Test(abi, copy_out_writes_only_the_hosts_version)
{
	two_versions full = { 2, 7, 8, &full };
	two_versions *old = guard_tail(END(two_versions, a));

	cr_assert_eq(hh_abi_copy_out(&two, old, &full, 1), HIVEHA_OK);
	cr_assert_eq(old->a, 7);
	cr_assert_eq(hh_abi_copy_out(&two, old, &full, 3), HIVEHA_EVERSION);
	guard_release(old);
}

/* ---- the snapshot's frozen layout ---------------------------------------- */

/* hiveha_deputy_snapshot version 1 as a host built against it declares it.
 * hiveha_progress is embedded, so it must never grow (governor.h). */
typedef struct progress_v1 {
	int kind;
	uint64_t items_done, items_total, samples_done, events_done, requests;
	hiveha_time window_from, window_to, position;
} progress_v1;

typedef struct snapshot_v1 {
	int kind, enabled, state;
	hiveha_time last_up_to_date, covered_until;
	size_t pending_gaps;
	progress_v1 progress;
	char sync_state[1024];
} snapshot_v1;

#define SAME_OFFSET(a, b, m) _Static_assert(offsetof(a, m) == offsetof(b, m), #a "." #m " moved")
_Static_assert(sizeof(hiveha_progress) == sizeof(progress_v1), "hiveha_progress must not grow");
SAME_OFFSET(hiveha_progress, progress_v1, position);
SAME_OFFSET(hiveha_deputy_snapshot, snapshot_v1, pending_gaps);
SAME_OFFSET(hiveha_deputy_snapshot, snapshot_v1, progress);
SAME_OFFSET(hiveha_deputy_snapshot, snapshot_v1, sync_state);
_Static_assert(SNAPSHOT_V1 == sizeof(snapshot_v1), "hiveha_deputy_snapshot version 1 changed size");

/* ---- the table ------------------------------------------------------------ */

Test(abi, every_table_is_consistent_and_version_1_is_frozen)
{
	const struct {
		const hh_abi_layout *l;
		size_t v1;
		int versioned; /* starts with `unsigned int version` */
	} t[] = {
		{ &hh_abi_store, STORE_V1, 1 },
		{ &hh_abi_transport, TRANSPORT_V1, 1 },
		{ &hh_abi_clock, CLOCK_V1, 1 },
		{ &hh_abi_governor_config, GOVERNOR_CONFIG_V1, 1 },
		{ &hh_abi_responder_config, RESPONDER_CONFIG_V1, 1 },
		{ &hh_abi_request, REQUEST_V1, 1 },
		{ &hh_abi_deputy_snapshot, SNAPSHOT_V1, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const hh_abi_layout *l = t[i].l;
		cr_assert_geq(l->current, 1, "%s", l->name);
		cr_assert_eq(l->ends[1], t[i].v1, "%s: version 1 changed size", l->name);
		cr_assert_gt(l->ends[1], t[i].versioned ? sizeof(unsigned int) : 0, "%s", l->name);
		for (unsigned v = 2; v <= l->current; v++) {
			/* store version 3 adds a promise, not a member (store.h):
			 * the one version allowed to end where its predecessor did */
			if (l == &hh_abi_store && v == 3) {
				cr_assert_eq(l->ends[v], l->ends[v - 1], "store version 3 has no member");
				continue;
			}
			cr_assert_gt(l->ends[v], l->ends[v - 1], "%s: version %u adds nothing", l->name,
			             v);
		}
		/* The newest version ends at the struct's last member: only
		 * trailing padding may follow, or a member was appended to the
		 * header without its line in lib/abi.c. */
		cr_assert_leq(l->ends[l->current], l->size, "%s", l->name);
		cr_assert_lt(l->size - l->ends[l->current], sizeof(void *),
		             "%s: members after version %u's last one", l->name, l->current);
		cr_assert_eq(hh_abi_size(l, 0), 0);
		cr_assert_eq(hh_abi_size(l, l->current + 1), 0);
	}
}

/* ---- the public entry points with version-1 host structs ----------------- */

Test(abi, init_and_check_touch_only_version_1)
{
	void *s = guard_tail(STORE_V1), *t = guard_tail(TRANSPORT_V1), *c = guard_tail(CLOCK_V1);
	void *g = guard_tail(GOVERNOR_CONFIG_V1), *r = guard_tail(RESPONDER_CONFIG_V1);
	hiveha_store ms;
	hiveha_clock fc;
	char msg[256];

	cr_assert_eq(hiveha_store_init(s, 1), 0);
	cr_assert_eq(hiveha_transport_init(t, 1), 0);
	cr_assert_eq(hiveha_clock_init(c, 1), 0);
	cr_assert_eq(hiveha_governor_config_init(g, 1), 0);
	cr_assert_eq(hiveha_responder_config_init(r, 1), 0);
	cr_assert_eq(((hiveha_governor_config *)g)->overlap_ms, HIVEHA_DEFAULT_OVERLAP_MS);
	/* An empty v1 struct: the check names a missing member, reading no more. */
	cr_assert_eq(hiveha_store_check(s, HIVEHA_DEPUTIES_HIVE, msg, sizeof msg), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_transport_check(t, msg, sizeof msg), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_clock_check(c, msg, sizeof msg), HIVEHA_EINVAL);
	guard_release(s);
	guard_release(c);

	cr_assert_eq(memstore_new(&ms), 0);
	cr_assert_eq(fakeclock_new(&fc, 1000, 0), 0);
	s = as_v1(&ms, STORE_V1);
	c = as_v1(&fc, CLOCK_V1);
	cr_assert_eq(hiveha_store_check(s, HIVEHA_DEPUTIES_HIVE, msg, sizeof msg), 0, "%s", msg);
	cr_assert_eq(hiveha_clock_check(c, msg, sizeof msg), 0, "%s", msg);
	memstore_free(&ms);
	fakeclock_free(&fc);
	guard_release(s);
	guard_release(t);
	guard_release(c);
	guard_release(g);
	guard_release(r);
}

typedef struct sink {
	char text[4096];
	size_t len;
} sink;

static int collect(const void *data, size_t len, void *payload)
{
	sink *s = payload;

	if (len >= sizeof s->text - s->len)
		return HIVEHA_ELIMIT;
	memcpy(s->text + s->len, data, len);
	s->len += len;
	s->text[s->len] = '\0';
	return 0;
}

Test(abi, a_version_1_host_runs_a_governor_and_a_responder)
{
	hiveha_store local, peer;
	hiveha_clock clock;
	hiveha_transport transport;
	hiveha_responder *resp = NULL, *served = NULL;
	hiveha_governor *gov = NULL;
	hiveha_governor_config gcfg;
	hiveha_responder_config rcfg;
	hiveha_request req = HIVEHA_REQUEST_INIT;
	hiveha_deputy_snapshot snap;
	sink out = { "", 0 };

	cr_assert_eq(memstore_new(&local), 0);
	cr_assert_eq(memstore_new(&peer), 0);
	cr_assert_eq(fakeclock_new(&clock, 1000, 0), 0);

	/* The peer's responder, from a v1 config and a v1 store. */
	hiveha_responder_config_init(&rcfg, HIVEHA_RESPONDER_CONFIG_VERSION);
	rcfg.instance_id = "peer";
	void *rc1 = as_v1(&rcfg, RESPONDER_CONFIG_V1), *ps1 = as_v1(&peer, STORE_V1);
	cr_assert_eq(hiveha_responder_new(&resp, rc1, ps1, NULL), 0);
	cr_assert_eq(looptransport_new_responder(&transport, resp), 0);

	/* A v1 request, handled. */
	req.kind = HIVEHA_MSG_HELLO;
	req.body = hello;
	req.body_len = sizeof hello - 1;
	void *rq1 = as_v1(&req, REQUEST_V1);
	cr_assert_eq(hiveha_responder_handle(resp, rq1, collect, &out), 0);
	cr_assert(strstr(out.text, "\"peer\""), "%s", out.text);

	/* The local governor, from v1 config, store, transport and clock. */
	hiveha_governor_config_init(&gcfg, HIVEHA_GOVERNOR_CONFIG_VERSION);
	gcfg.peer = "peer";
	void *g1 = as_v1(&gcfg, GOVERNOR_CONFIG_V1), *s1 = as_v1(&local, STORE_V1);
	void *t1 = as_v1(&transport, TRANSPORT_V1), *c1 = as_v1(&clock, CLOCK_V1);
	cr_assert_eq(hiveha_governor_new(&gov, g1, s1, t1, c1), 0);
	cr_assert_eq(hiveha_governor_run(gov), 0);

	/* A responder attached to the governor, as a host serving too. */
	void *ls1 = as_v1(&local, STORE_V1);
	cr_assert_eq(hiveha_responder_new(&served, rc1, ls1, gov), 0);

	/* A v1 snapshot, written into exactly its size. */
	void *sn1 = guard_tail(SNAPSHOT_V1);
	cr_assert_eq(hiveha_governor_snapshot(gov, HIVEHA_DEPUTY_TREND, sn1, 1), 0);
	memcpy(&snap, sn1, SNAPSHOT_V1);
	cr_assert_eq(snap.kind, HIVEHA_DEPUTY_TREND);
	cr_assert_eq(snap.state, HIVEHA_DEPUTY_FINISHED_OK);
	cr_assert_eq(snap.enabled, 1);

	hiveha_responder_free(served);
	hiveha_governor_free(gov); /* destroys local, transport, clock */
	hiveha_responder_free(resp); /* destroys peer */
	void *blocks[] = { rc1, ps1, rq1, g1, s1, t1, c1, ls1, sn1 };
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		guard_release(blocks[i]);
}

/* ---- the snapshot: exactly the bytes of the version asked for ------------ */

Test(abi, snapshot_writes_exactly_the_version_asked_for)
{
	hiveha_store st, peer;
	hiveha_clock clock;
	hiveha_transport transport;
	hiveha_responder *resp = NULL;
	hiveha_governor *gov = NULL;
	hiveha_governor_config cfg;
	unsigned char buf[sizeof(hiveha_deputy_snapshot) + 64];

	cr_assert_eq(memstore_new(&st), 0);
	cr_assert_eq(memstore_new(&peer), 0);
	cr_assert_eq(fakeclock_new(&clock, 1000, 0), 0);
	cr_assert_eq(hiveha_responder_new(&resp, NULL, &peer, NULL), 0);
	cr_assert_eq(looptransport_new_responder(&transport, resp), 0);
	hiveha_governor_config_init(&cfg, HIVEHA_GOVERNOR_CONFIG_VERSION);
	cfg.peer = "peer";
	cr_assert_eq(hiveha_governor_new(&gov, &cfg, &st, &transport, &clock), 0);

	memset(buf, 0xAA, sizeof buf);
	cr_assert_eq(hiveha_governor_snapshot(gov, HIVEHA_DEPUTY_EVENTS, (void *)buf, 1), 0);
	for (size_t i = SNAPSHOT_V1; i < sizeof buf; i++)
		cr_assert_eq(buf[i], 0xAA, "byte %zu past version 1 was written", i);
	cr_assert_neq(buf[0], 0xAA);

	/* Unknown versions and bad arguments write nothing. */
	memset(buf, 0xAA, sizeof buf);
	cr_assert_eq(hiveha_governor_snapshot(gov, HIVEHA_DEPUTY_EVENTS, (void *)buf, 0),
	             HIVEHA_EVERSION);
	cr_assert_eq(hiveha_governor_snapshot(gov, HIVEHA_DEPUTY_EVENTS, (void *)buf,
	                                      HIVEHA_DEPUTY_SNAPSHOT_VERSION + 1),
	             HIVEHA_EVERSION);
	cr_assert_eq(hiveha_governor_snapshot(gov, 7, (void *)buf, 1), HIVEHA_EINVAL);
	for (size_t i = 0; i < sizeof buf; i++)
		cr_assert_eq(buf[i], 0xAA, "byte %zu written by a failed snapshot", i);

	hiveha_governor_free(gov);
	hiveha_responder_free(resp);
}

Test(abi, a_request_of_an_unknown_version_is_refused)
{
	hiveha_store st;
	hiveha_responder *resp = NULL;
	hiveha_request req = HIVEHA_REQUEST_INIT;
	sink out = { "", 0 };

	cr_assert_eq(memstore_new(&st), 0);
	cr_assert_eq(hiveha_responder_new(&resp, NULL, &st, NULL), 0);
	req.kind = HIVEHA_MSG_HELLO;
	req.body = hello;
	req.body_len = sizeof hello - 1;
	req.version = 0;
	cr_assert_eq(hiveha_responder_handle(resp, &req, collect, &out), HIVEHA_EVERSION);
	req.version = HIVEHA_REQUEST_VERSION + 1;
	cr_assert_eq(hiveha_responder_handle(resp, &req, collect, &out), HIVEHA_EVERSION);
	cr_assert_eq(out.len, 0);
	hiveha_responder_free(resp);
}
