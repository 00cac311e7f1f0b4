/*
 * mem_store.c - a minimal in-memory hiveha_store.
 *
 * Transactions: the simplest correct scheme. begin() takes the writer lock
 * and makes a private deep copy of the data; writes go to the copy; commit()
 * swaps it in under the data lock; rollback() drops it. Readers always see
 * committed data, and a commit is all or nothing. The copy costs O(store)
 * per transaction - fine for an example or a test double. A real store uses
 * its own transactions (an SQL BEGIN/COMMIT, a journal, a write batch): see
 * adapters/sqlite for one.
 *
 * Threads: the library calls the write members from one thread and the
 * read members from any thread at once (store.h). One recursive mutex
 * protects the committed data (recursive, because a read visitor may call
 * another read member); a second one serialises writers.
 */
#include "mem_store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct item {
	char *id;
	hiveha_sample *s;   /* ascending time; equal times in insertion order */
	size_t n;
} item;

typedef struct kv {
	char *key;
	void *data;
	size_t len;
} kv;

typedef struct data {
	item *items;        /* ascending strcmp order of id */
	size_t n_items;
	hiveha_event *ev;   /* ascending time; equal times in insertion order */
	size_t n_ev;
	kv *kv;
	size_t n_kv;
} data;

struct hiveha_store_txn {
	data work;
};

typedef struct mem {
	pthread_mutex_t lock;   /* the committed data */
	pthread_mutex_t writer; /* held from begin to commit/rollback */
	data d;
} mem;

/* ---- the data set --------------------------------------------------------- */

static void data_free(data *d)
{
	for (size_t i = 0; i < d->n_items; i++) {
		for (size_t j = 0; j < d->items[i].n; j++)
			hiveha_value_clear(&d->items[i].s[j].value);
		free(d->items[i].s);
		free(d->items[i].id);
	}
	for (size_t i = 0; i < d->n_ev; i++)
		hiveha_event_clear(&d->ev[i]);
	for (size_t i = 0; i < d->n_kv; i++) {
		free(d->kv[i].key);
		free(d->kv[i].data);
	}
	free(d->items);
	free(d->ev);
	free(d->kv);
	memset(d, 0, sizeof(*d));
}

/* Inserts copies of `n` samples into `it`, each after stored equal times. */
static int insert_samples(item *it, const hiveha_sample *s, size_t n)
{
	hiveha_sample *v = realloc(it->s, (it->n + n + 1) * sizeof(*v));
	if (!v)
		return HIVEHA_ENOMEM;
	it->s = v;
	for (size_t k = 0; k < n; k++) {
		size_t at = it->n;
		while (at > 0 && it->s[at - 1].time > s[k].time)
			at--;
		hiveha_sample c = s[k];
		if (hiveha_value_copy(&c.value, &s[k].value))
			return HIVEHA_ENOMEM;
		memmove(&it->s[at + 1], &it->s[at], (it->n - at) * sizeof(c));
		it->s[at] = c;
		it->n++;
	}
	return HIVEHA_OK;
}

/* The item `id`, created (in order) when `create` is set; NULL if absent. */
static item *find_item(data *d, const char *id, int create)
{
	size_t at = 0;
	while (at < d->n_items && strcmp(d->items[at].id, id) < 0)
		at++;
	if (at < d->n_items && strcmp(d->items[at].id, id) == 0)
		return &d->items[at];
	if (!create)
		return NULL;
	item *v = realloc(d->items, (d->n_items + 1) * sizeof(*v));
	char *copy = strdup(id);
	if (v)
		d->items = v;
	if (!v || !copy) {
		free(copy);
		return NULL;
	}
	memmove(&v[at + 1], &v[at], (d->n_items - at) * sizeof(*v));
	v[at] = (item){ copy, NULL, 0 };
	d->n_items++;
	return &v[at];
}

/* Adds a copy of `e` unless one with the same identity exists: 1 added, 0 not. */
static int add_event(data *d, const hiveha_event *e)
{
	for (size_t i = 0; i < d->n_ev; i++)
		if (hiveha_event_identity_compare(&d->ev[i], e) == 0)
			return 0; /* A real store uses an index on the identity. */
	hiveha_event *v = realloc(d->ev, (d->n_ev + 1) * sizeof(*v));
	if (!v)
		return HIVEHA_ENOMEM;
	d->ev = v;
	size_t at = d->n_ev;
	while (at > 0 && v[at - 1].time > e->time)
		at--;
	hiveha_event c;
	if (hiveha_event_copy(&c, e))
		return HIVEHA_ENOMEM;
	memmove(&v[at + 1], &v[at], (d->n_ev - at) * sizeof(c));
	v[at] = c;
	d->n_ev++;
	return 1;
}

