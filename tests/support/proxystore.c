#include "proxystore.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "refcount.h"
#include "storefaults.h"

typedef struct px_txn {
	hiveha_store_txn *inner;
	int dead;                /* rolled back by a crash */
	struct px_txn *next;
} px_txn;

typedef struct proxy {
	hiveha_store inner;
	pthread_mutex_t mu;      /* guards faults and open */
	refcount refs;
	storefaults faults;      /* memstore's counters and schedule */
	int ignore_skip;         /* a broken store: reads from `from` whatever skip says */
	px_txn *open;            /* open transactions */
	proxystore_destroyed_fn on_destroyed;
	void *on_destroyed_arg;
} proxy;

static proxy *px_of(const hiveha_store *s)
{
	if (!proxystore_is_proxy(s)) {
		fprintf(stderr, "proxystore: not a proxy store\n");
		abort();
	}
	return s->ctx;
}

/* Counts a call and applies the fault schedule (memstore's rules). */
static int px_enter(proxy *p, memstore_member member)
{
	pthread_mutex_lock(&p->mu);
	int err = storefaults_enter(&p->faults, member);
	pthread_mutex_unlock(&p->mu);
	return err;
}

/* Unlinks `t` from the open list; returns whether it was dead. */
static int px_unlink(proxy *p, px_txn *t)
{
	pthread_mutex_lock(&p->mu);
	for (px_txn **pp = &p->open; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	int dead = t->dead;
	pthread_mutex_unlock(&p->mu);
	return dead;
}

/* The inner handle of a live transaction, NULL for one a crash killed. */
static hiveha_store_txn *px_live(proxy *p, hiveha_store_txn *txn)
{
	px_txn *t = (px_txn *)txn;
	pthread_mutex_lock(&p->mu);
	hiveha_store_txn *inner = t->dead ? NULL : t->inner;
	pthread_mutex_unlock(&p->mu);
	return inner;
}

static void px_destroy(void *ctx)
{
	proxy *p = ctx;
	if (!refcount_put(&p->refs))
		return;
	while (p->open) {
		px_txn *t = p->open;
		p->open = t->next;
		if (!t->dead)
			p->inner.rollback(p->inner.ctx, t->inner);
		free(t);
	}
	if (p->inner.destroy)
		p->inner.destroy(p->inner.ctx);
	proxystore_destroyed_fn fn = p->on_destroyed;
	void *arg = p->on_destroyed_arg;
	pthread_mutex_destroy(&p->mu);
	free(p);
	if (fn)
		fn(arg);
}

static int px_list_items(void *ctx, hiveha_item_fn fn, void *payload)
{
	proxy *p = ctx;
	int rc = px_enter(p, MEMSTORE_LIST_ITEMS);
	if (rc)
		return rc;
	if (!p->inner.list_items)
		return HIVEHA_ENOTIMPL;
	return p->inner.list_items(p->inner.ctx, fn, payload);
}

static int px_read_samples(void *ctx, const char *item_id, hiveha_time from, hiveha_time to,
                           uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload)
{
	proxy *p = ctx;
	int rc = px_enter(p, MEMSTORE_READ_SAMPLES);
	if (rc)
		return rc;
	if (!p->inner.read_samples)
		return HIVEHA_ENOTIMPL;
	if (__atomic_load_n(&p->ignore_skip, __ATOMIC_RELAXED))
		skip = 0;
	return p->inner.read_samples(p->inner.ctx, item_id, from, to, skip, max, fn, payload);
}

static int px_read_events(void *ctx, hiveha_time from, hiveha_time to, uint64_t skip, size_t max,
                          hiveha_events_fn fn, void *payload)
{
	proxy *p = ctx;
	int rc = px_enter(p, MEMSTORE_READ_EVENTS);
	if (rc)
		return rc;
	if (!p->inner.read_events)
		return HIVEHA_ENOTIMPL;
	if (__atomic_load_n(&p->ignore_skip, __ATOMIC_RELAXED))
		skip = 0;
	return p->inner.read_events(p->inner.ctx, from, to, skip, max, fn, payload);
}

static int px_begin(void *ctx, hiveha_store_txn **txn_out)
{
	proxy *p = ctx;
	int rc = px_enter(p, MEMSTORE_BEGIN);
	if (rc)
		return rc;
	px_txn *t = calloc(1, sizeof(*t));
	if (!t)
		return HIVEHA_ENOMEM;
	rc = p->inner.begin(p->inner.ctx, &t->inner);
	if (rc) {
		free(t);
		return rc;
	}
	pthread_mutex_lock(&p->mu);
	t->next = p->open;
	p->open = t;
	pthread_mutex_unlock(&p->mu);
	*txn_out = (hiveha_store_txn *)t;
	return 0;
}

static int px_commit(void *ctx, hiveha_store_txn *txn)
{
	proxy *p = ctx;
	px_txn *t = (px_txn *)txn;
	int rc = px_enter(p, MEMSTORE_COMMIT);
	int dead = px_unlink(p, t);
	if (dead)
		rc = HIVEHA_ESTORE;
	else if (rc)
		p->inner.rollback(p->inner.ctx, t->inner); /* a failed commit keeps nothing */
	else
		rc = p->inner.commit(p->inner.ctx, t->inner);
	free(t);
	return rc;
}

static void px_rollback(void *ctx, hiveha_store_txn *txn)
{
	proxy *p = ctx;
	px_txn *t = (px_txn *)txn;
	(void)px_enter(p, MEMSTORE_ROLLBACK); /* counted, never faulted */
	if (!px_unlink(p, t))
		p->inner.rollback(p->inner.ctx, t->inner);
	free(t);
}

static int px_replace_samples(void *ctx, hiveha_store_txn *txn, const char *item_id,
                              hiveha_time delete_from, hiveha_time delete_to,
                              const hiveha_sample *samples, size_t count)
{
	proxy *p = ctx;
	int rc = px_enter(p, MEMSTORE_REPLACE_SAMPLES);
	if (rc)
		return rc;
	hiveha_store_txn *in = px_live(p, txn);
	if (!in)
		return HIVEHA_ESTORE;
	return p->inner.replace_samples(p->inner.ctx, in, item_id, delete_from, delete_to, samples,
	                                count);
}

static int px_insert_events(void *ctx, hiveha_store_txn *txn, const hiveha_event *events,
                            size_t count, size_t *inserted_out)
{
	proxy *p = ctx;
	int rc = px_enter(p, MEMSTORE_INSERT_EVENTS);
	if (rc)
		return rc;
	hiveha_store_txn *in = px_live(p, txn);
	if (!in)
		return HIVEHA_ESTORE;
	return p->inner.insert_events(p->inner.ctx, in, events, count, inserted_out);
}

static int px_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	proxy *p = ctx;
	int rc = px_enter(p, MEMSTORE_KV_GET);
	if (rc)
		return rc;
	return p->inner.kv_get(p->inner.ctx, key, fn, payload);
}

