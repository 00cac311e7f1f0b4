/*
 * value.c - values, samples and events (DESIGN section 4).
 *
 * Everything a helper here allocates comes from the C library heap, as
 * value.h promises: these objects cross into host code, which frees them
 * with the _clear() functions whatever allocator a governor uses.
 */
#include <hiveha/value.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "value_array.h"

static void set_scalar(hiveha_value *v, uint32_t type)
{
	v->type = type;
	v->reserved = 0;
	memset(&v->as, 0, sizeof(v->as));
}

void hiveha_value_set_bool(hiveha_value *v, bool b)
{
	set_scalar(v, HIVEHA_TYPE_BOOL);
	v->as.b = b;
}

void hiveha_value_set_int64(hiveha_value *v, int64_t i)
{
	set_scalar(v, HIVEHA_TYPE_INT64);
	v->as.i64 = i;
}

void hiveha_value_set_uint64(hiveha_value *v, uint64_t u)
{
	set_scalar(v, HIVEHA_TYPE_UINT64);
	v->as.u64 = u;
}

void hiveha_value_set_float(hiveha_value *v, float f)
{
	set_scalar(v, HIVEHA_TYPE_FLOAT);
	v->as.f32 = f;
}

void hiveha_value_set_double(hiveha_value *v, double d)
{
	set_scalar(v, HIVEHA_TYPE_DOUBLE);
	v->as.f64 = d;
}

void hiveha_value_set_time(hiveha_value *v, hiveha_time t)
{
	set_scalar(v, HIVEHA_TYPE_TIME);
	v->as.time = t;
}

int hiveha_value_set_string(hiveha_value *v, const char *s, size_t len)
{
	char *p;

	if (!v || (!s && len > 0))
		return HIVEHA_EINVAL;
	p = hh_strndup(NULL, s, len);
	if (!p)
		return HIVEHA_ENOMEM;
	set_scalar(v, HIVEHA_TYPE_STRING);
	v->as.str.ptr = p;
	v->as.str.len = len;
	return HIVEHA_OK;
}

int hiveha_value_copy(hiveha_value *dst, const hiveha_value *src)
{
	if (!dst || !src)
		return HIVEHA_EINVAL;
	if (dst == src)
		return HIVEHA_OK;
	switch (src->type) {
	case HIVEHA_TYPE_EMPTY:
	case HIVEHA_TYPE_BOOL:
	case HIVEHA_TYPE_INT64:
	case HIVEHA_TYPE_UINT64:
	case HIVEHA_TYPE_FLOAT:
	case HIVEHA_TYPE_DOUBLE:
	case HIVEHA_TYPE_TIME:
		*dst = *src;
		dst->reserved = 0;
		return HIVEHA_OK;
	case HIVEHA_TYPE_STRING:
		return hiveha_value_set_string(dst, src->as.str.ptr, src->as.str.len);
	default:
		if (!hh_type_valid(src->type))
			return HIVEHA_EINVAL;
		return hh_value_array_copy(dst, src);
	}
}

static int cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* The total order of value.h: -0.0 < +0.0, NaNs largest and ordered by
 * their bits (equal only when bit-identical). */
static int cmp_double(double a, double b)
{
	/* isnan() is only "non-zero" (MinGW returns other values than 1), so
	 * normalise before subtracting. */
	int na = isnan(a) != 0, nb = isnan(b) != 0;

	if (na && nb) {
		uint64_t ba, bb;

		memcpy(&ba, &a, sizeof(ba));
		memcpy(&bb, &b, sizeof(bb));
		return cmp_u64(ba, bb);
	}
	if (na || nb)
		return na - nb;
	if (a < b)
		return -1;
	if (a > b)
		return 1;
	if (a == 0.0) /* both zero: the sign decides */
		return (signbit(b) != 0) - (signbit(a) != 0);
	return 0;
}

/* Floats by their own bits: widening a signalling NaN to double may quiet
 * it, which would make two different floats equal. */
