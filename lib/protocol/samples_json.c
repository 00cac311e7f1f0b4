/*
 * protocol/samples_json.c - the columnar JSON sample encoding (HH_ENC_JSON),
 * the slow interoperable path. Bulk replies use protocol/samples_bin.c.
 * Also the JSON payload of one value, scalar or array, which event
 * attributes share.
 *
 * Columns of an item with `count` samples:
 *   "t":  [ "<first time>", delta, ... ]  deltas >= 0, numbers up to 2^53-1,
 *                                         decimal strings above that
 *   "vt": type (all samples) or [type, ...]
 *   "v":  [payload, ...]
 *   "q":  quality (all samples) or [quality, ...]
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"
#include "value_array.h"

#define MAX_EXACT_DELTA ((UINT64_C(1) << 53) - 1)

/* Order-preserving map of int64 onto uint64, so that deltas never overflow. */
static uint64_t ord(hiveha_time t)
{
	return (uint64_t)t ^ (UINT64_C(1) << 63);
}

static cJSON *uniform_or_array(const hiveha_sample *s, size_t n, hh_column col)
{
	char buf[24];
	size_t i;
	uint32_t first = hh_column_of(&s[0], col);
	cJSON *arr, *it;

	for (i = 1; i < n; i++) {
		if (hh_column_of(&s[i], col) != first)
			break;
	}
	if (i == n) {
		hh_fmt_u64(buf, first);
		return cJSON_CreateRaw(buf);
	}
	arr = cJSON_CreateArray();
	if (!arr)
		return NULL;
	for (i = 0; i < n; i++) {
		hh_fmt_u64(buf, hh_column_of(&s[i], col));
		it = cJSON_CreateRaw(buf);
		if (!it) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, it);
	}
	return arr;
}

int hh_samples_json_encode(cJSON *obj, const hh_ts_item *item)
{
	const hiveha_sample *s = item->samples;
	size_t n = item->count, i;
	cJSON *t, *v, *it;
	char buf[24];
	uint64_t d;
	int rc;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (!hh_valid_type(s[i].value.type))
			return HIVEHA_EINVAL;
		if (i && s[i].time < s[i - 1].time)
			return HIVEHA_EINVAL;
	}
	t = cJSON_AddArrayToObject(obj, "t");
	if (!t)
		return HIVEHA_ENOMEM;
	for (i = 0; i < n; i++) {
		if (i == 0) {
			hh_fmt_i64(buf, s[0].time);
			it = cJSON_CreateString(buf);
		} else {
			d = ord(s[i].time) - ord(s[i - 1].time);
			hh_fmt_u64(buf, d);
			it = d <= MAX_EXACT_DELTA ? cJSON_CreateRaw(buf) : cJSON_CreateString(buf);
		}
		if (!it)
			return HIVEHA_ENOMEM;
		cJSON_AddItemToArray(t, it);
	}
	it = uniform_or_array(s, n, HH_COL_TYPE);
	if (!it)
		return HIVEHA_ENOMEM;
	cJSON_AddItemToObject(obj, "vt", it);
	v = cJSON_AddArrayToObject(obj, "v");
	if (!v)
		return HIVEHA_ENOMEM;
	for (i = 0; i < n; i++) {
		it = hh_json_value_encode(&s[i].value, &rc);
		if (!it)
			return rc;
		cJSON_AddItemToArray(v, it);
	}
	it = uniform_or_array(s, n, HH_COL_QUALITY);
	if (!it)
		return HIVEHA_ENOMEM;
	cJSON_AddItemToObject(obj, "q", it);
	return 0;
}

/* A column that is a single number (for all samples) or an array of exactly
 * `count` numbers. On success *arr is the array or NULL for the uniform case. */
