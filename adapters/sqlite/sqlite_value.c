/*
 * sqlite_value.c - hiveha_value <-> (type, value) columns, and the event
 * attribute blob.
 *
 * Every value is kept bit-exact. SQLite turns a NaN bound as REAL into
 * NULL and keeps no NaN payload, so doubles and floats are stored as the
 * INTEGER holding their IEEE-754 bit pattern; uint64 is stored as the
 * int64 with the same bits. The `type` column says how to read them back.
 *
 * Attribute blob (little-endian): u32 count, then per attribute: u32 name
 * length, name bytes, u32 type, and either u64 bits (scalars) or u32 length
 * + bytes (strings). Decoding checks every length against the blob.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

static sqlite3_int64 hh_sq_scalar_bits(const hiveha_value *v)
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

static void hh_sq_scalar_set(hiveha_value *out, uint32_t type, sqlite3_int64 bits)
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

int hh_sq_value_supported(const hiveha_value *v)
{
	if (v->type > HIVEHA_TYPE_TIME)
		return 0;
	if (v->type == HIVEHA_TYPE_STRING && v->as.str.ptr == NULL && v->as.str.len > 0)
		return 0;
	return 1;
}

int hh_sq_value_bind(sqlite3_stmt *s, int type_col, int value_col, const hiveha_value *v)
{
	int rc = sqlite3_bind_int(s, type_col, (int)v->type);

	if (rc != SQLITE_OK)
		return rc;
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

/* Reads a value; a string is malloc'ed (free with free(out->as.str.ptr)). */
int hh_sq_value_column(sqlite3_stmt *s, int type_col, int value_col, hiveha_value *out)
{
	uint32_t type = (uint32_t)sqlite3_column_int64(s, type_col);

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
		return HIVEHA_ESTORE;
	hh_sq_scalar_set(out, type, sqlite3_column_int64(s, value_col));
	return 0;
}

/* ---- attribute blob ----------------------------------------------------- */

typedef struct hh_sq_buf {
	unsigned char *p;
	size_t len, cap;
} hh_sq_buf;

static int hh_sq_put(hh_sq_buf *b, const void *data, size_t n)
{
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 64;
		unsigned char *p;

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
	}
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

static int hh_sq_put_u32(hh_sq_buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
	                       (unsigned char)(v >> 24) };

	return hh_sq_put(b, x, sizeof x);
}

static int hh_sq_put_u64(hh_sq_buf *b, uint64_t v)
{
	int status = hh_sq_put_u32(b, (uint32_t)v);

	return status != 0 ? status : hh_sq_put_u32(b, (uint32_t)(v >> 32));
}

int hh_sq_attrs_encode(const hiveha_attribute *a, size_t n, unsigned char **out, size_t *len)
{
	hh_sq_buf b = { NULL, 0, 0 };
	int status;

	*out = NULL;
	*len = 0;
	if (n > UINT32_MAX)
		return HIVEHA_EINVAL;
	status = hh_sq_put_u32(&b, (uint32_t)n);
	for (size_t i = 0; status == 0 && i < n; i++) {
		const char *name = a[i].name != NULL ? a[i].name : "";
		size_t nlen = strlen(name);
		const hiveha_value *v = &a[i].value;

		if (!hh_sq_value_supported(v) || nlen > UINT32_MAX ||
		    (v->type == HIVEHA_TYPE_STRING && v->as.str.len > UINT32_MAX)) {
			status = HIVEHA_EINVAL;
			break;
		}
		status = hh_sq_put_u32(&b, (uint32_t)nlen);
		if (status == 0)
			status = hh_sq_put(&b, name, nlen);
		if (status == 0)
			status = hh_sq_put_u32(&b, v->type);
		if (status == 0 && v->type == HIVEHA_TYPE_STRING) {
			status = hh_sq_put_u32(&b, (uint32_t)v->as.str.len);
			if (status == 0)
				status = hh_sq_put(&b, v->as.str.ptr, v->as.str.len);
		} else if (status == 0) {
			sqlite3_int64 bits = hh_sq_scalar_bits(v);
			uint64_t u;

			memcpy(&u, &bits, sizeof u);
			status = hh_sq_put_u64(&b, u);
		}
	}
	if (status != 0) {
		free(b.p);
		return status;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

typedef struct hh_sq_reader {
	const unsigned char *p;
	size_t left;
} hh_sq_reader;

static int hh_sq_get_u32(hh_sq_reader *r, uint32_t *v)
{
	if (r->left < 4)
		return HIVEHA_ESTORE;
	*v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int hh_sq_get_str(hh_sq_reader *r, uint32_t len, char **out)
{
	if (r->left < len)
		return HIVEHA_ESTORE;
	*out = malloc((size_t)len + 1);
	if (*out == NULL)
		return HIVEHA_ENOMEM;
	memcpy(*out, r->p, len);
	(*out)[len] = '\0';
	r->p += len;
	r->left -= len;
	return 0;
}

void hh_sq_attrs_free(hiveha_attribute *a, size_t n)
{
	for (size_t i = 0; a != NULL && i < n; i++) {
		free(a[i].name);
		if (a[i].value.type == HIVEHA_TYPE_STRING)
			free(a[i].value.as.str.ptr);
	}
	free(a);
}

int hh_sq_attrs_decode(const unsigned char *p, size_t len, hiveha_attribute **out, size_t *n)
{
	hh_sq_reader r = { p, len };
	hiveha_attribute *a;
	uint32_t count;
	size_t i;
	int status;

	*out = NULL;
	*n = 0;
	if (p == NULL || len == 0)
		return 0;
	status = hh_sq_get_u32(&r, &count);
	if (status != 0)
		return status;
	if (count == 0)
		return 0;
	/* Each attribute takes at least 16 bytes: bounds the allocation by the blob. */
	if (count > r.left / 16)
		return HIVEHA_ESTORE;
	a = calloc(count, sizeof *a);
	if (a == NULL)
		return HIVEHA_ENOMEM;
	for (i = 0; status == 0 && i < count; i++) {
		uint32_t nlen = 0, type = 0, lo = 0, hi = 0;

		status = hh_sq_get_u32(&r, &nlen);
		if (status == 0)
			status = hh_sq_get_str(&r, nlen, &a[i].name);
		if (status == 0)
			status = hh_sq_get_u32(&r, &type);
		if (status == 0 && type == HIVEHA_TYPE_STRING) {
			status = hh_sq_get_u32(&r, &lo);
			if (status == 0)
				status = hh_sq_get_str(&r, lo, &a[i].value.as.str.ptr);
			if (status == 0) {
				a[i].value.type = type;
				a[i].value.as.str.len = lo;
			}
		} else if (status == 0 && type <= HIVEHA_TYPE_TIME) {
			status = hh_sq_get_u32(&r, &lo);
			if (status == 0)
				status = hh_sq_get_u32(&r, &hi);
			if (status == 0) {
				uint64_t u = (uint64_t)hi << 32 | lo;
				sqlite3_int64 bits;

				memcpy(&bits, &u, sizeof bits);
				hh_sq_scalar_set(&a[i].value, type, bits);
			}
		} else if (status == 0) {
			status = HIVEHA_ESTORE;
		}
	}
	if (status == 0 && r.left != 0)
		status = HIVEHA_ESTORE;
	if (status != 0) {
		hh_sq_attrs_free(a, count);
		return status;
	}
	*out = a;
	*n = count;
	return 0;
}
