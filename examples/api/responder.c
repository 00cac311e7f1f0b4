/*
 * responder.c - the serving side (docs/api/responder.md).
 *
 * A responder over a small store with one item, called the way a listener
 * calls it: a hello, a timeseries request (JSON, as docs/protocol.md
 * defines it), then the failures - a wrong token, an unknown kind, a body
 * over the size limit, and a writer that gives up. Exits 0 when every
 * call returns, and writes, what hiveha_responder_handle() documents.
 */
#include <hiveha/hiveha.h>

#include <stdio.h>
#include <string.h>

/* ---- the store: "Tank1/Level" with three samples; nothing persisted ------- */

static const hiveha_time t0 = 133800000000000000;

static int read_samples(void *ctx, const char *item_id, hiveha_time from, hiveha_time to,
                        uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload)
{
	hiveha_sample s[3];
	size_t n = 0;

	(void)ctx;
	if (strcmp(item_id, "Tank1/Level") != 0)
		return HIVEHA_ENOTFOUND;
	for (int i = 0; i < 3 && n < max; i++) {
		hiveha_time t = t0 + i * HIVEHA_TICKS_PER_SECOND;
		if (t < from || t >= to || (t == from && skip > 0 && skip--))
			continue;
		memset(&s[n], 0, sizeof s[n]);
		s[n].time = t;
		s[n].quality = HIVEHA_QUALITY_GOOD;
		hiveha_value_set_double(&s[n].value, 1.5 * i);
		n++;
	}
	return n ? fn(s, n, payload) : HIVEHA_OK;
}

static char txn_token;

static int s_begin(void *ctx, hiveha_store_txn **txn_out)
{
	(void)ctx;
	*txn_out = (hiveha_store_txn *)&txn_token;
	return HIVEHA_OK;
}

static int s_commit(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx, (void)txn;
	return HIVEHA_OK;
}

static void s_rollback(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx, (void)txn;
}

static int s_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	(void)ctx, (void)key, (void)fn, (void)payload;
	return HIVEHA_ENOTFOUND; /* no sync state: it vouches for everything */
}

static int s_kv_put(void *ctx, hiveha_store_txn *txn, const char *key, const void *data, size_t len)
{
	(void)ctx, (void)txn, (void)key, (void)data, (void)len;
	return HIVEHA_OK;
}

static int s_kv_delete(void *ctx, hiveha_store_txn *txn, const char *key)
{
	(void)ctx, (void)txn, (void)key;
	return HIVEHA_OK;
}

/* ---- the writer a listener would pass ------------------------------------- */

typedef struct out {
	char text[8192];
	size_t len;
	int refuse; /* give up: return HIVEHA_EUSER (handle() then says HIVEHA_EWRITE) */
} out;

static int write_reply(const void *data, size_t len, void *payload)
{
	out *o = payload;
	if (o->refuse)
		return HIVEHA_EUSER;
	if (len >= sizeof o->text - o->len)
		return HIVEHA_ELIMIT;
	memcpy(o->text + o->len, data, len);
	o->len += len;
	o->text[o->len] = '\0';
	return 0;
}

static int fails;

static int handle(hiveha_responder *r, const char *kind, const char *token, const char *body,
                  size_t len, out *o, int want_rc, const char *want_text)
{
	hiveha_request req = { HIVEHA_REQUEST_VERSION, kind, token, body, len };
	o->len = 0;
	o->text[0] = '\0';
	int rc = hiveha_responder_handle(r, &req, write_reply, o);
	int ok = rc == want_rc && (!want_text ? o->len == 0 : strstr(o->text, want_text) != NULL);
	printf("%-12s -> %-28s %.100s%s\n", kind, hiveha_strerror(rc), o->text, ok ? "" : "  FAILED");
	fails += !ok;
	return rc;
}

int main(void)
{
	static const char hello[] =
		"{\"type\":\"hello\",\"protocol\":1,\"instance_id\":\"hive-b\","
		"\"clock\":\"133800000000000000\",\"caps\":0}";
	static const char ts[] =
		"{\"v\":1,\"type\":\"timeseries\",\"from\":\"133800000000000000\","
		"\"to\":\"133800000600000000\",\"items\":[\"Tank1/Level\",\"Gone\"]}";
	static char big[5000];
	hiveha_store store = HIVEHA_STORE_INIT;
	hiveha_responder_config cfg;
	hiveha_responder *r = NULL;
	out o = { "", 0, 0 };

	store.read_samples = read_samples;
	store.begin = s_begin;
	store.commit = s_commit;
	store.rollback = s_rollback;
	store.kv_get = s_kv_get;
	store.kv_put = s_kv_put;
	store.kv_delete = s_kv_delete;
	hiveha_responder_config_init(&cfg, HIVEHA_RESPONDER_CONFIG_VERSION);
	cfg.instance_id = "hive-a";
	cfg.token = "s3cret";
	cfg.max_request_bytes = 4096;
	if (hiveha_responder_new(&r, &cfg, &store, NULL) != HIVEHA_OK)
		return 1;

	handle(r, HIVEHA_MSG_HELLO, "s3cret", hello, strlen(hello), &o, HIVEHA_OK, "\"hive-a\"");
	/* Three samples of the known item; the other one is reported unknown. */
	handle(r, HIVEHA_MSG_TIMESERIES, "s3cret", ts, strlen(ts), &o, HIVEHA_OK, "\"count\":3");
	fails += !strstr(o.text, "\"unknown\":true");
	/* Refused token: nothing is written (a listener answers 401). */
	handle(r, HIVEHA_MSG_HELLO, "guess", hello, strlen(hello), &o, HIVEHA_EAUTH, NULL);
	/* Unknown kind and oversized body: an error reply says why. */
	handle(r, "config", "s3cret", hello, strlen(hello), &o, HIVEHA_EPROTOCOL, "\"error\"");
	memset(big, ' ', sizeof big);
	handle(r, HIVEHA_MSG_HELLO, "s3cret", big, sizeof big, &o, HIVEHA_ELIMIT, "\"error\"");
	/* The writer gives up: HIVEHA_EWRITE, whatever it returned, so that it
	 * is never taken for the request's own outcome. */
	o.refuse = 1;
	handle(r, HIVEHA_MSG_HELLO, "s3cret", hello, strlen(hello), &o, HIVEHA_EWRITE, NULL);

	hiveha_responder_free(r); /* no governor: it would call store.destroy */
	return fails != 0;
}