static int column(const cJSON *obj, const char *key, size_t count, const cJSON **arr,
                  uint32_t *uniform, hh_errbuf *err)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, key);

	*arr = NULL;
	if (hh_json_u32_of(c, uniform) == 0)
		return 0;
	if (!cJSON_IsArray(c) || (size_t)cJSON_GetArraySize(c) != count)
		return hh_err(err, HIVEHA_EPROTOCOL, "\"%s\" must be a number or an array of %zu", key,
		              count);
	*arr = c->child;
	return 0;
}

int hh_samples_json_decode(const cJSON *obj, hh_ts_item *item, size_t count, const hh_limits *lim,
                           hh_errbuf *err)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "t");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "v");
	const cJSON *ti, *vi, *vt, *q;
	uint32_t vt_all = 0, q_all = 0, type, qual;
	hiveha_sample *s;
	uint64_t cur = 0, d;
	size_t i;
	int rc;

	item->samples = NULL;
	item->count = 0;
	if (count == 0)
		return 0;
	if (!cJSON_IsArray(t) || (size_t)cJSON_GetArraySize(t) != count ||
	    !cJSON_IsArray(v) || (size_t)cJSON_GetArraySize(v) != count)
		return hh_err(err, HIVEHA_EPROTOCOL, "\"t\" and \"v\" must be arrays of %zu", count);
	rc = column(obj, "vt", count, &vt, &vt_all, err);
	if (!rc)
		rc = column(obj, "q", count, &q, &q_all, err);
	if (rc)
		return rc;
	if (!vt && !hh_valid_type(vt_all))
		return hh_err(err, HIVEHA_EPROTOCOL, "invalid value type");
	s = calloc(count, sizeof(*s));
	if (!s)
		return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	ti = t->child;
	vi = v->child;
	for (i = 0; i < count; i++) {
		if (i == 0) {
			int64_t t0;

			if (!cJSON_IsString(ti) || hh_parse_i64(ti->valuestring, &t0)) {
				rc = hh_err(err, HIVEHA_EPROTOCOL, "\"t\"[0] must be a decimal time string");
				goto fail;
			}
			cur = ord(t0);
		} else {
			int ok;

			if (cJSON_IsString(ti))
				ok = hh_parse_u64(ti->valuestring, &d) == 0;
			else
				ok = cJSON_IsNumber(ti) && ti->valuedouble >= 0 &&
				     ti->valuedouble <= (double)MAX_EXACT_DELTA &&
				     ti->valuedouble == (double)(uint64_t)ti->valuedouble;
			if (ok && !cJSON_IsString(ti))
				d = (uint64_t)ti->valuedouble;
			if (!ok || d > UINT64_MAX - cur) {
				rc = hh_err(err, HIVEHA_EPROTOCOL, "\"t\"[%zu] is not a valid time delta", i);
				goto fail;
			}
			cur += d;
		}
		s[i].time = (hiveha_time)(cur ^ (UINT64_C(1) << 63));
		if (vt) {
			rc = hh_json_type_of(vt, &type, err);
			if (rc)
				goto fail;
			vt = vt->next;
		} else {
			type = vt_all;
		}
		if (q) {
			if (hh_json_u32_of(q, &qual)) {
				rc = hh_err(err, HIVEHA_EPROTOCOL, "\"q\"[%zu] is not a quality", i);
				goto fail;
			}
			q = q->next;
		} else {
			qual = q_all;
		}
		s[i].quality = qual;
		rc = hh_json_value_decode(&s[i].value, type, vi, lim, err);
		if (rc)
			goto fail;
		ti = ti->next;
		vi = vi->next;
	}
	item->samples = s;
	item->count = count;
	return 0;
fail:
	hh_samples_free(s, count);
	return rc;
}

/* ---- value payloads (docs/protocol.md "Values"), also of event
 * attributes ------------------------------------------------------------- */

/* "NaN:" and the bits as `digits` lowercase hex digits: the one spelling of
 * a NaN other than the canonical quiet one (docs/protocol.md "Values"). */
