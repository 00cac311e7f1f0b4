/*
 * hiveha/responder.h - the serving side: answers the peer's requests.
 *
 * The responder takes a request (message kind, token, body bytes) as a
 * transport received it, checks the token in constant time, answers from
 * the local store and streams the reply bytes. It knows nothing of HTTP;
 * hiveha/http.h wraps it in a libmicrohttpd listener.
 *
 * What it vouches for: for each requested range it reports the sub-ranges
 * this instance's own history covers - the range minus the instance's own
 * pending gaps, read from the governor it is attached to (or from the
 * persisted sync state in the store when it has none), and never anything
 * newer than its clock's now - settle_ms.
 *
 * Threads: hiveha_responder_handle() may be called from any number of
 * threads at once. new / free from one thread, with no handle() running.
 */
#ifndef HIVEHA_RESPONDER_H
#define HIVEHA_RESPONDER_H

#include "common.h"
#include "governor.h"
#include "store.h"
#include "transport.h"

HIVEHA_BEGIN_DECLS

/** The responder. Opaque. */
typedef struct hiveha_responder hiveha_responder;

#define HIVEHA_RESPONDER_CONFIG_VERSION 2

/** Default settle window: what arrived this recently may not be stored yet. */
#define HIVEHA_DEFAULT_SETTLE_MS 5000

/**
 * Responder configuration; 0 / NULL members mean the documented default,
 * except settle_ms, where 0 means no settle window (its default comes from
 * the initialiser). Members of a version are read only when `version` says
 * the host's struct has them.
 */
typedef struct hiveha_responder_config {
	unsigned int version;          /**< HIVEHA_RESPONDER_CONFIG_VERSION */

	/* ---- version 1 ---- */
	const char *instance_id;       /**< sent in the hello reply; default "hiveha" */
	const char *token;             /**< required token; NULL or "" = no authentication */
	uint32_t max_request_bytes;    /**< larger requests are refused; default 1 MiB */
	uint32_t max_reply_bytes;      /**< a reply page stays below this; default 16 MiB */
	uint32_t max_samples;          /**< samples per reply page; default 65536 */
	uint32_t max_events;           /**< events per reply page; default 10000 */
	uint32_t max_items;            /**< items per timeseries request; default 100000 */
	hiveha_log_fn on_log;          /**< optional */
	void *payload;                 /**< passed to on_log */
	const hiveha_allocator *allocator; /**< optional; copied */

	/* ---- version 2 ---- */
	/**
	 * Settle window: nothing newer than clock now - settle_ms is vouched
	 * for, because samples and events received that recently may not be
	 * stored yet; the peer retries that tail once it has settled.
	 * 0 = none; the _INIT macro and config_init set
	 * HIVEHA_DEFAULT_SETTLE_MS (also the value for a version 1 config).
	 * Negative: HIVEHA_EINVAL.
	 */
	int64_t settle_ms;
	/**
	 * Optional. The clock whose `now` the hello reply reports and the
	 * settle window counts from. Borrowed: the struct is copied, its
	 * `destroy` is never called, and its `ctx` must stay valid until the
	 * responder is freed. NULL: the governor's clock when there is a
	 * governor, else the system clock.
	 */
	const hiveha_clock *clock;
} hiveha_responder_config;

#define HIVEHA_RESPONDER_CONFIG_INIT { HIVEHA_RESPONDER_CONFIG_VERSION, NULL, NULL, 0, 0, 0, 0, 0, \
	NULL, NULL, NULL, HIVEHA_DEFAULT_SETTLE_MS, NULL }

/**
 * Sets `cfg` to HIVEHA_RESPONDER_CONFIG_INIT for `version`: zeroes, and
 * settle_ms = HIVEHA_DEFAULT_SETTLE_MS from version 2. HIVEHA_EVERSION for
 * 0 or a newer version, HIVEHA_EINVAL for NULL.
 */
HIVEHA_API int hiveha_responder_config_init(hiveha_responder_config *cfg, unsigned int version);

/**
 * Creates a responder serving from `store` (copied; `cfg` may be NULL for
 * all defaults; the responder calls its
 * destroy only if `governor` is NULL - otherwise the store belongs to the
 * governor). `governor` (optional) supplies the live pending gaps and
 * whether its deputies are filling them; it must outlive the responder.
 */
HIVEHA_API int hiveha_responder_new(hiveha_responder **out, const hiveha_responder_config *cfg,
                                    const hiveha_store *store, hiveha_governor *governor);

/** Frees the responder. NULL is a no-op. */
HIVEHA_API void hiveha_responder_free(hiveha_responder *responder);

/**
 * Handles one request and writes the whole reply through `write` (possibly
 * in several pieces). `req` is read by its `version` (HIVEHA_REQUEST_INIT).
 * Returns:
 *  - 0: a reply was written (it may be a protocol-level error reply);
 *  - HIVEHA_EAUTH: the token is wrong or missing; nothing was written
 *    (a listener answers 401 without saying why);
 *  - HIVEHA_ELIMIT / HIVEHA_EPROTOCOL: the request is too large or
 *    malformed, or (HIVEHA_ELIMIT) a stored sample holds a string longer
 *    than any peer decodes; an error reply describing it was written
 *    (an event that cannot be sent is skipped instead, and named in the
 *    reply and in a HIVEHA_LOG_WARN line: docs/protocol.md §5);
 *  - HIVEHA_ESTORE / HIVEHA_ENOMEM: serving failed; an error reply was
 *    written if possible;
 *  - HIVEHA_ENOTIMPL: the store lacks read_samples / read_events for the
 *    requested kind; an error reply was written;
 *  - HIVEHA_ERROR: a stored value cannot be encoded (docs/protocol.md); an
 *    error reply was written;
 *  - HIVEHA_EINVAL: responder, req or write is NULL, or body is NULL with
 *    body_len > 0; nothing was written;
 *  - HIVEHA_EVERSION: req->version is 0 or newer than the library knows;
 *    nothing was written;
 *  - HIVEHA_EWRITE: `write` returned non-zero; the reply is incomplete and
 *    no more of it was written. This code is returned whatever the writer
 *    returned (and whatever the request's own outcome was), so that a
 *    writer's failure is never mistaken for one of the codes above; a
 *    writer that needs its reason keeps it in `payload`.
 */
HIVEHA_API int hiveha_responder_handle(hiveha_responder *responder, const hiveha_request *req,
                                       hiveha_reply_fn write, void *payload);

/**
 * Checks a bearer token as hiveha_responder_handle() does (constant time),
 * so that a transport can refuse a request on its headers before it reads
 * the body. `token` may be NULL (none given). Returns 0 when it is accepted
 * (or the responder has no token), HIVEHA_EAUTH when not, HIVEHA_EINVAL for
 * a NULL responder. Any thread, like hiveha_responder_handle().
 */
HIVEHA_API int hiveha_responder_check_token(const hiveha_responder *responder, const char *token);

HIVEHA_END_DECLS

#endif /* HIVEHA_RESPONDER_H */
