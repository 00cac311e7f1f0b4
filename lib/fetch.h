/*
 * fetch.h - one request/reply, optionally on a thread of its own, so that
 * the next page travels and decodes while the current one is stored
 * (DESIGN §9: fetching the next chunk overlaps with storing the current).
 *
 * Only the transport call (peer.h) and the decoder run on the fetch
 * thread; the observer's reports and the pager's callbacks stay on the
 * sync thread. At most one fetch runs per governor, so the transport still
 * sees one call at a time.
 */
#ifndef HH_FETCH_H
#define HH_FETCH_H

#include "errbuf.h"
#include "sync.h"

typedef int (*hh_decode_fn)(void *out, const void *data, size_t len, const hh_limits *lim,
                            hh_errbuf *err);

/* What the pager reports, to the deputy that runs it (deputy_report.h):
 * this layer publishes nothing itself. All on the sync thread. */
typedef struct hh_fetch_observer {
	void (*sending)(void *ctx);                          /* a request goes out */
	int (*replied)(void *ctx, const char *kind, int rc); /* its transport status; returns rc */
	void (*rejected)(void *ctx, const char *kind, const char *why); /* the decoder refused it */
	void (*applied)(void *ctx);                          /* a page was applied */
	void *ctx;
} hh_fetch_observer;

/*
 * A paged transfer of one or more units (a unit: the first request, then
 * one request per cursor). Each page is applied while the next request -
 * the continuation, or the next unit's first request - is already
 * travelling, so the pipeline does not drain at unit boundaries. The
 * message-specific parts are callbacks on `ctx`.
 */
typedef struct hh_pager {
	const char *kind;
	hh_decode_fn decode;
	size_t page_size;                                   /* sizeof the decoded message */
	/* Encodes a request: with a cursor, the continuation of the unit being
	 * applied; with NULL, the first request of the next unit (the first
	 * call: unit 0). */
	int (*encode)(void *ctx, hh_buf *out, const char *cursor);
	const char *(*cursor)(const void *page);            /* NULL on a unit's last page */
	/* Non-zero when the peer did not vouch for the range: the callback
	 * handles it (splits the gap) and returns HH_FILL_RESPLIT or an error. */
	int (*unvouched)(void *ctx, const void *page);
	int (*apply)(void *ctx, const void *page);
	void (*free_page)(void *page);
	/* Optional: is there a unit after the one being applied? */
	int (*has_next_unit)(void *ctx);
	/* Optional: the unit being applied got its last page; check it and
	 * move on to the next. */
	int (*end_unit)(void *ctx);
	/* Optional: called right after each encode, on the sync thread, with the
	 * (zeroed) page its reply will be decoded into, so that the decoder -
	 * which runs on the fetch thread - can see what that request asked. */
	void (*prepare)(void *ctx, void *page);
	/* Optional: the records (samples, events) a decoded page carries, for
	 * the throttle (hiveha_governor_config.max_records_per_s). */
	uint64_t (*records)(const void *page);
} hh_pager;

/* Runs the transfer; returns 0, HH_FILL_RESPLIT or an error. */
int hh_fetch_pages(const hh_sync *s, const hh_fetch_observer *obs, const hh_pager *p, void *ctx);

#endif /* HH_FETCH_H */
