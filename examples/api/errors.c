/*
 * errors.c - status codes, the log callback and the allocator
 * (docs/api/errors.md).
 *
 * Prints every status code with hiveha_strerror(), then creates a governor
 * twice: first with a store that lacks a required member (the call fails
 * with HIVEHA_EINVAL and the reason goes to the log callback), then with a
 * complete one and a counting allocator. Exits 0 when the failure, the
 * message, the state error and the allocator balance are as documented.
 */
#include <hiveha/hiveha.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a counting allocator ------------------------------------------------ */

typedef struct counts {
	long allocs, live;
} counts;

static void *a_malloc(size_t size, void *ctx)
{
	void *p = malloc(size);
	counts *c = ctx;
	c->allocs += p != NULL;
	c->live += p != NULL;
	return p;
}

static void *a_realloc(void *ptr, size_t size, void *ctx)
{
	void *p = realloc(ptr, size);
	counts *c = ctx;
	if (p && !ptr) {
		c->allocs++;
		c->live++;
	}
	return p;
}

static void a_free(void *ptr, void *ctx)
{
	counts *c = ctx;
	c->live -= ptr != NULL;
	free(ptr);
}

/* ---- the log callback ---------------------------------------------------- */

static char last_log[512];

static void on_log(int level, const char *message, void *payload)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	(void)payload;
	printf("  log %s: %s\n", level >= HIVEHA_LOG_ERROR && level <= HIVEHA_LOG_DEBUG ?
	                                 names[level] : "?", message);
	/* for the check in main(): a cut copy still holds the start */
	(void)snprintf(last_log, sizeof last_log, "%s", message);
}

/* ---- a store and a transport that do nothing (EventHistory only) -------- */

static char txn_token; /* the library only passes a transaction back */

static int s_begin(void *ctx, hiveha_store_txn **txn_out)
{
	(void)ctx;
	*txn_out = (hiveha_store_txn *)&txn_token;
	return HIVEHA_OK;
}

static int s_commit(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx;
	(void)txn;
	return HIVEHA_OK;
}

static void s_rollback(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx;
	(void)txn;
}

static int s_read_events(void *ctx, hiveha_time from, hiveha_time to, uint64_t skip, size_t max,
                         hiveha_events_fn fn, void *payload)
{
	(void)ctx, (void)from, (void)to, (void)skip, (void)max, (void)fn, (void)payload;
	return HIVEHA_OK; /* no events */
}

static int s_insert_events(void *ctx, hiveha_store_txn *txn, const hiveha_event *events,
                           size_t count, size_t *inserted_out)
{
	(void)ctx, (void)txn, (void)events, (void)count;
	if (inserted_out)
		*inserted_out = 0;
	return HIVEHA_OK;
}

static int s_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	(void)ctx, (void)key, (void)fn, (void)payload;
	return HIVEHA_ENOTFOUND; /* no sync state yet */
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

/* Never called here: the governor is created but never synced. */
static int t_connect(void *ctx, const char *endpoint, int64_t timeout_ms, hiveha_conn **out)
{
	(void)ctx, (void)endpoint, (void)timeout_ms, (void)out;
	return HIVEHA_ETRANSPORT;
}

static int t_exchange(void *ctx, hiveha_conn *conn, const hiveha_request *req,
                      hiveha_reply_fn on_reply, void *payload, int64_t timeout_ms)
{
	(void)ctx, (void)conn, (void)req, (void)on_reply, (void)payload, (void)timeout_ms;
	return HIVEHA_ETRANSPORT;
}

static void t_close(void *ctx, hiveha_conn *conn)
{
	(void)ctx, (void)conn;
}

int main(void)
{
	int fails = 0, rc;

	/* Every code has its own static description; unknown codes have one too. */
	for (int code = HIVEHA_OK; code >= HIVEHA_EWRITE; code--) {
		printf("%4d  %s\n", code, hiveha_strerror(code));
		for (int other = code + 1; other <= HIVEHA_OK; other++)
			fails += strcmp(hiveha_strerror(code), hiveha_strerror(other)) == 0;
	}
	fails += strcmp(hiveha_strerror(-1000), "unknown status") != 0;

	counts c = { 0, 0 };
	hiveha_allocator alloc = { .malloc = a_malloc, .realloc = a_realloc, .free = a_free, .ctx = &c };
	hiveha_governor_config cfg = HIVEHA_GOVERNOR_CONFIG_INIT;
	cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS);
	cfg.on_log = on_log;
	cfg.allocator = &alloc;

	hiveha_store store = HIVEHA_STORE_INIT;
	store.begin = s_begin;
	store.commit = s_commit;
	store.rollback = s_rollback;
	store.read_events = s_read_events;
	store.kv_get = s_kv_get;
	store.kv_put = s_kv_put;
	store.kv_delete = s_kv_delete;
	hiveha_transport tr = HIVEHA_TRANSPORT_INIT;
	tr.connect = t_connect;
	tr.exchange = t_exchange;
	tr.close = t_close;

	/* 1. insert_events is missing: HIVEHA_EINVAL, the reason is logged. */
	hiveha_governor *gov = NULL;
	printf("governor with an incomplete store:\n");
	rc = hiveha_governor_new(&gov, &cfg, &store, &tr, NULL);
	printf("  -> %d (%s)\n", rc, hiveha_strerror(rc));
	fails += rc != HIVEHA_EINVAL || gov != NULL || !strstr(last_log, "insert_events");

	/* 2. Complete: created with our allocator. */
	store.insert_events = s_insert_events;
	printf("governor with a complete store:\n");
	rc = hiveha_governor_new(&gov, &cfg, &store, &tr, NULL);
	printf("  -> %d (%s), %ld allocation(s)\n", rc, hiveha_strerror(rc), c.allocs);
	fails += rc != HIVEHA_OK || c.allocs == 0;
	if (rc == HIVEHA_OK) {
		/* poll() before run() is a state error; the governor says why. */
		rc = hiveha_governor_poll(gov, NULL);
		printf("  poll before run -> %s: %s\n", hiveha_strerror(rc), hiveha_governor_errmsg(gov));
		fails += rc != HIVEHA_ESTATE || hiveha_governor_errmsg(gov)[0] == '\0';
		hiveha_governor_free(gov);
	}
	printf("blocks still allocated after free: %ld\n", c.live);
	fails += c.live != 0;
	return fails != 0;
}
