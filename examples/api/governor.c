/*
 * governor.c - the governor (docs/api/governor.md).
 *
 *   peer store <- responder <- in-process transport <- governor -> local store
 *
 * The peer kept collecting "Tank1/Level" for two minutes while the local
 * instance was down; the local store has two stale samples in that time.
 * The governor (TrendHistory only, pages of 50 samples) fills the gap
 * [t0 - 60 s, t0 + 60 s) from the peer, then polls once and stops. Its
 * callbacks print the state items and the progress. Exits 0 when the
 * local samples in the gap equal the peer's and the snapshots say
 * finished_ok with nothing pending.
 *
 * The store here is deliberately tiny (fixed arrays of doubles, one
 * transaction = one copy of everything, no locking because no two threads
 * ever use the same store in this program). examples/custom-store/ has a
 * complete, thread-safe one.
 */
#include <hiveha/hiveha.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a tiny in-memory store ------------------------------------------------ */

#define MAX_ITEMS 4
#define MAX_SAMPLES 256
#define MAX_KEYS 4

typedef struct series {
	char id[64];
	size_t n;
	hiveha_time t[MAX_SAMPLES]; /* ascending; equal times in insertion order */
	double v[MAX_SAMPLES];
	uint32_t q[MAX_SAMPLES];
} series;

typedef struct data {
	series items[MAX_ITEMS]; /* ascending strcmp order of id */
	size_t n_items;
	struct {
		char key[64], value[2048];
		size_t len;
	} kv[MAX_KEYS];
	size_t n_kv;
} data;

struct hiveha_store_txn {
	data work; /* a private copy; commit() makes it the store's data */
};

static series *find_item(data *d, const char *id, int create)
{
	size_t i = 0;
	while (i < d->n_items && strcmp(d->items[i].id, id) < 0)
		i++;
	if (i < d->n_items && strcmp(d->items[i].id, id) == 0)
		return &d->items[i];
	if (!create || d->n_items == MAX_ITEMS || strlen(id) >= sizeof d->items[i].id)
		return NULL;
	memmove(&d->items[i + 1], &d->items[i], (d->n_items - i) * sizeof(series));
	memset(&d->items[i], 0, sizeof(series));
	strcpy(d->items[i].id, id);
	d->n_items++;
	return &d->items[i];
}

/* Inserts one sample after every stored sample with an equal time. */
static int insert_sample(series *s, const hiveha_sample *x)
{
	size_t i = s->n;
	if (s->n == MAX_SAMPLES || x->value.type != HIVEHA_TYPE_DOUBLE)
		return HIVEHA_ESTORE; /* this example keeps doubles only */
	while (i > 0 && s->t[i - 1] > x->time)
		i--;
	memmove(&s->t[i + 1], &s->t[i], (s->n - i) * sizeof s->t[0]);
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof s->v[0]);
	memmove(&s->q[i + 1], &s->q[i], (s->n - i) * sizeof s->q[0]);
	s->t[i] = x->time;
	s->v[i] = x->value.as.f64;
	s->q[i] = x->quality;
	s->n++;
	return HIVEHA_OK;
}

static void m_destroy(void *ctx)
{
	free(ctx);
}

static int m_list_items(void *ctx, hiveha_item_fn fn, void *payload)
{
	data *d = ctx;
	for (size_t i = 0; i < d->n_items; i++) {
		int rc = fn(d->items[i].id, payload);
		if (rc)
			return rc;
	}
	return HIVEHA_OK;
}

