/*
 * page_guard.c - page fingerprints for the no-progress check (page_guard.h).
 */
#include "page_guard.h"
#include "value_array.h"
#include "hash.h"

#include <string.h>

void hh_sig_bytes(uint64_t *sig, const void *p, size_t n)
{
	*sig = hh_hash64(p, n, *sig);
}

void hh_sig_u64(uint64_t *sig, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	hh_sig_bytes(sig, b, sizeof(b));
}

/* An array by its content, never by its payload pointer: a store that
 * reuses one buffer would otherwise make two different pages look alike. */
static void sig_array(uint64_t *sig, const hiveha_value *v)
{
	size_t n = hiveha_value_count(v);
	const void *e = hiveha_value_elements(v);

	hh_sig_u64(sig, hiveha_value_rows(v));
	hh_sig_u64(sig, hiveha_value_cols(v));
	if (!e)
		return;
	if (hiveha_value_element_type(v) != HIVEHA_TYPE_STRING) {
		hh_sig_bytes(sig, e, n * hh_elem_size(v->type));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const hiveha_string *s = (const hiveha_string *)e + i;

		hh_sig_u64(sig, s->len);
		if (s->ptr)
			hh_sig_bytes(sig, s->ptr, s->len);
	}
}

void hh_sig_value(uint64_t *sig, const hiveha_value *v)
{
	hh_sig_u64(sig, v->type);
	if (hiveha_value_is_array(v)) {
		sig_array(sig, v);
	} else if (v->type == HIVEHA_TYPE_STRING) {
		hh_sig_u64(sig, v->as.str.len);
		if (v->as.str.ptr)
			hh_sig_bytes(sig, v->as.str.ptr, v->as.str.len);
	} else if (v->type != HIVEHA_TYPE_EMPTY) {
		uint64_t u;

		switch (v->type) {
		case HIVEHA_TYPE_BOOL: u = v->as.b; break;
		case HIVEHA_TYPE_FLOAT: {
			uint32_t f;
			memcpy(&f, &v->as.f32, sizeof(f));
			u = f;
			break;
		}
		default: memcpy(&u, &v->as.u64, sizeof(u)); break;
		}
		hh_sig_u64(sig, u);
	}
}

static void sig_text(uint64_t *sig, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	hh_sig_u64(sig, s ? n + 1 : 0);
	if (n)
		hh_sig_bytes(sig, s, n);
}

void hh_sig_event(uint64_t *sig, const hiveha_event *e)
{
	hh_sig_u64(sig, (uint64_t)e->time);
	hh_sig_u64(sig, (uint64_t)e->received_time);
	hh_sig_u64(sig, (uint64_t)e->source_id << 32 | e->type_id);
	hh_sig_u64(sig, (uint64_t)e->severity << 32 | e->state);
	sig_text(sig, e->message);
	sig_text(sig, e->source_name);
	hh_sig_u64(sig, e->attribute_count);
}

int hh_page_guard_repeat(hh_page_guard *g, uint64_t sig, int has_cursor)
{
	int repeat = has_cursor && g->have && g->last == sig;

	g->have = has_cursor;
	g->last = sig;
	return repeat;
}
