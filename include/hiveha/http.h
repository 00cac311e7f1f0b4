/*
 * hiveha/http.h - the HTTP adapter (library hiveha-http, target hiveha::http).
 *
 * Two halves, both built on the public core API only:
 *  - a client transport (libcurl) that fills a hiveha_transport;
 *  - a listener (libmicrohttpd) that serves a hiveha_responder over HTTP.
 *
 * Wire mapping (docs/http.md): each message kind K is sent as
 *   POST <base>/hiveha/v1/K      Content-Type: application/octet-stream
 *   Authorization: Bearer <token>   (only when the request carries a token)
 * and the reply body is the responder's reply bytes. Status codes:
 * 200 ok, 400 malformed request (body = the responder's error reply),
 * 401 wrong or missing token (empty body), 404 unknown path, 405 not POST,
 * 413 request too large, 500 serving failed.
 *
 * Threads: see each half below. Nothing here keeps global mutable state of
 * its own; libcurl's global initialisation is discussed at
 * hiveha_http_transport_new().
 */
#ifndef HIVEHA_HTTP_H
#define HIVEHA_HTTP_H

#include "common.h"
#include "responder.h"
#include "transport.h"

/* HIVEHA_HTTP_API marks this adapter's exported symbols. It differs from
 * HIVEHA_API only on Windows, where the adapter DLL exports its own symbols
 * while importing the core's. */
#if defined(_WIN32) && !defined(HIVEHA_STATIC)
#  if defined(HIVEHA_HTTP_BUILDING)
#    define HIVEHA_HTTP_API __declspec(dllexport)
#  else
#    define HIVEHA_HTTP_API __declspec(dllimport)
#  endif
#else
#  define HIVEHA_HTTP_API HIVEHA_API
#endif

HIVEHA_BEGIN_DECLS

/** Path prefix of every hiveha request; the message kind follows it. */
#define HIVEHA_HTTP_PATH_PREFIX "/hiveha/v1/"

/* ------------------------------------------------------------------ */
/* Client transport (libcurl)                                          */
/* ------------------------------------------------------------------ */

#define HIVEHA_HTTP_CLIENT_OPTIONS_VERSION 1

/**
 * Client options; 0 / NULL members mean the documented default. Strings are
 * copied by hiveha_http_transport_new(). Members are only ever appended.
 */
typedef struct hiveha_http_client_options {
	unsigned int version;          /**< HIVEHA_HTTP_CLIENT_OPTIONS_VERSION */

	/* ---- version 1 ---- */

	/** Connect timeout (TCP + TLS handshake), ms; default 10000. The
	 *  timeout_ms passed to connect() wins when it is > 0. */
	int64_t connect_timeout_ms;
	/** Whole-request timeout (connect, send, complete reply), ms; default
	 *  60000. The timeout_ms passed to exchange() wins when it is > 0. */
	int64_t timeout_ms;
	/** Non-zero: open a fresh TCP/TLS connection for every request. Default
	 *  (0): keep-alive, consecutive requests reuse the connection. */
	int no_reuse;
	/** Non-zero: ask for gzip-compressed replies (Accept-Encoding: gzip);
	 *  libcurl decompresses them, on_reply sees plain bytes. Harmless if the
	 *  listener does not compress. */
	int accept_gzip;
	/** Non-zero: a "HOST:PORT" endpoint means https://HOST:PORT, and an
	 *  "http://" endpoint is refused (HIVEHA_EINVAL) rather than silently
	 *  sent in clear text. */
	int use_tls;
	/** PEM file of the certificate authorities to trust; NULL = the system
	 *  store. Certificate and host name are always verified unless
	 *  `insecure` is set. */
	const char *ca_file;
	/** Optional client certificate (PEM) and its key (PEM, unencrypted),
	 *  for peers or proxies that require mutual TLS. Both or neither. */
	const char *client_cert_file;
	const char *client_key_file;
	/** FOR TESTS ONLY. Non-zero: do not verify the peer's certificate or
	 *  host name. Anyone on the path can then read and alter the traffic,
	 *  token included. */
	int insecure;
	/** Optional: receives curl's error detail for failed requests and
	 *  debug lines about connection reuse. Called on the calling thread.
	 *  The token is never logged. */
	hiveha_log_fn on_log;
	void *payload;                 /**< passed to on_log */
} hiveha_http_client_options;

#define HIVEHA_HTTP_CLIENT_OPTIONS_INIT { HIVEHA_HTTP_CLIENT_OPTIONS_VERSION, 0, 0, 0, 0, 0, \
	NULL, NULL, NULL, 0, NULL, NULL }

/** Zeroes `opts` and sets its version. HIVEHA_EVERSION for 0 or a newer version. */
HIVEHA_HTTP_API int hiveha_http_client_options_init(hiveha_http_client_options *opts,
                                               unsigned int version);