static int m_read_samples(void *ctx, const char *item_id, hiveha_time from, hiveha_time to,
                          uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload)
{
	series *s = find_item(ctx, item_id, 0);
	hiveha_sample batch[32];
	size_t n = 0, sent = 0;
	if (!s)
		return HIVEHA_ENOTFOUND;
	for (size_t i = 0; i < s->n && sent + n < max; i++) {
		if (s->t[i] < from || s->t[i] >= to || (s->t[i] == from && skip > 0 && skip--))
			continue;
		memset(&batch[n], 0, sizeof batch[n]);
		batch[n].time = s->t[i];
		batch[n].quality = s->q[i];
		hiveha_value_set_double(&batch[n].value, s->v[i]);
		if (++n == 32) {
			int rc = fn(batch, n, payload);
			if (rc)
				return rc;
			sent += n;
			n = 0;
		}
	}
	return n ? fn(batch, n, payload) : HIVEHA_OK;
}

static int m_begin(void *ctx, hiveha_store_txn **txn_out)
{
	hiveha_store_txn *txn = malloc(sizeof *txn);
	if (!txn)
		return HIVEHA_ENOMEM;
	txn->work = *(data *)ctx;
	*txn_out = txn;
	return HIVEHA_OK;
}

static int m_commit(void *ctx, hiveha_store_txn *txn)
{
	*(data *)ctx = txn->work;
	free(txn);
	return HIVEHA_OK;
}

static void m_rollback(void *ctx, hiveha_store_txn *txn)
{
	(void)ctx;
	free(txn);
}

static int m_replace_samples(void *ctx, hiveha_store_txn *txn, const char *item_id,
                             hiveha_time delete_from, hiveha_time delete_to,
                             const hiveha_sample *samples, size_t count)
{
	series *s = find_item(&txn->work, item_id, 1);
	size_t k = 0;
	(void)ctx;
	if (!s)
		return HIVEHA_ESTORE;
	for (size_t i = 0; i < s->n; i++) {
		if (s->t[i] >= delete_from && s->t[i] < delete_to)
			continue;
		s->t[k] = s->t[i];
		s->v[k] = s->v[i];
		s->q[k] = s->q[i];
		k++;
	}
	s->n = k;
	for (size_t i = 0; i < count; i++) {
		int rc = insert_sample(s, &samples[i]);
		if (rc)
			return rc;
	}
	return HIVEHA_OK;
}

static int m_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	data *d = ctx;
	for (size_t i = 0; i < d->n_kv; i++)
		if (strcmp(d->kv[i].key, key) == 0)
			return fn(d->kv[i].value, d->kv[i].len, payload);
	return HIVEHA_ENOTFOUND;
}

static int m_kv_put(void *ctx, hiveha_store_txn *txn, const char *key, const void *value,
                    size_t len)
{
	data *d = &txn->work;
	size_t i = 0;
	(void)ctx;
	while (i < d->n_kv && strcmp(d->kv[i].key, key) != 0)
		i++;
	if (i == MAX_KEYS || strlen(key) >= sizeof d->kv[i].key || len > sizeof d->kv[i].value)
		return HIVEHA_ESTORE;
	if (i == d->n_kv)
		d->n_kv++;
	strcpy(d->kv[i].key, key);
	memcpy(d->kv[i].value, value, len);
	d->kv[i].len = len;
	return HIVEHA_OK;
}

static int m_kv_delete(void *ctx, hiveha_store_txn *txn, const char *key)
{
	data *d = &txn->work;
	(void)ctx;
	for (size_t i = 0; i < d->n_kv; i++)
		if (strcmp(d->kv[i].key, key) == 0)
			d->kv[i] = d->kv[--d->n_kv];
	return HIVEHA_OK;
}

static int mini_store(hiveha_store *st)
{
	hiveha_store_init(st, HIVEHA_STORE_VERSION);
	st->ctx = calloc(1, sizeof(data));
	if (!st->ctx)
		return HIVEHA_ENOMEM;
	st->destroy = m_destroy;
	st->list_items = m_list_items;
	st->read_samples = m_read_samples;
	st->begin = m_begin;
	st->commit = m_commit;
	st->rollback = m_rollback;
	st->replace_samples = m_replace_samples;
	st->kv_get = m_kv_get;
	st->kv_put = m_kv_put;
	st->kv_delete = m_kv_delete;
	return HIVEHA_OK;
}

