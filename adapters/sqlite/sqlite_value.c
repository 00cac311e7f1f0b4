/*
 * sqlite_value.c - hiveha_value <-> (type, value) columns, and the growable
 * buffer that packs arrays (here and in sqlite_attrs.c).
 *
 * Every value is kept bit-exact. SQLite turns a NaN bound as REAL into
 * NULL and keeps no NaN payload, so doubles and floats are stored as the
 * INTEGER holding their IEEE-754 bit pattern; uint64 is stored as the
 * int64 with the same bits. The `type` column says how to read them back.
 *
 * Vectors and matrices (schema v2) are kept as one BLOB in `value`: their
 * packed form (hiveha_value_pack: fixed-width little-endian, so a file
 * moves between machines), which repeats the tag; reading checks that it
 * matches `type`. Scalars keep the v1 columns, not packed: no copy, no
 * extra bytes on the hot path, and v1 rows need no rewrite.
 * The event attribute blob is in sqlite_attrs.c.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

sqlite3_int64 hh_sq_scalar_bits(const hiveha_value *v)
{
	sqlite3_int64 bits = 0;

	switch (v->type) {
	case HIVEHA_TYPE_BOOL:
		return v->as.b ? 1 : 0;
	case HIVEHA_TYPE_INT64:
		return v->as.i64;
	case HIVEHA_TYPE_UINT64:
		memcpy(&bits, &v->as.u64, sizeof bits);
		return bits;
	case HIVEHA_TYPE_FLOAT: {
		uint32_t u;

		memcpy(&u, &v->as.f32, sizeof u);
		return (sqlite3_int64)u;
	}
	case HIVEHA_TYPE_DOUBLE:
		memcpy(&bits, &v->as.f64, sizeof bits);
		return bits;
	case HIVEHA_TYPE_TIME:
		return v->as.time;
	default:
		return 0;
	}
}

void hh_sq_scalar_set(hiveha_value *out, uint32_t type, sqlite3_int64 bits)
{
	memset(out, 0, sizeof *out);
	out->type = type;
	switch (type) {
	case HIVEHA_TYPE_BOOL:
		out->as.b = bits != 0;
		break;
	case HIVEHA_TYPE_INT64:
		out->as.i64 = bits;
		break;
	case HIVEHA_TYPE_UINT64:
		memcpy(&out->as.u64, &bits, sizeof bits);
		break;
	case HIVEHA_TYPE_FLOAT: {
		uint32_t u = (uint32_t)bits;

		memcpy(&out->as.f32, &u, sizeof u);
		break;
	}
	case HIVEHA_TYPE_DOUBLE:
		memcpy(&out->as.f64, &bits, sizeof bits);
		break;
	case HIVEHA_TYPE_TIME:
		out->as.time = bits;
		break;
	default:
		break;
	}
}

/* Arrays are checked with value.h's public accessors only: the core's own
 * tag check (lib/value_array.h) is not for adapters. A valid array tag
 * without a payload is refused here, before anything is written. */
int hh_sq_value_supported(const hiveha_value *v)
{
	uint32_t elem;

	if (v->type > HIVEHA_TYPE_TIME) {
		if (!hiveha_value_is_array(v) || v->as.arr == NULL)
			return 0;
		elem = hiveha_value_element_type(v);
		return elem >= HIVEHA_TYPE_BOOL && elem <= HIVEHA_TYPE_TIME;
	}
	if (v->type == HIVEHA_TYPE_STRING && v->as.str.ptr == NULL && v->as.str.len > 0)
		return 0;
	return 1;
}

/* ---- growable buffer ---------------------------------------------------- */

