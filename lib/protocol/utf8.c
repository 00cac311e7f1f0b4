/*
 * protocol/utf8.c - UTF-8 checks shared by the JSON reader (json.c), the
 * lossless string form (strings.c) and the error texts sent to a peer.
 * It uses nothing else of the codec: were it part of json.c, json.c and
 * strings.c would need each other (tests/layers refuses such a cycle).
 */
#include <string.h>

#include "protocol/codec.h"

/* Length of the UTF-8 sequence at p (well-formed, shortest form, no
 * surrogates), or 0 when it is invalid. */
size_t hh_utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];
	size_t n, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

void hh_utf8_sanitize(char *out, size_t size, const char *in)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t avail = strlen(in), o = 0, n;

	while (avail) {
		n = hh_utf8_seq(p, avail);
		if (n == 0 || (n == 1 && *p < 0x20)) {
			if (o + 1 >= size)
				break;
			out[o++] = '?';
			n = 1;
		} else {
			if (o + n >= size)
				break;
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		avail -= n;
	}
	out[o] = '\0';
}
