/*
 * value_pack.c - the packed form of a value (docs/api/value.md "Packed
 * form"): a store's portable blob, little-endian and fixed-width so that a
 * file written on one machine reads back bit-exactly on any other.
 *
 *   u32 type
 *   scalar   EMPTY -, BOOL u8 0/1, FLOAT u32 bits, INT64 / UINT64 / DOUBLE /
 *            TIME u64 (two's complement / IEEE-754 bits), STRING u32 len +
 *            bytes
 *   vector   u32 count, then count elements coded as the scalars
 *   matrix   u32 rows, u32 cols, then rows x cols elements, row-major
 *
 * The layout is a file format: SQLite stores keep it (schema v2 records it
 * as ('value_blob', 1) in its `formats` table). Never change it in place;
 * a new layout needs a new tag or version and a schema migration.
 */
#include <string.h>

#include "value_array.h"

typedef struct packer {
	unsigned char *p;
	size_t size, len; /* len counts on past size: the length needed */
} packer;

static void put(packer *w, const void *data, size_t n)
{
	if (w->len <= w->size && n <= w->size - w->len && n)
		memcpy(w->p + w->len, data, n);
	w->len += n;
}

static void put_le(packer *w, uint64_t v, unsigned n)
{
	unsigned char b[8];
	unsigned i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	put(w, b, n);
}

static int put_scalar(packer *w, uint32_t type, const void *x)
{
	uint64_t u;
	uint32_t f;

	switch (type) {
	case HIVEHA_TYPE_EMPTY:
		return 0;
	case HIVEHA_TYPE_BOOL:
		put_le(w, *(const bool *)x ? 1 : 0, 1);
		return 0;
	case HIVEHA_TYPE_FLOAT:
		memcpy(&f, x, 4);
		put_le(w, f, 4);
		return 0;
	case HIVEHA_TYPE_STRING: {
		const hiveha_string *s = x;

		if (s->len > UINT32_MAX || (!s->ptr && s->len))
			return HIVEHA_EINVAL;
		put_le(w, s->len, 4);
		put(w, s->ptr, s->len);
		return 0;
	}
	default:
		memcpy(&u, x, 8);
		put_le(w, u, 8);
		return 0;
	}
}

int hiveha_value_pack(const hiveha_value *v, void *buf, size_t size, size_t *len_out)
{
	packer w = { buf, buf ? size : 0, 0 };
	uint32_t elem;
	int rc = 0;

	if (!v || !hh_type_valid(v->type))
		return HIVEHA_EINVAL;
	elem = v->type & HIVEHA_TYPE_SCALAR_MASK;
	put_le(&w, v->type, 4);
	if (!hh_type_is_array(v->type)) {
		hiveha_string s = { v->as.str.ptr, v->as.str.len };

		rc = put_scalar(&w, elem, elem == HIVEHA_TYPE_STRING ? (const void *)&s : &v->as);
	} else {
		const unsigned char *e = hiveha_value_elements(v);
		size_t n = hiveha_value_count(v), i, width = hh_elem_size(elem);

		if (!v->as.arr)
			return HIVEHA_EINVAL;
		if (v->type & HIVEHA_TYPE_MATRIX)
			put_le(&w, hiveha_value_rows(v), 4);
		put_le(&w, hiveha_value_cols(v), 4);
		for (i = 0; !rc && i < n; i++)
			rc = put_scalar(&w, elem, e + i * width);
	}
	if (rc)
		return rc;
	if (len_out)
		*len_out = w.len;
	return w.len <= w.size ? 0 : HIVEHA_ERANGE;
}

/* ---- reading ------------------------------------------------------------ */

typedef struct unpacker {
	const unsigned char *p;
	size_t left;
} unpacker;

