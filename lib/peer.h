/*
 * peer.h - the link to the peer instance (internal): connection, hello and
 * one request/reply, below the deputies and the pager.
 *
 * This layer publishes nothing: it returns a status and, where there is
 * more to say, a message in an hh_errbuf; the deputy that called it notes
 * and publishes (deputy_report.h). One link per governor, used by one
 * thread at a time (the sync thread, or the one fetch thread it waits for).
 */
#ifndef HH_PEER_H
#define HH_PEER_H

#include <hiveha/transport.h>

#include "errbuf.h"
#include "protocol/protocol.h"
#include "sync.h"

typedef struct hh_peer {
	hiveha_transport *transport;  /* the governor's copy */
	const char *address;          /* "" = no peer configured */
	char *instance_id;            /* the governor's (hh_hello takes it non-const) */
	const char *token;            /* NULL = none */
	hiveha_conn *conn;            /* open connection, or NULL */
	/* from the peer's last hello */
	uint32_t caps;
	hh_wire_limits limits;        /* 0 = not announced */
	hiveha_time skew;             /* its clock outside [sent, received] */
} hh_peer;

/* Opens the connection (no hello yet). HIVEHA_EINVAL with no peer
 * configured; a failure other than a stop leaves its reason in `err`. */
int hh_peer_connect(hh_peer *p, const hh_sync *s, hh_errbuf *err);

/* The hello request this instance sends: our protocol, clock (*sent) and
 * what we accept in replies. */
int hh_peer_hello_request(const hh_peer *p, const hh_sync *s, hh_buf *body, hiveha_time *sent);

/* Takes the peer's hello reply to a request sent at `sent`: its caps, its
 * limits for our requests and the clock skew it proves. */
int hh_peer_hello_reply(hh_peer *p, const hh_sync *s, hiveha_time sent, const hh_buf *reply,
                        hh_errbuf *err);

/* Sends `body` as `kind` and collects the reply bytes (at most
 * cfg->max_reply_bytes) in `reply`; decodes nothing. Any thread, one at a
 * time; HIVEHA_ECANCELLED when stopping. */
int hh_peer_exchange(hh_peer *p, const hh_sync *s, const char *kind, const hh_buf *body,
                     hh_buf *reply);

/* What a failed exchange of `kind` with status `rc` tells the host; an
 * empty message for a stop (which is no failure). */
void hh_peer_failure(const hh_sync *s, const char *kind, int rc, hh_errbuf *err);

/* Closes the connection, if one is open. */
void hh_peer_close(hh_peer *p);

/* The skew measured at the last hello, in ms, and whether it exceeds what
 * the overlap absorbs (DESIGN §5 rule 1). */
int64_t hh_peer_skew_ms(const hh_peer *p);
int hh_peer_skew_too_large(const hh_peer *p, const hh_sync *s);

#endif /* HH_PEER_H */
