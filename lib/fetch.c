/*
 * fetch.c - a request/reply that may run beside the store writes.
 */
#include "fetch.h"

#include <string.h>

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

void hh_fetch_start(hh_fetch *f, hh_deputy *d, int async)
{
	hh_dep_request_begin(f->gov, d);
	f->async = async && hh_thread_create(&f->thread, run, f) == HIVEHA_OK;
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
