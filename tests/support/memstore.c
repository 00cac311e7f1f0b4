/*
 * memstore.c - the in-memory test store (see memstore.h).
 *
 * Layout: items are pointers in an array sorted by id; each item owns a
 * growable array of samples in store order. Events are one array in store
 * order. The kv area is an array sorted by key. A transaction is a log of
 * operations (with deep copies of the inputs) plus its new events kept in
 * store order; commit applies it in two phases so that it either fully
 * happens or not at all.
 */
#define _POSIX_C_SOURCE 200809L

#include "memstore.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "refcount.h"
#include "storefaults.h"

typedef struct ms_item {
	char *id;
	hiveha_sample *s;
	size_t n, cap;
	size_t extra; /* commit phase 1: room reserved for pending inserts */
} ms_item;

typedef struct ms_kv {
	char *key;
	unsigned char *data;
	size_t len;
} ms_kv;

enum { OP_SAMPLES, OP_PUT, OP_DELETE };

typedef struct ms_op {
	int kind;
	char *key;                /* item id or kv key (owned) */
	hiveha_time from, to;     /* OP_SAMPLES: delete range */
	hiveha_sample *samples;   /* OP_SAMPLES: owned deep copies */
	size_t count;
	unsigned char *data;      /* OP_PUT: owned copy */
	size_t len;
	ms_item *target;          /* commit phase 1 */
} ms_op;

struct hiveha_store_txn {
	struct hiveha_store_txn *next; /* open list */
	ms_op *ops;
	size_t nops, capops;
	hiveha_event *ev;              /* new events, store order, owned */
	size_t nev, capev;
};

typedef struct memstore {
	pthread_mutex_t mu;
	refcount refs;
	ms_item **items;
	size_t nitems, capitems;
	hiveha_event *ev;
	size_t nev, capev;
	ms_kv *kv;
	size_t nkv, capkv;
	hiveha_store_txn *open;
	size_t batch;
	storefaults faults;    /* counters, schedule, and the reason last_error gives */
} memstore;

static const hiveha_store *ms_vtable_probe(void);

/* ---- small helpers -------------------------------------------------------- */

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return HIVEHA_ENOMEM;
		ncap *= 2;
	}
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return HIVEHA_ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static void clear_samples(hiveha_sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hiveha_value_clear(&s[i].value);
}

static void free_events(hiveha_event *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hiveha_event_clear(&e[i]);
	free(e);
}

