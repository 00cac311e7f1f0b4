/*
 * Interface and config structs: init and the version / required-member
 * checks, with their messages.
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include <hiveha/hiveha.h>

#define TREND HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND)
#define EVENTS HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS)

/* Stubs: never called, they only have to be non-NULL. */
static int st_list(void *c, hiveha_item_fn f, void *p) { (void)c; (void)f; (void)p; return 0; }
static int st_read_samples(void *c, const char *i, hiveha_time a, hiveha_time b, uint64_t s,
                           size_t m, hiveha_samples_fn f, void *p)
{ (void)c; (void)i; (void)a; (void)b; (void)s; (void)m; (void)f; (void)p; return 0; }
static int st_read_events(void *c, hiveha_time a, hiveha_time b, uint64_t s, size_t m,
                          hiveha_events_fn f, void *p)
{ (void)c; (void)a; (void)b; (void)s; (void)m; (void)f; (void)p; return 0; }
static int st_begin(void *c, hiveha_store_txn **t) { (void)c; (void)t; return 0; }
static int st_commit(void *c, hiveha_store_txn *t) { (void)c; (void)t; return 0; }
static void st_rollback(void *c, hiveha_store_txn *t) { (void)c; (void)t; }
static int st_replace(void *c, hiveha_store_txn *t, const char *i, hiveha_time a, hiveha_time b,
                      const hiveha_sample *s, size_t n)
{ (void)c; (void)t; (void)i; (void)a; (void)b; (void)s; (void)n; return 0; }
static int st_insert(void *c, hiveha_store_txn *t, const hiveha_event *e, size_t n, size_t *o)
{ (void)c; (void)t; (void)e; (void)n; (void)o; return 0; }
static int st_kv_get(void *c, const char *k, hiveha_bytes_fn f, void *p)
{ (void)c; (void)k; (void)f; (void)p; return 0; }
static int st_kv_put(void *c, hiveha_store_txn *t, const char *k, const void *d, size_t l)
{ (void)c; (void)t; (void)k; (void)d; (void)l; return 0; }
static int st_kv_delete(void *c, hiveha_store_txn *t, const char *k)
{ (void)c; (void)t; (void)k; return 0; }

static hiveha_store full_store(void)
{
	hiveha_store s = HIVEHA_STORE_INIT;

	s.list_items = st_list;
	s.read_samples = st_read_samples;
	s.read_events = st_read_events;
	s.begin = st_begin;
	s.commit = st_commit;
	s.rollback = st_rollback;
	s.replace_samples = st_replace;
	s.insert_events = st_insert;
	s.kv_get = st_kv_get;
	s.kv_put = st_kv_put;
	s.kv_delete = st_kv_delete;
	return s;
}

/* Clears the member called `name`. */
static void drop_store_member(hiveha_store *s, const char *name)
{
	if (!strcmp(name, "list_items")) s->list_items = NULL;
	else if (!strcmp(name, "read_samples")) s->read_samples = NULL;
	else if (!strcmp(name, "read_events")) s->read_events = NULL;
	else if (!strcmp(name, "begin")) s->begin = NULL;
	else if (!strcmp(name, "commit")) s->commit = NULL;
	else if (!strcmp(name, "rollback")) s->rollback = NULL;
	else if (!strcmp(name, "replace_samples")) s->replace_samples = NULL;
	else if (!strcmp(name, "insert_events")) s->insert_events = NULL;
	else if (!strcmp(name, "kv_get")) s->kv_get = NULL;
	else if (!strcmp(name, "kv_put")) s->kv_put = NULL;
	else if (!strcmp(name, "kv_delete")) s->kv_delete = NULL;
	else cr_assert_fail("no member %s", name);
}

Test(store, init_matches_macro)
{
	static const hiveha_store want = HIVEHA_STORE_INIT; /* static: padding is zero too */
	hiveha_store s;

	memset(&s, 0xCC, sizeof(s));
	cr_assert_eq(hiveha_store_init(&s, HIVEHA_STORE_VERSION), HIVEHA_OK);
	cr_assert_eq(memcmp(&s, &want, sizeof(s)), 0);
	cr_assert_eq(s.version, HIVEHA_STORE_VERSION);
}

/* How a row reaches hiveha_store_check(). */
typedef enum store_arg { STORE_FULL, STORE_NULL } store_arg;
typedef enum msg_arg { MSG_BUF, MSG_NONE } msg_arg;
#define KEEP_VERSION 0xFFFFu

