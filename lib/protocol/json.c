/*
 * protocol/json.c - strict JSON reading and lossless writing on top of
 * cJSON (DESIGN §4 precision trap: 64-bit integers and ticks travel as
 * decimal strings, never as JSON numbers, which cJSON holds as doubles).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "protocol/codec.h"
#include "value_array.h"

/* ---- pre-scan ----------------------------------------------------------- */

/* cJSON has only a fixed nesting limit of 1000 and accepts a few things
 * JSON does not; this pass enforces our depth limit and rejects strings
 * that would not survive as C strings (raw control bytes, \u0000). */
static int prescan(const unsigned char *p, size_t len, int max_depth, hh_errbuf *err)
{
	size_t i = 0, n;
	int depth = 0, in_str = 0;

	while (i < len) {
		unsigned char c = p[i];

		if (c >= 0x80) {
			n = hh_utf8_seq(p + i, len - i);
			if (!n)
				return hh_err(err, HIVEHA_EPROTOCOL, "invalid UTF-8 at byte %zu", i);
			i += n;
			continue;
		}
		if (in_str) {
			if (c < 0x20)
				return hh_err(err, HIVEHA_EPROTOCOL, "control character in string at byte %zu", i);
			if (c == '"') {
				in_str = 0;
			} else if (c == '\\') {
				if (i + 1 >= len)
					break;
				if (p[i + 1] == 'u' && len - i >= 6 && !memcmp(p + i + 2, "0000", 4))
					return hh_err(err, HIVEHA_EPROTOCOL, "\\u0000 in string at byte %zu", i);
				i++;
			}
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return hh_err(err, HIVEHA_ELIMIT, "JSON nesting deeper than %d", max_depth);
		} else if (c == ']' || c == '}') {
			depth--;
		} else if (c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			return hh_err(err, HIVEHA_EPROTOCOL, "control character at byte %zu", i);
		}
		i++;
	}
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* cJSON keeps every member of an object and its lookups return the first,
 * so `{"to":"9","to":"1"}` would silently mean "9". JSON leaves duplicate
 * names undefined; docs/protocol.md §2 rejects them at any depth. Small
 * objects are compared pairwise, large ones sorted (a hostile object with
 * 100 000 members must not cost 10^10 compares). Depth is bounded by the
 * prescan. */
static int check_unique_keys(const cJSON *node, hh_errbuf *err)
{
	const cJSON *c, *d;
	size_t n = 0, i;
	int rc = 0;

	for (c = node->child; c; c = c->next) {
		if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			rc = check_unique_keys(c, err);
			if (rc)
				return rc;
		}
		n++;
	}
	if (!cJSON_IsObject(node) || n < 2)
		return 0;
	if (n <= 16) {
		for (c = node->child; c; c = c->next)
			for (d = c->next; d; d = d->next)
				if (!strcmp(c->string, d->string))
					return hh_err(err, HIVEHA_EPROTOCOL, "duplicate member \"%.64s\"",
					              c->string);
		return 0;
	}
	{
		const char **keys = hh_malloc(NULL, n * sizeof(*keys));

		if (!keys)
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
		for (i = 0, c = node->child; c; c = c->next)
			keys[i++] = c->string;
		qsort(keys, n, sizeof(*keys), key_cmp);
		for (i = 1; i < n && !rc; i++)
			if (!strcmp(keys[i - 1], keys[i]))
				rc = hh_err(err, HIVEHA_EPROTOCOL, "duplicate member \"%.64s\"", keys[i]);
		hh_free(NULL, keys);
	}
	return rc;
}