/* First index whose time >= t. */
static size_t samples_lower(const hiveha_sample *s, size_t n, hiveha_time t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s[mid].time < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t events_lower(const hiveha_event *e, size_t n, hiveha_time t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e[mid].time < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the first item whose id is >= id; *found when equal. */
static size_t item_pos(const memstore *m, const char *id, int *found)
{
	size_t lo = 0, hi = m->nitems;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(m->items[mid]->id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < m->nitems && strcmp(m->items[lo]->id, id) == 0;
	return lo;
}

static ms_item *item_find(const memstore *m, const char *id)
{
	int found;
	size_t i = item_pos(m, id, &found);
	return found ? m->items[i] : NULL;
}

static size_t kv_pos(const memstore *m, const char *key, int *found)
{
	size_t lo = 0, hi = m->nkv;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(m->kv[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < m->nkv && strcmp(m->kv[lo].key, key) == 0;
	return lo;
}

static int has_identity(const hiveha_event *arr, size_t n, const hiveha_event *e)
{
	for (size_t i = events_lower(arr, n, e->time); i < n && arr[i].time == e->time; i++)
		if (hiveha_event_identity_compare(&arr[i], e) == 0)
			return 1;
	return 0;
}

/*
 * Merges `add` (store order) into `dst` (store order, capacity for both)
 * from the back; on equal times the existing element stays first. The
 * elements of `add` are moved (struct copy), not duplicated.
 */
#define MERGE_BACK(dst, n, add, m) do { \
	size_t i_ = (n), j_ = (m), k_ = (n) + (m); \
	while (j_ > 0) { \
		if (i_ > 0 && (dst)[i_ - 1].time > (add)[j_ - 1].time) \
			(dst)[--k_] = (dst)[--i_]; \
		else \
			(dst)[--k_] = (add)[--j_]; \
	} \
} while (0)

static memstore *ms_of(const hiveha_store *s)
{
	if (!s || s->list_items != ms_vtable_probe()->list_items || !s->ctx) {
		fprintf(stderr, "memstore: not a memstore\n");
		abort();
	}
	return s->ctx;
}

/* Counts a call and applies the fault schedule. Lock held. */
static int ms_enter(memstore *m, memstore_member member)
{
	return storefaults_enter(&m->faults, member);
}

/* ---- transactions --------------------------------------------------------- */

static void op_free(ms_op *op)
{
	free(op->key);
	if (op->samples) {
		clear_samples(op->samples, op->count);
		free(op->samples);
	}
	free(op->data);
}

static void txn_free(hiveha_store_txn *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nops; i++)
		op_free(&t->ops[i]);
	free(t->ops);
	free_events(t->ev, t->nev);
	free(t);
}

/* Unlinks `t` from the open list; 0 when it is not open. */
static int txn_unlink(memstore *m, hiveha_store_txn *t)
{
	for (hiveha_store_txn **pp = &m->open; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return 1;
		}
	}
	return 0;
}

static int txn_is_open(const memstore *m, const hiveha_store_txn *t)
{
	for (const hiveha_store_txn *p = m->open; p; p = p->next)
		if (p == t)
			return 1;
	return 0;
}

static ms_op *txn_add_op(hiveha_store_txn *t)
{
	if (grow((void **)&t->ops, &t->capops, t->nops + 1, sizeof *t->ops))
		return NULL;
	ms_op *op = &t->ops[t->nops];
	memset(op, 0, sizeof *op);
	return op;
}

static hiveha_store_txn *txn_new(void)
{
	return calloc(1, sizeof(hiveha_store_txn));
}

static int txn_samples(hiveha_store_txn *t, const char *item_id, hiveha_time from, hiveha_time to,
                       const hiveha_sample *samples, size_t count)
{
	if (!item_id || (count && !samples))
		return HIVEHA_EINVAL;
	for (size_t i = 1; i < count; i++)
		if (samples[i].time < samples[i - 1].time)
			return HIVEHA_EINVAL;
	ms_op op = { .kind = OP_SAMPLES, .from = from, .to = to };
	op.key = dupstr(item_id);
	if (!op.key)
		return HIVEHA_ENOMEM;
	if (count) {
		op.samples = calloc(count, sizeof *op.samples);
		if (!op.samples) {
			op_free(&op);
			return HIVEHA_ENOMEM;
		}
		for (size_t i = 0; i < count; i++) {
			op.samples[i].time = samples[i].time;
			op.samples[i].quality = samples[i].quality;
			int rc = hiveha_value_copy(&op.samples[i].value, &samples[i].value);
			if (rc) {
				memset(&op.samples[i].value, 0, sizeof op.samples[i].value);
				op.count = count;
				op_free(&op);
				return rc;
			}
		}
		op.count = count;
	}
	ms_op *slot = txn_add_op(t);
	if (!slot) {
		op_free(&op);
		return HIVEHA_ENOMEM;
	}
	*slot = op;
	t->nops++;
	return 0;
}

static int txn_events(const memstore *m, hiveha_store_txn *t, const hiveha_event *events,
                      size_t count, size_t *inserted_out)
{
	size_t inserted = 0;
	if (count && !events)
		return HIVEHA_EINVAL;
	for (size_t i = 0; i < count; i++) {
		const hiveha_event *e = &events[i];
		if (has_identity(m->ev, m->nev, e) || has_identity(t->ev, t->nev, e))
			continue;
		if (grow((void **)&t->ev, &t->capev, t->nev + 1, sizeof *t->ev))
			return HIVEHA_ENOMEM;
		/* after every pending event with time <= e->time: store order */
		size_t pos = events_lower(t->ev, t->nev, e->time);
		while (pos < t->nev && t->ev[pos].time == e->time)
			pos++;
		hiveha_event copy;
		int rc = hiveha_event_copy(&copy, e);
		if (rc)
			return rc;
		memmove(&t->ev[pos + 1], &t->ev[pos], (t->nev - pos) * sizeof *t->ev);
		t->ev[pos] = copy;
		t->nev++;
		inserted++;
	}
	/* A partial insert on failure is harmless: the caller rolls back. */
	if (inserted_out)
		*inserted_out = inserted;
	return 0;
}

static int txn_kv(hiveha_store_txn *t, int kind, const char *key, const void *data, size_t len)
{
	if (!key || (len && !data))
		return HIVEHA_EINVAL;
	ms_op op = { .kind = kind };
	op.key = dupstr(key);
	if (!op.key)
		return HIVEHA_ENOMEM;
	if (kind == OP_PUT) {
		op.data = malloc(len ? len : 1);
		if (!op.data) {
			op_free(&op);
			return HIVEHA_ENOMEM;
		}
		if (len)
			memcpy(op.data, data, len);
		op.len = len;
	}
	ms_op *slot = txn_add_op(t);
	if (!slot) {
		op_free(&op);
		return HIVEHA_ENOMEM;
	}
	*slot = op;
	t->nops++;
	return 0;
}

static void item_free(ms_item *it)
{
	if (!it)
		return;
	clear_samples(it->s, it->n);
	free(it->s);
	free(it->id);
	free(it);
}

static ms_item *item_new(const char *id)
{
	ms_item *it = calloc(1, sizeof *it);
	if (!it)
		return NULL;
	it->id = dupstr(id);
	if (!it->id) {
		free(it);
		return NULL;
	}
	return it;
}

static void apply_samples(ms_item *it, ms_op *op)
{
	if (op->from < op->to && it->n) {
		size_t lo = samples_lower(it->s, it->n, op->from);
		size_t hi = samples_lower(it->s, it->n, op->to);
		clear_samples(it->s + lo, hi - lo);
		memmove(it->s + lo, it->s + hi, (it->n - hi) * sizeof *it->s);
		it->n -= hi - lo;
	}
	if (op->count) {
		MERGE_BACK(it->s, it->n, op->samples, op->count);
		it->n += op->count;
		free(op->samples); /* elements moved */
		op->samples = NULL;
		op->count = 0;
	}
}

static void apply_kv(memstore *m, ms_op *op)
{
	int found;
	size_t i = kv_pos(m, op->key, &found);
	if (op->kind == OP_DELETE) {
		if (found) {
			free(m->kv[i].key);
			free(m->kv[i].data);
			memmove(&m->kv[i], &m->kv[i + 1], (m->nkv - i - 1) * sizeof *m->kv);
			m->nkv--;
		}
		return;
	}
	if (found) {
		free(m->kv[i].data);
	} else {
		memmove(&m->kv[i + 1], &m->kv[i], (m->nkv - i) * sizeof *m->kv);
		m->nkv++;
		m->kv[i].key = op->key;
		op->key = NULL;
	}
	m->kv[i].data = op->data;
	m->kv[i].len = op->len;
	op->data = NULL;
}

/*
 * Applies and frees `t`. Phase 1 reserves every byte the apply needs and
 * can fail without a visible change; phase 2 cannot fail. Lock held.
 */
static int txn_apply(memstore *m, hiveha_store_txn *t)
{
	ms_item **fresh = NULL;
	size_t nfresh = 0, capfresh = 0, puts = 0;
	int rc = 0;

	for (size_t i = 0; i < t->nops && !rc; i++) {
		ms_op *op = &t->ops[i];
		if (op->kind == OP_PUT)
			puts++;
		if (op->kind != OP_SAMPLES)
			continue;
		ms_item *it = item_find(m, op->key);
		for (size_t j = 0; !it && j < nfresh; j++)
			if (strcmp(fresh[j]->id, op->key) == 0)
				it = fresh[j];
		if (!it) {
			rc = grow((void **)&fresh, &capfresh, nfresh + 1, sizeof *fresh);
			if (!rc && !(it = item_new(op->key)))
				rc = HIVEHA_ENOMEM;
			if (rc)
				break;
			fresh[nfresh++] = it;
		}
		op->target = it;
		rc = grow((void **)&it->s, &it->cap, it->n + it->extra + op->count, sizeof *it->s);
		if (!rc)
			it->extra += op->count;
	}
	if (!rc)
		rc = grow((void **)&m->items, &m->capitems, m->nitems + nfresh, sizeof *m->items);
	if (!rc)
		rc = grow((void **)&m->ev, &m->capev, m->nev + t->nev, sizeof *m->ev);
	if (!rc)
		rc = grow((void **)&m->kv, &m->capkv, m->nkv + puts, sizeof *m->kv);
	for (size_t i = 0; i < t->nops; i++)
		if (t->ops[i].target)
			t->ops[i].target->extra = 0;
	if (rc) {
		for (size_t j = 0; j < nfresh; j++)
			item_free(fresh[j]);
		free(fresh);
		txn_free(t);
		return rc;
	}

	/* phase 2: nothing below can fail */
	for (size_t j = 0; j < nfresh; j++) {
		int found;
		size_t pos = item_pos(m, fresh[j]->id, &found);
		memmove(&m->items[pos + 1], &m->items[pos], (m->nitems - pos) * sizeof *m->items);
		m->items[pos] = fresh[j];
		m->nitems++;
	}
	free(fresh);
	for (size_t i = 0; i < t->nops; i++) {
		ms_op *op = &t->ops[i];
		if (op->kind == OP_SAMPLES)
			apply_samples(op->target, op);
		else
			apply_kv(m, op);
	}
	if (t->nev) {
		MERGE_BACK(m->ev, m->nev, t->ev, t->nev);
		m->nev += t->nev;
		free(t->ev);
		t->ev = NULL;
		t->nev = 0;
	}
	txn_free(t);
	return 0;
}

/* ---- the hiveha_store members --------------------------------------------- */

static void ms_free_all(memstore *m)
{
	while (m->open) {
		hiveha_store_txn *t = m->open;
		m->open = t->next;
		txn_free(t);
	}
	for (size_t i = 0; i < m->nitems; i++)
		item_free(m->items[i]);
	free(m->items);
	free_events(m->ev, m->nev);
	for (size_t i = 0; i < m->nkv; i++) {
		free(m->kv[i].key);
		free(m->kv[i].data);
	}
	free(m->kv);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

static void ms_destroy(void *ctx)
{
	memstore *m = ctx;
	if (refcount_put(&m->refs))
		ms_free_all(m);
}

static int ms_list_items(void *ctx, hiveha_item_fn fn, void *payload)
{
	memstore *m = ctx;
	int rc;
	if (!fn)
		return HIVEHA_EINVAL;
	pthread_mutex_lock(&m->mu);
	rc = ms_enter(m, MEMSTORE_LIST_ITEMS);
	for (size_t i = 0; !rc && i < m->nitems; i++)
		rc = fn(m->items[i]->id, payload);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

static int ms_read_samples(void *ctx, const char *item_id, hiveha_time from, hiveha_time to,
                           uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload)
{
	memstore *m = ctx;
	int rc;
	if (!item_id || !fn)
		return HIVEHA_EINVAL;
	pthread_mutex_lock(&m->mu);
	rc = ms_enter(m, MEMSTORE_READ_SAMPLES);
	ms_item *it = rc ? NULL : item_find(m, item_id);
	if (!rc && !it)
		rc = HIVEHA_ENOTFOUND;
	if (!rc && from < to) {
		size_t i = samples_lower(it->s, it->n, from);
		size_t end = samples_lower(it->s, it->n, to);
		for (uint64_t k = 0; k < skip && i < end && it->s[i].time == from; k++)
			i++;
		if (end - i > max)
			end = i + max;
		while (!rc && i < end) {
			size_t n = end - i < m->batch ? end - i : m->batch;
			rc = fn(it->s + i, n, payload);
			i += n;
		}
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

static int ms_read_events(void *ctx, hiveha_time from, hiveha_time to, uint64_t skip, size_t max,
                          hiveha_events_fn fn, void *payload)
{
	memstore *m = ctx;
	int rc;
	if (!fn)
		return HIVEHA_EINVAL;
	pthread_mutex_lock(&m->mu);
	rc = ms_enter(m, MEMSTORE_READ_EVENTS);
	if (!rc && from < to) {
		size_t i = events_lower(m->ev, m->nev, from);
		size_t end = events_lower(m->ev, m->nev, to);
		for (uint64_t k = 0; k < skip && i < end && m->ev[i].time == from; k++)
			i++;
		if (end - i > max)
			end = i + max;
		while (!rc && i < end) {
			size_t n = end - i < m->batch ? end - i : m->batch;
			rc = fn(m->ev + i, n, payload);
			i += n;
		}
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

static int ms_begin(void *ctx, hiveha_store_txn **txn_out)
{
	memstore *m = ctx;
	if (!txn_out)
		return HIVEHA_EINVAL;
	*txn_out = NULL;
	pthread_mutex_lock(&m->mu);
	int rc = ms_enter(m, MEMSTORE_BEGIN);
	if (!rc) {
		hiveha_store_txn *t = txn_new();
		if (!t) {
			rc = HIVEHA_ENOMEM;
		} else {
			t->next = m->open;
			m->open = t;
			*txn_out = t;
		}
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

static int ms_commit(void *ctx, hiveha_store_txn *txn)
{
	memstore *m = ctx;
	pthread_mutex_lock(&m->mu);
	int rc = ms_enter(m, MEMSTORE_COMMIT);
	if (!txn_unlink(m, txn)) {
		rc = HIVEHA_ESTORE; /* unknown, finished, or discarded by memstore_crash */
	} else if (rc) {
		txn_free(txn);
	} else {
		rc = txn_apply(m, txn);
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

static void ms_rollback(void *ctx, hiveha_store_txn *txn)
{
	memstore *m = ctx;
	pthread_mutex_lock(&m->mu);
	(void)ms_enter(m, MEMSTORE_ROLLBACK); /* never in a fault mask */
	if (txn_unlink(m, txn))
		txn_free(txn);
	pthread_mutex_unlock(&m->mu);
}

static int ms_replace_samples(void *ctx, hiveha_store_txn *txn, const char *item_id,
                              hiveha_time delete_from, hiveha_time delete_to,
                              const hiveha_sample *samples, size_t count)
{
	memstore *m = ctx;
	pthread_mutex_lock(&m->mu);
	int rc = ms_enter(m, MEMSTORE_REPLACE_SAMPLES);
	if (!rc && !txn_is_open(m, txn))
		rc = HIVEHA_ESTORE;
	if (!rc)
		rc = txn_samples(txn, item_id, delete_from, delete_to, samples, count);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

static int ms_insert_events(void *ctx, hiveha_store_txn *txn, const hiveha_event *events,
                            size_t count, size_t *inserted_out)
{
	memstore *m = ctx;
	if (inserted_out)
		*inserted_out = 0;
	pthread_mutex_lock(&m->mu);
	int rc = ms_enter(m, MEMSTORE_INSERT_EVENTS);
	if (!rc && !txn_is_open(m, txn))
		rc = HIVEHA_ESTORE;
	if (!rc)
		rc = txn_events(m, txn, events, count, inserted_out);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

static int ms_kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	memstore *m = ctx;
	if (!key || !fn)
		return HIVEHA_EINVAL;
	pthread_mutex_lock(&m->mu);
	int rc = ms_enter(m, MEMSTORE_KV_GET);
	if (!rc) {
		int found;
		size_t i = kv_pos(m, key, &found);
		rc = found ? fn(m->kv[i].data, m->kv[i].len, payload) : HIVEHA_ENOTFOUND;
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

static int ms_kv_put(void *ctx, hiveha_store_txn *txn, const char *key, const void *data, size_t len)
{
	memstore *m = ctx;
	pthread_mutex_lock(&m->mu);
	int rc = ms_enter(m, MEMSTORE_KV_PUT);
	if (!rc && !txn_is_open(m, txn))
		rc = HIVEHA_ESTORE;
	if (!rc)
		rc = txn_kv(txn, OP_PUT, key, data, len);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

static int ms_kv_delete(void *ctx, hiveha_store_txn *txn, const char *key)
{
	memstore *m = ctx;
	pthread_mutex_lock(&m->mu);
	int rc = ms_enter(m, MEMSTORE_KV_DELETE);
	if (!rc && !txn_is_open(m, txn))
		rc = HIVEHA_ESTORE;
	if (!rc)
		rc = txn_kv(txn, OP_DELETE, key, NULL, 0);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

static void ms_last_error(void *ctx, char *buf, size_t size)
{
	memstore *m = ctx;
	pthread_mutex_lock(&m->mu);
	storefaults_reason(&m->faults, buf, size);
	pthread_mutex_unlock(&m->mu);
}

static const hiveha_store *ms_vtable_probe(void)
{
	static const hiveha_store probe = {
		.version = HIVEHA_STORE_VERSION,
		.destroy = ms_destroy,
		.list_items = ms_list_items,
		.read_samples = ms_read_samples,
		.read_events = ms_read_events,
		.begin = ms_begin,
		.commit = ms_commit,
		.rollback = ms_rollback,
		.replace_samples = ms_replace_samples,
		.insert_events = ms_insert_events,
		.kv_get = ms_kv_get,
		.kv_put = ms_kv_put,
		.kv_delete = ms_kv_delete,
		.last_error = ms_last_error,
	};
	return &probe;
}

int memstore_new(hiveha_store *out)
{
	if (!out)
		return HIVEHA_EINVAL;
	memstore *m = calloc(1, sizeof *m);
	if (!m)
		return HIVEHA_ENOMEM;
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	int prc = pthread_mutex_init(&m->mu, &attr);
	pthread_mutexattr_destroy(&attr);
	if (prc) {
		free(m);
		return HIVEHA_ENOMEM;
	}
	refcount_init(&m->refs);
	storefaults_init(&m->faults, "memstore");
	m->batch = 100;
	*out = *ms_vtable_probe();
	out->ctx = m;
	return 0;
}

void memstore_ref(const hiveha_store *s)
{
	refcount_get(&ms_of(s)->refs);
}

void memstore_free(hiveha_store *s)
{
	if (s && s->ctx)
		ms_destroy(ms_of(s));
}

void memstore_set_batch(const hiveha_store *s, size_t batch)
{
	memstore *m = ms_of(s);
	pthread_mutex_lock(&m->mu);
	m->batch = batch ? batch : 1;
	pthread_mutex_unlock(&m->mu);
}

/* ---- fault injection ------------------------------------------------------ */

static void set_fault(const hiveha_store *s, unsigned mask, uint64_t n, storefaults_mode mode,
                      int err)
{
	memstore *m = ms_of(s);
	pthread_mutex_lock(&m->mu);
	storefaults_schedule(&m->faults, mask, n, mode, err);
	pthread_mutex_unlock(&m->mu);
}

void memstore_fail_nth(const hiveha_store *s, unsigned mask, uint64_t n, int err)
{
	set_fault(s, mask, n, STOREFAULTS_ONCE, err);
}

void memstore_fail_from(const hiveha_store *s, unsigned mask, uint64_t n, int err)
{
	set_fault(s, mask, n, STOREFAULTS_FROM, err);
}

void memstore_faults_off(const hiveha_store *s)
{
	memstore *m = ms_of(s);
	pthread_mutex_lock(&m->mu);
	storefaults_off(&m->faults);
	pthread_mutex_unlock(&m->mu);
}

void memstore_crash(const hiveha_store *s)
{
	memstore *m = ms_of(s);
	pthread_mutex_lock(&m->mu);
	while (m->open) {
		hiveha_store_txn *t = m->open;
		m->open = t->next;
		txn_free(t);
	}
	pthread_mutex_unlock(&m->mu);
}

size_t memstore_open_txns(const hiveha_store *s)
{
	memstore *m = ms_of(s);
	size_t n = 0;
	pthread_mutex_lock(&m->mu);
	for (const hiveha_store_txn *t = m->open; t; t = t->next)
		n++;
	pthread_mutex_unlock(&m->mu);
	return n;
}

void memstore_get_counts(const hiveha_store *s, memstore_counts *out)
{
	memstore *m = ms_of(s);
	pthread_mutex_lock(&m->mu);
	*out = m->faults.counts;
	pthread_mutex_unlock(&m->mu);
}

void memstore_reset_counts(const hiveha_store *s)
{
	memstore *m = ms_of(s);
	pthread_mutex_lock(&m->mu);
	storefaults_reset_counts(&m->faults);
	pthread_mutex_unlock(&m->mu);
}

/* ---- host-side data entry ------------------------------------------------- */

/* Runs `t` (built outside the lock's counters) as one committed transaction. */
static int host_commit(memstore *m, hiveha_store_txn *t, int rc)
{
	if (rc) {
		txn_free(t);
		return rc;
	}
	return txn_apply(m, t);
}

int memstore_add_item(const hiveha_store *s, const char *item_id)
{
	return memstore_append_samples(s, item_id, NULL, 0);
}

int memstore_append_samples(const hiveha_store *s, const char *item_id,
                            const hiveha_sample *samples, size_t count)
{
	memstore *m = ms_of(s);
	hiveha_store_txn *t = txn_new();
	if (!t)
		return HIVEHA_ENOMEM;
	pthread_mutex_lock(&m->mu);
	int rc = host_commit(m, t, txn_samples(t, item_id, 0, 0, samples, count));
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int memstore_add_events(const hiveha_store *s, const hiveha_event *events, size_t count,
                        size_t *inserted_out)
{
	memstore *m = ms_of(s);
	hiveha_store_txn *t = txn_new();
	if (!t)
		return HIVEHA_ENOMEM;
	pthread_mutex_lock(&m->mu);
	int rc = host_commit(m, t, txn_events(m, t, events, count, inserted_out));
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int memstore_put_kv(const hiveha_store *s, const char *key, const void *data, size_t len)
{
	memstore *m = ms_of(s);
	hiveha_store_txn *t = txn_new();
	if (!t)
		return HIVEHA_ENOMEM;
	pthread_mutex_lock(&m->mu);
	int rc = host_commit(m, t, txn_kv(t, OP_PUT, key, data, len));
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int memstore_delete_kv(const hiveha_store *s, const char *key)
{
	memstore *m = ms_of(s);
	hiveha_store_txn *t = txn_new();
	if (!t)
		return HIVEHA_ENOMEM;
	pthread_mutex_lock(&m->mu);
	int rc = host_commit(m, t, txn_kv(t, OP_DELETE, key, NULL, 0));
	pthread_mutex_unlock(&m->mu);
	return rc;
}

/* ---- inspection ----------------------------------------------------------- */

size_t memstore_item_count(const hiveha_store *s)
{
	memstore *m = ms_of(s);
	pthread_mutex_lock(&m->mu);
	size_t n = m->nitems;
	pthread_mutex_unlock(&m->mu);
	return n;
}

int memstore_sample_count(const hiveha_store *s, const char *item_id, size_t *out)
{
	memstore *m = ms_of(s);
	pthread_mutex_lock(&m->mu);
	ms_item *it = item_find(m, item_id);
	if (it)
		*out = it->n;
	pthread_mutex_unlock(&m->mu);
	return it ? 0 : HIVEHA_ENOTFOUND;
}

size_t memstore_total_samples(const hiveha_store *s)
{
	memstore *m = ms_of(s);
	size_t n = 0;
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < m->nitems; i++)
		n += m->items[i]->n;
	pthread_mutex_unlock(&m->mu);
	return n;
}

size_t memstore_event_count(const hiveha_store *s)
{
	memstore *m = ms_of(s);
	pthread_mutex_lock(&m->mu);
	size_t n = m->nev;
	pthread_mutex_unlock(&m->mu);
	return n;
}

size_t memstore_kv_count(const hiveha_store *s)
{
	memstore *m = ms_of(s);
	pthread_mutex_lock(&m->mu);
	size_t n = m->nkv;
	pthread_mutex_unlock(&m->mu);
	return n;
}

void memstore_free_samples(hiveha_sample *samples, size_t count)
{
	if (!samples)
		return;
	clear_samples(samples, count);
	free(samples);
}

void memstore_free_events(hiveha_event *events, size_t count)
{
	free_events(events, count);
}

int memstore_get_samples(const hiveha_store *s, const char *item_id,
                         hiveha_sample **out, size_t *count_out)
{
	memstore *m = ms_of(s);
	int rc = 0;
	*out = NULL;
	*count_out = 0;
	pthread_mutex_lock(&m->mu);
	ms_item *it = item_find(m, item_id);
	if (!it) {
		rc = HIVEHA_ENOTFOUND;
	} else if (it->n) {
		hiveha_sample *c = calloc(it->n, sizeof *c);
		size_t i = 0;
		if (!c)
			rc = HIVEHA_ENOMEM;
		for (; !rc && i < it->n; i++) {
			c[i].time = it->s[i].time;
			c[i].quality = it->s[i].quality;
			rc = hiveha_value_copy(&c[i].value, &it->s[i].value);
		}
		if (rc) {
			if (c)
				memset(&c[i - 1].value, 0, sizeof c[i - 1].value);
			memstore_free_samples(c, i);
		} else {
			*out = c;
			*count_out = it->n;
		}
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

int memstore_get_events(const hiveha_store *s, hiveha_event **out, size_t *count_out)
{
	memstore *m = ms_of(s);
	int rc = 0;
	*out = NULL;
	*count_out = 0;
	pthread_mutex_lock(&m->mu);
	if (m->nev) {
		hiveha_event *c = calloc(m->nev, sizeof *c);
		size_t i = 0;
		if (!c)
			rc = HIVEHA_ENOMEM;
		for (; !rc && i < m->nev; i++)
			rc = hiveha_event_copy(&c[i], &m->ev[i]);
		if (rc) {
			free_events(c, i);
		} else {
			*out = c;
			*count_out = m->nev;
		}
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

void memstore_format_value(const hiveha_value *v, char *buf, size_t size)
{
	switch (v->type) {
	case HIVEHA_TYPE_EMPTY: snprintf(buf, size, "empty"); break;
	case HIVEHA_TYPE_BOOL: snprintf(buf, size, "b:%d", v->as.b ? 1 : 0); break;
	case HIVEHA_TYPE_INT64: snprintf(buf, size, "i:%" PRId64, v->as.i64); break;
	case HIVEHA_TYPE_UINT64: snprintf(buf, size, "u:%" PRIu64, v->as.u64); break;
	case HIVEHA_TYPE_FLOAT: snprintf(buf, size, "f:%.9g", (double)v->as.f32); break;
	case HIVEHA_TYPE_DOUBLE: snprintf(buf, size, "d:%.17g", v->as.f64); break;
	case HIVEHA_TYPE_TIME: snprintf(buf, size, "t:%" PRId64, v->as.time); break;
	case HIVEHA_TYPE_STRING:
		snprintf(buf, size, "s:\"%.*s\"", v->as.str.len > 40 ? 40 : (int)v->as.str.len,
		         v->as.str.ptr ? v->as.str.ptr : "");
		break;
	default: snprintf(buf, size, "type%" PRIu32, v->type); break;
	}
}

static void format_sample(const hiveha_sample *s, char *buf, size_t size)
{
	char v[80];
	memstore_format_value(&s->value, v, sizeof v);
	snprintf(buf, size, "(%" PRId64 ",%s,q%" PRIu32 ")", s->time, v, s->quality);
}

static void format_event(const hiveha_event *e, char *buf, size_t size)
{
	snprintf(buf, size, "{t=%" PRId64 " rt=%" PRId64 " src=%" PRIu32 " type=%" PRIu32
	         " cat=%" PRIu32 " st=%" PRIu32 " sev=%" PRIu32 " srcname=\"%s\" msg=\"%s\""
	         " user=\"%s\" attrs=%zu}",
	         e->time, e->received_time, e->source_id, e->type_id, e->category, e->state,
	         e->severity, e->source_name ? e->source_name : "", e->message ? e->message : "",
	         e->user_name ? e->user_name : "", e->attribute_count);
}

int memstore_format_samples(const hiveha_store *s, const char *item_id, char *buf, size_t size)
{
	memstore *m = ms_of(s);
	if (!buf || size == 0)
		return HIVEHA_EINVAL;
	buf[0] = '\0';
	pthread_mutex_lock(&m->mu);
	ms_item *it = item_find(m, item_id);
	size_t used = 0;
	for (size_t i = 0; it && i < it->n; i++) {
		char one[128];
		format_sample(&it->s[i], one, sizeof one);
		size_t need = strlen(one) + 1;
		if (used + need + 4 >= size) {
			if (used + 4 < size)
				memcpy(buf + used, "...", 4);
			break;
		}
		snprintf(buf + used, size - used, "%s%s", used ? " " : "", one);
		used += strlen(buf + used);
	}
	pthread_mutex_unlock(&m->mu);
	return it ? 0 : HIVEHA_ENOTFOUND;
}

void memstore_dump(const hiveha_store *s, FILE *f)
{
	memstore *m = ms_of(s);
	char buf[512];
	pthread_mutex_lock(&m->mu);
	fprintf(f, "memstore: %zu items, %zu events, %zu kv\n", m->nitems, m->nev, m->nkv);
	for (size_t i = 0; i < m->nitems; i++) {
		const ms_item *it = m->items[i];
		fprintf(f, "item \"%s\" (%zu samples):", it->id, it->n);
		for (size_t j = 0; j < it->n; j++) {
			format_sample(&it->s[j], buf, sizeof buf);
			fprintf(f, " %s", buf);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < m->nev; i++) {
		format_event(&m->ev[i], buf, sizeof buf);
		fprintf(f, "event %s\n", buf);
	}
	for (size_t i = 0; i < m->nkv; i++)
		fprintf(f, "kv \"%s\" = %zu bytes \"%.*s\"\n", m->kv[i].key, m->kv[i].len,
		        m->kv[i].len > 200 ? 200 : (int)m->kv[i].len, (const char *)m->kv[i].data);
	pthread_mutex_unlock(&m->mu);
}

static bool differ(char *diff, size_t size, const char *fmt, ...)
{
	if (diff && size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(diff, size, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool equal_locked(const memstore *a, const memstore *b, unsigned flags,
                         char *diff, size_t size)
{
	char x[512], y[512];
	for (size_t i = 0; i < a->nitems || i < b->nitems; i++) {
		if (i >= a->nitems || i >= b->nitems)
			return differ(diff, size, "item count %zu vs %zu (first extra: \"%s\")",
			               a->nitems, b->nitems,
			               i < a->nitems ? a->items[i]->id : b->items[i]->id);
		const ms_item *p = a->items[i], *q = b->items[i];
		if (strcmp(p->id, q->id) != 0)
			return differ(diff, size, "item #%zu is \"%s\" vs \"%s\"", i, p->id, q->id);
		for (size_t j = 0; j < p->n || j < q->n; j++) {
			if (j >= p->n || j >= q->n) {
				format_sample(j < p->n ? &p->s[j] : &q->s[j], x, sizeof x);
				return differ(diff, size, "item \"%s\": %zu vs %zu samples (first extra %s)",
				              p->id, p->n, q->n, x);
			}
			if (hiveha_sample_compare(&p->s[j], &q->s[j]) != 0) {
				format_sample(&p->s[j], x, sizeof x);
				format_sample(&q->s[j], y, sizeof y);
				return differ(diff, size, "item \"%s\" sample #%zu: %s vs %s", p->id, j, x, y);
			}
		}
	}
	for (size_t i = 0; i < a->nev || i < b->nev; i++) {
		if (i >= a->nev || i >= b->nev) {
			format_event(i < a->nev ? &a->ev[i] : &b->ev[i], x, sizeof x);
			return differ(diff, size, "event count %zu vs %zu (first extra %s)",
			              a->nev, b->nev, x);
		}
		if (!hiveha_event_equal(&a->ev[i], &b->ev[i])) {
			format_event(&a->ev[i], x, sizeof x);
			format_event(&b->ev[i], y, sizeof y);
			return differ(diff, size, "event #%zu: %s vs %s", i, x, y);
		}
	}
	if (flags & MEMSTORE_CMP_KV) {
		for (size_t i = 0; i < a->nkv || i < b->nkv; i++) {
			if (i >= a->nkv || i >= b->nkv)
				return differ(diff, size, "kv count %zu vs %zu (first extra \"%s\")",
				              a->nkv, b->nkv, i < a->nkv ? a->kv[i].key : b->kv[i].key);
			const ms_kv *p = &a->kv[i], *q = &b->kv[i];
			if (strcmp(p->key, q->key) != 0)
				return differ(diff, size, "kv #%zu key \"%s\" vs \"%s\"", i, p->key, q->key);
			if (p->len != q->len || (p->len && memcmp(p->data, q->data, p->len) != 0))
				return differ(diff, size, "kv \"%s\": values differ (%zu vs %zu bytes)",
				              p->key, p->len, q->len);
		}
	}
	if (diff && size)
		diff[0] = '\0';
	return true;
}

bool memstore_equal(const hiveha_store *a, const hiveha_store *b, unsigned flags,
                    char *diff, size_t diff_size)
{
	memstore *p = ms_of(a), *q = ms_of(b);
	/* a fixed lock order keeps two concurrent comparisons deadlock-free */
	memstore *first = (uintptr_t)p <= (uintptr_t)q ? p : q;
	memstore *second = first == p ? q : p;
	pthread_mutex_lock(&first->mu);
	pthread_mutex_lock(&second->mu);
	bool eq = equal_locked(p, q, flags, diff, diff_size);
	pthread_mutex_unlock(&second->mu);
	pthread_mutex_unlock(&first->mu);
	return eq;
}
