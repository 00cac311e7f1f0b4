/*
 * array_csv.c - the export's text form of a vector or matrix, and its
 * reader (docs/cli.md "Array values").
 *
 *   {"type":"vector<double>","e":[1.5,-0,"NaN","Inf"]}
 *   {"type":"matrix<int64>","rows":2,"cols":0,"e":[]}
 *
 * Lossless by construction, on top of cJSON (which holds numbers as
 * doubles and strings as C strings): 64-bit integers are decimal strings,
 * times ISO 8601 strings with seven fraction digits (decimal ticks outside
 * the years ISO can spell), finite floats %.9g and doubles %.17g numbers
 * (the scalar export's digits, which read back to the same bits; -0 keeps
 * its sign), non-finite ones "Inf", "-Inf", "NaN" (the default quiet NaN
 * only) or "NaN:0x<bits>" (any other NaN, all its bits in hex). A string
 * that holds a NUL byte or is not UTF-8 is {"b64":"..."} (RFC 4648, as the
 * wire protocol's lossless string form); every other one a JSON string.
 * The text holds no line break, so an export stays one sample per line.
 */
#include "array_csv.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAN_F64 UINT64_C(0x7FF8000000000000) /* what the text "NaN" means */
#define NAN_F32 UINT32_C(0x7FC00000)

static const char *const type_names[2][8] = {
	{ NULL, "vector<bool>", "vector<int64>", "vector<uint64>", "vector<float>",
	  "vector<double>", "vector<string>", "vector<time>" },
	{ NULL, "matrix<bool>", "matrix<int64>", "matrix<uint64>", "matrix<float>",
	  "matrix<double>", "matrix<string>", "matrix<time>" },
};

const char *node_array_type_name(uint32_t type)
{
	uint32_t elem = type & HIVEHA_TYPE_SCALAR_MASK;
	uint32_t shape = type & ~HIVEHA_TYPE_SCALAR_MASK;
	if (elem < HIVEHA_TYPE_BOOL || elem > HIVEHA_TYPE_TIME)
		return NULL;
	if (shape == HIVEHA_TYPE_ARRAY)
		return type_names[0][elem];
	if (shape == HIVEHA_TYPE_MATRIX)
		return type_names[1][elem];
	return NULL;
}

static uint32_t type_of_name(const char *name)
{
	for (uint32_t elem = HIVEHA_TYPE_BOOL; elem <= HIVEHA_TYPE_TIME; elem++) {
		if (strcmp(name, type_names[0][elem]) == 0)
			return HIVEHA_TYPE_ARRAY | elem;
		if (strcmp(name, type_names[1][elem]) == 0)
			return HIVEHA_TYPE_MATRIX | elem;
	}
	return 0;
}

/* ---- strings: plain JSON or base64 -------------------------------------- */

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Length of the well-formed UTF-8 sequence at p (no overlong forms, no
 * surrogates, at most U+10FFFF), 0 if there is none. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	if (c < 0x80)
		return 1;
	size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
	if (len == 0 || c > 0xF4 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) ||
	    (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
		return 0;
	return len;
}

static bool needs_b64(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = p[i] ? utf8_seq(p + i, len - i) : 0;
		if (!n)
			return true;
		i += n;
	}
	return false;
}

static cJSON *b64_json(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *text = malloc((len + 2) / 3 * 4 + 1); /* len <= HIVEHA_VALUE_MAX_BYTES */
	if (!text)
		return NULL;
	char *t = text;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		t[0] = b64_chars[v >> 18];
		t[1] = b64_chars[(v >> 12) & 63];
		t[2] = b64_chars[(v >> 6) & 63];
		t[3] = b64_chars[v & 63];
		if (i + 2 >= len)
			t[3] = '=';
		if (i + 1 >= len)
			t[2] = '=';
		t += 4;
	}
	*t = '\0';
	cJSON *o = cJSON_CreateObject();
	if (o && !cJSON_AddStringToObject(o, "b64", text)) {
		cJSON_Delete(o);
		o = NULL;
	}
	free(text);
	return o;
}