int hh_json_parse(cJSON **out, const char **type_out, const void *data, size_t len,
                  const hh_limits *lim, hh_errbuf *err)
{
	const char *end = NULL;
	const cJSON *type, *v;
	cJSON *root;
	int rc;

	*out = NULL;
	if (!data && len)
		return hh_err(err, HIVEHA_EINVAL, "NULL message");
	if (len == 0)
		return hh_err(err, HIVEHA_EPROTOCOL, "empty message");
	if (len > lim->max_message_bytes)
		return hh_err(err, HIVEHA_ELIMIT, "message of %zu bytes exceeds the limit of %zu", len,
		              lim->max_message_bytes);
	/* cJSON skips a UTF-8 byte order mark; the spec (§2) does not allow one. */
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		return hh_err(err, HIVEHA_EPROTOCOL, "byte order mark before the JSON message");
	rc = prescan(data, len, lim->max_depth, err);
	if (rc)
		return rc;
	root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (!root)
		return hh_err(err, HIVEHA_EPROTOCOL, "malformed JSON near byte %zu",
		              end ? (size_t)(end - (const char *)data) : (size_t)0);
	for (; end && end < (const char *)data + len; end++) {
		if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r') {
			cJSON_Delete(root);
			return hh_err(err, HIVEHA_EPROTOCOL, "trailing bytes after the JSON message");
		}
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return hh_err(err, HIVEHA_EPROTOCOL, "message is not a JSON object");
	}
	rc = check_unique_keys(root, err);
	if (rc) {
		cJSON_Delete(root);
		return rc;
	}
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	if (!cJSON_IsString(type)) {
		cJSON_Delete(root);
		return hh_err(err, HIVEHA_EPROTOCOL, "message has no \"type\" string");
	}
	/* hello negotiates the version, so it is exempt from "v". */
	if (strcmp(type->valuestring, HH_T_HELLO) != 0) {
		v = cJSON_GetObjectItemCaseSensitive(root, "v");
		if (!cJSON_IsNumber(v) || v->valuedouble != HH_PROTOCOL_VERSION) {
			cJSON_Delete(root);
			return hh_err(err, HIVEHA_EPROTOCOL, "unsupported or missing protocol version \"v\"");
		}
	}
	*out = root;
	*type_out = type->valuestring;
	return 0;
}

int hh_json_error_reply(const cJSON *root, const char *type, hh_errbuf *err)
{
	const cJSON *code, *msg;
	double d;

	if (strcmp(type, HH_T_ERROR) != 0)
		return 0;
	code = cJSON_GetObjectItemCaseSensitive(root, "code");
	msg = cJSON_GetObjectItemCaseSensitive(root, "message");
	if (!cJSON_IsNumber(code))
		return hh_err(err, HIVEHA_EPROTOCOL, "error reply without a numeric code");
	d = code->valuedouble;
	/* Only negative status codes are errors; anything else is a broken peer. */
	if (!(d <= -1 && d >= -1000000) || d != (double)(int)d)
		return hh_err(err, HIVEHA_EPROTOCOL, "error reply with an invalid code");
	hh_err(err, (int)d, "peer: %s", cJSON_IsString(msg) ? msg->valuestring : "(no message)");
	return (int)d;
}

/* ---- decimal text ------------------------------------------------------- */

int hh_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!s || !*s || (s[0] == '0' && s[1]))
		return HIVEHA_EPROTOCOL;
	for (i = 0; s[i]; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return HIVEHA_EPROTOCOL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int hh_parse_i64(const char *s, int64_t *out)
{
	uint64_t u;

	if (!s)
		return HIVEHA_EPROTOCOL;
	if (s[0] == '-') {
		if (hh_parse_u64(s + 1, &u) || u == 0 || u > (uint64_t)INT64_MAX + 1)
			return HIVEHA_EPROTOCOL;
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
		return 0;
	}
	if (hh_parse_u64(s, &u) || u > (uint64_t)INT64_MAX)
		return HIVEHA_EPROTOCOL;
	*out = (int64_t)u;
	return 0;
}

void hh_fmt_u64(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
}

void hh_fmt_i64(char *buf, int64_t v)
{
	if (v < 0) {
		buf[0] = '-';
		hh_fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
	} else {
		hh_fmt_u64(buf, (uint64_t)v);
	}
}

/* ---- getters ------------------------------------------------------------ */

static const cJSON *member(const cJSON *obj, const char *key, int required, hh_errbuf *err,
                           int *rc)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	*rc = 0;
	if (!it || cJSON_IsNull(it)) {
		if (required)
			*rc = hh_err(err, HIVEHA_EPROTOCOL, "missing \"%s\"", key);
		return NULL;
	}
	return it;
}