static const struct store_check_row {
	const char *name;
	store_arg store;
	unsigned int version;  /* KEEP_VERSION: the _INIT macro's */
	unsigned int deputies;
	msg_arg msg;
	int status;
	const char *msg_has;   /* substring of the message; NULL: not checked */
	const char *msg_is;    /* the whole message; NULL: not checked */
} store_check_rows[] = {
	{ "complete, no deputies", STORE_FULL, KEEP_VERSION, 0, MSG_BUF, HIVEHA_OK, NULL, "" },
	{ "complete, trend", STORE_FULL, KEEP_VERSION, TREND, MSG_BUF, HIVEHA_OK, NULL, "" },
	{ "complete, events", STORE_FULL, KEEP_VERSION, EVENTS, MSG_BUF, HIVEHA_OK, NULL, "" },
	{ "complete, hive", STORE_FULL, KEEP_VERSION, HIVEHA_DEPUTIES_HIVE, MSG_BUF, HIVEHA_OK, NULL,
	  "" },
	{ "complete, no buffer", STORE_FULL, KEEP_VERSION, HIVEHA_DEPUTIES_HIVE, MSG_NONE, HIVEHA_OK,
	  NULL, NULL },
	{ "version 0", STORE_FULL, 0, 0, MSG_BUF, HIVEHA_EVERSION, "hiveha_store",
	  "hiveha_store: version 0 is not valid (this library supports 1 to 3); "
	  "initialise the struct with its _INIT macro or _init() function" },
	{ "version 7", STORE_FULL, 7, 0, MSG_BUF, HIVEHA_EVERSION, NULL,
	  "hiveha_store: version 7 is newer than this library supports (3); "
	  "rebuild against newer headers" },
	{ "version 7, no buffer", STORE_FULL, 7, 0, MSG_NONE, HIVEHA_EVERSION, NULL, NULL },
	{ "NULL store", STORE_NULL, KEEP_VERSION, 0, MSG_BUF, HIVEHA_EINVAL, NULL, NULL },
	{ "unknown deputy bit", STORE_FULL, KEEP_VERSION, 1u << 5, MSG_NONE, HIVEHA_EINVAL, NULL,
	  NULL },
};

Test(store, check_table)
{
	size_t i;

	for (i = 0; i < sizeof(store_check_rows) / sizeof(store_check_rows[0]); i++) {
		const struct store_check_row *row = &store_check_rows[i];
		hiveha_store s = full_store();
		char msg[200] = "stale"; /* success must clear it */
		int rc;

		if (row->version != KEEP_VERSION)
			s.version = row->version;
		rc = hiveha_store_check(row->store == STORE_NULL ? NULL : &s, row->deputies,
		                        row->msg == MSG_BUF ? msg : NULL,
		                        row->msg == MSG_BUF ? sizeof(msg) : 0);
		cr_expect_eq(rc, row->status, "row \"%s\": status %d, wanted %d", row->name, rc,
		             row->status);
		if (row->msg_has)
			cr_expect_not_null(strstr(msg, row->msg_has), "row \"%s\": message \"%s\" lacks \"%s\"",
			                   row->name, msg, row->msg_has);
		if (row->msg_is)
			cr_expect_str_eq(msg, row->msg_is, "row \"%s\"", row->name);
	}
}

Test(store, required_members_depend_on_deputies)
{
	static const struct {
		const char *member;
		unsigned int needed_by; /* 0 = always */
	} members[] = {
		{ "list_items", TREND }, { "read_samples", TREND }, { "replace_samples", TREND },
		{ "read_events", EVENTS }, { "insert_events", EVENTS },
		{ "begin", 0 }, { "commit", 0 }, { "rollback", 0 },
		{ "kv_get", 0 }, { "kv_put", 0 }, { "kv_delete", 0 },
	};
	unsigned int masks[] = { 0, TREND, EVENTS, HIVEHA_DEPUTIES_HIVE };
	size_t i, k;

	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		for (k = 0; k < 4; k++) {
			hiveha_store s = full_store();
			char msg[200] = "";
			char quoted[64];
			int required = members[i].needed_by == 0 || (masks[k] & members[i].needed_by);
			int rc;

			drop_store_member(&s, members[i].member);
			rc = hiveha_store_check(&s, masks[k], msg, sizeof(msg));
			if (!required) {
				cr_assert_eq(rc, HIVEHA_OK, "%s with mask %u", members[i].member, masks[k]);
				continue;
			}
			cr_assert_eq(rc, HIVEHA_EINVAL, "%s with mask %u", members[i].member, masks[k]);
			snprintf(quoted, sizeof(quoted), "'%s'", members[i].member);
			cr_assert_not_null(strstr(msg, quoted), "message '%s' lacks %s", msg, quoted);
			cr_assert_not_null(strstr(msg, "hiveha_store"), "%s", msg);
		}
	}
}