/* Decodes padded base64 into a malloc'd buffer (NUL-terminated at *len). */
static int b64_decode(const char *text, char **out, size_t *len)
{
	size_t n = strlen(text);
	if (n % 4)
		return HIVEHA_EINVAL;
	unsigned char *buf = malloc(n / 4 * 3 + 1);
	if (!buf)
		return HIVEHA_ENOMEM;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;
		int pad = 0;
		for (size_t j = 0; j < 4; j++) {
			const char *c = text[i + j] ? strchr(b64_chars, text[i + j]) : NULL;
			/* '=' only as the last one or two characters */
			if (text[i + j] == '=' && i + 4 == n && j >= 2 && (j == 3 || text[i + 3] == '=')) {
				pad++;
				v <<= 6;
				continue;
			}
			if (!c || pad) {
				free(buf);
				return HIVEHA_EINVAL;
			}
			v = v << 6 | (uint32_t)(c - b64_chars);
		}
		buf[o++] = (unsigned char)(v >> 16);
		if (pad < 2)
			buf[o++] = (unsigned char)(v >> 8 & 0xFF);
		if (pad < 1)
			buf[o++] = (unsigned char)(v & 0xFF);
	}
	buf[o] = '\0';
	*out = (char *)buf;
	*len = o;
	return HIVEHA_OK;
}

/* ---- writing ------------------------------------------------------------- */

static cJSON *float_json(double d, uint64_t bits, int is_f32)
{
	char buf[40];
	if (isnan(d)) {
		if (bits == (is_f32 ? NAN_F32 : NAN_F64))
			return cJSON_CreateString("NaN");
		if (is_f32)
			(void)snprintf(buf, sizeof(buf), "NaN:0x%08" PRIX64, bits); /* 14 bytes */
		else
			(void)snprintf(buf, sizeof(buf), "NaN:0x%016" PRIX64, bits); /* 22 bytes */
		return cJSON_CreateString(buf);
	}
	if (isinf(d))
		return cJSON_CreateString(d > 0 ? "Inf" : "-Inf");
	/* Raw: cJSON's own printing would drop -0's sign. At most 24 bytes. */
	(void)snprintf(buf, sizeof(buf), is_f32 ? "%.9g" : "%.17g", d);
	return cJSON_CreateRaw(buf);
}

static cJSON *elem_json(uint32_t elem, const void *elems, size_t i)
{
	char buf[HIVEHA_ISO8601_SIZE + 24];
	switch (elem) {
	case HIVEHA_TYPE_BOOL:
		return cJSON_CreateBool(((const bool *)elems)[i]);
	case HIVEHA_TYPE_INT64:
		(void)snprintf(buf, sizeof(buf), "%" PRId64, ((const int64_t *)elems)[i]);
		return cJSON_CreateString(buf);
	case HIVEHA_TYPE_UINT64:
		(void)snprintf(buf, sizeof(buf), "%" PRIu64, ((const uint64_t *)elems)[i]);
		return cJSON_CreateString(buf);
	case HIVEHA_TYPE_TIME: {
		hiveha_time t = ((const hiveha_time *)elems)[i];
		if (hiveha_time_to_iso8601(buf, sizeof(buf), t) != HIVEHA_OK)
			(void)snprintf(buf, sizeof(buf), "%" PRId64, t); /* 20 bytes at most */
		return cJSON_CreateString(buf);
	}
	case HIVEHA_TYPE_FLOAT: {
		float f = ((const float *)elems)[i];
		uint32_t bits;
		memcpy(&bits, &f, sizeof(bits));
		return float_json((double)f, bits, 1);
	}
	case HIVEHA_TYPE_DOUBLE: {
		double d = ((const double *)elems)[i];
		uint64_t bits;
		memcpy(&bits, &d, sizeof(bits));
		return float_json(d, bits, 0);
	}
	case HIVEHA_TYPE_STRING: {
		const hiveha_string *s = &((const hiveha_string *)elems)[i];
		if (s->len == 0)
			return cJSON_CreateString("");
		if (!s->ptr)
			return NULL;
		if (needs_b64(s->ptr, s->len))
			return b64_json(s->ptr, s->len);
		return cJSON_CreateString(s->ptr); /* NUL-terminated at len, none inside */
	}
	default:
		return NULL;
	}
}

