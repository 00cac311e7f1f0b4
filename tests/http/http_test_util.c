#define _POSIX_C_SOURCE 200809L

#include "http_test_util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(_WIN32)
#  include <winsock2.h>
#  define strncasecmp _strnicmp
typedef int socklen_t;
#else
#  include <arpa/inet.h>
#  include <netinet/in.h>
#  include <poll.h>
#  include <strings.h>
#  include <sys/socket.h>
#  include <unistd.h>
#endif

int tu_collect(const void *data, size_t len, void *payload)
{
	tu_buf *b = payload;
	unsigned char *d = realloc(b->data, b->len + len + 1);

	if (!d)
		return HIVEHA_ENOMEM;
	memcpy(d + b->len, data, len);
	b->data = d;
	b->len += len;
	b->data[b->len] = 0;
	b->calls++;
	return 0;
}

void tu_buf_free(tu_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void tu_close_socket(tu_socket s)
{
#if defined(_WIN32)
	(void)closesocket((SOCKET)s);
#else
	(void)close(s);
#endif
}

static tu_socket bound(uint16_t *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	tu_socket fd;

#if defined(_WIN32)
	WSADATA wsa;

	/* Counted: libcurl and libmicrohttpd start Winsock too, but a test may
	 * make its socket before either. Never cleaned up: the process ends. */
	if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
		return TU_NO_SOCKET;
#endif
	fd = (tu_socket)socket(AF_INET, SOCK_STREAM, 0);
	if (fd == TU_NO_SOCKET)
		return TU_NO_SOCKET;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
		tu_close_socket(fd);
		return TU_NO_SOCKET;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

tu_socket tu_bound_socket(uint16_t *port)
{
	return bound(port);
}

tu_socket tu_silent_listener(uint16_t *port)
{
	tu_socket fd = bound(port);

	if (fd != TU_NO_SOCKET && listen(fd, 8) != 0) {
		tu_close_socket(fd);
		return TU_NO_SOCKET;
	}
	return fd;
}

int tu_wait_pending(tu_socket fd)
{
#if defined(_WIN32)
	WSAPOLLFD p = { .fd = (SOCKET)fd, .events = POLLRDNORM, .revents = 0 };

	return WSAPoll(&p, 1, 10000) == 1;
#else
	struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };

	return poll(&p, 1, 10000) == 1;
#endif
}

static size_t header_cb(char *data, size_t size, size_t n, void *ud)
{
	tu_http *h = ud;
	size_t len = size * n;
	struct { const char *name; char *dst; size_t cap; } fields[] = {
		{ "content-encoding:", h->content_encoding, sizeof(h->content_encoding) },
		{ "allow:", h->allow, sizeof(h->allow) },
		{ "www-authenticate:", h->www_authenticate, sizeof(h->www_authenticate) },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t nl = strlen(fields[i].name), v;
		if (len > nl && strncasecmp(data, fields[i].name, nl) == 0) {
			const char *p = data + nl;
			while (*p == ' ')
				p++;
			v = (size_t)(data + len - p);
			while (v > 0 && (p[v - 1] == '\r' || p[v - 1] == '\n'))
				v--;
			if (v >= fields[i].cap)
				v = fields[i].cap - 1;
			memcpy(fields[i].dst, p, v);
			fields[i].dst[v] = 0;
		}
	}
	return len;
}

static size_t body_cb(char *data, size_t size, size_t n, void *ud)
{
	return tu_collect(data, size * n, ud) == 0 ? size * n : 0;
}

long tu_request_timeout_ms = 20000;

int tu_request(tu_http *out, uint16_t port, const char *method, const char *path,
               const void *body, size_t len, const char *extra_header)
{
	char url[128];
	struct curl_slist *hs = NULL;
	CURL *e = curl_easy_init();
	CURLcode rc;

	memset(out, 0, sizeof(*out));
	if (!e)
		return CURLE_FAILED_INIT;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port, path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, tu_request_timeout_ms);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	if (extra_header)
		hs = curl_slist_append(hs, extra_header);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &out->body);
	rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(hs);
	curl_easy_cleanup(e);
	return (int)rc;
}

void tu_endpoint(char *buf, size_t size, uint16_t port)
{
	snprintf(buf, size, "127.0.0.1:%u", (unsigned)port);
}

int tu_exchange(const hiveha_http_client_options *opts, const char *endpoint, const char *kind,
                const char *token, const void *body, size_t len, tu_buf *reply)
{
	hiveha_transport t;
	hiveha_conn *c = NULL;
	hiveha_request req = { HIVEHA_REQUEST_VERSION, kind, token, body, len };
	int rc = hiveha_http_transport_new(&t, opts);

	if (rc != 0)
		return rc;
	rc = t.connect(t.ctx, endpoint, 0, &c);
	if (rc == 0) {
		rc = t.exchange(t.ctx, c, &req, tu_collect, reply, 0);
		t.close(t.ctx, c);
	}
	t.destroy(t.ctx);
	return rc;
}