Test(store, message_is_truncated_safely)
{
	hiveha_store s = full_store();
	char msg[12];

	memset(msg, 'x', sizeof(msg));
	s.kv_put = NULL;
	cr_assert_eq(hiveha_store_check(&s, 0, msg, 8), HIVEHA_EINVAL);
	cr_assert_eq(strlen(msg), 7);
	cr_assert_eq(msg[8], 'x', "wrote past msg_size");
	msg[0] = 'y';
	cr_assert_eq(hiveha_store_check(&s, 0, msg, 0), HIVEHA_EINVAL);
	cr_assert_eq(msg[0], 'y', "msg_size 0 must write nothing");
}

/* ---- transport ---------------------------------------------------------- */

static int tr_connect(void *c, const char *e, int64_t t, hiveha_conn **o)
{ (void)c; (void)e; (void)t; (void)o; return 0; }
static int tr_exchange(void *c, hiveha_conn *k, const hiveha_request *r, hiveha_reply_fn f,
                       void *p, int64_t t)
{ (void)c; (void)k; (void)r; (void)f; (void)p; (void)t; return 0; }
static void tr_close(void *c, hiveha_conn *k) { (void)c; (void)k; }
static void tr_cancel(void *c) { (void)c; }
static void tr_reset(void *c) { (void)c; }

static hiveha_transport full_transport(void)
{
	hiveha_transport t = HIVEHA_TRANSPORT_INIT;

	t.connect = tr_connect;
	t.exchange = tr_exchange;
	t.close = tr_close;
	return t;
}

/* ---- store version 2: last_error --------------------------------------- */

/* A host built against the version-1 header has a struct that ends before
 * last_error: init with version 1 must not write past it. */
Test(store, init_of_version_1_writes_only_version_1_members)
{
	size_t v1 = offsetof(hiveha_store, last_error);
	unsigned char buf[sizeof(hiveha_store) + 16];

	memset(buf, 0xCC, sizeof(buf));
	cr_assert_eq(hiveha_store_init((hiveha_store *)(void *)buf, 1), HIVEHA_OK);
	cr_assert_eq(((hiveha_store *)(void *)buf)->version, 1);
	for (size_t i = v1; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 0xCC, "byte %zu past a version-1 struct was written", i);
}

static int reason_calls;
static int st_kv_get_fails(void *c, const char *k, hiveha_bytes_fn f, void *p)
{ (void)c; (void)k; (void)f; (void)p; return HIVEHA_ESTORE; }
static void st_last_error(void *c, char *buf, size_t size)
{ (void)c; reason_calls++; snprintf(buf, size, "disk full (errno 28)"); }
static char logged[600];
static void keep_log(int level, const char *line, void *payload)
{ (void)level; (void)payload; snprintf(logged, sizeof(logged), "%s", line); }

static int new_gov_with(const hiveha_store *s)
{
	hiveha_transport t = full_transport();
	hiveha_governor_config cfg = HIVEHA_GOVERNOR_CONFIG_INIT;
	hiveha_governor *gov = NULL;

	cfg.on_log = keep_log;
	logged[0] = '\0';
	reason_calls = 0;
	int rc = hiveha_governor_new(&gov, &cfg, s, &t, NULL);
	hiveha_governor_free(gov);
	return rc;
}

/* The governor's message carries the store's reason next to the status
 * (issue 9 item 14), and a version-1 store's last_error slot - bytes past
 * an older host's struct - is never read. */
