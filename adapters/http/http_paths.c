/*
 * http_paths.c - the URL side of the HTTP mapping: message kind <-> path,
 * transport endpoint -> base URL, listen address -> host and port, and the
 * bearer token. Pure string work, so it is tested without sockets.
 */
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

static const char *const hh_kinds[] = {
	HIVEHA_MSG_HELLO, HIVEHA_MSG_TIMESERIES, HIVEHA_MSG_EVENTS
};

const char *hh_http_kind_from_path(const char *path)
{
	size_t plen = sizeof(HIVEHA_HTTP_PATH_PREFIX) - 1;

	if (!path || strncmp(path, HIVEHA_HTTP_PATH_PREFIX, plen) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(hh_kinds) / sizeof(hh_kinds[0]); i++)
		if (strcmp(path + plen, hh_kinds[i]) == 0)
			return hh_kinds[i];
	return NULL;
}

int hh_http_kind_ok(const char *kind)
{
	size_t n = 0;

	if (!kind)
		return 0;
	for (; kind[n]; n++)
		if (!((kind[n] >= 'a' && kind[n] <= 'z') || (kind[n] >= '0' && kind[n] <= '9') ||
		      kind[n] == '_' || kind[n] == '-'))
			return 0;
	return n > 0 && n <= 64;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

static int is_v6_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
	       c == ':' || c == '.';
}

/* Parses a decimal port of 1-5 digits spanning exactly [s, end). */
static int parse_port(const char *s, const char *end, unsigned *out)
{
	unsigned v = 0;

	if (end <= s || end - s > 5)
		return -1;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v > 65535)
		return -1;
	*out = v;
	return 0;
}

/*
 * Splits "host", "host:port", "[v6]" or "[v6]:port" spanning [s, end).
 * Bare IPv6 (more than one ':' and no brackets) is a host without port.
 * host_end/port_start point into the input; *has_port tells if a port is
 * present. Returns 0 or -1 with *why.
 */
static int split_authority(const char *s, const char *end, const char **host_start,
                           const char **host_end, unsigned *port, int *has_port,
                           const char **why)
{
	const char *colon = NULL;
	int colons = 0;

	*has_port = 0;
	if (s >= end) {
		*why = "empty host";
		return -1;
	}
	if (*s == '[') {
		const char *close = memchr(s, ']', (size_t)(end - s));
		if (!close || !memchr(s, ':', (size_t)(close - s))) {
			*why = "unterminated or non-IPv6 [...] literal";
			return -1;
		}
		for (const char *p = s + 1; p < close; p++)
			if (!is_v6_char(*p)) {
				*why = "bad character in [IPv6] literal";
				return -1;
			}
		*host_start = s + 1;
		*host_end = close;
		if (close + 1 == end)
			return 0;
		if (close[1] != ':' || parse_port(close + 2, end, port) != 0) {
			*why = "bad port after [IPv6] literal";
			return -1;
		}
		*has_port = 1;
		return 0;
	}
	for (const char *p = s; p < end; p++)
		if (*p == ':') {
			colons++;
			colon = p;
		}
	if (colons > 1) { /* a bare IPv6 literal */
		for (const char *p = s; p < end; p++)
			if (!is_v6_char(*p)) {
				*why = "bad character in IPv6 literal";
				return -1;
			}
		*host_start = s;
		*host_end = end;
		return 0;
	}
	*host_start = s;
	*host_end = colon ? colon : end;
	if (*host_end == s) {
		*why = "empty host";
		return -1;
	}
	for (const char *p = s; p < *host_end; p++)
		if (!is_name_char(*p)) {
			*why = "bad character in host";
			return -1;
		}
	if (colon) {
		if (parse_port(colon + 1, end, port) != 0) {
			*why = "bad port";
			return -1;
		}
		*has_port = 1;
	}
	return 0;
}

