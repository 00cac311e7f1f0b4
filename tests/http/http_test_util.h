/*
 * http_test_util.h - loopback helpers for the hiveha-http tests.
 * Only 127.0.0.1 / ::1 are ever used.
 */
#ifndef HTTP_TEST_UTIL_H
#define HTTP_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <hiveha/http.h>

/* A growable byte sink for hiveha_reply_fn. */
typedef struct tu_buf {
	unsigned char *data;
	size_t len;
	size_t calls;
} tu_buf;

int tu_collect(const void *data, size_t len, void *payload);
void tu_buf_free(tu_buf *b);

/* A socket: SOCKET (an unsigned pointer-sized integer) with Winsock, a
 * descriptor elsewhere. TU_NO_SOCKET when none could be made. */
#if defined(_WIN32)
typedef uintptr_t tu_socket;
#  define TU_NO_SOCKET (~(tu_socket)0) /* INVALID_SOCKET */
#else
typedef int tu_socket;
#  define TU_NO_SOCKET (-1)
#endif

/* A TCP socket bound to 127.0.0.1 on an ephemeral port, not listening:
 * connections to it are refused. *port gets the port. */
tu_socket tu_bound_socket(uint16_t *port);

/* A socket listening on 127.0.0.1 that never accepts: the kernel completes
 * the handshake, the request is sent, no reply ever comes. */
tu_socket tu_silent_listener(uint16_t *port);

/* closesocket() with Winsock, close() elsewhere. */
void tu_close_socket(tu_socket s);

/* Blocks (at most 10 s) until a connection is queued on a listening socket.
 * Returns 1 when one is, 0 on timeout. */
int tu_wait_pending(tu_socket s);

/* A raw HTTP request with libcurl (no hiveha transport), to look at the wire. */
typedef struct tu_http {
	long status;
	tu_buf body;
	char content_encoding[32];
	char allow[32];
	char www_authenticate[64];
} tu_http;

/* Sends `method` to http://127.0.0.1:port<path> with `body` (may be NULL).
 * `extra_header` (may be NULL) is added. Returns the CURLcode. Gives up
 * after tu_request_timeout_ms (default 20000; a test may raise it). */
extern long tu_request_timeout_ms;
int tu_request(tu_http *out, uint16_t port, const char *method, const char *path,
               const void *body, size_t len, const char *extra_header);

/* "127.0.0.1:PORT" */
void tu_endpoint(char *buf, size_t size, uint16_t port);

/* One exchange through a fresh HTTP transport. */
int tu_exchange(const hiveha_http_client_options *opts, const char *endpoint, const char *kind,
                const char *token, const void *body, size_t len, tu_buf *reply);

#endif
