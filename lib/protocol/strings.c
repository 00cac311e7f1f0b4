/*
 * protocol/strings.c - the lossless string form (docs/protocol.md §2
 * "Strings").
 *
 * A JSON string cannot carry everything a value.h string holds: we refuse
 * \u0000 (strings are C strings on both sides) and the text must be valid
 * UTF-8. One event whose attribute held a NUL byte therefore made the
 * whole page impossible to send, for ever. Such a string now travels as
 * {"b64":"<RFC 4648 base64, padded>"}; every other string stays a plain
 * JSON string, so ordinary messages are unchanged. A peer reads the form
 * only when it announces HH_CAP_STR_B64; the responder skips, and names, a
 * record that needs it for a requester that did not ask for it.
 */
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int hh_str_needs_b64(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] == 0)
			return 1;
		n = hh_utf8_seq(p + i, len - i);
		if (!n)
			return 1;
		i += n;
	}
	return 0;
}

cJSON *hh_json_bytes(const char *s, size_t len)
{
	cJSON *o, *str;
	char *text, *t;
	size_t i;

	if (!s)
		return len ? NULL : cJSON_CreateString("");
	if (!hh_str_needs_b64(s, len))
		return cJSON_CreateString(s);
	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		return NULL;
	text = malloc((len + 2) / 3 * 4 + 1);
	if (!text)
		return NULL;
	for (i = 0, t = text; i + 2 < len; i += 3) {
		unsigned v = (unsigned)(unsigned char)s[i] << 16 | (unsigned)(unsigned char)s[i + 1] << 8 |
		             (unsigned char)s[i + 2];
		*t++ = b64[v >> 18];
		*t++ = b64[(v >> 12) & 63];
		*t++ = b64[(v >> 6) & 63];
		*t++ = b64[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)(unsigned char)s[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)(unsigned char)s[i + 1] << 8;
		*t++ = b64[v >> 18];
		*t++ = b64[(v >> 12) & 63];
		if (i + 1 < len)
			*t++ = b64[(v >> 6) & 63];
		else
			*t++ = '=';
		*t++ = '=';
	}
	*t = '\0';
	o = cJSON_CreateObject();
	str = o ? cJSON_CreateString(text) : NULL;
	free(text);
	if (!str) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddItemToObject(o, "b64", str);
	return o;
}

int hh_json_add_bytes(cJSON *obj, const char *key, const char *s, size_t len)
{
	cJSON *it = hh_json_bytes(s, len);

	if (!it)
		return HIVEHA_ENOMEM;
	cJSON_AddItemToObject(obj, key, it);
	return 0;
}

static int b64_val(unsigned char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

/* Strict: padded to a multiple of 4, the alphabet only, '=' only at the
 * end, unused bits zero - one spelling per byte string. */
static int b64_decode(const char *in, size_t n, char *out, size_t *out_len)
{
	size_t i, o = 0;

	if (n % 4)
		return -1;
	for (i = 0; i < n; i += 4) {
		int last = i + 4 == n;
		int pad = last ? (in[i + 3] == '=') + (in[i + 2] == '=' && in[i + 3] == '=') : 0;
		int a = b64_val((unsigned char)in[i]), b = b64_val((unsigned char)in[i + 1]);
		int c = pad == 2 ? 0 : b64_val((unsigned char)in[i + 2]);
		int d = pad ? 0 : b64_val((unsigned char)in[i + 3]);

		if (a < 0 || b < 0 || c < 0 || d < 0)
			return -1;
		if ((pad == 2 && (b & 15)) || (pad == 1 && (c & 3)))
			return -1;
		unsigned v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 | (unsigned)d;
		out[o++] = (char)(v >> 16);
		if (pad < 2)
			out[o++] = (char)((v >> 8) & 255);
		if (pad < 1)
			out[o++] = (char)(v & 255);
	}
	*out_len = o;
	return 0;
}

int hh_json_bytes_of(const cJSON *it, const char *what, size_t max_len, int allow_nul, char **out,
                     size_t *len_out, hh_errbuf *err)
{
	const cJSON *b;
	size_t n, len;
	char *buf;

	*out = NULL;
	*len_out = 0;
	if (cJSON_IsString(it)) {
		n = strlen(it->valuestring);
		if (n > max_len)
			return hh_err(err, HIVEHA_ELIMIT, "%s is longer than %zu bytes", what, max_len);
		*out = malloc(n + 1);
		if (!*out)
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
		memcpy(*out, it->valuestring, n + 1);
		*len_out = n;
		return 0;
	}
	b = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "b64") : NULL;
	if (!b || !cJSON_IsString(b) || cJSON_GetArraySize(it) != 1)
		return hh_err(err, HIVEHA_EPROTOCOL, "%s must be a string or {\"b64\": string}", what);
	n = strlen(b->valuestring);
	if (n / 4 * 3 > max_len + 2)
		return hh_err(err, HIVEHA_ELIMIT, "%s is longer than %zu bytes", what, max_len);
	buf = malloc(n / 4 * 3 + 1);
	if (!buf)
		return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	if (b64_decode(b->valuestring, n, buf, &len)) {
		free(buf);
		return hh_err(err, HIVEHA_EPROTOCOL, "%s: invalid base64", what);
	}
	buf[len] = '\0';
	if (len > max_len || (!allow_nul && memchr(buf, '\0', len)) || !hh_str_needs_b64(buf, len)) {
		int nul = memchr(buf, '\0', len) != NULL;
		free(buf);
		if (len > max_len)
			return hh_err(err, HIVEHA_ELIMIT, "%s is longer than %zu bytes", what, max_len);
		/* one spelling per string: what a plain JSON string can say, it says */
		return hh_err(err, HIVEHA_EPROTOCOL, "%s: %s", what,
		              nul ? "NUL byte in a text field" : "b64 form of a plain UTF-8 string");
	}
	*out = buf;
	*len_out = len;
	return 0;
}

int hh_json_get_text(const cJSON *obj, const char *key, int required, size_t max_len, char **out,
                     hh_errbuf *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t len;

	*out = NULL;
	if (!it || cJSON_IsNull(it))
		return required ? hh_err(err, HIVEHA_EPROTOCOL, "missing \"%s\"", key) : 0;
	return hh_json_bytes_of(it, key, max_len, HH_STR_TEXT, out, &len, err);
}

/* ---- array values --------------------------------------------------------- */

int hh_array_new(hiveha_value *out, uint32_t type, size_t rows, size_t cols)
{
	uint32_t elem = type & HIVEHA_TYPE_SCALAR_MASK;

	memset(out, 0, sizeof(*out));
	if (type & HIVEHA_TYPE_MATRIX)
		return hiveha_value_set_matrix(out, elem, NULL, rows, cols);
	return hiveha_value_set_vector(out, elem, NULL, cols);
}

int hh_strings_adopt(hiveha_value *out, uint32_t type, hiveha_string *elems, size_t rows,
                     size_t cols)
{
	uint32_t elem = type & HIVEHA_TYPE_SCALAR_MASK;
	size_t i, n = rows * cols;
	int rc;

	memset(out, 0, sizeof(*out));
	if (type & HIVEHA_TYPE_MATRIX)
		rc = hiveha_value_adopt_matrix(out, elem, elems, rows, cols);
	else
		rc = hiveha_value_adopt_vector(out, elem, elems, cols);
	if (rc) {
		for (i = 0; elems && i < n; i++)
			free(elems[i].ptr);
		free(elems);
	}
	return rc;
}
