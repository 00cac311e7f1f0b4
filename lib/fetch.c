/*
 * fetch.c - a paged transfer whose next request travels while the current
 * page is stored.
 */
#include "fetch.h"

#include <string.h>

#include "alloc.h"
#include "peer.h"

/* One request/reply, optionally on a thread of its own. */
typedef struct hh_fetch {
	const hh_sync *s;
	const hh_fetch_observer *obs;
	const char *kind;
	hh_buf body;        /* the encoded request: fill before start */
	hh_buf reply;
	hh_decode_fn decode;
	void *out;          /* decoded message */
	hh_errbuf err;
	int rc;             /* transport status */
	int decode_rc;
	int async;
	hh_thread thread;
} hh_fetch;

static void fetch_init(hh_fetch *f, const hh_sync *s, const hh_fetch_observer *obs,
                       const hh_pager *p, void *out)
{
	memset(f, 0, sizeof(*f));
	f->s = s;
	f->obs = obs;
	f->kind = p->kind;
	f->decode = p->decode;
	f->out = out;
	hh_buf_init(&f->body, s->alloc);
	hh_buf_init(&f->reply, s->alloc);
}

static void fetch_free(hh_fetch *f)
{
	hh_buf_free(&f->body);
	hh_buf_free(&f->reply);
}

static void run(void *arg)
{
	hh_fetch *f = arg;
	f->rc = hh_peer_exchange(f->s->peer, f->s, f->kind, &f->body, &f->reply);
	f->decode_rc = 0;
	if (!f->rc) {
		f->err.msg[0] = '\0';
		f->decode_rc = f->decode(f->out, f->reply.data, f->reply.len, f->s->limits, &f->err);
	}
}

/* A fetch thread does the governor's sync work: a stop the transport calls
 * on it must not wait for the sync thread that is waiting for it. */
static void run_async(void *arg)
{
	hh_fetch *f = arg;
	hh_sync_mark_thread(f->s->owner);
	run(f);
}

/* Sends f->body; with `async` on a new thread (inline if no thread can be
 * made). */
static void fetch_start(hh_fetch *f, int async)
{
	f->obs->sending(f->obs->ctx);
	f->async = async && hh_thread_create(&f->thread, run_async, f) == HIVEHA_OK;
	if (!f->async)
		run(f);
}

/* Waits for the fetch: 0 with f->out decoded, or the transport's or the
 * decoder's status (both reported to the observer). */
static int fetch_finish(hh_fetch *f)
{
	if (f->async) {
		hh_thread_join(f->thread);
		f->async = 0;
	}
	int rc = f->obs->replied(f->obs->ctx, f->kind, f->rc);
	if (rc)
		return rc;
	if (f->decode_rc)
		f->obs->rejected(f->obs->ctx, f->kind, f->err.msg);
	return f->decode_rc;
}

/* The throttle: what the transfer received since it began. */
typedef struct pace {
	int64_t t0_ns;       /* monotonic time of the first request */
	uint64_t records, bytes;
} pace;

/* Milliseconds `n` units take at `rate` per second (0: no cap). */
static int64_t ms_at(uint64_t n, uint64_t rate)
{
	if (!rate)
		return 0;
	double ms = (double)n * 1000.0 / (double)rate;
	return ms > 9.0e15 ? INT64_MAX / 2 : (int64_t)ms;
}

/* Counts the page just received and, when the transfer is ahead of the
 * configured rates, sleeps until it no longer is: placed before the next
 * request, so the average over the transfer stays at or below the caps
 * and the pause never holds a page half applied. */
static int pace_page(const hh_sync *s, const hh_pager *p, pace *t, const void *page,
                     size_t reply_bytes)
{
	uint64_t rrate = s->cfg->max_records_per_s, brate = s->cfg->max_bytes_per_s;

	if (!rrate && !brate)
		return 0;
	t->records += p->records ? p->records(page) : 0;
	t->bytes += reply_bytes;
	int64_t due = ms_at(t->records, rrate);
	int64_t due_b = ms_at(t->bytes, brate);
	if (due_b > due)
		due = due_b;
	int64_t elapsed = (s->clock->monotonic_ns(s->clock->ctx) - t->t0_ns) / 1000000;
	return due > elapsed ? hh_sync_sleep_ms(s, due - elapsed) : 0;
}

int hh_fetch_pages(const hh_sync *s, const hh_fetch_observer *obs, const hh_pager *p, void *ctx)
{
	pace t = { s->clock->monotonic_ns(s->clock->ctx), 0, 0 };
	void *pages[2];
	pages[0] = hh_calloc(s->alloc, 1, p->page_size);
	pages[1] = hh_calloc(s->alloc, 1, p->page_size);
	hh_fetch f[2];
	fetch_init(&f[0], s, obs, p, pages[0]);
	fetch_init(&f[1], s, obs, p, pages[1]);
	int rc = pages[0] && pages[1] ? p->encode(ctx, &f[0].body, NULL) : HIVEHA_ENOMEM;
	if (!rc && p->prepare)
		p->prepare(ctx, pages[0]);
	if (!rc) {
		fetch_start(&f[0], 0);
		rc = fetch_finish(&f[0]);
	}
	int cur = 0;
	while (!rc) {
		void *page = pages[cur];
		rc = p->unvouched(ctx, page);
		if (rc)
			break;
		int next = cur ^ 1;
		const char *cursor = p->cursor(page);
		int more = cursor || (p->has_next_unit && p->has_next_unit(ctx));
		if (more) {
			rc = pace_page(s, p, &t, page, f[cur].reply.len);
			if (rc)
				break;
			f[next].body.len = 0;
			rc = p->encode(ctx, &f[next].body, cursor);
			if (rc)
				break;
			if (p->prepare)
				p->prepare(ctx, pages[next]);
			fetch_start(&f[next], 1);
		}
		rc = p->apply(ctx, page);
		p->free_page(page);
		memset(page, 0, p->page_size);
		if (!rc && !cursor && p->end_unit)
			rc = p->end_unit(ctx);
		obs->applied(obs->ctx);
		if (!more)
			break;
		/* always join the fetch in flight, even after a failed apply */
		int frc = fetch_finish(&f[next]);
		if (!rc)
			rc = frc;
		cur = next;
	}
	for (int i = 0; i < 2; i++) {
		if (pages[i])
			p->free_page(pages[i]);
		hh_free(s->alloc, pages[i]);
		fetch_free(&f[i]);
	}
	return rc;
}