static int get_le(unpacker *r, unsigned n, uint64_t *out)
{
	uint64_t v = 0;
	unsigned i;

	if (r->left < n)
		return HIVEHA_EPARSE;
	for (i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	r->left -= n;
	*out = v;
	return 0;
}

/* One scalar payload into `x` (a value's union or an element). Strings are
 * copied by the caller, who knows where they go. */
static int get_fixed(unpacker *r, uint32_t type, void *x)
{
	uint64_t u;
	uint32_t f;

	switch (type) {
	case HIVEHA_TYPE_BOOL:
		if (get_le(r, 1, &u) || u > 1)
			return HIVEHA_EPARSE;
		*(bool *)x = u != 0;
		return 0;
	case HIVEHA_TYPE_FLOAT:
		if (get_le(r, 4, &u))
			return HIVEHA_EPARSE;
		f = (uint32_t)u;
		memcpy(x, &f, 4);
		return 0;
	default:
		if (get_le(r, 8, &u))
			return HIVEHA_EPARSE;
		memcpy(x, &u, 8);
		return 0;
	}
}

static int get_string(unpacker *r, const unsigned char **s, size_t *len)
{
	uint64_t n;

	if (get_le(r, 4, &n) || n > r->left)
		return HIVEHA_EPARSE;
	*s = r->p;
	*len = (size_t)n;
	r->p += n;
	r->left -= (size_t)n;
	return 0;
}

static int get_elements(unpacker *r, hiveha_value *out)
{
	uint32_t elem = out->type & HIVEHA_TYPE_SCALAR_MASK;
	size_t n = hiveha_value_count(out), i, width = hh_elem_size(elem);
	unsigned char *e = hiveha_value_elements_mut(out);
	int rc;

	for (i = 0; i < n; i++) {
		if (elem == HIVEHA_TYPE_STRING) {
			const unsigned char *s;
			size_t len;

			rc = get_string(r, &s, &len);
			if (!rc)
				rc = hiveha_value_set_string_at(out, i, (const char *)s, len);
		} else {
			rc = get_fixed(r, elem, e + i * width);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int unpack(hiveha_value *out, unpacker *r)
{
	uint64_t type, rows = 1, cols = 0;
	uint32_t elem;
	int rc;

	if (get_le(r, 4, &type) || !hh_type_valid((uint32_t)type))
		return HIVEHA_EPARSE;
	elem = (uint32_t)type & HIVEHA_TYPE_SCALAR_MASK;
	if (!hh_type_is_array((uint32_t)type)) {
		if (elem == HIVEHA_TYPE_STRING) {
			const unsigned char *s;
			size_t len;

			rc = get_string(r, &s, &len);
			return rc ? rc : hiveha_value_set_string(out, (const char *)s, len);
		}
		if (elem != HIVEHA_TYPE_EMPTY) {
			rc = get_fixed(r, elem, &out->as);
			if (rc)
				return rc;
		}
		out->type = elem;
		return 0;
	}
	if ((type & HIVEHA_TYPE_MATRIX) && get_le(r, 4, &rows))
		return HIVEHA_EPARSE;
	if (get_le(r, 4, &cols))
		return HIVEHA_EPARSE;
	if (hh_dims_check((size_t)rows, (size_t)cols))
		return HIVEHA_ELIMIT;
	/* Every element takes at least one byte: a count the bytes cannot hold
	 * is refused before anything is allocated for it. */
	if (rows * cols > r->left)
		return HIVEHA_EPARSE;
	rc = (type & HIVEHA_TYPE_MATRIX)
	             ? hiveha_value_set_matrix(out, elem, NULL, (size_t)rows, (size_t)cols)
	             : hiveha_value_set_vector(out, elem, NULL, (size_t)cols);
	if (rc)
		return rc;
	return get_elements(r, out);
}

int hiveha_value_unpack(hiveha_value *out, const void *data, size_t len)
{
	unpacker r = { data, len };
	int rc;

	if (!out || (!data && len))
		return HIVEHA_EINVAL;
	memset(out, 0, sizeof(*out));
	rc = unpack(out, &r);
	if (!rc && r.left)
		rc = HIVEHA_EPARSE;
	if (rc)
		hiveha_value_clear(out);
	return rc;
}