Test(store, last_error_is_read_only_from_version_2)
{
	hiveha_store s = full_store();

	s.kv_get = st_kv_get_fails;
	s.last_error = st_last_error;
	cr_assert_eq(new_gov_with(&s), HIVEHA_ESTORE);
	cr_assert_not_null(strstr(logged, "store failure: disk full (errno 28)"), "%s", logged);
	cr_assert_eq(reason_calls, 1);

	s.version = 1;
	cr_assert_eq(new_gov_with(&s), HIVEHA_ESTORE);
	cr_assert_eq(reason_calls, 0, "a version-1 store has no last_error");
	cr_assert_not_null(strstr(logged, "store failure"), "%s", logged);
	cr_assert_null(strstr(logged, "disk full"), "%s", logged);
}

Test(transport, init_matches_macro)
{
	static const hiveha_transport want = HIVEHA_TRANSPORT_INIT;
	hiveha_transport t;

	memset(&t, 0xCC, sizeof(t));
	cr_assert_eq(hiveha_transport_init(&t, HIVEHA_TRANSPORT_VERSION), HIVEHA_OK);
	cr_assert_eq(memcmp(&t, &want, sizeof(t)), 0);
}

/* What a row changes in a complete transport before the check. */
typedef enum tr_change {
	TR_NONE,
	TR_VERSION_0,
	TR_VERSION_2,
	TR_NO_CONNECT,
	TR_NO_EXCHANGE,
	TR_NO_CLOSE,
	TR_CANCEL_WITHOUT_RESET, /* cancel needs reset */
	TR_CANCEL_AND_RESET,
	TR_RESET_ONLY            /* reset alone is fine */
} tr_change;

static const struct transport_check_row {
	const char *name;
	tr_change change;
	msg_arg msg;
	int status;
	const char *msg_has; /* NULL: not checked; "" with MSG_BUF: must be empty */
} transport_check_rows[] = {
	{ "complete", TR_NONE, MSG_BUF, HIVEHA_OK, "" },
	{ "version 0", TR_VERSION_0, MSG_BUF, HIVEHA_EVERSION, "hiveha_transport" },
	{ "version 2", TR_VERSION_2, MSG_BUF, HIVEHA_EVERSION, "version 2" },
	{ "no connect", TR_NO_CONNECT, MSG_BUF, HIVEHA_EINVAL, "'connect'" },
	{ "no exchange", TR_NO_EXCHANGE, MSG_BUF, HIVEHA_EINVAL, "'exchange'" },
	{ "no close", TR_NO_CLOSE, MSG_BUF, HIVEHA_EINVAL, "'close'" },
	{ "cancel without reset", TR_CANCEL_WITHOUT_RESET, MSG_BUF, HIVEHA_EINVAL, "'reset'" },
	{ "cancel and reset", TR_CANCEL_AND_RESET, MSG_BUF, HIVEHA_OK, NULL },
	{ "reset only, no buffer", TR_RESET_ONLY, MSG_NONE, HIVEHA_OK, NULL },
};

static void tr_apply(hiveha_transport *t, tr_change change)
{
	switch (change) {
	case TR_NONE: break;
	case TR_VERSION_0: t->version = 0; break;
	case TR_VERSION_2: t->version = 2; break;
	case TR_NO_CONNECT: t->connect = NULL; break;
	case TR_NO_EXCHANGE: t->exchange = NULL; break;
	case TR_NO_CLOSE: t->close = NULL; break;
	case TR_CANCEL_WITHOUT_RESET: t->cancel = tr_cancel; break;
	case TR_CANCEL_AND_RESET: t->cancel = tr_cancel; t->reset = tr_reset; break;
	case TR_RESET_ONLY: t->reset = tr_reset; break;
	}
}

Test(transport, check_table)
{
	size_t i;

	for (i = 0; i < sizeof(transport_check_rows) / sizeof(transport_check_rows[0]); i++) {
		const struct transport_check_row *row = &transport_check_rows[i];
		hiveha_transport t = full_transport();
		char msg[200] = "stale";
		int rc;

		tr_apply(&t, row->change);
		rc = hiveha_transport_check(&t, row->msg == MSG_BUF ? msg : NULL,
		                            row->msg == MSG_BUF ? sizeof(msg) : 0);
		cr_expect_eq(rc, row->status, "row \"%s\": status %d, wanted %d", row->name, rc,
		             row->status);
		if (row->msg_has && !row->msg_has[0])
			cr_expect_str_empty(msg, "row \"%s\": message \"%s\"", row->name, msg);
		else if (row->msg_has)
			cr_expect_not_null(strstr(msg, row->msg_has), "row \"%s\": message \"%s\" lacks \"%s\"",
			                   row->name, msg, row->msg_has);
	}
}

