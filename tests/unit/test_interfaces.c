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

Test(store, init)
{
	static const hiveha_store want = HIVEHA_STORE_INIT; /* static: padding is zero too */
	hiveha_store s;

	memset(&s, 0xCC, sizeof(s));
	cr_assert_eq(hiveha_store_init(&s, HIVEHA_STORE_VERSION), HIVEHA_OK);
	cr_assert_eq(memcmp(&s, &want, sizeof(s)), 0);
	cr_assert_eq(s.version, HIVEHA_STORE_VERSION);
	cr_assert_eq(hiveha_store_init(&s, 0), HIVEHA_EVERSION);
	cr_assert_eq(hiveha_store_init(&s, HIVEHA_STORE_VERSION + 1), HIVEHA_EVERSION);
	cr_assert_eq(hiveha_store_init(NULL, HIVEHA_STORE_VERSION), HIVEHA_EINVAL);
}

Test(store, complete_store_passes_every_mask)
{
	hiveha_store s = full_store();
	char msg[200];
	unsigned int masks[] = { 0, TREND, EVENTS, HIVEHA_DEPUTIES_HIVE };
	size_t i;

	for (i = 0; i < 4; i++) {
		strcpy(msg, "stale");
		cr_assert_eq(hiveha_store_check(&s, masks[i], msg, sizeof(msg)), HIVEHA_OK);
		cr_assert_str_eq(msg, "", "success must clear the message");
	}
	cr_assert_eq(hiveha_store_check(&s, HIVEHA_DEPUTIES_HIVE, NULL, 0), HIVEHA_OK);
}

