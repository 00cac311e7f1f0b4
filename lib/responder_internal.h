/*
 * responder_internal.h - the responder's parts, shared by responder*.c
 * (internal). Tests reach hh_responder_set_coverage() through
 * hiveha_internal to serve gaps without a governor.
 */
#ifndef HH_RESPONDER_INTERNAL_H
#define HH_RESPONDER_INTERNAL_H

#include <hiveha/responder.h>

#include "coverage.h"
#include "protocol/protocol.h"

/*
 * Coverage source: fills `out` with the unvouched sub-ranges of [from, to)
 * for deputy `kind`. The responder frees `out` with hh_gap_list_free() only
 * for the built-in source; a source set with hh_responder_set_coverage()
 * keeps ownership (the list must stay valid until its next call).
 */
typedef int (*hh_unvouched_fn)(void *ctx, int kind, hiveha_time from, hiveha_time to,
                               hh_gap_list *out);

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
	int64_t settle_ms;
	hiveha_clock clock;             /* borrowed; valid when has_clock */
	int has_clock;
	hiveha_store store;
	hiveha_governor *governor;
	hh_unvouched_fn coverage;       /* NULL: governor / store */
	void *coverage_ctx;
};

/* Serving one decoded request: fills `out` with the reply, or returns a
 * negative status with a message in err (the caller sends the error). */
int hh_responder_ts(hiveha_responder *r, const void *body, size_t len, hh_buf *out, hh_errbuf *err);
int hh_responder_ev(hiveha_responder *r, const void *body, size_t len, hh_buf *out, hh_errbuf *err);

/* Unvouched ranges of [from, to), at most lim->max_ranges of them, copied
 * into *gaps_out (C heap; free()). */
int hh_responder_gaps(hiveha_responder *r, int kind, hiveha_time from, hiveha_time to,
                      hh_gap **gaps_out, size_t *count_out, hh_errbuf *err);

/* Request decode limits from the responder config. */
void hh_responder_limits(const hiveha_responder *r, hh_limits *lim);

/* Bytes a page may fill before it is cut, leaving room for the framing:
 * below our max_reply_bytes and below `asked` (the request's
 * max_reply_bytes; 0 = not said). */
size_t hh_responder_budget(const hiveha_responder *r, uint32_t asked);

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
