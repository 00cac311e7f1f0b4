/*
 * test_responder_clock.c - the responder's clock and settle window
 * (config version 2): the hello reports the host's time base, and nothing
 * newer than now - settle_ms, or after the covered-until of a store nobody
 * collects into, is vouched for (DESIGN §5 rules 1 and 5).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiveha/responder.h>

#include "fakeclock.h"
#include "looptransport.h"
#include "memstore.h"
#include "platform/platform.h"
#include "protocol/protocol.h"
#include "syncstate.h"

static hiveha_store store;
static hiveha_clock fclock;
static hiveha_responder *resp;

static void setup(void)
{
	cr_assert_eq(memstore_new(&store), 0);
	cr_assert_eq(fakeclock_new(&fclock, 20 + 5000, 0), 0);
	resp = NULL;
}

static void teardown(void)
{
	hiveha_responder_free(resp);
	memstore_free(&store);
	fakeclock_free(&fclock);
}

TestSuite(responder_clock, .init = setup, .fini = teardown);

static void make(const hiveha_responder_config *cfg, hiveha_governor *gov)
{
	if (!gov)
		memstore_ref(&store); /* the responder drops one reference when freed */
	cr_assert_eq(hiveha_responder_new(&resp, cfg, &store, gov), 0);
}

static int on_write(const void *data, size_t len, void *payload)
{
	return hh_buf_append(payload, data, len);
}

/* Sends `kind` with `body` to the responder; the reply lands in `reply`. */
static void exchange(const char *kind, const hh_buf *body, hh_buf *reply)
{
	hiveha_request req = { HIVEHA_REQUEST_VERSION, kind, NULL, body->data, body->len };
	hh_buf_init(reply, NULL);
	cr_assert_eq(hiveha_responder_handle(resp, &req, on_write, reply), 0);
}

static hiveha_time hello_clock(void)
{
	hh_hello in = { .protocol = HH_PROTOCOL_VERSION, .instance_id = "local" }, out;
	hh_buf body, reply;
	hh_limits lim;
	hh_errbuf err;
	hh_limits_default(&lim);
	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_hello(&body, &in), 0);
	exchange(HIVEHA_MSG_HELLO, &body, &reply);
	cr_assert_eq(hh_decode_hello(&out, reply.data, reply.len, &lim, &err), 0, "%s", err.msg);
	hiveha_time t = out.clock;
	hh_hello_free(&out);
	hh_buf_free(&body);
	hh_buf_free(&reply);
	return t;
}

/* The gaps the responder reports for [from, to), as "[a,b)f " (f: filling). */
static const char *gaps_of(hiveha_time from, hiveha_time to, char *buf, size_t size)
{
	char *items[] = { "X" };
	hh_ts_request q = { .window = { .from = from, .to = to }, .items = items, .item_count = 1,
	                    .encoding = HH_ENC_JSON };
	hh_ts_reply rep;
	hh_buf body, reply;
	hh_limits lim;
	hh_errbuf err;
	hh_limits_default(&lim);
	hh_buf_init(&body, NULL);
	cr_assert_eq(hh_encode_ts_request(&body, &q), 0);
	exchange(HIVEHA_MSG_TIMESERIES, &body, &reply);
	cr_assert_eq(hh_decode_ts_reply_for(&rep, reply.data, reply.len, &lim, &err,
	                                    (const char *const *)items, 1), 0, "%s", err.msg);
	buf[0] = '\0';
	for (size_t i = 0; i < rep.gap_count; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, size - used, "[%lld,%lld)%s ", (long long)rep.gaps[i].from,
		         (long long)rep.gaps[i].to, rep.gaps[i].filling ? "f" : "");
	}
	hh_ts_reply_free(&rep);
	hh_buf_free(&body);
	hh_buf_free(&reply);
	return buf;
}

Test(responder_clock, hello_reports_the_configured_clock)
{
	hiveha_responder_config cfg;
	cr_assert_eq(hiveha_responder_config_init(&cfg, HIVEHA_RESPONDER_CONFIG_VERSION), 0);
	cfg.clock = &fclock;
	make(&cfg, NULL);
	cr_assert_eq(hello_clock(), 20 + 5000);
	fakeclock_set_now(&fclock, 777);
	cr_assert_eq(hello_clock(), 777);
}

static int unreachable(const hiveha_request *req, hiveha_reply_fn write, void *write_payload,
                       void *ctx)
{
	(void)req, (void)write, (void)write_payload, (void)ctx;
	return HIVEHA_ETRANSPORT;
}

