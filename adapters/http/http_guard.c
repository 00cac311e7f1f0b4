/*
 * http_guard.c - keeps the listener's connection slots for real peers.
 *
 * libmicrohttpd's own defences are a connection limit and an idle timeout;
 * a client that sends one header byte per second is never idle, so 16 such
 * clients held every slot forever (a real peer got connection resets).
 * The guard adds what that lacks:
 *
 *  - a time budget per request: from the connection's start (or, on a
 *    trusted keep-alive connection, from its request line) every phase -
 *    headers, body, reply - must end within `timeout` plus its size at the
 *    minimum rate; a reaper thread shuts the socket of a request past its
 *    deadline (libmicrohttpd then closes the connection on its thread);
 *  - slots for trusted peers: a connection becomes trusted when a request
 *    on it passed the token check on its headers. When every slot is in
 *    use, a new connection evicts, oldest first: an untrusted one that had
 *    its grace (HH_GUARD_GRACE_MS to send its headers), else an idle
 *    keep-alive connection of a peer (its client reconnects; this also
 *    frees the slot of a connection the client already closed but
 *    libmicrohttpd has not reaped yet), else any untrusted one. It is
 *    refused only when every slot holds a peer's request in progress.
 *
 * Closing is shutdown(2) only, under the guard's lock: the socket stays
 * open until libmicrohttpd reports the connection closed (hh_guard_closed,
 * before it closes the descriptor), so a reused descriptor is never hit.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(_WIN32)
#  include <winsock2.h>
#  define SHUT_RDWR SD_BOTH
#else
#  include <sys/socket.h>
#endif

#include "http_internal.h"

/* A new connection's headers arrive within milliseconds from a real peer;
 * an untrusted connection younger than this is evicted last. */
#define HH_GUARD_GRACE_MS 1000u

struct hh_guard_conn {
	hh_guard_conn *prev, *next; /* oldest first */
	hh_socket fd;
	int trusted;
	int idle;                   /* trusted, between two requests */
	int killed;                 /* shut down, no longer counted */
	uint64_t opened_ms;         /* monotonic */
	uint64_t deadline_ms;       /* monotonic; 0 = none */
};

struct hh_guard {
	hh_http_wait w;             /* its lock and monotonic cv */
	pthread_t reaper;
	int stopping;
	hh_guard_conn *head, *tail;
	unsigned int live, max;     /* connections not shut down; slots */
	uint64_t timeout_ms;
	uint32_t min_rate;          /* bytes per second */
	hiveha_log_fn on_log;
	void *payload;
};

static void guard_log(const hh_guard *g, const char *fmt, ...) HH_HTTP_FMT(2, 3);

static void guard_log(const hh_guard *g, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!g->on_log)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap); /* a long line is cut */
	va_end(ap);
	g->on_log(HIVEHA_LOG_INFO, line, g->payload);
}

/* Caller holds mu. */
static void kill_conn(hh_guard *g, hh_guard_conn *c)
{
	if (c->killed)
		return;
	c->killed = 1;
	c->deadline_ms = 0;
	g->live--;
	(void)shutdown(c->fd, SHUT_RDWR);
}

static void *reaper_main(void *arg)
{
	hh_guard *g = arg;

	hh_http_wait_lock(&g->w);
	while (!g->stopping) {
		uint64_t now = hh_http_now_ms(), next = 0;
		unsigned int reaped = 0;
		hh_guard_conn *c;

		for (c = g->head; c; c = c->next) {
			if (!c->deadline_ms)
				continue;
			if (c->deadline_ms <= now) {
				kill_conn(g, c);
				reaped++;
			} else if (!next || c->deadline_ms < next) {
				next = c->deadline_ms;
			}
		}
		if (reaped) {
			hh_http_wait_unlock(&g->w);
			guard_log(g, "http: closed %u connection(s) over their request time budget",
			          reaped);
			hh_http_wait_lock(&g->w);
			continue;
		}
		hh_http_wait_until(&g->w, next); /* 0: until signalled */
	}
	hh_http_wait_unlock(&g->w);
	return NULL;
}

int hh_guard_new(hh_guard **out, unsigned int max_conn, unsigned int timeout_s, uint32_t min_rate,
                 hiveha_log_fn on_log, void *payload)
{
	hh_guard *g;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return HIVEHA_ENOMEM;
	g->max = max_conn;
	g->timeout_ms = (uint64_t)timeout_s * 1000u;
	g->min_rate = min_rate;
	g->on_log = on_log;
	g->payload = payload;
	/* The deadlines are monotonic: a wall-clock step must not reap. */
	if (hh_http_wait_init(&g->w) != 0) {
		free(g);
		return HIVEHA_ENOMEM;
	}
	if (pthread_create(&g->reaper, NULL, reaper_main, g) != 0) {
		hh_http_wait_destroy(&g->w);
		free(g);
		return HIVEHA_ENOMEM;
	}
	*out = g;
	return 0;
}