static int hh_sq_reserve(hh_sq_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 64;
	unsigned char *p;

	if (b->cap - b->len >= n)
		return 0;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2)
			return HIVEHA_ENOMEM;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (p == NULL)
		return HIVEHA_ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int hh_sq_put(hh_sq_buf *b, const void *data, size_t n)
{
	int status = hh_sq_reserve(b, n);

	if (status != 0)
		return status;
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

/* Appends the packed form of `v`; sizes the buffer from a first try that
 * reports the length, so a reused buffer packs in one pass. */
int hh_sq_put_packed(hh_sq_buf *b, const hiveha_value *v, size_t *n)
{
	size_t need = 0;
	int status = hiveha_value_pack(v, b->p != NULL ? b->p + b->len : NULL, b->cap - b->len, &need);

	if (status == HIVEHA_ERANGE) {
		status = hh_sq_reserve(b, need);
		if (status == 0)
			status = hiveha_value_pack(v, b->p + b->len, b->cap - b->len, &need);
	}
	if (status != 0)
		return status == HIVEHA_ENOMEM ? status : HIVEHA_EINVAL;
	b->len += need;
	*n = need;
	return 0;
}

void hh_sq_buf_free(hh_sq_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* Packs an array into `scratch` (reused across a statement's rows) for
 * hh_sq_value_bind; nothing to do for a scalar. */
int hh_sq_value_pack(const hiveha_value *v, hh_sq_buf *scratch)
{
	size_t n = 0;

	scratch->len = 0;
	return v->type > HIVEHA_TYPE_TIME ? hh_sq_put_packed(scratch, v, &n) : 0;
}

/* An array is bound from `packed` (hh_sq_value_pack): the caller steps
 * before it packs the next one. */
int hh_sq_value_bind(sqlite3_stmt *s, int type_col, int value_col, const hiveha_value *v,
                     const hh_sq_buf *packed)
{
	int rc = sqlite3_bind_int64(s, type_col, (sqlite3_int64)v->type);

	if (rc != SQLITE_OK)
		return rc;
	if (v->type > HIVEHA_TYPE_TIME) {
		if (packed->len > INT32_MAX)
			return SQLITE_TOOBIG;
		return sqlite3_bind_blob(s, value_col, packed->p, (int)packed->len, SQLITE_STATIC);
	}
	switch (v->type) {
	case HIVEHA_TYPE_EMPTY:
		return sqlite3_bind_null(s, value_col);
	case HIVEHA_TYPE_STRING:
		if (v->as.str.len > INT32_MAX)
			return SQLITE_TOOBIG;
		/* Static is safe: the statement is stepped before the caller's data changes. */
		return sqlite3_bind_text(s, value_col, v->as.str.ptr != NULL ? v->as.str.ptr : "",
		                         (int)v->as.str.len, SQLITE_STATIC);
	default:
		return sqlite3_bind_int64(s, value_col, hh_sq_scalar_bits(v));
	}
}

/* The packed form in `value` must be a BLOB whose own tag is `type`. */
static int hh_sq_array_column(sqlite3_stmt *s, int value_col, uint32_t type, hiveha_value *out)
{
	const void *p;
	size_t len;
	int status;

	memset(out, 0, sizeof *out);
	if (sqlite3_column_type(s, value_col) != SQLITE_BLOB)
		return HIVEHA_ESTORE;
	p = sqlite3_column_blob(s, value_col);
	len = (size_t)sqlite3_column_bytes(s, value_col);
	if (p == NULL)
		return sqlite3_errcode(sqlite3_db_handle(s)) == SQLITE_NOMEM ? HIVEHA_ENOMEM : HIVEHA_ESTORE;
	status = hiveha_value_unpack(out, p, len);
	if (status == 0 && out->type != type) {
		hiveha_value_clear(out);
		status = HIVEHA_ESTORE;
	}
	return status == 0 || status == HIVEHA_ENOMEM ? status : HIVEHA_ESTORE;
}

/* Reads a value; a string is malloc'ed (free with free(out->as.str.ptr)),
 * an array is released with hiveha_value_clear(). */
int hh_sq_value_column(sqlite3_stmt *s, int type_col, int value_col, hiveha_value *out)
{
	sqlite3_int64 tag = sqlite3_column_int64(s, type_col);
	uint32_t type;

	if (tag < 0 || tag > (sqlite3_int64)UINT32_MAX)
		return HIVEHA_ESTORE;
	type = (uint32_t)tag;

	if (type == HIVEHA_TYPE_STRING) {
		const unsigned char *p = sqlite3_column_text(s, value_col);
		size_t len = (size_t)sqlite3_column_bytes(s, value_col);

		memset(out, 0, sizeof *out);
		out->type = type;
		out->as.str.ptr = malloc(len + 1);
		if (out->as.str.ptr == NULL)
			return HIVEHA_ENOMEM;
		if (len > 0)
			memcpy(out->as.str.ptr, p, len);
		out->as.str.ptr[len] = '\0';
		out->as.str.len = len;
		return 0;
	}
	if (type > HIVEHA_TYPE_TIME)
		return hh_sq_array_column(s, value_col, type, out);
	hh_sq_scalar_set(out, type, sqlite3_column_int64(s, value_col));
	return 0;
}