int hh_json_get_time(const cJSON *obj, const char *key, int required, hiveha_time *out,
                     hh_errbuf *err)
{
	int rc;
	const cJSON *it = member(obj, key, required, err, &rc);

	if (!it)
		return rc;
	if (!cJSON_IsString(it) || hh_parse_i64(it->valuestring, out))
		return hh_err(err, HIVEHA_EPROTOCOL, "\"%s\" must be a decimal int64 string", key);
	return 0;
}

int hh_json_get_u64(const cJSON *obj, const char *key, int required, uint64_t *out, hh_errbuf *err)
{
	int rc;
	const cJSON *it = member(obj, key, required, err, &rc);

	if (!it)
		return rc;
	if (!cJSON_IsString(it) || hh_parse_u64(it->valuestring, out))
		return hh_err(err, HIVEHA_EPROTOCOL, "\"%s\" must be a decimal uint64 string", key);
	return 0;
}

int hh_json_u32_of(const cJSON *it, uint32_t *out)
{
	double d;

	if (!cJSON_IsNumber(it))
		return HIVEHA_EPROTOCOL;
	d = it->valuedouble;
	if (!(d >= 0 && d <= 4294967295.0) || d != (double)(uint32_t)d)
		return HIVEHA_EPROTOCOL;
	*out = (uint32_t)d;
	return 0;
}

int hh_json_get_u32(const cJSON *obj, const char *key, int required, uint32_t *out, hh_errbuf *err)
{
	int rc;
	const cJSON *it = member(obj, key, required, err, &rc);

	if (!it)
		return rc;
	if (hh_json_u32_of(it, out))
		return hh_err(err, HIVEHA_EPROTOCOL, "\"%s\" must be an integer 0..4294967295", key);
	return 0;
}

int hh_json_get_bool(const cJSON *obj, const char *key, int required, int *out, hh_errbuf *err)
{
	int rc;
	const cJSON *it = member(obj, key, required, err, &rc);

	if (!it)
		return rc;
	if (!cJSON_IsBool(it))
		return hh_err(err, HIVEHA_EPROTOCOL, "\"%s\" must be true or false", key);
	*out = cJSON_IsTrue(it) ? 1 : 0;
	return 0;
}

int hh_json_get_str(const cJSON *obj, const char *key, int required, size_t max_len, char **out,
                    hh_errbuf *err)
{
	int rc;
	size_t n;
	const cJSON *it = member(obj, key, required, err, &rc);

	*out = NULL;
	if (!it)
		return rc;
	if (!cJSON_IsString(it))
		return hh_err(err, HIVEHA_EPROTOCOL, "\"%s\" must be a string", key);
	n = strlen(it->valuestring);
	if (n > max_len)
		return hh_err(err, HIVEHA_ELIMIT, "\"%s\" is longer than %zu bytes", key, max_len);
	*out = hh_strndup(NULL, it->valuestring, n);
	if (!*out)
		return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	return 0;
}

/* ---- values ------------------------------------------------------------- */

int hh_valid_type(uint32_t type)
{
	return hh_type_valid(type);
}

int hh_json_type_of(const cJSON *it, uint32_t *out, hh_errbuf *err)
{
	uint32_t t;

	if (hh_json_u32_of(it, &t) || !hh_valid_type(t))
		return hh_err(err, HIVEHA_EPROTOCOL, "invalid value type");
	*out = t;
	return 0;
}

/* ---- gaps --------------------------------------------------------------- */