/**
 * Fills `out` with an HTTP client transport (version
 * HIVEHA_TRANSPORT_VERSION, every member set). `opts` may be NULL for the
 * defaults; it is copied. `out->destroy(out->ctx)` releases everything; the
 * governor calls it when it takes the transport over.
 *
 * Endpoint (the string handed to connect):
 *  - "HOST:PORT" (HOST a name, an IPv4 literal or "[IPv6]") means
 *    http://HOST:PORT, or https://HOST:PORT when opts->use_tls is set;
 *  - "http://host:port[/prefix]" or "https://host:port[/prefix]" is used as
 *    the base URL (a trailing '/' is dropped); requests go to
 *    <base>/hiveha/v1/<kind>.
 * Anything else (empty, another scheme, spaces, no port) is HIVEHA_EINVAL.
 *
 * connect() only validates the endpoint and prepares a connection object;
 * the TCP/TLS connection is opened by the first exchange(), which reports a
 * refused or unresolvable peer as HIVEHA_ETRANSPORT. Status mapping of
 * exchange():
 *  - 2xx: the body goes to on_reply, 0;
 *  - 400, 413 or 500 with a non-empty application/octet-stream body (the
 *    listener's error reply): the body goes to on_reply and exchange()
 *    returns 0, so the library's decoder reports the peer's own error code
 *    (HIVEHA_EPROTOCOL, HIVEHA_ELIMIT, HIVEHA_ESTORE...) and message - the
 *    same contract as an in-process transport;
 *  - without such a body: 401 -> HIVEHA_EAUTH (always), 413 ->
 *    HIVEHA_ELIMIT, 400 -> HIVEHA_EPROTOCOL, anything else (404, 502 from
 *    a proxy...) -> HIVEHA_ETRANSPORT, the body discarded;
 *  - curl timeout -> HIVEHA_ETIMEOUT; TLS verification failure, connection
 *    lost, reply cut short -> HIVEHA_ETRANSPORT; cancel ->
 *    HIVEHA_ECANCELLED; on_reply's non-zero value -> that value.
 * Redirects are not followed.
 *
 * Threads: as hiveha/transport.h. One transport serves one governor:
 * connect/exchange/close run on one thread at a time (a concurrent call
 * returns HIVEHA_ESTATE); cancel() may run on any thread and wakes a
 * running exchange at once. No thread is started. on_reply and on_log run
 * on the thread that called exchange().
 *
 * libcurl global state: if the linked libcurl reports the "threadsafe"
 * feature (libcurl >= 7.84), this function calls curl_global_init() and
 * destroy calls curl_global_cleanup() (reference counted by libcurl, safe
 * from any thread). With an older libcurl the host must call
 * curl_global_init(CURL_GLOBAL_DEFAULT) once before starting threads.
 *
 * Returns 0, HIVEHA_EINVAL (out NULL, bad options), HIVEHA_EVERSION,
 * HIVEHA_ENOMEM, or HIVEHA_ETRANSPORT (libcurl could not be initialised).
 */
HIVEHA_HTTP_API int hiveha_http_transport_new(hiveha_transport *out,
                                         const hiveha_http_client_options *opts);

/* ------------------------------------------------------------------ */
/* Listener (libmicrohttpd)                                            */
/* ------------------------------------------------------------------ */

/** A running HTTP listener. Opaque. */
typedef struct hiveha_http_listener hiveha_http_listener;

/**
 * The serving function a listener calls for every accepted request: the
 * same contract and return values as hiveha_responder_handle() (which is
 * what hiveha_http_listener_new() uses). `ctx` is the pointer given beside
 * it. Called on listener threads, possibly on several at once.
 */
typedef int (*hiveha_http_handle_fn)(void *ctx, const hiveha_request *req,
                                     hiveha_reply_fn write, void *payload);

#define HIVEHA_HTTP_LISTENER_OPTIONS_VERSION 2

/**
 * Listener options; 0 / NULL members mean the documented default. Strings
 * are read during hiveha_http_listener_new() only.
 */