static int data_copy(data *dst, const data *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->n_items; i++) {
		item *it = find_item(dst, src->items[i].id, 1);
		if (!it || insert_samples(it, src->items[i].s, src->items[i].n))
			goto fail;
	}
	if (src->n_ev) {
		dst->ev = calloc(src->n_ev, sizeof(hiveha_event));
		if (!dst->ev)
			goto fail;
	}
	for (size_t i = 0; i < src->n_ev; i++, dst->n_ev++)
		if (hiveha_event_copy(&dst->ev[i], &src->ev[i]))
			goto fail;
	if (src->n_kv) {
		dst->kv = calloc(src->n_kv, sizeof(kv));
		if (!dst->kv)
			goto fail;
	}
	for (size_t i = 0; i < src->n_kv; i++, dst->n_kv++) {
		kv *k = &dst->kv[i];
		k->key = strdup(src->kv[i].key);
		k->data = malloc(src->kv[i].len + 1);
		k->len = src->kv[i].len;
		if (!k->key || !k->data)
			goto fail;
		memcpy(k->data, src->kv[i].data, k->len);
	}
	return HIVEHA_OK;
fail:
	data_free(dst);
	return HIVEHA_ENOMEM;
}

/* ---- read members: committed data, under the lock --------------------- */

static int m_list_items(void *ctx, hiveha_item_fn fn, void *payload)
{
	mem *m = ctx;
	int rc = 0;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->d.n_items && !rc; i++)
		rc = fn(m->d.items[i].id, payload);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* The rows of a sorted array in [from, to) after `skip` rows at `from`. */
#define WINDOW(arr, n, from, to, skip, max, first, count)                          \
	do {                                                                        \
		(first) = 0;                                                        \
		while ((first) < (n) && (arr)[first].time < (from))                 \
			(first)++;                                                  \
		for (uint64_t k_ = 0; k_ < (skip) && (first) < (n) &&               \
		                      (arr)[first].time == (from); k_++)                \
			(first)++;                                                  \
		(count) = 0;                                                        \
		while ((first) + (count) < (n) &&                                   \
		       (arr)[(first) + (count)].time < (to) && (count) < (max))     \
			(count)++;                                                  \
	} while (0)