static int px_kv_put(void *ctx, hiveha_store_txn *txn, const char *key, const void *data,
                     size_t len)
{
	proxy *p = ctx;
	int rc = px_enter(p, MEMSTORE_KV_PUT);
	if (rc)
		return rc;
	hiveha_store_txn *in = px_live(p, txn);
	if (!in)
		return HIVEHA_ESTORE;
	return p->inner.kv_put(p->inner.ctx, in, key, data, len);
}

static int px_kv_delete(void *ctx, hiveha_store_txn *txn, const char *key)
{
	proxy *p = ctx;
	int rc = px_enter(p, MEMSTORE_KV_DELETE);
	if (rc)
		return rc;
	hiveha_store_txn *in = px_live(p, txn);
	if (!in)
		return HIVEHA_ESTORE;
	return p->inner.kv_delete(p->inner.ctx, in, key);
}

/* An injected fault speaks for itself; any other failure was the inner
 * store's. */
static void px_last_error(void *ctx, char *buf, size_t size)
{
	proxy *p = ctx;
	pthread_mutex_lock(&p->mu);
	storefaults_reason(&p->faults, buf, size);
	pthread_mutex_unlock(&p->mu);
	if (!buf[0] && p->inner.version >= 2 && p->inner.last_error)
		p->inner.last_error(p->inner.ctx, buf, size);
}

