/*
 * fetch.c - a request/reply that may run beside the store writes.
 */
#include "fetch.h"

#include <string.h>

#include "alloc.h"

void hh_fetch_init(hh_fetch *f, hiveha_governor *gov, const char *kind, hh_decode_fn decode, void *out)
{
	memset(f, 0, sizeof(*f));
	f->gov = gov;
	f->kind = kind;
	f->decode = decode;
	f->out = out;
	hh_buf_init(&f->body, gov->alloc);
	hh_buf_init(&f->reply, gov->alloc);
}

void hh_fetch_free(hh_fetch *f)
{
	hh_buf_free(&f->body);
	hh_buf_free(&f->reply);
}

static void run(void *arg)
{
	hh_fetch *f = arg;
	f->rc = hh_dep_exchange_raw(f->gov, f->kind, &f->body, &f->reply);
	f->decode_rc = 0;
	if (!f->rc) {
		f->err.msg[0] = '\0';
		f->decode_rc = f->decode(f->out, f->reply.data, f->reply.len, &f->gov->limits, &f->err);
	}
}

/* A fetch thread does the governor's sync work: a stop the transport calls
 * on it must not wait for the sync thread that is waiting for it. */
static void run_async(void *arg)
{
	hh_fetch *f = arg;
	hh_gov_sync_thread(f->gov);
	run(f);
}

void hh_fetch_start(hh_fetch *f, hh_deputy *d, int async)
{
	hh_dep_request_begin(f->gov, d);
	f->async = async && hh_thread_create(&f->thread, run_async, f) == HIVEHA_OK;
	if (!f->async)
		run(f);
}

int hh_fetch_finish(hh_fetch *f, hh_deputy *d)
{
	if (f->async) {
		hh_thread_join(f->thread);
		f->async = 0;
	}
	int rc = hh_dep_request_end(f->gov, d, f->kind, f->rc);
	if (rc)
		return rc;
	if (f->decode_rc)
		hh_dep_note(f->gov, d, HIVEHA_LOG_ERROR, "%s reply rejected: %s", f->kind, f->err.msg);
	return f->decode_rc;
}

int hh_fetch_pages(hiveha_governor *gov, hh_deputy *d, const hh_pager *p, void *ctx)
{
	void *pages[2];
	pages[0] = hh_calloc(gov->alloc, 1, p->page_size);
	pages[1] = hh_calloc(gov->alloc, 1, p->page_size);
	hh_fetch f[2];
	hh_fetch_init(&f[0], gov, p->kind, p->decode, pages[0]);
	hh_fetch_init(&f[1], gov, p->kind, p->decode, pages[1]);
	int rc = pages[0] && pages[1] ? p->encode(ctx, &f[0].body, NULL) : HIVEHA_ENOMEM;
	if (!rc && p->prepare)
		p->prepare(ctx, pages[0]);
	if (!rc) {
		hh_fetch_start(&f[0], d, 0);
		rc = hh_fetch_finish(&f[0], d);
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
			f[next].body.len = 0;
			rc = p->encode(ctx, &f[next].body, cursor);
			if (rc)
				break;
			if (p->prepare)
				p->prepare(ctx, pages[next]);
			hh_fetch_start(&f[next], d, 1);
		}
		rc = p->apply(ctx, page);
		p->free_page(page);
		memset(page, 0, p->page_size);
		if (!rc && !cursor && p->end_unit)
			rc = p->end_unit(ctx);
		hh_dep_progress(gov, d);
		if (!more)
			break;
		/* always join the fetch in flight, even after a failed apply */
		int frc = hh_fetch_finish(&f[next], d);
		if (!rc)
			rc = frc;
		cur = next;
	}
	for (int i = 0; i < 2; i++) {
		if (pages[i])
			p->free_page(pages[i]);
		hh_free(gov->alloc, pages[i]);
		hh_fetch_free(&f[i]);
	}
	return rc;
}