char *node_array_text(const hiveha_value *v, int *rc)
{
	const char *name = node_array_type_name(v->type);
	*rc = HIVEHA_EINVAL;
	if (!name || !hiveha_value_is_array(v))
		return NULL;
	uint32_t elem = hiveha_value_element_type(v);
	size_t n = hiveha_value_count(v);
	const void *elems = hiveha_value_elements(v);
	if (n && !elems)
		return NULL;
	*rc = HIVEHA_ENOMEM;
	cJSON *o = cJSON_CreateObject();
	cJSON *e = cJSON_CreateArray();
	bool ok = o && e && cJSON_AddStringToObject(o, "type", name);
	if (ok && (v->type & HIVEHA_TYPE_MATRIX))
		ok = cJSON_AddNumberToObject(o, "rows", (double)hiveha_value_rows(v)) &&
		     cJSON_AddNumberToObject(o, "cols", (double)hiveha_value_cols(v));
	if (ok) {
		ok = cJSON_AddItemToObject(o, "e", e);
		if (ok)
			e = NULL; /* o owns it now */
	}
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "e");
	for (size_t i = 0; ok && i < n; i++) {
		cJSON *it = elem_json(elem, elems, i);
		ok = it && cJSON_AddItemToArray(arr, it);
		if (!ok)
			cJSON_Delete(it);
	}
	char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(e);
	cJSON_Delete(o);
	if (text)
		*rc = HIVEHA_OK;
	return text;
}

void node_array_text_free(char *text)
{
	cJSON_free(text);
}

/* ---- reading ------------------------------------------------------------- */

/* cJSON turns \u0000 into the end of its C string: a string would be cut
 * silently. Backslashes only occur inside JSON strings, in escape pairs. */
static bool has_nul_escape(const char *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (p[i] != '\\')
			continue;
		if (p[i + 1] == 'u' && len - i >= 6 && memcmp(p + i + 2, "0000", 4) == 0)
			return true;
		i++; /* the escaped character */
	}
	return false;
}

/* A decimal integer as the writer spells it: [-]digits, nothing else. */
static int parse_i64(const char *s, bool is_signed, int64_t *i, uint64_t *u)
{
	const char *d = is_signed && s[0] == '-' ? s + 1 : s;
	if (*d < '0' || *d > '9')
		return HIVEHA_EINVAL;
	char *end = NULL;
	errno = 0;
	if (is_signed)
		*i = strtoll(s, &end, 10);
	else
		*u = strtoull(s, &end, 10);
	return errno || !end || *end ? HIVEHA_EINVAL : HIVEHA_OK;
}

