/*
 * looptransport.c - the in-process test transport (see looptransport.h).
 *
 * The whole reply is collected before it is streamed back: a drop "midway"
 * needs the reply's length, and delivering in fixed pieces is then trivial.
 */
#define _POSIX_C_SOURCE 200809L

#include "looptransport.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refcount.h"

#define LT_MAX_FAULTS 16
#define LT_MAX_REPLY ((size_t)256 << 20)

struct hiveha_conn {
	uint64_t id;
};

typedef struct lt_fault {
	char *kind;          /* NULL = any */
	uint64_t remaining;  /* matching exchanges until it fires */
	looptransport_fault fault;
	size_t offset;
	unsigned char mask;
} lt_fault;

typedef struct looptransport {
	pthread_mutex_t mu;
	refcount refs;
	looptransport_handler_fn handler;
	void *handler_ctx;
	looptransport_hook_fn hook;
	void *hook_payload;
	size_t piece;
	uint64_t refuse;
	int down;
	int cancelled;
	uint64_t total;       /* exchange calls, for the hook index */
	uint64_t next_conn;
	lt_fault faults[LT_MAX_FAULTS];
	size_t nfaults;
	looptransport_counts counts;
} looptransport;

typedef struct lt_buf {
	unsigned char *data;
	size_t len, cap;
} lt_buf;

static void lt_destroy(void *ctx);

static looptransport *lt_of(const hiveha_transport *t)
{
	if (!t || t->destroy != lt_destroy || !t->ctx) {
		fprintf(stderr, "looptransport: not a looptransport\n");
		abort();
	}
	return t->ctx;
}

static looptransport_kind kind_of(const char *kind)
{
	if (kind && strcmp(kind, HIVEHA_MSG_HELLO) == 0)
		return LOOPTRANSPORT_HELLO;
	if (kind && strcmp(kind, HIVEHA_MSG_TIMESERIES) == 0)
		return LOOPTRANSPORT_TIMESERIES;
	if (kind && strcmp(kind, HIVEHA_MSG_EVENTS) == 0)
		return LOOPTRANSPORT_EVENTS;
	return LOOPTRANSPORT_OTHER;
}

static void clear_faults(looptransport *l)
{
	for (size_t i = 0; i < l->nfaults; i++)
		free(l->faults[i].kind);
	l->nfaults = 0;
}

/* Counts one exchange against every pending fault; returns the one that fires (0 = none). */
static looptransport_fault take_fault(looptransport *l, const char *kind, size_t *offset,
                                      unsigned char *mask)
{
	looptransport_fault fired = 0;
	size_t keep = 0;
	for (size_t i = 0; i < l->nfaults; i++) {
		lt_fault *f = &l->faults[i];
		if (!f->kind || (kind && strcmp(f->kind, kind) == 0))
			f->remaining--;
		if (f->remaining == 0) {
			if (!fired) {
				fired = f->fault;
				*offset = f->offset;
				*mask = f->mask;
			}
			free(f->kind);
			continue;
		}
		l->faults[keep++] = *f;
	}
	l->nfaults = keep;
	return fired;
}

