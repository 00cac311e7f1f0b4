/*
 * wiretap.h - a transport that counts what another transport carries.
 *
 * Wraps the HTTP client transport: counts round trips per message kind and
 * the request and reply body bytes (the bytes the protocol puts on the
 * wire; HTTP headers are not included - about 200 bytes per round trip).
 */
#ifndef BENCH_WIRETAP_H
#define BENCH_WIRETAP_H

#include <hiveha/transport.h>

typedef struct wiretap_counts {
	uint64_t exchanges;      /* all kinds */
	uint64_t ts_exchanges;   /* timeseries */
	uint64_t ev_exchanges;   /* events */
	uint64_t request_bytes;
	uint64_t reply_bytes;
} wiretap_counts;

/* Fills `out` with a transport forwarding to `inner` (taken over: out's
 * destroy destroys it). `counts` is borrowed and updated as calls return. */
int wiretap_new(hiveha_transport *out, const hiveha_transport *inner, wiretap_counts *counts);

#endif /* BENCH_WIRETAP_H */