Test(responder_clock, hello_reports_the_governors_clock)
{
	hiveha_governor_config gc;
	hiveha_governor_config_init(&gc, HIVEHA_GOVERNOR_CONFIG_VERSION);
	hiveha_transport t;
	cr_assert_eq(looptransport_new_with_handler(&t, unreachable, NULL), 0);
	hiveha_governor *gov = NULL;
	memstore_ref(&store);
	fakeclock_ref(&fclock);
	cr_assert_eq(hiveha_governor_new(&gov, &gc, &store, &t, &fclock), 0);
	make(NULL, gov);
	cr_assert_eq(hello_clock(), 20 + 5000, "a host's own time base is not the system clock");
	hiveha_responder_free(resp);
	resp = NULL;
	hiveha_governor_free(gov);
}

Test(responder_clock, settle_window_holds_back_the_young_tail)
{
	char buf[256];
	hiveha_responder_config cfg;
	hiveha_responder_config_init(&cfg, HIVEHA_RESPONDER_CONFIG_VERSION);
	cfg.clock = &fclock;
	cfg.settle_ms = 1; /* 10000 ticks: settled up to 20 + 5000 - 10000 */
	make(&cfg, NULL);
	cr_assert_str_eq(gaps_of(10, 20, buf, sizeof(buf)), "[10,20)f ");
	fakeclock_set_now(&fclock, 16 + 10000);
	cr_assert_str_eq(gaps_of(10, 20, buf, sizeof(buf)), "[16,20)f ");
	fakeclock_set_now(&fclock, 20 + 10000);
	cr_assert_str_eq(gaps_of(10, 20, buf, sizeof(buf)), "");
}

Test(responder_clock, no_settle_window_still_never_vouches_the_future)
{
	char buf[256];
	hiveha_responder_config cfg;
	hiveha_responder_config_init(&cfg, HIVEHA_RESPONDER_CONFIG_VERSION);
	cfg.clock = &fclock;
	cfg.settle_ms = 0;
	make(&cfg, NULL);
	fakeclock_set_now(&fclock, 15);
	cr_assert_str_eq(gaps_of(10, 20, buf, sizeof(buf)), "[15,20)f ");
}

Test(responder_clock, store_without_governor_ends_at_its_covered_until)
{
	char buf[256];
	hh_syncstate st;
	hh_syncstate_init(&st, NULL);
	st.present = 1;
	st.covered_until = 15;
	char *json = NULL;
	size_t len = 0;
	cr_assert_eq(hh_syncstate_encode(&st, &json, &len), 0);
	cr_assert_eq(memstore_put_kv(&store, hh_syncstate_key(HIVEHA_DEPUTY_TREND), json, len), 0);
	free(json);
	hh_syncstate_free(&st);
	hiveha_responder_config cfg;
	hiveha_responder_config_init(&cfg, HIVEHA_RESPONDER_CONFIG_VERSION);
	cfg.clock = &fclock;
	cfg.settle_ms = 0;
	make(&cfg, NULL);
	/* nobody collects after 15, and nobody will: not filling */
	cr_assert_str_eq(gaps_of(10, 20, buf, sizeof(buf)), "[15,20) ");
}

Test(responder_clock, version_1_config_reads_no_version_2_member)
{
	/* A host built against version 1 has no settle_ms / clock: whatever
	 * lies there must not be read. */
	hiveha_responder_config cfg;
	memset(&cfg, 0xA5, sizeof(cfg));
	cfg.version = 1;
	cfg.instance_id = NULL;
	cfg.token = NULL;
	cfg.max_request_bytes = cfg.max_reply_bytes = cfg.max_samples = 0;
	cfg.max_events = cfg.max_items = 0;
	cfg.on_log = NULL;
	cfg.payload = NULL;
	cfg.allocator = NULL;
	make(&cfg, NULL);
	hiveha_time before = hh_time_realtime();
	hiveha_time t = hello_clock();
	cr_assert_geq(t, before, "not the system clock");
	cr_assert_leq(t, hh_time_realtime());
}

Test(responder_clock, config_checks_and_defaults)
{
	hiveha_responder_config cfg = HIVEHA_RESPONDER_CONFIG_INIT;
	cr_assert_eq(cfg.settle_ms, HIVEHA_DEFAULT_SETTLE_MS);
	cr_assert_null(cfg.clock);
	memset(&cfg, 0, sizeof(cfg));
	cr_assert_eq(hiveha_responder_config_init(&cfg, 2), 0);
	cr_assert_eq(cfg.settle_ms, HIVEHA_DEFAULT_SETTLE_MS);
	hiveha_responder *r = NULL;
	cfg.settle_ms = -1;
	cr_assert_eq(hiveha_responder_new(&r, &cfg, &store, NULL), HIVEHA_EINVAL);
	cr_assert_null(r);
	cfg.settle_ms = 0;
	hiveha_clock bad = fclock;
	bad.now = NULL;
	cfg.clock = &bad;
	cr_assert_eq(hiveha_responder_new(&r, &cfg, &store, NULL), HIVEHA_EINVAL);
	cr_assert_null(r);
}