Test(store, version_zero_and_too_new)
{
	hiveha_store s = full_store();
	char msg[200];

	s.version = 0;
	cr_assert_eq(hiveha_store_check(&s, 0, msg, sizeof(msg)), HIVEHA_EVERSION);
	cr_assert_not_null(strstr(msg, "hiveha_store"), "%s", msg);
	cr_assert_str_eq(msg, "hiveha_store: version 0 is not valid (this library supports 1 to 2); "
	                      "initialise the struct with its _INIT macro or _init() function");

	s.version = 7;
	cr_assert_eq(hiveha_store_check(&s, 0, msg, sizeof(msg)), HIVEHA_EVERSION);
	cr_assert_str_eq(msg, "hiveha_store: version 7 is newer than this library supports (2); "
	                      "rebuild against newer headers");
	cr_assert_eq(hiveha_store_check(&s, 0, NULL, 0), HIVEHA_EVERSION);
	cr_assert_eq(hiveha_store_check(NULL, 0, msg, sizeof(msg)), HIVEHA_EINVAL);
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

Test(store, unknown_deputy_bits)
{
	hiveha_store s = full_store();

	cr_assert_eq(hiveha_store_check(&s, 1u << 5, NULL, 0), HIVEHA_EINVAL);
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

Test(transport, init)
{
	static const hiveha_transport want = HIVEHA_TRANSPORT_INIT;
	hiveha_transport t;

	memset(&t, 0xCC, sizeof(t));
	cr_assert_eq(hiveha_transport_init(&t, HIVEHA_TRANSPORT_VERSION), HIVEHA_OK);
	cr_assert_eq(memcmp(&t, &want, sizeof(t)), 0);
	cr_assert_eq(hiveha_transport_init(&t, 0), HIVEHA_EVERSION);
	cr_assert_eq(hiveha_transport_init(&t, HIVEHA_TRANSPORT_VERSION + 1), HIVEHA_EVERSION);
}

Test(transport, checks)
{
	hiveha_transport t = full_transport();
	char msg[200];

	cr_assert_eq(hiveha_transport_check(&t, msg, sizeof(msg)), HIVEHA_OK);
	cr_assert_str_eq(msg, "");

	t.version = 0;
	cr_assert_eq(hiveha_transport_check(&t, msg, sizeof(msg)), HIVEHA_EVERSION);
	cr_assert_not_null(strstr(msg, "hiveha_transport"), "%s", msg);
	t.version = 2;
	cr_assert_eq(hiveha_transport_check(&t, msg, sizeof(msg)), HIVEHA_EVERSION);
	cr_assert_not_null(strstr(msg, "version 2"), "%s", msg);

	t = full_transport();
	t.connect = NULL;
	cr_assert_eq(hiveha_transport_check(&t, msg, sizeof(msg)), HIVEHA_EINVAL);
	cr_assert_not_null(strstr(msg, "'connect'"), "%s", msg);
	t = full_transport();
	t.exchange = NULL;
	cr_assert_eq(hiveha_transport_check(&t, msg, sizeof(msg)), HIVEHA_EINVAL);
	cr_assert_not_null(strstr(msg, "'exchange'"), "%s", msg);
	t = full_transport();
	t.close = NULL;
	cr_assert_eq(hiveha_transport_check(&t, msg, sizeof(msg)), HIVEHA_EINVAL);
	cr_assert_not_null(strstr(msg, "'close'"), "%s", msg);

	/* cancel needs reset; reset alone is fine */
	t = full_transport();
	t.cancel = tr_cancel;
	cr_assert_eq(hiveha_transport_check(&t, msg, sizeof(msg)), HIVEHA_EINVAL);
	cr_assert_not_null(strstr(msg, "'reset'"), "%s", msg);
	t.reset = tr_reset;
	cr_assert_eq(hiveha_transport_check(&t, msg, sizeof(msg)), HIVEHA_OK);
	t.cancel = NULL;
	cr_assert_eq(hiveha_transport_check(&t, NULL, 0), HIVEHA_OK);
}

/* ---- clock -------------------------------------------------------------- */

static hiveha_time ck_now(void *c) { (void)c; return 0; }
static int64_t ck_mono(void *c) { (void)c; return 0; }
static int ck_sleep(void *c, int64_t ns) { (void)c; (void)ns; return 0; }
static void ck_wake(void *c) { (void)c; }

Test(clock, init_and_checks)
{
	static const char *names[] = { "now", "monotonic_ns", "sleep", "wake" };
	static const hiveha_clock want = HIVEHA_CLOCK_INIT;
	hiveha_clock c;
	char msg[200];
	size_t i;

	memset(&c, 0xCC, sizeof(c));
	cr_assert_eq(hiveha_clock_init(&c, HIVEHA_CLOCK_VERSION), HIVEHA_OK);
	cr_assert_eq(memcmp(&c, &want, sizeof(c)), 0);
	cr_assert_eq(hiveha_clock_init(&c, 0), HIVEHA_EVERSION);
	cr_assert_eq(hiveha_clock_init(&c, HIVEHA_CLOCK_VERSION + 1), HIVEHA_EVERSION);

	for (i = 0; i <= 4; i++) {
		hiveha_clock_init(&c, HIVEHA_CLOCK_VERSION);
		c.now = i == 0 ? NULL : ck_now;
		c.monotonic_ns = i == 1 ? NULL : ck_mono;
		c.sleep = i == 2 ? NULL : ck_sleep;
		c.wake = i == 3 ? NULL : ck_wake;
		if (i == 4) {
			cr_assert_eq(hiveha_clock_check(&c, msg, sizeof(msg)), HIVEHA_OK);
			c.version = 9;
			cr_assert_eq(hiveha_clock_check(&c, msg, sizeof(msg)), HIVEHA_EVERSION);
			cr_assert_not_null(strstr(msg, "hiveha_clock: version 9"), "%s", msg);
			continue;
		}
		cr_assert_eq(hiveha_clock_check(&c, msg, sizeof(msg)), HIVEHA_EINVAL, "%s", names[i]);
		cr_assert_not_null(strstr(msg, names[i]), "%s lacks %s", msg, names[i]);
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
	cr_assert_eq(hiveha_governor_config_init(&c, 0), HIVEHA_EVERSION);
	cr_assert_eq(hiveha_governor_config_init(&c, HIVEHA_GOVERNOR_CONFIG_VERSION + 1),
	             HIVEHA_EVERSION);
	cr_assert_eq(hiveha_governor_config_init(NULL, 1), HIVEHA_EINVAL);
}

Test(config, responder_init_matches_macro)
{
	static const hiveha_responder_config want = HIVEHA_RESPONDER_CONFIG_INIT;
	hiveha_responder_config c;

	memset(&c, 0xCC, sizeof(c));
	cr_assert_eq(hiveha_responder_config_init(&c, HIVEHA_RESPONDER_CONFIG_VERSION), HIVEHA_OK);
	cr_assert_eq(c.version, HIVEHA_RESPONDER_CONFIG_VERSION);
	cr_assert_eq(memcmp(&c, &want, sizeof(c)), 0);
	cr_assert_eq(hiveha_responder_config_init(&c, 0), HIVEHA_EVERSION);
	cr_assert_eq(hiveha_responder_config_init(&c, HIVEHA_RESPONDER_CONFIG_VERSION + 1),
	             HIVEHA_EVERSION);
}