static void fmt_nan(char *buf, uint64_t bits, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";
	unsigned i;

	memcpy(buf, "NaN:", 4);
	for (i = 0; i < digits; i++)
		buf[4 + i] = hex[(bits >> (4 * (digits - 1 - i))) & 0xF];
	buf[4 + digits] = '\0';
}

static int parse_nan_bits(const char *s, unsigned digits, uint64_t *out)
{
	uint64_t v = 0;
	unsigned i;

	if (strncmp(s, "NaN:", 4) != 0 || strlen(s) != 4 + (size_t)digits)
		return HIVEHA_EPROTOCOL;
	for (i = 0; i < digits; i++) {
		char c = s[4 + i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a') + 10;
		else
			return HIVEHA_EPROTOCOL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* Reads a non-finite spelling into *v (FLOAT or DOUBLE, bit-exact). */
static int nonfinite_of(const char *s, uint32_t type, hiveha_value *v)
{
	uint64_t bits = 0;
	double d = 0;

	if (!strcmp(s, "NaN"))
		bits = type == HIVEHA_TYPE_FLOAT ? HH_FLOAT_QNAN : HH_DOUBLE_QNAN;
	else if (!strcmp(s, "Inf"))
		d = INFINITY;
	else if (!strcmp(s, "-Inf"))
		d = -INFINITY;
	else if (type == HIVEHA_TYPE_FLOAT) {
		if (parse_nan_bits(s, 8, &bits) || (bits & 0x7F800000u) != 0x7F800000u ||
		    !(bits & 0x7FFFFFu) || bits == HH_FLOAT_QNAN)
			return HIVEHA_EPROTOCOL;
	} else {
		if (parse_nan_bits(s, 16, &bits) || !hh_double_nan_bits(bits) || bits == HH_DOUBLE_QNAN)
			return HIVEHA_EPROTOCOL;
	}
	if (s[0] == 'N') {
		v->type = type;
		if (type == HIVEHA_TYPE_FLOAT) {
			uint32_t b32 = (uint32_t)bits;

			memcpy(&v->as.f32, &b32, 4);
		} else {
			memcpy(&v->as.f64, &bits, 8);
		}
		return 0;
	}
	if (type == HIVEHA_TYPE_FLOAT)
		hiveha_value_set_float(v, (float)d);
	else
		hiveha_value_set_double(v, d);
	return 0;
}

static int scalar_decode(hiveha_value *out, uint32_t type, const cJSON *p, size_t max_str,
                         hh_errbuf *err)
{
	double d;
	size_t n;

	switch (type) {
	case HIVEHA_TYPE_EMPTY:
		if (p && !cJSON_IsNull(p))
			break;
		return 0;
	case HIVEHA_TYPE_BOOL:
		if (!cJSON_IsBool(p))
			break;
		hiveha_value_set_bool(out, cJSON_IsTrue(p));
		return 0;
	case HIVEHA_TYPE_INT64:
	case HIVEHA_TYPE_TIME:
		if (!cJSON_IsString(p) || hh_parse_i64(p->valuestring, &out->as.i64))
			break;
		out->type = type;
		return 0;
	case HIVEHA_TYPE_UINT64:
		if (!cJSON_IsString(p) || hh_parse_u64(p->valuestring, &out->as.u64))
			break;
		out->type = type;
		return 0;
	case HIVEHA_TYPE_FLOAT:
	case HIVEHA_TYPE_DOUBLE:
		if (cJSON_IsString(p)) {
			if (nonfinite_of(p->valuestring, type, out))
				break;
			return 0;
		}
		if (!cJSON_IsNumber(p) || !isfinite(p->valuedouble))
			break;
		d = p->valuedouble;
		/* Text of FLT_MAX may read back a little above it; anything
		 * that would round beyond it does not fit a float. */
		if (type == HIVEHA_TYPE_FLOAT && fabs(d) > FLT_MAX) {
			if (fabs(d) >= (double)FLT_MAX + ldexp(1.0, 103))
				break;
			d = d > 0 ? FLT_MAX : -FLT_MAX;
		}
		if (type == HIVEHA_TYPE_FLOAT)
			hiveha_value_set_float(out, (float)d);
		else
			hiveha_value_set_double(out, d);
		return 0;
	case HIVEHA_TYPE_STRING: {
		char *s;
		int rc;

		if (!cJSON_IsString(p) && !cJSON_IsObject(p))
			break;
		/* a plain string, or the lossless form (protocol/strings.c) */
		rc = hh_json_bytes_of(p, "string value", max_str, HH_STR_BYTES, &s, &n, err);
		if (rc)
			return rc;
		/* value.h's owned strings are C-heap, NUL-terminated: adopt it */
		out->type = HIVEHA_TYPE_STRING;
		out->as.str.ptr = s;
		out->as.str.len = n;
		return 0;
	}
	default:
		return hh_err(err, HIVEHA_EPROTOCOL, "invalid value type %u", (unsigned)type);
	}
	return hh_err(err, HIVEHA_EPROTOCOL, "value does not match its type %u", (unsigned)type);
}

int hh_json_value_decode(hiveha_value *out, uint32_t type, const cJSON *p, const hh_limits *lim,
                         hh_errbuf *err)
{
	memset(out, 0, sizeof(*out));
	if (hh_type_is_array(type))
		return hh_json_array_decode(out, type, p, lim, err);
	return scalar_decode(out, type, p, lim->max_string_bytes, err);
}

/* Shortest of %.15g..%.17g that reads back to the same double. A finite
 * double in %.17g takes at most 24 bytes: never cut. */
static void fmt_double(char buf[40], double d, int min_digits)
{
	int prec;

	for (prec = min_digits; prec < 17; prec++) {
		(void)snprintf(buf, 40, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
	(void)snprintf(buf, 40, "%.17g", d);
}

/* The payload of a float or double: a raw number, "Inf", "-Inf", "NaN"
 * (the canonical quiet NaN) or "NaN:<hex bits>" (any other NaN). */
static cJSON *float_encode(const hiveha_value *v)
{
	char buf[40];
	uint64_t bits;
	double d;

	if (v->type == HIVEHA_TYPE_FLOAT) {
		uint32_t b32;

		memcpy(&b32, &v->as.f32, 4);
		bits = b32;
		d = (double)v->as.f32;
	} else {
		memcpy(&bits, &v->as.f64, 8);
		d = v->as.f64;
	}
	if (isnan(d)) {
		if (bits == (v->type == HIVEHA_TYPE_FLOAT ? HH_FLOAT_QNAN : HH_DOUBLE_QNAN))
			return cJSON_CreateString("NaN");
		fmt_nan(buf, bits, v->type == HIVEHA_TYPE_FLOAT ? 8u : 16u);
		return cJSON_CreateString(buf);
	}
	if (isinf(d))
		return cJSON_CreateString(d > 0 ? "Inf" : "-Inf");
	/* Raw text: cJSON would print through %.15g/%.17g itself but loses
	 * -0.0, and float-ness is ours to keep. */
	if (v->type == HIVEHA_TYPE_FLOAT)
		(void)snprintf(buf, sizeof(buf), "%.9g", d); /* at most 16 bytes */
	else
		fmt_double(buf, d, 15);
	return cJSON_CreateRaw(buf);
}

cJSON *hh_json_value_encode(const hiveha_value *v, int *rc)
{
	char buf[40];
	cJSON *it = NULL;

	*rc = HIVEHA_ENOMEM;
	if (hh_type_is_array(v->type))
		return hh_json_array_encode(v, rc);
	switch (v->type) {
	case HIVEHA_TYPE_EMPTY:
		it = cJSON_CreateNull();
		break;
	case HIVEHA_TYPE_BOOL:
		it = cJSON_CreateBool(v->as.b);
		break;
	case HIVEHA_TYPE_INT64:
	case HIVEHA_TYPE_TIME:
		hh_fmt_i64(buf, v->as.i64);
		it = cJSON_CreateString(buf);
		break;
	case HIVEHA_TYPE_UINT64:
		hh_fmt_u64(buf, v->as.u64);
		it = cJSON_CreateString(buf);
		break;
	case HIVEHA_TYPE_FLOAT:
	case HIVEHA_TYPE_DOUBLE:
		it = float_encode(v);
		break;
	case HIVEHA_TYPE_STRING:
		if (!v->as.str.ptr && v->as.str.len) {
			*rc = HIVEHA_EINVAL;
			return NULL;
		}
		/* NUL bytes or not UTF-8: the lossless form */
		it = hh_json_bytes(v->as.str.ptr, v->as.str.len);
		break;
	default:
		*rc = HIVEHA_EINVAL;
		return NULL;
	}
	if (it)
		*rc = 0;
	return it;
}

int hh_value_canonical_nan(hiveha_value *v)
{
	if (v->type == HIVEHA_TYPE_FLOAT && isnan(v->as.f32)) {
		uint32_t b32, q = (uint32_t)HH_FLOAT_QNAN;

		memcpy(&b32, &v->as.f32, 4);
		memcpy(&v->as.f32, &q, 4);
		return b32 != q;
	}
	if (v->type == HIVEHA_TYPE_DOUBLE && isnan(v->as.f64)) {
		uint64_t b64, q = HH_DOUBLE_QNAN;

		memcpy(&b64, &v->as.f64, 8);
		memcpy(&v->as.f64, &q, 8);
		return b64 != q;
	}
	return 0;
}

int hh_json_scalar_decode(hiveha_value *out, uint32_t type, const cJSON *p, size_t max_str,
                          hh_errbuf *err)
{
	memset(out, 0, sizeof(*out));
	return scalar_decode(out, type, p, max_str, err);
}

/* ---- vector and matrix payloads (docs/protocol.md "Values") -------------- */

cJSON *hh_json_array_encode(const hiveha_value *v, int *rc)
{
	uint32_t elem = v->type & HIVEHA_TYPE_SCALAR_MASK;
	const void *elems = hiveha_value_elements(v);
	size_t n = hiveha_value_count(v), i;
	cJSON *arr, *o, *it;
	hiveha_value e;

	if (!hh_valid_type(v->type) || !v->as.arr) {
		*rc = HIVEHA_EINVAL;
		return NULL;
	}
	*rc = HIVEHA_ENOMEM;
	arr = cJSON_CreateArray();
	if (!arr)
		return NULL;
	for (i = 0; i < n; i++) {
		hh_elem_get(&e, elem, elems, i);
		it = hh_json_value_encode(&e, rc);
		if (!it) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, it);
	}
	if (!(v->type & HIVEHA_TYPE_MATRIX)) {
		*rc = 0;
		return arr;
	}
	o = cJSON_CreateObject();
	if (!o || hh_json_add_u32(o, "rows", (uint32_t)hiveha_value_rows(v)) ||
	    hh_json_add_u32(o, "cols", (uint32_t)hiveha_value_cols(v))) {
		cJSON_Delete(o);
		cJSON_Delete(arr);
		return NULL;
	}
	cJSON_AddItemToObject(o, "e", arr);
	*rc = 0;
	return o;
}

/* The element array of a matrix payload: exactly "rows", "cols" and "e". */
static int matrix_shape(const cJSON *p, uint32_t *rows, uint32_t *cols, const cJSON **e,
                        hh_errbuf *err)
{
	const cJSON *c;
	size_t members = 0;
	int rc;

	if (!cJSON_IsObject(p))
		return hh_err(err, HIVEHA_EPROTOCOL, "a matrix value must be an object");
	for (c = p->child; c; c = c->next)
		members++;
	rc = hh_json_get_u32(p, "rows", HH_REQUIRED, rows, err);
	if (!rc)
		rc = hh_json_get_u32(p, "cols", HH_REQUIRED, cols, err);
	if (rc)
		return rc;
	*e = cJSON_GetObjectItemCaseSensitive(p, "e");
	if (members != 3 || !cJSON_IsArray(*e))
		return hh_err(err, HIVEHA_EPROTOCOL,
		              "a matrix value must be {\"rows\": R, \"cols\": C, \"e\": [...]}");
	return 0;
}

static int strings_decode(hiveha_value *out, uint32_t type, const cJSON *e, size_t rows,
                          size_t cols, const hh_limits *lim, hh_errbuf *err)
{
	size_t n = rows * cols, i = 0, total = 0;
	hiveha_string *s = NULL;
	const cJSON *it;
	hiveha_value v;
	int rc = 0;

	if (n) {
		s = calloc(n, sizeof(*s));
		if (!s)
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(it, e) {
		if (i == n) /* the caller counted n: never, but bounds the writes */
			break;
		rc = hh_json_scalar_decode(&v, HIVEHA_TYPE_STRING, it, lim->max_string_bytes, err);
		if (rc)
			break;
		s[i].ptr = v.as.str.ptr;
		s[i].len = v.as.str.len;
		i++;
		if (v.as.str.len > HIVEHA_VALUE_MAX_BYTES - total) {
			rc = hh_err(err, HIVEHA_ELIMIT, "string elements of more than %u bytes",
			            (unsigned)HIVEHA_VALUE_MAX_BYTES);
			break;
		}
		total += v.as.str.len;
	}
	if (rc) {
		while (i > 0)
			free(s[--i].ptr);
		free(s);
		return rc;
	}
	rc = hh_strings_adopt(out, type, s, rows, cols);
	return rc ? hh_err(err, rc, "out of memory") : 0;
}

int hh_json_array_decode(hiveha_value *out, uint32_t type, const cJSON *p, const hh_limits *lim,
                         hh_errbuf *err)
{
	uint32_t elem = type & HIVEHA_TYPE_SCALAR_MASK, rows = 1, cols = 0;
	const cJSON *e = p, *it;
	size_t n, i = 0;
	hiveha_value v;
	void *elems;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!hh_valid_type(type))
		return hh_err(err, HIVEHA_EPROTOCOL, "invalid value type %u", (unsigned)type);
	if (type & HIVEHA_TYPE_MATRIX) {
		rc = matrix_shape(p, &rows, &cols, &e, err);
		if (rc)
			return rc;
	} else if (!cJSON_IsArray(p)) {
		return hh_err(err, HIVEHA_EPROTOCOL, "a vector value must be an array");
	}
	n = (size_t)cJSON_GetArraySize(e);
	if (!(type & HIVEHA_TYPE_MATRIX))
		cols = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	/* the bounds first: the product of two hostile dimensions must not
	 * overflow or size an allocation */
	if (hh_dims_check(rows, cols))
		return hh_err(err, HIVEHA_ELIMIT, "array of %lu x %lu elements, more than %u",
		              (unsigned long)rows, (unsigned long)cols,
		              (unsigned)HIVEHA_VALUE_MAX_ELEMENTS);
	if (n != (size_t)rows * cols)
		return hh_err(err, HIVEHA_EPROTOCOL, "matrix of %lu x %lu with %zu elements",
		              (unsigned long)rows, (unsigned long)cols, n);
	if (elem == HIVEHA_TYPE_STRING)
		return strings_decode(out, type, e, rows, cols, lim, err);
	rc = hh_array_new(out, type, rows, cols);
	if (rc)
		return hh_err(err, rc, "out of memory");
	elems = hiveha_value_elements_mut(out);
	cJSON_ArrayForEach(it, e) {
		if (i == n) /* as in strings_decode() */
			break;
		rc = hh_json_scalar_decode(&v, elem, it, 0, err);
		if (rc) {
			hiveha_value_clear(out);
			return rc;
		}
		hh_elem_put(elems, elem, i++, &v);
	}
	return 0;
}
