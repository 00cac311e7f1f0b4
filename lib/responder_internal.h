/*
 * responder_internal.h - the responder's parts, shared by responder*.c
 * (internal). Tests reach hh_responder_set_coverage() through
 * hiveha_internal to serve gaps without a governor.
 */
#ifndef HH_RESPONDER_INTERNAL_H
#define HH_RESPONDER_INTERNAL_H

#include <hiveha/responder.h>

#include "gap_view.h"
#include "protocol/protocol.h"

/* Replaces the coverage source (NULL restores the built-in one). Not
 * thread-safe: call before handle() is used. */
void hh_responder_set_coverage(hiveha_responder *r, hh_unvouched_fn fn, void *ctx);

/* Returned by our store callbacks to stop a read that filled the page;
 * positive, so it never collides with a store's negative status. */
#define HH_PAGE_FULL 0x48480001

struct hiveha_responder {
	hiveha_allocator alloc_copy;
	const hiveha_allocator *alloc;  /* &alloc_copy or NULL */
	char *instance_id;
	char *token;                    /* NULL: no authentication */
	size_t token_len;
	uint32_t max_request_bytes;
	uint32_t max_reply_bytes;
	uint32_t max_samples;
	uint32_t max_events;
	uint32_t max_items;
	hiveha_log_fn on_log;
	void *log_payload;
	hiveha_clock clock;             /* the config's copy; gaps.clock points here if set */
	hiveha_store store;
	hiveha_governor *governor;
	hh_gap_view gaps;               /* coverage, settle window, time base */
};

/* Serving one decoded request: fills `out` with the reply, or returns a
 * negative status with a message in err (the caller sends the error). */
int hh_responder_ts(hiveha_responder *r, const void *body, size_t len, hh_buf *out, hh_errbuf *err);
int hh_responder_ev(hiveha_responder *r, const void *body, size_t len, hh_buf *out, hh_errbuf *err);

/* The helpers below are inline so that the per-kind handlers never call
 * back into responder.c (HACKING.md, layers: tests/layers checks it). */

/* Request decode limits from the responder config. */
static inline void hh_responder_limits(const hiveha_responder *r, hh_limits *lim)
{
	hh_limits_default(lim);
	lim->max_message_bytes = r->max_request_bytes;
	lim->max_items = r->max_items;
}

/* Bytes a page may fill before it is cut, leaving room for the framing:
 * below our max_reply_bytes and below `asked` (the request's
 * max_reply_bytes; 0 = not said). */
static inline size_t hh_responder_budget(const hiveha_responder *r, uint32_t asked)
{
	/* a page the requester would refuse is never sent */
	size_t max = asked && asked < r->max_reply_bytes ? asked : r->max_reply_bytes;

	/* Room for the envelope, gaps and cursor; the estimates per sample
	 * are upper bounds, so the page itself never overshoots. */
	return max > 8192 ? max - 4096 : max / 2;
}

/* Cursors: "t1:<item index>:<time>:<skip>" and "e1:<time>:<skip>". The
 * parsers accept only what the formatters write and check the position
 * against the request. */
void hh_cursor_ts_format(char *buf, size_t size, size_t idx, hiveha_time t, uint64_t skip);
int hh_cursor_ts_parse(const char *s, size_t item_count, hiveha_time from, hiveha_time to,
                       size_t *idx, hiveha_time *t, uint64_t *skip);
void hh_cursor_ev_format(char *buf, size_t size, hiveha_time t, uint64_t skip);
int hh_cursor_ev_parse(const char *s, hiveha_time from, hiveha_time to, hiveha_time *t,
                       uint64_t *skip);

#endif /* HH_RESPONDER_INTERNAL_H */