void hh_guard_free(hh_guard *g)
{
	hh_guard_conn *c, *n;

	if (!g)
		return;
	hh_http_wait_lock(&g->w);
	g->stopping = 1;
	hh_http_wait_signal(&g->w);
	hh_http_wait_unlock(&g->w);
	pthread_join(g->reaper, NULL);
	for (c = g->head; c; c = n) { /* none after MHD_stop_daemon; be safe */
		n = c->next;
		free(c);
	}
	hh_http_wait_destroy(&g->w);
	free(g);
}

/* The connection to evict for a new one (caller holds mu), or NULL. */
static hh_guard_conn *victim(const hh_guard *g)
{
	uint64_t now = hh_http_now_ms();
	uint64_t graced = now > HH_GUARD_GRACE_MS ? now - HH_GUARD_GRACE_MS : 0;
	hh_guard_conn *c;

	for (c = g->head; c; c = c->next) /* oldest first */
		if (!c->killed && !c->trusted && c->opened_ms <= graced)
			return c;
	for (c = g->head; c; c = c->next)
		if (!c->killed && c->idle)
			return c;
	for (c = g->head; c; c = c->next)
		if (!c->killed && !c->trusted)
			return c;
	return NULL;
}

int hh_guard_admit(hh_guard *g)
{
	hh_guard_conn *c;
	int ok = 1, evicted = 0;

	hh_http_wait_lock(&g->w);
	if (g->live >= g->max) {
		c = victim(g);
		if (c) {
			kill_conn(g, c);
			evicted = 1;
		} else {
			ok = 0;
		}
	}
	hh_http_wait_unlock(&g->w);
	if (!ok)
		guard_log(g, "http: every connection slot holds a peer's request; connection refused");
	else if (evicted)
		guard_log(g, "http: all connection slots in use; closed the oldest connection without "
		             "the token or idle");
	return ok;
}

hh_guard_conn *hh_guard_opened(hh_guard *g, hh_socket fd)
{
	hh_guard_conn *c = calloc(1, sizeof(*c));

	if (!c) {
		/* Untracked, it could hold a slot forever: refuse it instead. */
		(void)shutdown(fd, SHUT_RDWR);
		return NULL;
	}
	c->fd = fd;
	hh_http_wait_lock(&g->w);
	c->prev = g->tail;
	if (g->tail)
		g->tail->next = c;
	else
		g->head = c;
	g->tail = c;
	g->live++;
	c->opened_ms = hh_http_now_ms();
	c->deadline_ms = c->opened_ms + g->timeout_ms;
	hh_http_wait_signal(&g->w);
	hh_http_wait_unlock(&g->w);
	return c;
}

void hh_guard_closed(hh_guard *g, hh_guard_conn *c)
{
	if (!c)
		return;
	hh_http_wait_lock(&g->w);
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		g->tail = c->prev;
	if (!c->killed)
		g->live--;
	hh_http_wait_unlock(&g->w);
	free(c);
}

void hh_guard_arm(hh_guard *g, hh_guard_conn *c, uint64_t bytes)
{
	uint64_t extra;

	if (!c)
		return;
	extra = g->min_rate ? bytes * 1000u / g->min_rate : 0;
	hh_http_wait_lock(&g->w);
	c->idle = 0;
	if (!c->killed) {
		c->deadline_ms = hh_http_now_ms() + g->timeout_ms + extra;
		hh_http_wait_signal(&g->w);
	}
	hh_http_wait_unlock(&g->w);
}

void hh_guard_disarm(hh_guard *g, hh_guard_conn *c, int idle)
{
	if (!c)
		return;
	hh_http_wait_lock(&g->w);
	c->deadline_ms = 0;
	c->idle = idle && c->trusted;
	hh_http_wait_unlock(&g->w);
}

void hh_guard_trust(hh_guard *g, hh_guard_conn *c)
{
	if (!c)
		return;
	hh_http_wait_lock(&g->w);
	c->trusted = 1;
	hh_http_wait_unlock(&g->w);
}

int hh_guard_trusted(hh_guard *g, const hh_guard_conn *c)
{
	int t;

	if (!c)
		return 0;
	hh_http_wait_lock(&g->w);
	t = c->trusted;
	hh_http_wait_unlock(&g->w);
	return t;
}