static int parse_float(const cJSON *it, int is_f32, double *d, uint64_t *bits, bool *use_bits)
{
	*use_bits = false;
	if (cJSON_IsNumber(it)) {
		*d = it->valuedouble;
		if (!isfinite(*d))
			return HIVEHA_EINVAL;
		/* %.9g of FLT_MAX reads back a little above it; beyond half a
		 * unit in the last place it is not a float */
		if (is_f32 && fabs(*d) > FLT_MAX) {
			if (fabs(*d) >= (double)FLT_MAX + ldexp(1.0, 103))
				return HIVEHA_EINVAL;
			*d = *d > 0 ? FLT_MAX : -FLT_MAX;
		}
		return HIVEHA_OK;
	}
	if (!cJSON_IsString(it))
		return HIVEHA_EINVAL;
	const char *s = it->valuestring;
	if (strcmp(s, "Inf") == 0 || strcmp(s, "-Inf") == 0) {
		*d = s[0] == '-' ? -INFINITY : INFINITY;
		return HIVEHA_OK;
	}
	*use_bits = true;
	if (strcmp(s, "NaN") == 0) {
		*bits = is_f32 ? NAN_F32 : NAN_F64;
		return HIVEHA_OK;
	}
	size_t digits = is_f32 ? 8 : 16;
	if (strncmp(s, "NaN:0x", 6) != 0 || strlen(s + 6) != digits ||
	    strspn(s + 6, "0123456789ABCDEF") != digits)
		return HIVEHA_EINVAL;
	*bits = strtoull(s + 6, NULL, 16);
	uint64_t exp = is_f32 ? UINT64_C(0x7F800000) : UINT64_C(0x7FF0000000000000);
	uint64_t frac = is_f32 ? UINT64_C(0x007FFFFF) : UINT64_C(0x000FFFFFFFFFFFFF);
	/* a NaN: all exponent bits, a fraction that is not 0 */
	return (*bits & exp) == exp && (*bits & frac) ? HIVEHA_OK : HIVEHA_EINVAL;
}

static int parse_string(hiveha_value *out, size_t i, const cJSON *it)
{
	if (cJSON_IsString(it))
		return hiveha_value_set_string_at(out, i, it->valuestring, strlen(it->valuestring));
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(it, "b64");
	if (!cJSON_IsObject(it) || !cJSON_IsString(b) || cJSON_GetArraySize(it) != 1)
		return HIVEHA_EINVAL;
	char *s = NULL;
	size_t n = 0;
	int rc = b64_decode(b->valuestring, &s, &n);
	if (!rc)
		rc = hiveha_value_set_string_at(out, i, s, n);
	free(s);
	return rc;
}

static int parse_elem(hiveha_value *out, uint32_t elem, size_t i, const cJSON *it)
{
	void *elems = hiveha_value_elements_mut(out);
	int64_t i64 = 0;
	uint64_t u64 = 0, bits = 0;
	double d = 0;
	bool use_bits = false;
	int rc = HIVEHA_EINVAL;
	switch (elem) {
	case HIVEHA_TYPE_BOOL:
		if (!cJSON_IsBool(it))
			return HIVEHA_EINVAL;
		((bool *)elems)[i] = cJSON_IsTrue(it);
		return HIVEHA_OK;
	case HIVEHA_TYPE_INT64:
	case HIVEHA_TYPE_UINT64:
		if (!cJSON_IsString(it))
			return HIVEHA_EINVAL;
		rc = parse_i64(it->valuestring, elem == HIVEHA_TYPE_INT64, &i64, &u64);
		if (!rc && elem == HIVEHA_TYPE_INT64)
			((int64_t *)elems)[i] = i64;
		else if (!rc)
			((uint64_t *)elems)[i] = u64;
		return rc;
	case HIVEHA_TYPE_TIME:
		if (!cJSON_IsString(it))
			return HIVEHA_EINVAL;
		rc = parse_i64(it->valuestring, true, &i64, &u64); /* decimal ticks */
		if (rc)
			rc = hiveha_time_from_iso8601(&i64, it->valuestring);
		if (!rc)
			((hiveha_time *)elems)[i] = i64;
		return rc ? HIVEHA_EINVAL : HIVEHA_OK;
	case HIVEHA_TYPE_FLOAT:
	case HIVEHA_TYPE_DOUBLE:
		rc = parse_float(it, elem == HIVEHA_TYPE_FLOAT, &d, &bits, &use_bits);
		if (rc)
			return rc;
		if (elem == HIVEHA_TYPE_DOUBLE && use_bits)
			memcpy(&((double *)elems)[i], &bits, sizeof(double));
		else if (elem == HIVEHA_TYPE_DOUBLE)
			((double *)elems)[i] = d;
		else if (use_bits) {
			uint32_t b32 = (uint32_t)bits; /* parse_float checked: 8 hex digits */
			memcpy(&((float *)elems)[i], &b32, sizeof(float));
		} else
			((float *)elems)[i] = (float)d; /* in range: checked above */
		return HIVEHA_OK;
	case HIVEHA_TYPE_STRING:
		return parse_string(out, i, it);
	default:
		return HIVEHA_EINVAL;
	}
}