static int cmp_float(float a, float b)
{
	if (isnan(a) && isnan(b)) {
		uint32_t ba, bb;

		memcpy(&ba, &a, sizeof(ba));
		memcpy(&bb, &b, sizeof(bb));
		return cmp_u64(ba, bb);
	}
	return cmp_double((double)a, (double)b);
}

static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int r = n ? memcmp(a, b, n) : 0;

	if (r)
		return r < 0 ? -1 : 1;
	return cmp_u64(alen, blen);
}

/* Element i of two arrays of the same element type. */
static int cmp_elem(uint32_t elem, const void *a, const void *b, size_t i)
{
	switch (elem) {
	case HIVEHA_TYPE_BOOL:
		return (((const bool *)a)[i] != 0) - (((const bool *)b)[i] != 0);
	case HIVEHA_TYPE_INT64:
		return cmp_i64(((const int64_t *)a)[i], ((const int64_t *)b)[i]);
	case HIVEHA_TYPE_UINT64:
		return cmp_u64(((const uint64_t *)a)[i], ((const uint64_t *)b)[i]);
	case HIVEHA_TYPE_FLOAT:
		return cmp_float(((const float *)a)[i], ((const float *)b)[i]);
	case HIVEHA_TYPE_DOUBLE:
		return cmp_double(((const double *)a)[i], ((const double *)b)[i]);
	case HIVEHA_TYPE_TIME:
		return cmp_i64(((const hiveha_time *)a)[i], ((const hiveha_time *)b)[i]);
	default: {
		const hiveha_string *x = (const hiveha_string *)a + i, *y = (const hiveha_string *)b + i;

		return cmp_bytes(x->ptr, x->len, y->ptr, y->len);
	}
	}
}

/* Same tag: rows, cols, then the elements in row-major order. */
static int cmp_arrays(const hiveha_value *a, const hiveha_value *b)
{
	size_t n = hiveha_value_count(a), i;
	uint32_t elem = hiveha_value_element_type(a);
	const void *ea = hiveha_value_elements(a), *eb = hiveha_value_elements(b);
	int r = cmp_u64(hiveha_value_rows(a), hiveha_value_rows(b));

	if (!r)
		r = cmp_u64(hiveha_value_cols(a), hiveha_value_cols(b));
	for (i = 0; !r && i < n; i++)
		r = cmp_elem(elem, ea, eb, i);
	return r;
}

int hiveha_value_compare(const hiveha_value *a, const hiveha_value *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	switch (a->type) {
	case HIVEHA_TYPE_BOOL:
		return (a->as.b != 0) - (b->as.b != 0);
	case HIVEHA_TYPE_INT64:
		return cmp_i64(a->as.i64, b->as.i64);
	case HIVEHA_TYPE_UINT64:
		return cmp_u64(a->as.u64, b->as.u64);
	case HIVEHA_TYPE_FLOAT:
		return cmp_float(a->as.f32, b->as.f32);
	case HIVEHA_TYPE_DOUBLE:
		return cmp_double(a->as.f64, b->as.f64);
	case HIVEHA_TYPE_TIME:
		return cmp_i64(a->as.time, b->as.time);
	case HIVEHA_TYPE_STRING:
		return cmp_bytes(a->as.str.ptr, a->as.str.len, b->as.str.ptr, b->as.str.len);
	default:
		if (hh_type_is_array(a->type) && hh_type_valid(a->type))
			return cmp_arrays(a, b);
		/* EMPTY, and tags value.h does not define: equal. */
		return 0;
	}
}

void hiveha_value_clear(hiveha_value *v)
{
	if (!v)
		return;
	if (v->type == HIVEHA_TYPE_STRING)
		free(v->as.str.ptr);
	else if (hh_type_is_array(v->type) && hh_type_valid(v->type))
		hh_value_array_clear(v);
	memset(v, 0, sizeof(*v));
}

int hiveha_sample_compare(const hiveha_sample *a, const hiveha_sample *b)
{
	int r;

	if (!a || !b)
		return (a != NULL) - (b != NULL);
	r = cmp_i64(a->time, b->time);
	if (!r)
		r = hiveha_value_compare(&a->value, &b->value);
	if (!r)
		r = cmp_u64(a->quality, b->quality);
	return r;
}