typedef struct hiveha_http_listener_options {
	unsigned int version;          /**< HIVEHA_HTTP_LISTENER_OPTIONS_VERSION */

	/* ---- version 1 ---- */

	/** Required: where to listen. "HOST:PORT", "[IPv6]:PORT", or a bare
	 *  host ("127.0.0.1", "::1", "localhost", "0.0.0.0") with `port`
	 *  below. NULL or "" is HIVEHA_EINVAL: the listener never picks an
	 *  address (e.g. all interfaces) on its own. A name is resolved and the
	 *  first address is bound. */
	const char *address;
	/** Port when `address` has none; 0 = an ephemeral port (read it back
	 *  with hiveha_http_listener_port()). Must be 0 when `address` has a
	 *  port. */
	uint16_t port;
	/** Largest request body accepted; default 1 MiB (the responder's
	 *  default). Larger requests are answered 413 as soon as their
	 *  Content-Length is known, without reading the body. Keep it >= the
	 *  responder's max_request_bytes. */
	uint32_t max_request_bytes;
	/** Largest reply page buffered; default 16 MiB (the responder's default
	 *  max_reply_bytes). A bigger reply is answered 500. Keep it >= the
	 *  responder's max_reply_bytes. */
	uint32_t max_reply_bytes;
	/** Simultaneous connections (= connection threads); default 16. */
	unsigned int max_connections;
	/** Seconds an idle connection is kept open; default 60. */
	unsigned int idle_timeout_s;
	/** PEM files of the server certificate (chain) and its unencrypted key.
	 *  Both set: serve HTTPS only. Both NULL: plain HTTP. One alone:
	 *  HIVEHA_EINVAL. HIVEHA_ENOTIMPL if libmicrohttpd lacks TLS. */
	const char *tls_cert_file;
	const char *tls_key_file;
	/** Non-zero: gzip replies when the client sends Accept-Encoding: gzip
	 *  and the reply is at least 1 KiB (zlib). */
	int gzip;
	/** Optional log sink (listener errors, refused requests). Called on
	 *  listener threads, possibly concurrently. */
	hiveha_log_fn on_log;
	void *payload;                 /**< passed to on_log */

	/* ---- version 2 (read only when version >= 2) ---- */

	/** Bearer token the listener itself checks on the request headers,
	 *  before any body byte is read (constant time); a wrong or missing
	 *  one is answered 401 at once and the connection closed. NULL or "":
	 *  none. hiveha_http_listener_new() always checks the responder's
	 *  token this way too (hiveha_responder_check_token()). */
	const char *token;
	/** Seconds each phase of a request (headers, body, reply) may take on
	 *  top of its size at `min_rate_bytes_per_s`; a request past it is
	 *  closed. Default 10. */
	unsigned int request_timeout_s;
	/** Slowest transfer allowed, bytes per second; default 16384. */
	uint32_t min_rate_bytes_per_s;
	/** Memory shared by the requests being served (request decoding and
	 *  reply pages); a request that does not fit waits, then gets 503.
	 *  Default 256 MiB. */
	uint64_t memory_budget_bytes;
} hiveha_http_listener_options;

#define HIVEHA_HTTP_LISTENER_OPTIONS_INIT { HIVEHA_HTTP_LISTENER_OPTIONS_VERSION, NULL, 0, 0, 0, \
	0, 0, NULL, NULL, 0, NULL, NULL, NULL, 0, 0, 0 }

/** Zeroes `opts` and sets its version. HIVEHA_EVERSION for 0 or a newer version. */
HIVEHA_HTTP_API int hiveha_http_listener_options_init(hiveha_http_listener_options *opts,
                                                 unsigned int version);

/**
 * Starts listening and serving `responder` (borrowed: it must outlive the
 * listener). Paths: POST /hiveha/v1/hello|timeseries|events go to
 * hiveha_responder_handle() with the bearer token of the Authorization
 * header (NULL when absent or not "Bearer"); any other path is 404, another
 * method on those paths 405.
 *
 * The token (the responder's, and `token` when set) is checked on the
 * request headers, before any body byte is read. Each request phase has a
 * time budget (request_timeout_s plus its size at min_rate_bytes_per_s);
 * a peer's request in progress keeps its slot, and a new connection evicts
 * one without the token or an idle one (docs/http.md, "Hostile clients").
 *
 * Threads: libmicrohttpd runs one listening thread plus one thread per open
 * connection (at most max_connections, briefly twice that while evicted
 * connections are reaped), plus one reaper thread of the listener.
 * hiveha_responder_handle() and on_log are called on the connection
 * threads, possibly concurrently.
 *
 * Memory: request bodies take at most max_connections x max_request_bytes;
 * serving shares memory_budget_bytes: a request that does not fit waits,
 * then is answered 503 (docs/http.md, "Memory", has the formula and the
 * measured peak).
 *
 * Returns 0, HIVEHA_EINVAL (bad or missing address, bad options),
 * HIVEHA_EVERSION, HIVEHA_ENOMEM, HIVEHA_ENOTIMPL (TLS asked but not
 * available), or HIVEHA_ETRANSPORT (the address cannot be bound, the TLS
 * files cannot be read or used).
 */
HIVEHA_HTTP_API int hiveha_http_listener_new(hiveha_http_listener **out,
                                        const hiveha_http_listener_options *opts,
                                        hiveha_responder *responder);

/**
 * As hiveha_http_listener_new(), serving any function with the responder's
 * contract instead (a wrapper adding metrics or logging, a test double).
 * `ctx` is borrowed and must outlive the listener.
 */
HIVEHA_HTTP_API int hiveha_http_listener_new_handler(hiveha_http_listener **out,
                                                const hiveha_http_listener_options *opts,
                                                hiveha_http_handle_fn handle, void *ctx);

/** The port actually bound (useful with port 0). Any thread. 0 for NULL. */
HIVEHA_HTTP_API uint16_t hiveha_http_listener_port(const hiveha_http_listener *listener);

/**
 * Stops and frees the listener: closes the listening socket and every open
 * connection (a reply being sent is cut short), waits for running handler
 * calls to return and joins all listener threads. No handler call runs
 * after it returns. Must not be called from a handler. NULL is a no-op.
 */
HIVEHA_HTTP_API void hiveha_http_listener_free(hiveha_http_listener *listener);

HIVEHA_END_DECLS

#endif /* HIVEHA_HTTP_H */
