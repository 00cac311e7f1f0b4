/*
 * sqlite_attrs.c - the event attribute blob (events.attributes).
 *
 * Little-endian: u32 count, then per attribute: u32 name length, name
 * bytes, u32 type, and either u64 bits (scalars), u32 length + bytes
 * (strings), or u32 length + the packed form (vectors and matrices, schema
 * v2; hiveha_value_pack, whose own tag must match). A v1 blob is a valid v2
 * blob. Decoding checks every length against the blob and never allocates
 * more than the blob can hold.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

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

/* u32 length, then the packed form; the length is written once known. */
static int hh_sq_put_array(hh_sq_buf *b, const hiveha_value *v)
{
	size_t at = b->len, n = 0;
	int status = hh_sq_put_u32(b, 0);

	if (status == 0)
		status = hh_sq_put_packed(b, v, &n);
	if (status == 0 && n > UINT32_MAX)
		status = HIVEHA_EINVAL;
	if (status == 0) {
		b->p[at] = (unsigned char)n;
		b->p[at + 1] = (unsigned char)(n >> 8);
		b->p[at + 2] = (unsigned char)(n >> 16);
		b->p[at + 3] = (unsigned char)(n >> 24);
	}
	return status;
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
		if (status == 0 && v->type > HIVEHA_TYPE_TIME) {
			status = hh_sq_put_array(&b, v);
		} else if (status == 0 && v->type == HIVEHA_TYPE_STRING) {
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

/* `len` bytes of packed form whose tag must be `type` (a corrupt `type`
 * that is no array tag never matches what hiveha_value_unpack returns). */
static int hh_sq_get_array(hh_sq_reader *r, uint32_t len, uint32_t type, hiveha_value *out)
{
	int status;

	if (r->left < len)
		return HIVEHA_ESTORE;
	status = hiveha_value_unpack(out, r->p, len);
	if (status == 0 && out->type != type) {
		hiveha_value_clear(out);
		status = HIVEHA_ESTORE;
	}
	if (status != 0)
		return status == HIVEHA_ENOMEM ? status : HIVEHA_ESTORE;
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
		else if (a[i].value.type > HIVEHA_TYPE_TIME)
			hiveha_value_clear(&a[i].value);
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
		if (status == 0 && type > HIVEHA_TYPE_TIME) {
			status = hh_sq_get_u32(&r, &lo);
			if (status == 0)
				status = hh_sq_get_array(&r, lo, type, &a[i].value);
		} else if (status == 0 && type == HIVEHA_TYPE_STRING) {
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