/* ---- events ------------------------------------------------------------- */

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int cmp_str(const char *a, const char *b)
{
	int r = strcmp(or_empty(a), or_empty(b));

	return (r > 0) - (r < 0);
}

/* Copies a possibly NULL string; NULL stays NULL. */
static int dup_opt(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return HIVEHA_OK;
	*out = hh_strdup(NULL, s);
	return *out ? HIVEHA_OK : HIVEHA_ENOMEM;
}

int hiveha_event_copy(hiveha_event *dst, const hiveha_event *src)
{
	hiveha_event tmp;
	size_t i;
	int rc;

	if (!dst || !src)
		return HIVEHA_EINVAL;
	if (dst == src)
		return HIVEHA_OK;
	if (src->attribute_count && !src->attributes) {
		memset(dst, 0, sizeof(*dst));
		return HIVEHA_EINVAL;
	}
	tmp = *src;
	tmp.source_name = tmp.message = tmp.user_name = NULL;
	tmp.attributes = NULL;
	tmp.attribute_count = 0;
	/* Fill a private copy and publish it only when complete, so a failure
	 * leaves dst empty rather than half-owned. */
	rc = dup_opt(&tmp.source_name, src->source_name);
	if (!rc)
		rc = dup_opt(&tmp.message, src->message);
	if (!rc)
		rc = dup_opt(&tmp.user_name, src->user_name);
	if (rc)
		goto fail;
	if (src->attribute_count) {
		tmp.attributes = hh_calloc(NULL, src->attribute_count, sizeof(*tmp.attributes));
		if (!tmp.attributes) {
			rc = HIVEHA_ENOMEM;
			goto fail;
		}
		for (i = 0; i < src->attribute_count; i++) {
			/* Count first so that clear() releases a partial attribute. */
			tmp.attribute_count = i + 1;
			rc = dup_opt(&tmp.attributes[i].name, src->attributes[i].name);
			if (!rc)
				rc = hiveha_value_copy(&tmp.attributes[i].value, &src->attributes[i].value);
			if (rc)
				goto fail;
		}
	}
	*dst = tmp;
	return HIVEHA_OK;
fail:
	hiveha_event_clear(&tmp);
	memset(dst, 0, sizeof(*dst));
	return rc;
}

int hiveha_event_identity_compare(const hiveha_event *a, const hiveha_event *b)
{
	int r;

	if (!a || !b)
		return (a != NULL) - (b != NULL);
	r = cmp_i64(a->time, b->time);
	if (!r)
		r = cmp_u64(a->source_id, b->source_id);
	if (!r)
		r = cmp_u64(a->type_id, b->type_id);
	if (!r)
		r = cmp_str(a->message, b->message);
	return r;
}

bool hiveha_event_equal(const hiveha_event *a, const hiveha_event *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (hiveha_event_identity_compare(a, b) != 0 || a->received_time != b->received_time ||
	    a->category != b->category || a->state != b->state || a->severity != b->severity ||
	    cmp_str(a->source_name, b->source_name) || cmp_str(a->user_name, b->user_name) ||
	    a->attribute_count != b->attribute_count)
		return false;
	if (a->attribute_count && (!a->attributes || !b->attributes))
		return a->attributes == b->attributes;
	for (i = 0; i < a->attribute_count; i++) {
		if (cmp_str(a->attributes[i].name, b->attributes[i].name) ||
		    hiveha_value_compare(&a->attributes[i].value, &b->attributes[i].value))
			return false;
	}
	return true;
}

void hiveha_event_clear(hiveha_event *e)
{
	size_t i;

	if (!e)
		return;
	free(e->source_name);
	free(e->message);
	free(e->user_name);
	if (e->attributes) {
		for (i = 0; i < e->attribute_count; i++) {
			free(e->attributes[i].name);
			hiveha_value_clear(&e->attributes[i].value);
		}
		free(e->attributes);
	}
	memset(e, 0, sizeof(*e));
}