/* Host data entry: what the instance collected. */
static int collect(const hiveha_store *st, const char *item, hiveha_time from, int n, double v0,
                   uint32_t quality)
{
	hiveha_store_txn *txn;
	int rc = st->begin(st->ctx, &txn);
	if (rc)
		return rc; /* a failed begin leaves no transaction to end */
	for (int i = 0; i < n && !rc; i++) {
		hiveha_sample s = { from + i * HIVEHA_TICKS_PER_SECOND, { 0 }, quality };
		hiveha_value_set_double(&s.value, v0 + i);
		rc = st->replace_samples(st->ctx, txn, item, 0, 0, &s, 1);
	}
	if (!rc && n == 0)
		rc = st->replace_samples(st->ctx, txn, item, 0, 0, NULL, 0); /* item, no samples */
	if (rc) {
		st->rollback(st->ctx, txn);
		return rc;
	}
	return st->commit(st->ctx, txn);
}

/* ---- an in-process transport: exchange() calls the peer's responder ------ */

static int t_connect(void *ctx, const char *endpoint, int64_t timeout_ms, hiveha_conn **conn_out)
{
	(void)endpoint, (void)timeout_ms;
	*conn_out = ctx;
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
	(void)conn, (void)timeout_ms;
	int rc = hiveha_responder_handle(ctx, req, relay_write, &r);
	/* An error reply was delivered and carries the peer's code; a refused
	 * token and a stopping on_reply have no reply to decode. */
	if (rc == HIVEHA_EWRITE)
		return r.rc;
	return rc == HIVEHA_EAUTH ? rc : HIVEHA_OK;
}

static void t_close(void *ctx, hiveha_conn *conn)
{
	(void)ctx, (void)conn;
}

/* ---- the governor's callbacks (on the sync thread) ------------------------ */

static void on_state(const char *name, const hiveha_value *v, void *payload)
{
	char iso[HIVEHA_ISO8601_SIZE];
	(void)payload;
	if (v->type == HIVEHA_TYPE_INT64)
		printf("  %s = %lld (%s)\n", name, (long long)v->as.i64,
		       hiveha_deputy_state_name((int)v->as.i64));
	else if (v->type == HIVEHA_TYPE_TIME && hiveha_time_to_iso8601(iso, sizeof iso, v->as.time) == 0)
		printf("  %s = %s\n", name, iso);
	else if (v->type == HIVEHA_TYPE_STRING)
		printf("  %s = \"%s\"\n", name, v->as.str.ptr);
}

static void on_progress(const hiveha_progress *p, void *payload)
{
	hiveha_progress *last = payload;
	*last = *p;
	printf("  progress %s: %llu samples in %llu requests\n", hiveha_deputy_name(p->kind),
	       (unsigned long long)p->samples_done, (unsigned long long)p->requests);
}

static void on_log(int level, const char *message, void *payload)
{
	(void)payload;
	if (level <= HIVEHA_LOG_INFO)
		printf("  log: %s\n", message);
}

