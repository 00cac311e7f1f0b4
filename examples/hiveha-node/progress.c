/*
 * progress.c - every line hiveha-node prints, from any thread.
 *
 * Log lines, state item changes and progress come from three kinds of
 * threads (main, the governor's sync thread, listener threads); one lock
 * keeps each line whole. On a terminal the progress of a sync is a bar
 * redrawn in place; elsewhere (a pipe, a file, CI) it is a plain line every
 * `progress_ms`, so logs stay readable and greppable.
 */
#include "node.h"
#include "node_platform.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static char out_name[64] = "node";
static int out_tty;
static int bar_shown;
static int64_t out_progress_ms = 1000;
int node_out_verbose;

struct rate {
	hiveha_time window_from, window_to;
	int64_t started_ns;
	int64_t last_print_ns;
};
static struct rate rates[NODE_DEPUTY_KINDS];

void node_iso(char buf[HIVEHA_ISO8601_SIZE], hiveha_time t)
{
	if (hiveha_time_to_iso8601(buf, HIVEHA_ISO8601_SIZE, t) != HIVEHA_OK)
		(void)snprintf(buf, HIVEHA_ISO8601_SIZE, "%lld", (long long)t); /* 20 digits fit */
}

void node_out_init(const char *name, int64_t progress_ms)
{
	(void)snprintf(out_name, sizeof(out_name), "%s", name); /* a log prefix: a cut will do */
	out_tty = node_stdout_is_tty();
	out_progress_ms = progress_ms;
	/* a backstop only: vline() and the bar flush every line themselves */
	(void)setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Caller holds out_lock. */
static void clear_bar(void)
{
	if (bar_shown) {
		fputs("\r\033[K", stdout);
		bar_shown = 0;
	}
}

/* printf-like, so clang checks the callers' formats (-Wformat-nonliteral). */
static void vline(FILE *f, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void vline(FILE *f, const char *fmt, va_list ap)
{
	char iso[HIVEHA_ISO8601_SIZE];
	hiveha_time now = node_wall_now();

	node_iso(iso, now);
	iso[23] = 'Z'; /* milliseconds are enough for a log line */
	iso[24] = '\0';
	pthread_mutex_lock(&out_lock);
	clear_bar();
	fprintf(f, "%s [%s] ", iso, out_name);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	(void)fflush(f); /* stdout/stderr: a failure has nowhere to be reported */
	pthread_mutex_unlock(&out_lock);
}

void node_logf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(stdout, fmt, ap);
	va_end(ap);
}

void node_errf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(stderr, fmt, ap);
	va_end(ap);
}

void node_on_state(const char *name, const hiveha_value *value, void *payload)
{
	char iso[HIVEHA_ISO8601_SIZE];
	(void)payload;
	switch (value->type) {
	case HIVEHA_TYPE_INT64: {
		const char *sn = hiveha_deputy_state_name((int)value->as.i64);
		node_logf("state %s = %lld (%s)", name, (long long)value->as.i64, sn ? sn : "?");
		break;
	}
	case HIVEHA_TYPE_TIME:
		node_iso(iso, value->as.time);
		node_logf("state %s = %s", name, iso);
		break;
	case HIVEHA_TYPE_STRING:
		node_logf("state %s = \"%s\"", name, value->as.str.ptr);
		break;
	default:
		node_logf("state %s changed (type %u)", name, value->type);
	}
}

void node_on_log(int level, const char *message, void *payload)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	(void)payload;
	if (level >= HIVEHA_LOG_DEBUG && !node_out_verbose)
		return;
	node_logf("%s: %s", names[level >= 0 && level <= 3 ? level : 3], message);
}

/* Fraction of the current range done, 0..1. */
static double fraction(const hiveha_progress *p)
{
	if (p->kind == HIVEHA_DEPUTY_TREND)
		return p->items_total ? (double)p->items_done / (double)p->items_total : 0.0;
	if (p->window_to > p->window_from)
		return (double)(p->position - p->window_from) / (double)(p->window_to - p->window_from);
	return 0.0;
}

void node_on_progress(const hiveha_progress *p, void *payload)
{
	(void)payload;
	if (p->kind < 0 || p->kind >= NODE_DEPUTY_KINDS)
		return;
	struct rate *r = &rates[p->kind];
	int64_t now = node_mono_ns();
	if (r->window_from != p->window_from || r->window_to != p->window_to || !r->started_ns) {
		r->window_from = p->window_from;
		r->window_to = p->window_to;
		r->started_ns = now;
		r->last_print_ns = 0;
	}
	double f = fraction(p);
	double secs = (double)(now - r->started_ns) / 1e9;
	uint64_t done = p->samples_done + p->events_done;
	char rate[32] = "-";
	/* display only: only an absurd figure (an ETA of 1e300 s) is cut */
	if (secs >= 0.05)
		(void)snprintf(rate, sizeof(rate), "%.0f/s", (double)done / secs);
	char eta[32] = "?";
	if (f >= 1.0)
		(void)snprintf(eta, sizeof(eta), "0 s");
	else if (f > 0.0 && secs >= 0.05)
		(void)snprintf(eta, sizeof(eta), "%.0f s", secs * (1.0 - f) / f);
	const char *dep = hiveha_deputy_name(p->kind);
	int complete = f >= 1.0;

	if (out_tty) {
		char bar[31];
		int fill = (int)(f * 30.0);
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '-';
		bar[30] = '\0';
		pthread_mutex_lock(&out_lock);
		printf("\r\033[K%s [%s] %3.0f%% items %llu/%llu samples %llu events %llu %s ETA %s",
		       dep, bar, f * 100.0, (unsigned long long)p->items_done,
		       (unsigned long long)p->items_total, (unsigned long long)p->samples_done,
		       (unsigned long long)p->events_done, rate, eta);
		bar_shown = 1;
		if (complete) {
			fputc('\n', stdout);
			bar_shown = 0;
		}
		(void)fflush(stdout); /* as in vline() */
		pthread_mutex_unlock(&out_lock);
		return;
	}
	if (!complete && r->last_print_ns && now - r->last_print_ns < out_progress_ms * 1000000)
		return;
	r->last_print_ns = now;
	node_logf("progress %s: %.0f%% items %llu/%llu samples %llu events %llu requests %llu "
	          "%s ETA %s",
	          dep, f * 100.0, (unsigned long long)p->items_done,
	          (unsigned long long)p->items_total, (unsigned long long)p->samples_done,
	          (unsigned long long)p->events_done, (unsigned long long)p->requests, rate, eta);
}

void node_progress_done(void)
{
	pthread_mutex_lock(&out_lock);
	clear_bar();
	pthread_mutex_unlock(&out_lock);
}