/* ---- clock -------------------------------------------------------------- */

static hiveha_time ck_now(void *c) { (void)c; return 0; }
static int64_t ck_mono(void *c) { (void)c; return 0; }
static int ck_sleep(void *c, int64_t ns) { (void)c; (void)ns; return 0; }
static void ck_wake(void *c) { (void)c; }

Test(clock, init_matches_macro)
{
	static const hiveha_clock want = HIVEHA_CLOCK_INIT;
	hiveha_clock c;

	memset(&c, 0xCC, sizeof(c));
	cr_assert_eq(hiveha_clock_init(&c, HIVEHA_CLOCK_VERSION), HIVEHA_OK);
	cr_assert_eq(memcmp(&c, &want, sizeof(c)), 0);
}

typedef enum ck_change {
	CK_NONE,
	CK_NO_NOW,
	CK_NO_MONOTONIC,
	CK_NO_SLEEP,
	CK_NO_WAKE,
	CK_VERSION_9
} ck_change;

static const struct clock_check_row {
	const char *name;
	ck_change change;
	int status;
	const char *msg_has; /* NULL: not checked */
} clock_check_rows[] = {
	{ "complete", CK_NONE, HIVEHA_OK, NULL },
	{ "no now", CK_NO_NOW, HIVEHA_EINVAL, "now" },
	{ "no monotonic_ns", CK_NO_MONOTONIC, HIVEHA_EINVAL, "monotonic_ns" },
	{ "no sleep", CK_NO_SLEEP, HIVEHA_EINVAL, "sleep" },
	{ "no wake", CK_NO_WAKE, HIVEHA_EINVAL, "wake" },
	{ "version 9", CK_VERSION_9, HIVEHA_EVERSION, "hiveha_clock: version 9" },
};

Test(clock, check_table)
{
	size_t i;

	for (i = 0; i < sizeof(clock_check_rows) / sizeof(clock_check_rows[0]); i++) {
		const struct clock_check_row *row = &clock_check_rows[i];
		hiveha_clock c;
		char msg[200] = "";
		int rc;

		hiveha_clock_init(&c, HIVEHA_CLOCK_VERSION);
		c.now = row->change == CK_NO_NOW ? NULL : ck_now;
		c.monotonic_ns = row->change == CK_NO_MONOTONIC ? NULL : ck_mono;
		c.sleep = row->change == CK_NO_SLEEP ? NULL : ck_sleep;
		c.wake = row->change == CK_NO_WAKE ? NULL : ck_wake;
		if (row->change == CK_VERSION_9)
			c.version = 9;
		rc = hiveha_clock_check(&c, msg, sizeof(msg));
		cr_expect_eq(rc, row->status, "row \"%s\": status %d, wanted %d", row->name, rc,
		             row->status);
		if (row->msg_has)
			cr_expect_not_null(strstr(msg, row->msg_has), "row \"%s\": message \"%s\" lacks \"%s\"",
			                   row->name, msg, row->msg_has);
	}
}

Test(clock, version_1_struct_is_not_written_past_its_end)
{
	/* A host built against the version 1 header has no room for reset. */
	unsigned char raw[sizeof(hiveha_clock)];
	size_t v1 = offsetof(hiveha_clock, reset);

	memset(raw, 0xCC, sizeof(raw));
	cr_assert_eq(hiveha_clock_init((hiveha_clock *)(void *)raw, 1), HIVEHA_OK);
	cr_assert_eq(((hiveha_clock *)(void *)raw)->version, 1);
	for (size_t i = v1; i < sizeof(raw); i++)
		cr_assert_eq(raw[i], 0xCC, "byte %zu past a version 1 clock was written", i);
}

/* ---- configs ------------------------------------------------------------ */

Test(config, governor_init_matches_macro)
{
	static const hiveha_governor_config want = HIVEHA_GOVERNOR_CONFIG_INIT;
	hiveha_governor_config c;

	memset(&c, 0xCC, sizeof(c));
	cr_assert_eq(hiveha_governor_config_init(&c, HIVEHA_GOVERNOR_CONFIG_VERSION), HIVEHA_OK);
	cr_assert_eq(c.version, HIVEHA_GOVERNOR_CONFIG_VERSION);
	cr_assert_eq(memcmp(&c, &want, sizeof(c)), 0);
}