int main(void)
{
	const hiveha_time t0 = 133800000000000000, s = HIVEHA_TICKS_PER_SECOND;
	hiveha_store peer = HIVEHA_STORE_INIT, local = HIVEHA_STORE_INIT;
	hiveha_responder *resp = NULL;
	hiveha_governor *gov = NULL;
	hiveha_progress last = { 0 };
	int rc, fails = 0;

	/* The peer collected 120 samples; the local instance has 2 bad ones. */
	if (mini_store(&peer) || mini_store(&local) ||
	    collect(&peer, "Tank1/Level", t0 - 60 * s, 120, 100.0, HIVEHA_QUALITY_GOOD) ||
	    collect(&local, "Tank1/Level", t0, 2, -1.0, 0)) {
		m_destroy(peer.ctx); /* NULL, if never created */
		m_destroy(local.ctx);
		return 1;
	}

	hiveha_responder_config rcfg = HIVEHA_RESPONDER_CONFIG_INIT;
	rcfg.token = "s3cret";
	if (hiveha_responder_new(&resp, &rcfg, &peer, NULL))
		return 1;

	hiveha_transport tr = HIVEHA_TRANSPORT_INIT;
	tr.ctx = resp;
	tr.connect = t_connect;
	tr.exchange = t_exchange;
	tr.close = t_close;

	hiveha_governor_config cfg;
	hiveha_governor_config_init(&cfg, HIVEHA_GOVERNOR_CONFIG_VERSION);
	cfg.instance_id = "hive-b";
	cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	cfg.peer = "in-process";
	cfg.token = "s3cret";
	cfg.start_time = t0 + 60 * s; /* collecting again since then */
	cfg.lookback_ms = INT64_C(120) * 1000; /* no state yet: sync the last 2 minutes */
	cfg.chunk_samples = 50;       /* small pages, to show the paging */
	cfg.on_state = on_state;
	cfg.on_progress = on_progress;
	cfg.on_log = on_log;
	cfg.payload = &last;

	hiveha_store local_view = local; /* for the check; the governor owns `local` */
	rc = hiveha_governor_new(&gov, &cfg, &local, &tr, NULL);
	if (rc) {
		fprintf(stderr, "hiveha_governor_new: %s\n", hiveha_strerror(rc));
		return 1;
	}
	printf("run:\n");
	rc = hiveha_governor_run(gov);
	if (rc)
		fprintf(stderr, "run: %s: %s\n", hiveha_strerror(rc), hiveha_governor_errmsg(gov));
	fails += rc != 0 || last.requests < 3 || last.samples_done != 120;

	hiveha_deputy_snapshot snap;
	hiveha_governor_snapshot(gov, HIVEHA_DEPUTY_TREND, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION);
	printf("snapshot %s: %s, %zu gap(s) pending, SyncState \"%s\"\n",
	       hiveha_deputy_name(snap.kind), hiveha_deputy_state_name(snap.state), snap.pending_gaps,
	       snap.sync_state);
	fails += snap.state != HIVEHA_DEPUTY_FINISHED_OK || snap.pending_gaps != 0 ||
	         snap.last_up_to_date == 0;
	hiveha_governor_snapshot(gov, HIVEHA_DEPUTY_EVENTS, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION);
	fails += snap.enabled != 0;

	/* A host loop would call poll() again after next_ms. */
	int64_t next_ms = -1;
	fails += hiveha_governor_poll(gov, &next_ms) != 0 || next_ms < 0;
	printf("poll: next work due in %lld ms\n", (long long)next_ms);
	/* A collecting host says after each commit how far it has stored; no
	 * covered-until mark passes it. This one has stored nothing newer. */
	fails += hiveha_governor_set_stored_until(gov, cfg.start_time) != 0;
	fails += hiveha_governor_stop(gov) != 0; /* writes the clean-stop mark */

	/* The gap now holds exactly the peer's 120 samples, and nothing else. */
	series *mine = find_item(local_view.ctx, "Tank1/Level", 0);
	series *theirs = find_item(peer.ctx, "Tank1/Level", 0);
	int same = mine && theirs && mine->n == theirs->n &&
	           !memcmp(mine->t, theirs->t, mine->n * sizeof mine->t[0]) &&
	           !memcmp(mine->v, theirs->v, mine->n * sizeof mine->v[0]);
	printf("local %zu samples, peer %zu: %s\n", mine ? mine->n : 0, theirs ? theirs->n : 0,
	       same ? "equal" : "DIFFERENT");
	fails += !same;

	hiveha_governor_free(gov);   /* destroys `local` */
	hiveha_responder_free(resp); /* no governor: destroys `peer` */
	return fails != 0;
}