int hh_json_gaps_decode(const cJSON *root, const hh_limits *lim, hh_gap **gaps_out,
                        size_t *count_out, hh_errbuf *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "gaps"), *g;
	hh_gap *gaps;
	size_t n, i = 0;
	int rc;

	*gaps_out = NULL;
	*count_out = 0;
	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return hh_err(err, HIVEHA_EPROTOCOL, "\"gaps\" must be an array");
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > lim->max_ranges)
		return hh_err(err, HIVEHA_ELIMIT, "more than %zu gaps", lim->max_ranges);
	if (n == 0)
		return 0;
	gaps = calloc(n, sizeof(*gaps));
	if (!gaps)
		return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	cJSON_ArrayForEach(g, arr) {
		if (!cJSON_IsObject(g)) {
			rc = hh_err(err, HIVEHA_EPROTOCOL, "a gap must be an object");
			goto fail;
		}
		rc = hh_json_get_time(g, "from", HH_REQUIRED, &gaps[i].from, err);
		if (!rc)
			rc = hh_json_get_time(g, "to", HH_REQUIRED, &gaps[i].to, err);
		if (!rc)
			rc = hh_json_get_bool(g, "filling", HH_OPTIONAL, &gaps[i].filling, err);
		if (rc)
			goto fail;
		if (gaps[i].from >= gaps[i].to) {
			rc = hh_err(err, HIVEHA_EPROTOCOL, "a gap needs from < to");
			goto fail;
		}
		i++;
	}
	*gaps_out = gaps;
	*count_out = n;
	return 0;
fail:
	free(gaps);
	return rc;
}

/* ---- writing ------------------------------------------------------------ */

cJSON *hh_json_new_message(const char *type)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	if ((strcmp(type, HH_T_HELLO) != 0 && !cJSON_AddRawToObject(o, "v", "1")) ||
	    !cJSON_AddStringToObject(o, "type", type)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int hh_json_add_time(cJSON *obj, const char *key, hiveha_time t)
{
	char buf[24];

	hh_fmt_i64(buf, t);
	return cJSON_AddStringToObject(obj, key, buf) ? 0 : HIVEHA_ENOMEM;
}

int hh_json_add_u64(cJSON *obj, const char *key, uint64_t u)
{
	char buf[24];

	hh_fmt_u64(buf, u);
	return cJSON_AddStringToObject(obj, key, buf) ? 0 : HIVEHA_ENOMEM;
}

int hh_json_add_u32(cJSON *obj, const char *key, uint32_t u)
{
	char buf[24];

	hh_fmt_u64(buf, u);
	return cJSON_AddRawToObject(obj, key, buf) ? 0 : HIVEHA_ENOMEM;
}

int hh_json_add_bool(cJSON *obj, const char *key, int b)
{
	return cJSON_AddBoolToObject(obj, key, b) ? 0 : HIVEHA_ENOMEM;
}

int hh_json_add_str(cJSON *obj, const char *key, const char *s)
{
	if (!s)
		return 0;
	return cJSON_AddStringToObject(obj, key, s) ? 0 : HIVEHA_ENOMEM;
}

int hh_json_add_gaps(cJSON *obj, const hh_gap *gaps, size_t count)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, "gaps"), *g;
	size_t i;

	if (!arr)
		return HIVEHA_ENOMEM;
	for (i = 0; i < count; i++) {
		if (gaps[i].from >= gaps[i].to)
			return HIVEHA_EINVAL;
		g = cJSON_CreateObject();
		if (!g)
			return HIVEHA_ENOMEM;
		cJSON_AddItemToArray(arr, g);
		if (hh_json_add_time(g, "from", gaps[i].from) || hh_json_add_time(g, "to", gaps[i].to) ||
		    hh_json_add_bool(g, "filling", gaps[i].filling != 0))
			return HIVEHA_ENOMEM;
	}
	return 0;
}

int hh_json_emit(hh_buf *out, cJSON *root)
{
	char *text;
	int rc;

	if (!root)
		return HIVEHA_ENOMEM;
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return HIVEHA_ENOMEM;
	rc = hh_buf_append(out, text, strlen(text));
	cJSON_free(text);
	return rc;
}

void hh_samples_free(hiveha_sample *s, size_t count)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < count; i++)
		hiveha_value_clear(&s[i].value);
	free(s);
}
