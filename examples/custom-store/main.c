/*
 * custom-store: a governor filling a gap from an in-process responder, with
 * a store and a transport written here (no SQLite, no HTTP, no network).
 *
 *   peer store  <- responder <- in-process transport <- governor -> local store
 *
 * The peer collected three items for two minutes and raised two alarms. The
 * local instance has the items but only a few stale samples of one, and
 * starts at t0 + 60 s with a look-back of two minutes: its gap is
 * [t0 - 60 s, t0 + 60 s). After hiveha_governor_run() the local samples in
 * the gap must be exactly the peer's. Exits 0 when they are.
 */
#include "mem_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- an in-process transport: exchange() calls the responder directly ---- */

static int t_connect(void *ctx, const char *endpoint, int64_t timeout_ms, hiveha_conn **out)
{
	(void)endpoint;
	(void)timeout_ms;
	*out = ctx; /* any non-NULL handle will do: there is nothing to open */
	return HIVEHA_OK;
}

/* Keeps what on_reply returned: hiveha_responder_handle() reports a writer
 * that stopped as HIVEHA_EWRITE, and exchange() must return on_reply's own
 * value. */
typedef struct relay {
	hiveha_reply_fn on_reply;
	void *payload;
	int rc;
} relay;

static int relay_write(const void *bytes, size_t len, void *payload)
{
	relay *r = payload;
	return r->rc = r->on_reply(bytes, len, r->payload);
}

static int t_exchange(void *ctx, hiveha_conn *conn, const hiveha_request *req,
                      hiveha_reply_fn on_reply, void *payload, int64_t timeout_ms)
{
	relay r = { on_reply, payload, 0 };
	(void)conn;
	(void)timeout_ms;
	int rc = hiveha_responder_handle(ctx, req, relay_write, &r);
	/* Error replies were written and carry the peer's code; only a refused
	 * token has no reply (an HTTP listener would answer 401). */
	if (rc == HIVEHA_EWRITE)
		return r.rc;
	return rc == HIVEHA_EAUTH ? HIVEHA_EAUTH : HIVEHA_OK;
}

static void t_close(void *ctx, hiveha_conn *conn)
{
	(void)ctx;
	(void)conn;
}

/* ---- the scenario ---------------------------------------------------------- */

static const char *const items[] = { "Boiler/Pressure", "Boiler/Temperature", "Pump1/Speed" };
#define N_ITEMS 3

static void on_state(const char *name, const hiveha_value *v, void *payload)
{
	(void)payload;
	if (v->type == HIVEHA_TYPE_INT64)
		printf("  %s = %lld (%s)\n", name, (long long)v->as.i64,
		       hiveha_deputy_state_name((int)v->as.i64));
	else if (v->type == HIVEHA_TYPE_STRING)
		printf("  %s = \"%s\"\n", name, v->as.str.ptr);
}

static int fill_peer(const hiveha_store *peer, hiveha_time t0)
{
	hiveha_sample s[120];
	for (int i = 0; i < N_ITEMS; i++) {
		for (int k = 0; k < 120; k++) {
			memset(&s[k], 0, sizeof(s[k]));
			s[k].time = t0 - 60 * HIVEHA_TICKS_PER_SECOND + k * HIVEHA_TICKS_PER_SECOND;
			s[k].quality = HIVEHA_QUALITY_GOOD;
			hiveha_value_set_double(&s[k].value, 10.0 * (i + 1) + k * 0.5);
		}
		if (mem_store_append(peer, items[i], s, 120))
			return -1;
	}
	hiveha_event e = { 0 };
	e.time = e.received_time = t0;
	e.source_id = 1;
	e.type_id = 1;
	e.severity = 700;
	e.message = (char *)"Boiler pressure high";
	if (mem_store_add_event(peer, &e))
		return -1;
	e.time = e.received_time = t0 + 30 * HIVEHA_TICKS_PER_SECOND;
	e.type_id = 2;
	e.message = (char *)"Boiler pressure normal";
	return mem_store_add_event(peer, &e);
}

static int fill_local(const hiveha_store *local, hiveha_time t0)
{
	/* three stale samples the sync must replace, and the other items known */
	hiveha_sample s[3];
	for (int k = 0; k < 3; k++) {
		memset(&s[k], 0, sizeof(s[k]));
		s[k].time = t0 + k * HIVEHA_TICKS_PER_SECOND;
		s[k].quality = 0; /* bad */
	}
	int rc = mem_store_append(local, items[0], s, 3);
	for (int i = 1; i < N_ITEMS && !rc; i++)
		rc = mem_store_append(local, items[i], NULL, 0);
	return rc;
}

int main(void)
{
	hiveha_store peer, local;
	hiveha_time t0 = 0;
	hiveha_time_from_iso8601(&t0, "2024-01-01T00:00:00Z");
	if (mem_store_new(&peer) || mem_store_new(&local) || fill_peer(&peer, t0) ||
	    fill_local(&local, t0)) {
		fprintf(stderr, "custom-store: setting up the stores failed\n");
		return 1;
	}

	/* The peer's side: a responder serving its store (no governor, so it
	 * vouches from the store's persisted state, here: everything). */
	hiveha_responder_config rcfg = HIVEHA_RESPONDER_CONFIG_INIT;
	rcfg.instance_id = "peer";
	rcfg.token = "s3cret";
	hiveha_responder *resp = NULL;
	int rc = hiveha_responder_new(&resp, &rcfg, &peer, NULL);
	if (rc) {
		fprintf(stderr, "custom-store: responder: %s\n", hiveha_strerror(rc));
		return 1;
	}

	/* The local side: the governor, our store and our transport. */
	hiveha_transport tr = HIVEHA_TRANSPORT_INIT;
	tr.ctx = resp;
	tr.connect = t_connect;
	tr.exchange = t_exchange;
	tr.close = t_close;
	hiveha_governor_config cfg = HIVEHA_GOVERNOR_CONFIG_INIT;
	cfg.instance_id = "local";
	cfg.peer = "in-process";
	cfg.token = "s3cret";
	cfg.start_time = t0 + 60 * HIVEHA_TICKS_PER_SECOND;
	cfg.lookback_ms = INT64_C(120) * 1000;
	cfg.on_state = on_state;
	hiveha_store local_view = local; /* for the report: the governor owns `local` */
	hiveha_governor *gov = NULL;
	printf("sync of [t0 - 60 s, t0 + 60 s) from the in-process peer:\n");
	rc = hiveha_governor_new(&gov, &cfg, &local, &tr, NULL);
	if (!rc)
		rc = hiveha_governor_run(gov);
	if (rc)
		fprintf(stderr, "custom-store: sync failed: %s\n",
		        gov ? hiveha_governor_errmsg(gov) : hiveha_strerror(rc));

	int bad = rc != 0;
	printf("\n%-20s %6s %6s\n", "item", "peer", "local");
	for (int i = 0; i < N_ITEMS; i++) {
		size_t p = mem_store_count_samples(&peer, items[i]);
		size_t l = mem_store_count_samples(&local_view, items[i]);
		printf("%-20s %6zu %6zu\n", items[i], p, l);
		bad |= p != l;
	}
	size_t pe = mem_store_count_events(&peer), le = mem_store_count_events(&local_view);
	printf("%-20s %6zu %6zu\n", "events", pe, le);
	bad |= pe != le;

	hiveha_governor_free(gov); /* destroys `local` and the transport */
	hiveha_responder_free(resp); /* without a governor it destroys `peer` */
	printf("%s\n", bad ? "MISMATCH" : "local equals peer in the gap");
	return bad;
}