static int dim_of(const cJSON *it, size_t *out)
{
	if (!cJSON_IsNumber(it) || it->valuedouble < 0 ||
	    it->valuedouble > (double)HIVEHA_VALUE_MAX_ELEMENTS ||
	    it->valuedouble != floor(it->valuedouble))
		return HIVEHA_EINVAL;
	*out = (size_t)it->valuedouble;
	return HIVEHA_OK;
}

/* Exactly the members of the form, each once. */
static int check_members(const cJSON *o, bool matrix)
{
	int seen[4] = { 0, 0, 0, 0 };
	static const char *const names[4] = { "type", "e", "rows", "cols" };
	for (const cJSON *c = o->child; c; c = c->next) {
		size_t k = 0;
		while (k < 4 && (!c->string || strcmp(c->string, names[k]) != 0))
			k++;
		if (k == 4 || seen[k]++)
			return HIVEHA_EINVAL;
	}
	return seen[2] == matrix && seen[3] == matrix ? HIVEHA_OK : HIVEHA_EINVAL;
}

static int parse_tree(hiveha_value *out, const cJSON *root, const char **why)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "type");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "e");
	*why = "not an object with \"type\" and \"e\"";
	if (!cJSON_IsObject(root) || !cJSON_IsString(t) || !cJSON_IsArray(e))
		return HIVEHA_EINVAL;
	uint32_t type = type_of_name(t->valuestring);
	*why = "unknown array type";
	if (!type)
		return HIVEHA_EINVAL;
	bool matrix = (type & HIVEHA_TYPE_MATRIX) != 0;
	*why = matrix ? "a matrix has exactly type, rows, cols and e"
	              : "a vector has exactly type and e";
	if (check_members(root, matrix))
		return HIVEHA_EINVAL;
	size_t n = (size_t)cJSON_GetArraySize(e), rows = 1, cols = n;
	uint32_t elem = type & HIVEHA_TYPE_SCALAR_MASK;
	int rc;
	if (matrix) {
		*why = "rows and cols must be whole numbers 0..65536";
		if (dim_of(cJSON_GetObjectItemCaseSensitive(root, "rows"), &rows) ||
		    dim_of(cJSON_GetObjectItemCaseSensitive(root, "cols"), &cols))
			return HIVEHA_EINVAL;
		*why = "rows x cols differs from the number of elements";
		if ((uint64_t)rows * cols != n)
			return HIVEHA_EINVAL;
		rc = hiveha_value_set_matrix(out, elem, NULL, rows, cols);
	} else {
		rc = hiveha_value_set_vector(out, elem, NULL, n);
	}
	*why = "beyond the value bounds";
	if (rc)
		return rc;
	size_t i = 0;
	for (const cJSON *it = e->child; it && !rc; it = it->next, i++)
		rc = parse_elem(out, elem, i, it);
	if (rc) {
		*why = rc == HIVEHA_EINVAL ? "an element does not match the element type"
		                           : "string elements beyond the value bounds";
		hiveha_value_clear(out);
	}
	return rc;
}

int node_array_parse(hiveha_value *out, const char *text, size_t len, const char **why)
{
	*why = "a string holds \\u0000 (a NUL byte is written as {\"b64\":...})";
	if (has_nul_escape(text, len))
		return HIVEHA_EINVAL;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	*why = "not one JSON value";
	if (root && end != text + len) { /* cJSON stops after the value */
		cJSON_Delete(root);
		root = NULL;
	}
	if (!root)
		return HIVEHA_EINVAL;
	int rc = parse_tree(out, root, why);
	cJSON_Delete(root);
	if (!rc)
		*why = NULL;
	return rc;
}