int proxystore_new(hiveha_store *out, const hiveha_store *inner)
{
	if (!out || !inner || !inner->begin || !inner->commit || !inner->rollback || !inner->kv_get)
		return HIVEHA_EINVAL;
	proxy *p = calloc(1, sizeof(*p));
	if (!p)
		return HIVEHA_ENOMEM;
	p->inner = *inner;
	refcount_init(&p->refs);
	storefaults_init(&p->faults, "proxystore");
	pthread_mutex_init(&p->mu, NULL);
	hiveha_store s = HIVEHA_STORE_INIT;
	s.ctx = p;
	s.destroy = px_destroy;
	s.list_items = px_list_items;
	s.read_samples = px_read_samples;
	s.read_events = px_read_events;
	s.begin = px_begin;
	s.commit = px_commit;
	s.rollback = px_rollback;
	s.replace_samples = inner->replace_samples ? px_replace_samples : NULL;
	s.insert_events = inner->insert_events ? px_insert_events : NULL;
	s.kv_get = px_kv_get;
	s.kv_put = px_kv_put;
	s.kv_delete = px_kv_delete;
	s.last_error = px_last_error;
	*out = s;
	return 0;
}

void proxystore_ignore_skip(const hiveha_store *s, int on)
{
	__atomic_store_n(&px_of(s)->ignore_skip, on, __ATOMIC_RELAXED);
}

int proxystore_is_proxy(const hiveha_store *s)
{
	return s && s->ctx && s->begin == px_begin;
}

const hiveha_store *proxystore_inner(const hiveha_store *s)
{
	return &px_of(s)->inner;
}

void proxystore_on_destroyed(const hiveha_store *s, proxystore_destroyed_fn fn, void *arg)
{
	proxy *p = px_of(s);
	pthread_mutex_lock(&p->mu);
	p->on_destroyed = fn;
	p->on_destroyed_arg = arg;
	pthread_mutex_unlock(&p->mu);
}

void proxystore_ref(const hiveha_store *s)
{
	refcount_get(&px_of(s)->refs);
}

void proxystore_free(hiveha_store *s)
{
	if (!s || !s->ctx)
		return;
	px_destroy(px_of(s));
}

static void px_schedule(const hiveha_store *s, unsigned mask, uint64_t n, storefaults_mode mode,
                        int err)
{
	proxy *p = px_of(s);
	pthread_mutex_lock(&p->mu);
	storefaults_schedule(&p->faults, mask, n, mode, err);
	pthread_mutex_unlock(&p->mu);
}

void proxystore_fail_nth(const hiveha_store *s, unsigned mask, uint64_t n, int err)
{
	px_schedule(s, mask, n, STOREFAULTS_ONCE, err);
}

void proxystore_fail_from(const hiveha_store *s, unsigned mask, uint64_t n, int err)
{
	px_schedule(s, mask, n, STOREFAULTS_FROM, err);
}

void proxystore_faults_off(const hiveha_store *s)
{
	proxy *p = px_of(s);
	pthread_mutex_lock(&p->mu);
	storefaults_off(&p->faults);
	pthread_mutex_unlock(&p->mu);
}

void proxystore_crash(const hiveha_store *s)
{
	proxy *p = px_of(s);
	/* collect under the lock, roll back outside it: the inner rollback may block */
	hiveha_store_txn *victims[64];
	size_t n = 0;
	pthread_mutex_lock(&p->mu);
	for (px_txn *t = p->open; t; t = t->next)
		if (!t->dead && n < sizeof(victims) / sizeof(victims[0])) {
			t->dead = 1;
			victims[n++] = t->inner;
		}
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < n; i++)
		p->inner.rollback(p->inner.ctx, victims[i]);
}

size_t proxystore_open_txns(const hiveha_store *s)
{
	proxy *p = px_of(s);
	size_t n = 0;
	pthread_mutex_lock(&p->mu);
	for (px_txn *t = p->open; t; t = t->next)
		if (!t->dead)
			n++;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void proxystore_get_counts(const hiveha_store *s, memstore_counts *out)
{
	proxy *p = px_of(s);
	pthread_mutex_lock(&p->mu);
	*out = p->faults.counts;
	pthread_mutex_unlock(&p->mu);
}

void proxystore_reset_counts(const hiveha_store *s)
{
	proxy *p = px_of(s);
	pthread_mutex_lock(&p->mu);
	storefaults_reset_counts(&p->faults);
	pthread_mutex_unlock(&p->mu);
}