static char *join(const char *a, const char *b, size_t blen)
{
	size_t alen = strlen(a);
	char *s = malloc(alen + blen + 1);

	if (!s)
		return NULL;
	memcpy(s, a, alen);
	memcpy(s + alen, b, blen);
	s[alen + blen] = '\0';
	return s;
}

int hh_http_base_url(const char *endpoint, int use_tls, char **out, const char **why)
{
	const char *rest, *auth_end, *hs, *he, *end;
	const char *scheme;
	unsigned port = 0;
	int has_port, is_url = 1;

	*out = NULL;
	*why = NULL;
	if (!endpoint || !*endpoint) {
		*why = "empty endpoint";
		return HIVEHA_EINVAL;
	}
	for (const char *p = endpoint; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || *p == '?' || *p == '#') {
			*why = "endpoint contains a space, control, non-ASCII, '?' or '#' character";
			return HIVEHA_EINVAL;
		}
	if (strncmp(endpoint, "http://", 7) == 0) {
		if (use_tls) {
			*why = "http:// endpoint but TLS was asked for (use_tls)";
			return HIVEHA_EINVAL;
		}
		scheme = "http://";
		rest = endpoint + 7;
	} else if (strncmp(endpoint, "https://", 8) == 0) {
		scheme = "https://";
		rest = endpoint + 8;
	} else if (strstr(endpoint, "://")) {
		*why = "unsupported URL scheme (only http:// and https://)";
		return HIVEHA_EINVAL;
	} else {
		scheme = use_tls ? "https://" : "http://";
		rest = endpoint;
		is_url = 0;
	}
	auth_end = strchr(rest, '/');
	if (!auth_end)
		auth_end = rest + strlen(rest);
	if (!is_url && *auth_end) {
		*why = "HOST:PORT endpoint must not have a path (use a full URL)";
		return HIVEHA_EINVAL;
	}
	if (split_authority(rest, auth_end, &hs, &he, &port, &has_port, why) != 0)
		return HIVEHA_EINVAL;
	if (!is_url && !has_port) {
		*why = "HOST:PORT endpoint without a port";
		return HIVEHA_EINVAL;
	}
	if (has_port && port == 0) {
		*why = "port 0";
		return HIVEHA_EINVAL;
	}
	end = rest + strlen(rest);
	while (end > auth_end && end[-1] == '/')
		end--;
	*out = join(scheme, rest, (size_t)(end - rest));
	return *out ? 0 : HIVEHA_ENOMEM;
}

const char *hh_http_bearer(const char *authorization)
{
	static const char scheme[] = "bearer";
	const char *p = authorization;

	if (!p)
		return NULL;
	for (size_t i = 0; i < sizeof(scheme) - 1; i++, p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != scheme[i])
			return NULL;
	}
	if (*p != ' ')
		return NULL;
	while (*p == ' ')
		p++;
	return *p ? p : NULL;
}

int hh_http_token_ok(const char *token)
{
	if (!token)
		return 0;
	for (; *token; token++)
		if ((unsigned char)*token <= ' ' || (unsigned char)*token >= 0x7f)
			return 0;
	return 1;
}

int hh_http_split_listen(const char *address, uint16_t port, char *host, size_t host_size,
                         uint16_t *port_out, const char **why)
{
	const char *hs, *he;
	unsigned p = 0;
	int has_port;
	size_t n;

	*why = NULL;
	if (!address || !*address) {
		*why = "a listen address is required (e.g. \"127.0.0.1:8443\")";
		return HIVEHA_EINVAL;
	}
	if (split_authority(address, address + strlen(address), &hs, &he, &p, &has_port, why) != 0)
		return HIVEHA_EINVAL;
	if (has_port && port != 0) {
		*why = "port given both in the address and in the port option";
		return HIVEHA_EINVAL;
	}
	n = (size_t)(he - hs);
	if (n + 1 > host_size) {
		*why = "host too long";
		return HIVEHA_EINVAL;
	}
	memcpy(host, hs, n);
	host[n] = '\0';
	*port_out = has_port ? (uint16_t)p : port;
	return 0;
}
