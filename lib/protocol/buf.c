/*
 * protocol/buf.c - the growable output buffer, limits and error text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "protocol/codec.h"

void hh_buf_init(hh_buf *b, const hiveha_allocator *alloc)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->alloc = alloc;
}

void hh_buf_free(hh_buf *b)
{
	if (!b)
		return;
	hh_free(b->alloc, b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

int hh_buf_reserve(hh_buf *b, size_t extra)
{
	size_t need, cap;
	unsigned char *p;

	if (extra > SIZE_MAX - b->len)
		return HIVEHA_ENOMEM;
	need = b->len + extra;
	if (need <= b->cap)
		return 0;
	/* Doubling keeps appends amortised O(1) for the bulk sample blocks. */
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = hh_realloc(b->alloc, b->data, cap);
	if (!p)
		return HIVEHA_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int hh_buf_append(hh_buf *b, const void *data, size_t len)
{
	int rc;

	if (len == 0)
		return 0;
	rc = hh_buf_reserve(b, len);
	if (rc)
		return rc;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

void hh_limits_default(hh_limits *l)
{
	/* Generous enough for a responder's largest default page (16 MiB,
	 * 65536 samples, 10000 events), small enough to bound a hostile peer. */
	l->max_message_bytes = (size_t)64 << 20;
	l->max_items = 100000;
	l->max_samples = (size_t)1 << 20;
	l->max_events = 100000;
	l->max_string_bytes = HH_PEER_MAX_STRING_BYTES;
	l->max_attributes = 256;
	l->max_ranges = 10000;
	l->max_depth = 16;
}
