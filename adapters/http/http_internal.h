/*
 * http_internal.h - helpers shared by the HTTP client and listener.
 * Internal to hiveha-http; depends on the public headers only.
 */
#ifndef HH_HTTP_INTERNAL_H
#define HH_HTTP_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <hiveha/http.h>

#include "http_wait.h"

/* printf-style checking for the adapter's log helpers: -Wformat then checks
 * every call, and clang's -Wformat-nonliteral accepts the vsnprintf inside.
 * (lib/platform/compiler.h has HH_FMT, but the adapter sees public headers
 * only.) f: the format's argument index; a: the first variadic one, 0 for a
 * va_list. */
#if defined(__MINGW32__) /* MinGW's C99 stdio, as lib/platform/compiler.h says */
#  define HH_HTTP_FMT(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__) || defined(__clang__)
#  define HH_HTTP_FMT(f, a) __attribute__((format(printf, f, a)))
#else
#  define HH_HTTP_FMT(f, a)
#endif

/* A connection's socket as libmicrohttpd hands it over (MHD_socket):
 * SOCKET, an unsigned pointer-sized integer, on Windows; a descriptor
 * elsewhere. */
#if defined(_WIN32)
typedef uintptr_t hh_socket;
#else
typedef int hh_socket;
#endif

/* Longest host name or address literal accepted (RFC 1035 names are <= 253). */
#define HH_HTTP_HOST_MAX 256

/* ---- http_paths.c ---- */

/* The message kind served at `path` ("/hiveha/v1/hello" -> HIVEHA_MSG_HELLO),
 * or NULL when the path is not a hiveha path. */
const char *hh_http_kind_from_path(const char *path);

/* Non-zero when `kind` may be put into a URL path (a lowercase word). */
int hh_http_kind_ok(const char *kind);

/* Builds the base URL (no trailing '/') for a transport endpoint: see
 * hiveha_http_transport_new(). *out is malloc'd. HIVEHA_EINVAL with a reason
 * in `why` for a bad endpoint, HIVEHA_ENOMEM. */
int hh_http_base_url(const char *endpoint, int use_tls, char **out, const char **why);

/* The token of an "Authorization: Bearer <token>" value, or NULL. */
const char *hh_http_bearer(const char *authorization);

/* Non-zero when `token` can travel in a header (printable ASCII, no spaces). */
int hh_http_token_ok(const char *token);

/* Splits a listen address ("HOST:PORT", "[V6]:PORT", or a bare host with
 * `port`) into host and port. HIVEHA_EINVAL with a reason in `why`. */
int hh_http_split_listen(const char *address, uint16_t port, char *host, size_t host_size,
                         uint16_t *port_out, const char **why);

/* ---- http_gzip.c ---- */

/* Non-zero when an Accept-Encoding value accepts gzip (q > 0). */
int hh_http_accepts_gzip(const char *accept_encoding);

/* Gzips `in`; on success *out (malloc'd) and *out_len. Non-zero when it
 * failed or did not make the data smaller (send it uncompressed). */
int hh_http_gzip(const void *in, size_t in_len, void **out, size_t *out_len);

/* ---- http_guard.c: connection slots and request time budgets ---- */

typedef struct hh_guard hh_guard;
typedef struct hh_guard_conn hh_guard_conn;

/* Starts the reaper thread. `max_conn` slots; every phase of a request
 * must end within `timeout_s` plus its size at `min_rate` bytes/s. */
int hh_guard_new(hh_guard **out, unsigned int max_conn, unsigned int timeout_s, uint32_t min_rate,
                 hiveha_log_fn on_log, void *payload);
/* Stops the reaper; after MHD_stop_daemon (no connection left). NULL ok. */
void hh_guard_free(hh_guard *g);
/* Accept policy: 1 = take the connection (evicting the oldest untrusted
 * one if every slot is used), 0 = every slot holds a trusted peer. */
int hh_guard_admit(hh_guard *g);
/* A connection started (its headers deadline is armed) / closed, before
 * its socket is closed. opened() returns NULL (and shuts the socket) when
 * out of memory; every other call accepts that NULL. */
hh_guard_conn *hh_guard_opened(hh_guard *g, hh_socket fd);
void hh_guard_closed(hh_guard *g, hh_guard_conn *c);
/* Deadline = now + timeout + bytes / min_rate (a request phase begins);
 * disarm: none, while the handler runs (HH_GUARD_BUSY) or while a trusted
 * connection waits for its next request under the idle timeout (HH_GUARD_IDLE:
 * it may be evicted for a new connection). */
enum { HH_GUARD_BUSY = 0, HH_GUARD_IDLE = 1 };
void hh_guard_arm(hh_guard *g, hh_guard_conn *c, uint64_t bytes);
void hh_guard_disarm(hh_guard *g, hh_guard_conn *c, int idle);
/* A request on `c` passed the token check on its headers. */
void hh_guard_trust(hh_guard *g, hh_guard_conn *c);
int hh_guard_trusted(hh_guard *g, const hh_guard_conn *c);

/* ---- http_budget.c: the memory budget shared by requests ---- */

typedef struct hh_budget {
	hh_http_wait w;            /* its lock and monotonic cv */
	uint64_t cap, used;
	int closing;
} hh_budget;

int hh_budget_init(hh_budget *b, uint64_t cap);
void hh_budget_destroy(hh_budget *b);
/* Wakes every waiter with HIVEHA_ECANCELLED (the listener is stopping). */
void hh_budget_close(hh_budget *b);
/* Reserves n bytes, waiting at most wait_ms while others hold the budget.
 * 0, HIVEHA_ETIMEOUT (still busy), HIVEHA_ECANCELLED. */
int hh_budget_take(hh_budget *b, uint64_t n, unsigned int wait_ms);
void hh_budget_give(hh_budget *b, uint64_t n);

#endif /* HH_HTTP_INTERNAL_H */