static void lt_destroy(void *ctx)
{
	looptransport *l = ctx;
	if (!refcount_put(&l->refs))
		return;
	clear_faults(l);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

static int lt_connect(void *ctx, const char *endpoint, int64_t timeout_ms, hiveha_conn **conn_out)
{
	looptransport *l = ctx;
	(void)endpoint;
	(void)timeout_ms;
	if (!conn_out)
		return HIVEHA_EINVAL;
	*conn_out = NULL;
	pthread_mutex_lock(&l->mu);
	l->counts.connects++;
	int rc = 0;
	if (l->cancelled) {
		rc = HIVEHA_ECANCELLED;
	} else if (l->down) {
		rc = HIVEHA_ETRANSPORT;
	} else if (l->refuse) {
		l->refuse--;
		l->counts.faults++;
		rc = HIVEHA_ETRANSPORT;
	} else {
		hiveha_conn *c = malloc(sizeof *c);
		if (!c) {
			rc = HIVEHA_ENOMEM;
		} else {
			c->id = ++l->next_conn;
			l->counts.connects_ok++;
			l->counts.open_conns++;
			*conn_out = c;
		}
	}
	pthread_mutex_unlock(&l->mu);
	return rc;
}

static void lt_close(void *ctx, hiveha_conn *conn)
{
	looptransport *l = ctx;
	if (!conn)
		return;
	pthread_mutex_lock(&l->mu);
	l->counts.closes++;
	l->counts.open_conns--;
	pthread_mutex_unlock(&l->mu);
	free(conn);
}

static int collect(const void *data, size_t len, void *payload)
{
	lt_buf *b = payload;
	if (len == 0)
		return 0;
	if (!data || len > LT_MAX_REPLY - b->len)
		return HIVEHA_ELIMIT;
	if (b->len + len > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		while (ncap < b->len + len)
			ncap *= 2;
		unsigned char *p = realloc(b->data, ncap);
		if (!p)
			return HIVEHA_ENOMEM;
		b->data = p;
		b->cap = ncap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

static int is_cancelled(looptransport *l)
{
	pthread_mutex_lock(&l->mu);
	int c = l->cancelled;
	pthread_mutex_unlock(&l->mu);
	return c;
}

static int deliver(looptransport *l, const lt_buf *b, size_t len, hiveha_reply_fn on_reply,
                   void *payload)
{
	pthread_mutex_lock(&l->mu);
	size_t piece = l->piece;
	pthread_mutex_unlock(&l->mu);
	for (size_t off = 0; off < len;) {
		if (is_cancelled(l))
			return HIVEHA_ECANCELLED;
		size_t n = len - off < piece ? len - off : piece;
		int rc = on_reply(b->data + off, n, payload);
		if (rc)
			return rc;
		pthread_mutex_lock(&l->mu);
		l->counts.reply_bytes += n;
		pthread_mutex_unlock(&l->mu);
		off += n;
	}
	return 0;
}

static int lt_exchange(void *ctx, hiveha_conn *conn, const hiveha_request *req,
                       hiveha_reply_fn on_reply, void *payload, int64_t timeout_ms)
{
	looptransport *l = ctx;
	(void)timeout_ms;
	if (!conn || !req || !on_reply || (req->body_len && !req->body))
		return HIVEHA_EINVAL;

	size_t offset = 0;
	unsigned char mask = 0;
	pthread_mutex_lock(&l->mu);
	l->counts.exchanges[kind_of(req->kind)]++;
	l->counts.request_bytes += req->body_len;
	uint64_t index = ++l->total;
	int rc = l->cancelled ? HIVEHA_ECANCELLED : l->down ? HIVEHA_ETRANSPORT : 0;
	looptransport_fault fault = rc ? 0 : take_fault(l, req->kind, &offset, &mask);
	if (fault)
		l->counts.faults++;
	looptransport_hook_fn hook = l->hook;
	void *hook_payload = l->hook_payload;
	pthread_mutex_unlock(&l->mu);
	if (rc)
		return rc;

	if (hook)
		hook(req, index, hook_payload);
	if (fault == LOOPTRANSPORT_TIMEOUT)
		return HIVEHA_ETIMEOUT;
	if (is_cancelled(l))
		return HIVEHA_ECANCELLED;

	lt_buf b = { 0 };
	rc = l->handler(req, collect, &b, l->handler_ctx);
	if (rc == HIVEHA_EAUTH || (rc && b.len == 0)) {
		free(b.data);
		return rc == HIVEHA_EAUTH ? HIVEHA_EAUTH : HIVEHA_ETRANSPORT;
	}
	if (fault == LOOPTRANSPORT_CORRUPT && b.len) {
		size_t at = offset < b.len ? offset : b.len - 1;
		b.data[at] ^= mask ? mask : 0xFF;
	}
	size_t len = fault == LOOPTRANSPORT_DROP ? b.len / 2 : b.len;
	rc = deliver(l, &b, len, on_reply, payload);
	free(b.data);
	if (rc)
		return rc;
	if (fault == LOOPTRANSPORT_DROP)
		return HIVEHA_ETRANSPORT;
	pthread_mutex_lock(&l->mu);
	l->counts.exchanges_ok++;
	pthread_mutex_unlock(&l->mu);
	return 0;
}

static void lt_cancel(void *ctx)
{
	looptransport *l = ctx;
	pthread_mutex_lock(&l->mu);
	l->cancelled = 1;
	l->counts.cancels++;
	pthread_mutex_unlock(&l->mu);
}

static void lt_reset(void *ctx)
{
	looptransport *l = ctx;
	pthread_mutex_lock(&l->mu);
	l->cancelled = 0;
	pthread_mutex_unlock(&l->mu);
}

int looptransport_new_with_handler(hiveha_transport *out, looptransport_handler_fn fn, void *ctx)
{
	if (!out || !fn)
		return HIVEHA_EINVAL;
	looptransport *l = calloc(1, sizeof *l);
	if (!l)
		return HIVEHA_ENOMEM;
	if (pthread_mutex_init(&l->mu, NULL)) {
		free(l);
		return HIVEHA_ENOMEM;
	}
	refcount_init(&l->refs);
	l->handler = fn;
	l->handler_ctx = ctx;
	l->piece = 4096;
	hiveha_transport t = HIVEHA_TRANSPORT_INIT;
	t.ctx = l;
	t.destroy = lt_destroy;
	t.connect = lt_connect;
	t.exchange = lt_exchange;
	t.close = lt_close;
	t.cancel = lt_cancel;
	t.reset = lt_reset;
	*out = t;
	return 0;
}

void looptransport_ref(const hiveha_transport *t)
{
	refcount_get(&lt_of(t)->refs);
}

void looptransport_free(hiveha_transport *t)
{
	if (t && t->ctx)
		lt_destroy(lt_of(t));
}

void looptransport_set_piece_size(const hiveha_transport *t, size_t size)
{
	looptransport *l = lt_of(t);
	pthread_mutex_lock(&l->mu);
	l->piece = size ? size : 1;
	pthread_mutex_unlock(&l->mu);
}

void looptransport_set_hook(const hiveha_transport *t, looptransport_hook_fn fn, void *payload)
{
	looptransport *l = lt_of(t);
	pthread_mutex_lock(&l->mu);
	l->hook = fn;
	l->hook_payload = payload;
	pthread_mutex_unlock(&l->mu);
}

void looptransport_refuse_connects(const hiveha_transport *t, uint64_t n)
{
	looptransport *l = lt_of(t);
	pthread_mutex_lock(&l->mu);
	l->refuse = n;
	pthread_mutex_unlock(&l->mu);
}

void looptransport_set_peer_down(const hiveha_transport *t, int down)
{
	looptransport *l = lt_of(t);
	pthread_mutex_lock(&l->mu);
	l->down = down != 0;
	pthread_mutex_unlock(&l->mu);
}

int looptransport_fail_exchange(const hiveha_transport *t, uint64_t nth, const char *kind,
                                looptransport_fault fault, size_t offset, unsigned char mask)
{
	looptransport *l = lt_of(t);
	if (nth == 0 || fault < LOOPTRANSPORT_TIMEOUT || fault > LOOPTRANSPORT_CORRUPT)
		return HIVEHA_EINVAL;
	char *k = NULL;
	if (kind) {
		size_t n = strlen(kind) + 1;
		if (!(k = malloc(n)))
			return HIVEHA_ENOMEM;
		memcpy(k, kind, n);
	}
	int rc = 0;
	pthread_mutex_lock(&l->mu);
	if (l->nfaults == LT_MAX_FAULTS) {
		rc = HIVEHA_ELIMIT;
	} else {
		l->faults[l->nfaults++] = (lt_fault){ k, nth, fault, offset, mask };
		k = NULL;
	}
	pthread_mutex_unlock(&l->mu);
	free(k);
	return rc;
}

void looptransport_faults_off(const hiveha_transport *t)
{
	looptransport *l = lt_of(t);
	pthread_mutex_lock(&l->mu);
	clear_faults(l);
	l->refuse = 0;
	l->down = 0;
	pthread_mutex_unlock(&l->mu);
}

void looptransport_get_counts(const hiveha_transport *t, looptransport_counts *out)
{
	looptransport *l = lt_of(t);
	pthread_mutex_lock(&l->mu);
	*out = l->counts;
	pthread_mutex_unlock(&l->mu);
}

void looptransport_reset_counts(const hiveha_transport *t)
{
	looptransport *l = lt_of(t);
	pthread_mutex_lock(&l->mu);
	uint64_t open = l->counts.open_conns;
	memset(&l->counts, 0, sizeof l->counts);
	l->counts.open_conns = open;
	pthread_mutex_unlock(&l->mu);
}

uint64_t looptransport_exchanges(const hiveha_transport *t)
{
	looptransport *l = lt_of(t);
	pthread_mutex_lock(&l->mu);
	uint64_t n = l->total;
	pthread_mutex_unlock(&l->mu);
	return n;
}

int looptransport_cancelled(const hiveha_transport *t)
{
	return is_cancelled(lt_of(t));
}
