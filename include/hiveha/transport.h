/*
 * hiveha/transport.h - the byte pipe to the peer, supplied by the host.
 *
 * The library encodes each request as bytes (docs/protocol.md) and hands it
 * to the transport together with its message kind; the transport delivers
 * it to the peer's responder (hiveha_responder_handle) and streams the reply
 * bytes back. The transport never interprets the bytes. Adapters:
 * hiveha/http.h ships a libcurl client.
 *
 * Versioning: as hiveha_store (version first, members appended, optional
 * members checked for NULL).
 *
 * Threads: connect, exchange and close are called one at a time per
 * governor, never concurrently. connect and close run on the governor's
 * sync thread; exchange may also run on a short-lived fetch thread the
 * governor starts so that the next reply travels while the current one is
 * stored (the calls are still serialised, and a connection may therefore
 * be used from different threads in turn). `cancel` is the exception: it
 * may be called from any thread while connect or exchange is running, and
 * must make that call return HIVEHA_ECANCELLED promptly.
 */
#ifndef HIVEHA_TRANSPORT_H
#define HIVEHA_TRANSPORT_H

#include "common.h"

HIVEHA_BEGIN_DECLS

/** A connection. Defined by each transport; the library only passes it back. */
typedef struct hiveha_conn hiveha_conn;

/* Message kinds (docs/protocol.md). An HTTP transport maps each one to a
 * path under a versioned prefix, e.g. "/hiveha/v1/hello". */
#define HIVEHA_MSG_HELLO "hello"
#define HIVEHA_MSG_TIMESERIES "timeseries"
#define HIVEHA_MSG_EVENTS "events"

#define HIVEHA_REQUEST_VERSION 1
#define HIVEHA_REQUEST_INIT { HIVEHA_REQUEST_VERSION, NULL, NULL, NULL, 0 }

/**
 * One request. The library builds it for exchange(), where the transport
 * borrows it for the duration of the call; a listener builds it (with
 * HIVEHA_REQUEST_INIT) for hiveha_responder_handle(). Members are only
 * appended, each version after a comment. The library reads from a host's
 * request only the members of its `version`; a transport reads a member
 * newer than version 1 only after checking `version`, because it may run
 * with an older library.
 */
typedef struct hiveha_request {
	unsigned int version;  /**< HIVEHA_REQUEST_VERSION; 0 is rejected (HIVEHA_EVERSION) */

	/* ---- version 1 ---- */
	const char *kind;      /**< a HIVEHA_MSG_* string */
	const char *token;     /**< shared secret, or NULL; send it as a credential, never log it */
	const void *body;      /**< encoded message */
	size_t body_len;
} hiveha_request;

/**
 * Receives reply bytes in order, in pieces of any size (borrowed). Returns 0
 * to continue; any other value aborts the exchange, which then returns that
 * value.
 */
typedef int (*hiveha_reply_fn)(const void *data, size_t len, void *payload);

#define HIVEHA_TRANSPORT_VERSION 1
#define HIVEHA_TRANSPORT_INIT { HIVEHA_TRANSPORT_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

typedef struct hiveha_transport {
	/** HIVEHA_TRANSPORT_VERSION of the header the transport was built with. */
	unsigned int version;
	/** Passed as first argument to every member. Owned by the transport. */
	void *ctx;

	/* ---- version 1 ---- */

	/** Optional. Releases `ctx`; called once when the governor is freed. */
	void (*destroy)(void *ctx);

	/**
	 * Required. Opens a connection to `endpoint` (the governor config's
	 * `peer` string, borrowed), waiting at most `timeout_ms`. A transport that
	 * connects lazily may return a handle at once and report a refused
	 * connection from exchange(). Returns HIVEHA_ETRANSPORT when the peer
	 * cannot be reached, HIVEHA_ETIMEOUT, or HIVEHA_ECANCELLED.
	 */
	int (*connect)(void *ctx, const char *endpoint, int64_t timeout_ms, hiveha_conn **conn_out);

	/**
	 * Required. Sends `req` and streams the whole reply to `on_reply`, waiting
	 * at most `timeout_ms` for the reply to complete. Returns 0 once every
	 * reply byte was delivered. Failures: HIVEHA_EAUTH when the peer refused
	 * the token, HIVEHA_ETRANSPORT (connection lost, peer error, reply cut
	 * short), HIVEHA_ETIMEOUT, HIVEHA_ECANCELLED, or on_reply's non-zero
	 * value. After a failure the library closes the connection.
	 */
	int (*exchange)(void *ctx, hiveha_conn *conn, const hiveha_request *req,
	                hiveha_reply_fn on_reply, void *payload, int64_t timeout_ms);

	/** Required. Closes `conn`. Cannot fail. */
	void (*close)(void *ctx, hiveha_conn *conn);

	/**
	 * Optional, any thread. Cancels: the running connect / exchange, if any,
	 * and every later one return HIVEHA_ECANCELLED promptly, until reset()
	 * is called. The library calls it from hiveha_governor_stop(); without
	 * it a stop waits for the running call's timeout.
	 */
	void (*cancel)(void *ctx);

	/**
	 * Optional (required when `cancel` is set). Clears a previous cancel so
	 * that connect / exchange work again. Called on the sync thread when a
	 * run, poll or background thread begins, before it uses the transport;
	 * never while connect or exchange runs.
	 */
	void (*reset)(void *ctx);
} hiveha_transport;

/** Zeroes `t` and sets its version. HIVEHA_EVERSION for 0 or a newer version, HIVEHA_EINVAL for NULL. */
HIVEHA_API int hiveha_transport_init(hiveha_transport *t, unsigned int version);

/**
 * Checks version and required members; on failure returns HIVEHA_EVERSION
 * or HIVEHA_EINVAL and writes a one-line reason into `msg` (may be NULL).
 */
HIVEHA_API int hiveha_transport_check(const hiveha_transport *t, char *msg, size_t msg_size);

HIVEHA_END_DECLS

#endif /* HIVEHA_TRANSPORT_H */