Test(config, responder_init_matches_macro)
{
	static const hiveha_responder_config want = HIVEHA_RESPONDER_CONFIG_INIT;
	hiveha_responder_config c;

	memset(&c, 0xCC, sizeof(c));
	cr_assert_eq(hiveha_responder_config_init(&c, HIVEHA_RESPONDER_CONFIG_VERSION), HIVEHA_OK);
	cr_assert_eq(c.version, HIVEHA_RESPONDER_CONFIG_VERSION);
	cr_assert_eq(memcmp(&c, &want, sizeof(c)), 0);
}

/* ---- every _init() against the versions it must refuse ----------------- */

/* One signature for the table; `out` NULL passes NULL through. */
static int init_store(void *out, unsigned int v) { return hiveha_store_init(out, v); }
static int init_transport(void *out, unsigned int v) { return hiveha_transport_init(out, v); }
static int init_clock(void *out, unsigned int v) { return hiveha_clock_init(out, v); }
static int init_governor_config(void *out, unsigned int v)
{ return hiveha_governor_config_init(out, v); }
static int init_responder_config(void *out, unsigned int v)
{ return hiveha_responder_config_init(out, v); }

typedef enum out_arg { OUT_BUF, OUT_NULL } out_arg;

static const struct init_row {
	const char *name;
	int (*init)(void *out, unsigned int version);
	unsigned int version;
	out_arg out;
	int status;
} init_rows[] = {
	{ "store, current", init_store, HIVEHA_STORE_VERSION, OUT_BUF, HIVEHA_OK },
	{ "store, version 0", init_store, 0, OUT_BUF, HIVEHA_EVERSION },
	{ "store, newer", init_store, HIVEHA_STORE_VERSION + 1, OUT_BUF, HIVEHA_EVERSION },
	{ "store, NULL", init_store, HIVEHA_STORE_VERSION, OUT_NULL, HIVEHA_EINVAL },
	{ "transport, current", init_transport, HIVEHA_TRANSPORT_VERSION, OUT_BUF, HIVEHA_OK },
	{ "transport, version 0", init_transport, 0, OUT_BUF, HIVEHA_EVERSION },
	{ "transport, newer", init_transport, HIVEHA_TRANSPORT_VERSION + 1, OUT_BUF, HIVEHA_EVERSION },
	{ "clock, current", init_clock, HIVEHA_CLOCK_VERSION, OUT_BUF, HIVEHA_OK },
	{ "clock, version 0", init_clock, 0, OUT_BUF, HIVEHA_EVERSION },
	{ "clock, newer", init_clock, HIVEHA_CLOCK_VERSION + 1, OUT_BUF, HIVEHA_EVERSION },
	{ "governor config, current", init_governor_config, HIVEHA_GOVERNOR_CONFIG_VERSION, OUT_BUF,
	  HIVEHA_OK },
	{ "governor config, version 0", init_governor_config, 0, OUT_BUF, HIVEHA_EVERSION },
	{ "governor config, newer", init_governor_config, HIVEHA_GOVERNOR_CONFIG_VERSION + 1, OUT_BUF,
	  HIVEHA_EVERSION },
	{ "governor config, NULL", init_governor_config, 1, OUT_NULL, HIVEHA_EINVAL },
	{ "responder config, current", init_responder_config, HIVEHA_RESPONDER_CONFIG_VERSION, OUT_BUF,
	  HIVEHA_OK },
	{ "responder config, version 0", init_responder_config, 0, OUT_BUF, HIVEHA_EVERSION },
	{ "responder config, newer", init_responder_config, HIVEHA_RESPONDER_CONFIG_VERSION + 1,
	  OUT_BUF, HIVEHA_EVERSION },
};

Test(init, version_table)
{
	/* big enough and aligned for any of the structs */
	union {
		hiveha_store s;
		hiveha_transport t;
		hiveha_clock c;
		hiveha_governor_config g;
		hiveha_responder_config r;
	} buf;
	size_t i;

	for (i = 0; i < sizeof(init_rows) / sizeof(init_rows[0]); i++) {
		const struct init_row *row = &init_rows[i];
		int rc = row->init(row->out == OUT_BUF ? (void *)&buf : NULL, row->version);

		cr_expect_eq(rc, row->status, "row \"%s\": status %d, wanted %d", row->name, rc,
		             row->status);
	}
}
