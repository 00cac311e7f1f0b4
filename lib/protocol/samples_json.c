/*
 * protocol/samples_json.c - the columnar JSON sample encoding (HH_ENC_JSON),
 * the slow interoperable path. Bulk replies use protocol/samples_bin.c.
 *
 * Columns of an item with `count` samples:
 *   "t":  [ "<first time>", delta, ... ]  deltas >= 0, numbers up to 2^53-1,
 *                                         decimal strings above that
 *   "vt": type (all samples) or [type, ...]
 *   "v":  [payload, ...]
 *   "q":  quality (all samples) or [quality, ...]
 */
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"

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