static int m_read_samples(void *ctx, const char *id, hiveha_time from, hiveha_time to,
                          uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload)
{
	mem *m = ctx;
	int rc = HIVEHA_ENOTFOUND;
	size_t first, count;
	pthread_mutex_lock(&m->lock);
	item *it = find_item(&m->d, id, 0);
	if (it) {
		WINDOW(it->s, it->n, from, to, skip, max, first, count);
		rc = count ? fn(&it->s[first], count, payload) : 0;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static int m_read_events(void *ctx, hiveha_time from, hiveha_time to, uint64_t skip, size_t max,
                         hiveha_events_fn fn, void *payload)
{
	mem *m = ctx;
	size_t first, count;
	pthread_mutex_lock(&m->lock);
	WINDOW(m->d.ev, m->d.n_ev, from, to, skip, max, first, count);
	int rc = count ? fn(&m->d.ev[first], count, payload) : 0;
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static int m_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	mem *m = ctx;
	int rc = HIVEHA_ENOTFOUND;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->d.n_kv; i++)
		if (strcmp(m->d.kv[i].key, key) == 0) {
			rc = fn(m->d.kv[i].data, m->d.kv[i].len, payload);
			break;
		}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* ---- transactions and write members: on the private copy ------------- */

static int m_begin(void *ctx, hiveha_store_txn **out)
{
	mem *m = ctx;
	hiveha_store_txn *t = calloc(1, sizeof(*t));
	if (!t)
		return HIVEHA_ENOMEM;
	pthread_mutex_lock(&m->writer);
	pthread_mutex_lock(&m->lock);
	int rc = data_copy(&t->work, &m->d);
	pthread_mutex_unlock(&m->lock);
	if (rc) {
		pthread_mutex_unlock(&m->writer);
		free(t);
		return rc;
	}
	*out = t;
	return HIVEHA_OK;
}

static int m_commit(void *ctx, hiveha_store_txn *t)
{
	mem *m = ctx;
	pthread_mutex_lock(&m->lock);
	data old = m->d;
	m->d = t->work;
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->writer);
	data_free(&old);
	free(t);
	return HIVEHA_OK;
}

static void m_rollback(void *ctx, hiveha_store_txn *t)
{
	mem *m = ctx;
	data_free(&t->work);
	free(t);
	pthread_mutex_unlock(&m->writer);
}

static int m_replace_samples(void *ctx, hiveha_store_txn *t, const char *id, hiveha_time del_from,
                             hiveha_time del_to, const hiveha_sample *s, size_t n)
{
	(void)ctx;
	item *it = find_item(&t->work, id, 1);
	if (!it)
		return HIVEHA_ENOMEM;
	size_t keep = 0;
	for (size_t i = 0; i < it->n; i++) {
		if (del_from < del_to && it->s[i].time >= del_from && it->s[i].time < del_to)
			hiveha_value_clear(&it->s[i].value);
		else
			it->s[keep++] = it->s[i];
	}
	it->n = keep;
	return insert_samples(it, s, n);
}

static int m_insert_events(void *ctx, hiveha_store_txn *t, const hiveha_event *e, size_t n,
                           size_t *inserted)
{
	(void)ctx;
	size_t added = 0;
	for (size_t i = 0; i < n; i++) {
		int r = add_event(&t->work, &e[i]);
		if (r < 0)
			return r;
		added += (size_t)r;
	}
	if (inserted)
		*inserted = added;
	return HIVEHA_OK;
}

static int m_kv_delete(void *ctx, hiveha_store_txn *t, const char *key)
{
	(void)ctx;
	data *d = &t->work;
	for (size_t i = 0; i < d->n_kv; i++)
		if (strcmp(d->kv[i].key, key) == 0) {
			free(d->kv[i].key);
			free(d->kv[i].data);
			d->kv[i] = d->kv[--d->n_kv];
			break;
		}
	return HIVEHA_OK;
}

static int m_kv_put(void *ctx, hiveha_store_txn *t, const char *key, const void *bytes, size_t len)
{
	data *d = &t->work;
	kv *v = realloc(d->kv, (d->n_kv + 1) * sizeof(*v));
	if (!v)
		return HIVEHA_ENOMEM;
	d->kv = v;
	kv k = { strdup(key), malloc(len + 1), len };
	if (!k.key || !k.data) {
		free(k.key);
		free(k.data);
		return HIVEHA_ENOMEM;
	}
	memcpy(k.data, bytes, len);
	m_kv_delete(ctx, t, key);
	d->kv[d->n_kv++] = k;
	return HIVEHA_OK;
}

static void m_destroy(void *ctx)
{
	mem *m = ctx;
	data_free(&m->d);
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_destroy(&m->writer);
	free(m);
}

int mem_store_new(hiveha_store *out)
{
	mem *m = calloc(1, sizeof(*m));
	if (!m)
		return HIVEHA_ENOMEM;
	pthread_mutexattr_t ra;
	pthread_mutexattr_init(&ra);
	pthread_mutexattr_settype(&ra, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&m->lock, &ra);
	pthread_mutexattr_destroy(&ra);
	pthread_mutex_init(&m->writer, NULL);
	hiveha_store s = HIVEHA_STORE_INIT;
	s.ctx = m;
	s.destroy = m_destroy;
	s.list_items = m_list_items;
	s.read_samples = m_read_samples;
	s.read_events = m_read_events;
	s.begin = m_begin;
	s.commit = m_commit;
	s.rollback = m_rollback;
	s.replace_samples = m_replace_samples;
	s.insert_events = m_insert_events;
	s.kv_get = m_kv_get;
	s.kv_put = m_kv_put;
	s.kv_delete = m_kv_delete;
	*out = s;
	return HIVEHA_OK;
}

/* ---- host side --------------------------------------------------------- */

int mem_store_append(const hiveha_store *s, const char *id, const hiveha_sample *samples, size_t n)
{
	mem *m = s->ctx;
	pthread_mutex_lock(&m->writer);
	pthread_mutex_lock(&m->lock);
	item *it = find_item(&m->d, id, 1);
	int rc = it ? insert_samples(it, samples, n) : HIVEHA_ENOMEM;
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->writer);
	return rc;
}

int mem_store_add_event(const hiveha_store *s, const hiveha_event *e)
{
	mem *m = s->ctx;
	pthread_mutex_lock(&m->writer);
	pthread_mutex_lock(&m->lock);
	int rc = add_event(&m->d, e);
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->writer);
	return rc < 0 ? rc : HIVEHA_OK;
}

size_t mem_store_count_samples(const hiveha_store *s, const char *id)
{
	mem *m = s->ctx;
	pthread_mutex_lock(&m->lock);
	item *it = find_item(&m->d, id, 0);
	size_t n = it ? it->n : 0;
	pthread_mutex_unlock(&m->lock);
	return n;
}

size_t mem_store_count_events(const hiveha_store *s)
{
	mem *m = s->ctx;
	pthread_mutex_lock(&m->lock);
	size_t n = m->d.n_ev;
	pthread_mutex_unlock(&m->lock);
	return n;
}
