/*
 * http_gzip.c - optional gzip of listener replies (zlib) and the
 * Accept-Encoding test that decides it.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http_internal.h"

static int lower_eq(const char *s, size_t n, const char *word)
{
	size_t i = 0;

	for (; i < n && word[i]; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return 0;
	}
	return i == n && word[i] == '\0';
}

/* True when the parameters of one coding (after its ';') say q=0. */
static int q_is_zero(const char *s, size_t n)
{
	const char *q = NULL;

	for (size_t i = 0; i + 1 < n; i++)
		if ((s[i] == 'q' || s[i] == 'Q') && s[i + 1] == '=') {
			q = s + i + 2;
			break;
		}
	if (!q)
		return 0;
	for (; q < s + n && *q != ','; q++)
		if (*q >= '1' && *q <= '9')
			return 0;
	return 1;
}

int hh_http_accepts_gzip(const char *ae)
{
	while (ae && *ae) {
		const char *end = strchr(ae, ',');
		const char *semi, *p = ae, *e;
		size_t len = end ? (size_t)(end - ae) : strlen(ae);

		while (p < ae + len && (*p == ' ' || *p == '\t'))
			p++;
		semi = memchr(p, ';', (size_t)(ae + len - p));
		e = semi ? semi : ae + len;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (lower_eq(p, (size_t)(e - p), "gzip") || lower_eq(p, (size_t)(e - p), "x-gzip"))
			return !(semi && q_is_zero(semi + 1, (size_t)(ae + len - semi - 1)));
		ae = end ? end + 1 : NULL;
	}
	return 0;
}

int hh_http_gzip(const void *in, size_t in_len, void **out, size_t *out_len)
{
	z_stream zs;
	unsigned char *buf;
	uLong bound;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (in_len > (size_t)UINT32_MAX)
		return -1;
	memset(&zs, 0, sizeof(zs));
	/* 15 + 16: largest window, gzip wrapper instead of zlib's. */
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	bound = deflateBound(&zs, (uLong)in_len);
	buf = malloc(bound);
	if (!buf) {
		deflateEnd(&zs);
		return -1;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)in_len;
	zs.next_out = buf;
	zs.avail_out = (uInt)bound;
	rc = deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	if (rc != Z_STREAM_END || zs.total_out >= in_len) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = zs.total_out;
	return 0;
}
