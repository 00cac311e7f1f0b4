/*
 * looptransport.h - an in-process hiveha_transport for tests.
 *
 * exchange() hands the request to a handler - normally a peer's
 * hiveha_responder (looptransport_new_responder), or any function with the
 * same shape - collects the whole reply, and streams it back to the
 * caller's on_reply in pieces of a configurable size (default 4096) so that
 * the receiving side's streaming is exercised.
 *
 * Handler results (as hiveha_responder_handle documents them):
 *  - 0: the reply is delivered, exchange returns 0;
 *  - HIVEHA_EAUTH: nothing is delivered, exchange returns HIVEHA_EAUTH;
 *  - any other failure with reply bytes written (an error reply): the
 *    bytes are delivered and exchange returns 0, as an HTTP transport does
 *    with an error status carrying a body; the caller decodes the error;
 *  - any other failure with no reply bytes: HIVEHA_ETRANSPORT.
 *
 * Faults (each scheduled relative to now, counted 1-based; several may be
 * pending at once):
 *  - connects: the next N connects are refused (HIVEHA_ETRANSPORT);
 *    "peer down" refuses every connect, and every exchange on a connection
 *    opened before, until "peer up";
 *  - exchanges: the Nth exchange (optionally only of one message kind)
 *    times out (the request never reaches the handler), is dropped midway
 *    (the first half of the reply is delivered, then HIVEHA_ETRANSPORT), or
 *    is corrupted (bits flipped at an offset, then delivered normally).
 *
 * cancel() is sticky until reset(): connect and exchange return
 * HIVEHA_ECANCELLED, and a reply being delivered stops between pieces.
 *
 * Lifetime: reference counted like memstore (looptransport_ref, destroy).
 * Threads: members follow transport.h; helpers are safe from any thread.
 * The handler runs on the caller's thread, without the transport's lock.
 */
#ifndef HH_TEST_LOOPTRANSPORT_H
#define HH_TEST_LOOPTRANSPORT_H

#include <stdint.h>

#include <hiveha/responder.h>
#include <hiveha/transport.h>

/** The peer side: answers `req` by calling `write` (any number of times). */
typedef int (*looptransport_handler_fn)(const hiveha_request *req, hiveha_reply_fn write,
                                        void *write_payload, void *ctx);

/** Called before each exchange (1-based index over all kinds), without the lock. */
typedef void (*looptransport_hook_fn)(const hiveha_request *req, uint64_t index, void *payload);

typedef enum looptransport_fault {
	LOOPTRANSPORT_TIMEOUT = 1,  /**< HIVEHA_ETIMEOUT, handler not called */
	LOOPTRANSPORT_DROP = 2,     /**< half the reply, then HIVEHA_ETRANSPORT */
	LOOPTRANSPORT_CORRUPT = 3   /**< reply[offset] ^= mask, then delivered */
} looptransport_fault;

/** Message kinds counted separately. */
typedef enum looptransport_kind {
	LOOPTRANSPORT_HELLO = 0,
	LOOPTRANSPORT_TIMESERIES,
	LOOPTRANSPORT_EVENTS,
	LOOPTRANSPORT_OTHER,
	LOOPTRANSPORT_KIND_COUNT
} looptransport_kind;

typedef struct looptransport_counts {
	uint64_t connects;          /**< connect calls */
	uint64_t connects_ok;
	uint64_t closes;
	uint64_t open_conns;        /**< connected and not yet closed */
	uint64_t exchanges[LOOPTRANSPORT_KIND_COUNT]; /**< exchange calls per kind */
	uint64_t exchanges_ok;
	uint64_t request_bytes;
	uint64_t reply_bytes;       /**< bytes handed to on_reply */
	uint64_t faults;            /**< injected faults that fired */
	uint64_t cancels;
} looptransport_counts;

/** A transport answering through `fn(req, write, payload, ctx)`. */
int looptransport_new_with_handler(hiveha_transport *out, looptransport_handler_fn fn, void *ctx);

/**
 * A transport answering through hiveha_responder_handle(responder, ...).
 * The responder is borrowed: it must outlive the transport's use.
 */
int looptransport_new_responder(hiveha_transport *out, hiveha_responder *responder);

void looptransport_ref(const hiveha_transport *t);
void looptransport_free(hiveha_transport *t);

/** Largest piece handed to on_reply (0 is taken as 1). */
void looptransport_set_piece_size(const hiveha_transport *t, size_t size);

void looptransport_set_hook(const hiveha_transport *t, looptransport_hook_fn fn, void *payload);

/** The next `n` connects fail with HIVEHA_ETRANSPORT. */
void looptransport_refuse_connects(const hiveha_transport *t, uint64_t n);

/** Peer down (1): every connect and exchange fails with HIVEHA_ETRANSPORT; up (0). */
void looptransport_set_peer_down(const hiveha_transport *t, int down);

/**
 * Schedules `fault` for the `nth` exchange from now (1 = the next one),
 * counting only exchanges of message kind `kind` (NULL = any). `offset` and
 * `mask` are for LOOPTRANSPORT_CORRUPT (an offset past the end hits the
 * last byte; mask 0 means 0xFF). Returns HIVEHA_ELIMIT when 16 faults are
 * already pending.
 */
int looptransport_fail_exchange(const hiveha_transport *t, uint64_t nth, const char *kind,
                                looptransport_fault fault, size_t offset, unsigned char mask);

/** Cancels every pending fault and brings the peer up. */
void looptransport_faults_off(const hiveha_transport *t);

void looptransport_get_counts(const hiveha_transport *t, looptransport_counts *out);
void looptransport_reset_counts(const hiveha_transport *t);

/** Total exchange calls so far. */
uint64_t looptransport_exchanges(const hiveha_transport *t);

/** 1 while a cancel is in force. */
int looptransport_cancelled(const hiveha_transport *t);

#endif /* HH_TEST_LOOPTRANSPORT_H */
