/*
 * protocol.h - wire protocol v1 message model (internal).
 *
 * Shared by the deputies (encode requests, decode replies) and the
 * responder (decode requests, encode replies). docs/protocol.md is the
 * normative description of the bytes; this header is the C model.
 *
 * Every decoder enforces hh_limits and returns HIVEHA_EPROTOCOL or
 * HIVEHA_ELIMIT with a message in `err` (never crashes, never allocates
 * beyond the limits). Decoded messages own their memory: free them with
 * the matching hh_*_free().
 */
#ifndef HH_PROTOCOL_H
#define HH_PROTOCOL_H

#include <hiveha/common.h>
#include <hiveha/time.h>
#include <hiveha/value.h>

#include "errbuf.h"

#define HH_PROTOCOL_VERSION 1

/* Capabilities announced in hello. */
#define HH_CAP_BIN_SAMPLES 0x1u  /* replies may carry samples as binary blocks */
#define HH_CAP_ITEMS_FC 0x2u     /* timeseries requests may carry front-coded ids ("items_fc") */
#define HH_CAP_STR_B64 0x4u      /* reads the lossless string form {"b64": ...} */
#define HH_CAP_ARRAYS 0x8u       /* reads vector/matrix values and exact NaN bits ("NaN:hex") */
/* What this library announces as a responder, and the most it announces
 * as a requester (hh_requester_caps()). */
#define HH_CAPS (HH_CAP_BIN_SAMPLES | HH_CAP_ITEMS_FC | HH_CAP_STR_B64 | HH_CAP_ARRAYS)

/* The store version from which a store keeps vectors and matrices
 * (store.h "version 3"); an older store is never handed one. */
#define HH_STORE_VERSION_ARRAYS 3u

/* What a requester announces, in hello and in every request: HH_CAP_ARRAYS
 * only when its store can hold what that lets the responder send. */
static inline uint32_t hh_requester_caps(unsigned int store_version)
{
	return store_version >= HH_STORE_VERSION_ARRAYS ? HH_CAPS : HH_CAPS & ~HH_CAP_ARRAYS;
}

/* Bits of the canonical quiet NaN, the one a plain "NaN" means. */
#define HH_DOUBLE_QNAN UINT64_C(0x7ff8000000000000)
#define HH_FLOAT_QNAN UINT64_C(0x7fc00000)

static inline int hh_double_nan_bits(uint64_t bits)
{
	return (bits & UINT64_C(0x7ff0000000000000)) == UINT64_C(0x7ff0000000000000) &&
	       (bits & UINT64_C(0x000fffffffffffff)) != 0;
}

/* For a requester without HH_CAP_ARRAYS, whose decoder reads only "NaN":
 * makes a float or double NaN the canonical one (1 when it changed it). */
int hh_value_canonical_nan(hiveha_value *v);

/* Sample encodings a timeseries request may ask for. */
#define HH_ENC_JSON 0
#define HH_ENC_BIN 1


typedef struct hh_limits {
	size_t max_message_bytes; /* whole message */
	size_t max_items;         /* items in one request / reply */
	size_t max_samples;       /* samples in one reply */
	size_t max_events;        /* events in one reply */
	size_t max_string_bytes;  /* any single string */
	size_t max_attributes;    /* per event */
	size_t max_ranges;        /* gaps listed in one reply */
	int max_depth;            /* JSON nesting */
} hh_limits;

/* Sensible defaults for both sides. */
void hh_limits_default(hh_limits *l);

/* The longest string hh_limits_default() lets a decoder take: what a
 * responder may send to any peer. */
#define HH_PEER_MAX_STRING_BYTES ((size_t)1 << 20)

typedef struct hh_range {
	hiveha_time from, to; /* half-open */
} hh_range;

/* A sub-range of the request the responder does not vouch for. */
typedef struct hh_gap {
	hiveha_time from, to;
	int filling; /* 1: the responder is still filling it itself; retry later */
} hh_gap;

/* ---- hello ---------------------------------------------------------- */

/* What a side accepts (docs/protocol.md "Limits"); 0 = not announced (an
 * older peer, or a side that does not serve that message). */
typedef struct hh_wire_limits {
	uint32_t request_bytes;  /* largest request body it decodes */
	uint32_t items;          /* items in one timeseries request */
	uint32_t reply_bytes;    /* largest reply it sends (responder) / accepts (requester) */
	uint32_t strings;        /* longest single string (bytes) it decodes */
} hh_wire_limits;

typedef struct hh_hello {
	uint32_t protocol;    /* HH_PROTOCOL_VERSION */
	char *instance_id;
	hiveha_time clock;    /* sender's wall clock, for skew detection */
	uint32_t caps;        /* HH_CAP_* */
	hh_wire_limits limits;
} hh_hello;               /* same shape for request and reply */

/* ---- requests ------------------------------------------------------- */

/* What both requests ask for: the range and where in it to begin
 * (docs/protocol.md "from", "to", "start", "cursor"). An encoder only
 * reads `cursor`; a decoder points it at `owned`, its copy (C heap), which
 * the message's free function releases. */
typedef struct hh_window {
	hiveha_time from, to;      /* half-open; from < to */
	int has_start;             /* resume at (start_time, start_skip) */
	hiveha_time start_time;    /* records before it are left out, inside [from, to), */
	uint64_t start_skip;       /* and the first start_skip at exactly start_time (0 without) */
	const char *cursor;        /* opaque, from the previous reply; NULL = from the start */
	char *owned;               /* decoded windows: the allocation `cursor` points to */
} hh_window;

/* ---- timeseries ----------------------------------------------------- */

typedef struct hh_ts_request {
	hh_window window;          /* the same range for every item; the start applies to items[0] */
	char **items;              /* item ids, the order of the reply */
	size_t item_count;
	uint32_t max_samples;      /* page limit asked by the client (responder may lower it) */
	uint32_t encoding;         /* HH_ENC_* */
	uint32_t max_reply_bytes;  /* largest reply the client accepts; 0 = not said */
	uint32_t caps;             /* the client's HH_CAP_* (a responder keeps no state) */
} hh_ts_request;

typedef struct hh_ts_item {
	char *id;
	int unknown;               /* 1: the responder's store does not know the item */
	int complete;              /* 1: this page holds the item's last sample in range */
	hiveha_sample *samples;    /* ascending time, store order for equal times */
	size_t count;
} hh_ts_item;

typedef struct hh_ts_reply {
	hh_gap *gaps;              /* unvouched sub-ranges; if any, no items are served */
	size_t gap_count;
	hh_ts_item *items;         /* items of this page, in request order */
	size_t item_count;
	char *cursor;              /* NULL when the request is fully answered */
} hh_ts_reply;

/* ---- events --------------------------------------------------------- */

typedef struct hh_ev_request {
	hh_window window;
	uint32_t max_events;
	uint32_t max_reply_bytes;  /* as in hh_ts_request */
	uint32_t caps;             /* as in hh_ts_request */
} hh_ev_request;

/* An event the responder could not carry: named so the requester can say
 * which one (docs/protocol.md §5 "skipped"). */
typedef struct hh_skipped {
	hiveha_time time;
	uint32_t source_id, type_id;
	char *reason;
} hh_skipped;

/* Skipped events listed in one reply; more are only counted. */
#define HH_MAX_SKIPPED_LISTED 16

typedef struct hh_ev_reply {
	hh_gap *gaps;              /* as in hh_ts_reply */
	size_t gap_count;
	hiveha_event *events;      /* ascending time */
	size_t count;
	char *cursor;
	hh_skipped *skipped;       /* at most HH_MAX_SKIPPED_LISTED */
	size_t skipped_count;
	uint32_t skipped_total;    /* skipped in this page, listed or not */
} hh_ev_reply;

/* ---- error reply ---------------------------------------------------- */

typedef struct hh_error_reply {
	int code;                  /* a hiveha_status */
	char *message;
} hh_error_reply;

/* ---- codec ---------------------------------------------------------- */

/* True when the bytes hold a NUL or are not valid UTF-8: a plain JSON
 * string cannot carry them, {"b64": ...} can. */
int hh_str_needs_b64(const char *s, size_t len);


/* A growable output buffer. */
typedef struct hh_buf {
	unsigned char *data;
	size_t len, cap;
	const hiveha_allocator *alloc; /* NULL = C heap */
} hh_buf;

void hh_buf_init(hh_buf *b, const hiveha_allocator *alloc);
void hh_buf_free(hh_buf *b);
int hh_buf_append(hh_buf *b, const void *data, size_t len);
/* Makes room for `extra` more bytes (0 or HIVEHA_ENOMEM). */
int hh_buf_reserve(hh_buf *b, size_t extra);

/* Encoders append one complete message to `out`. */
int hh_encode_hello(hh_buf *out, const hh_hello *m);
/* Ids as a plain "items" array (any peer reads it). */
int hh_encode_ts_request(hh_buf *out, const hh_ts_request *m);
/* The same request for a peer that announced `peer_caps` in hello: with
 * HH_CAP_ITEMS_FC and strictly ascending ids (strcmp) the ids are
 * front-coded ("items_fc"), else a plain "items" array. The decoder reads
 * either into `items`. */
int hh_encode_ts_request_caps(hh_buf *out, const hh_ts_request *m, uint32_t peer_caps);
/* A timeseries reply to the request whose item ids are items[0..item_count).
 * HH_ENC_BIN refers to each item by its index there (every reply item's id
 * must be one of them, in request order; HIVEHA_EINVAL otherwise); JSON
 * carries the ids and ignores `items`. */
int hh_encode_ts_reply_for(hh_buf *out, const hh_ts_reply *m, uint32_t encoding,
                           const char *const *items, size_t item_count);
/* hh_encode_ts_reply_for() without the request: JSON only (HH_ENC_BIN gives
 * HIVEHA_EINVAL). */
int hh_encode_ts_reply(hh_buf *out, const hh_ts_reply *m, uint32_t encoding);
int hh_encode_ev_request(hh_buf *out, const hh_ev_request *m);
int hh_encode_ev_reply(hh_buf *out, const hh_ev_reply *m);
int hh_encode_error(hh_buf *out, int code, const char *message);

/* Decoders. A reply decoder given an error message returns the error's
 * code (< 0) with its text in err, and leaves *out empty. */
int hh_decode_hello(hh_hello *out, const void *data, size_t len, const hh_limits *lim, hh_errbuf *err);
int hh_decode_ts_request(hh_ts_request *out, const void *data, size_t len, const hh_limits *lim, hh_errbuf *err);
/* A timeseries reply to the request whose item ids are items[0..item_count):
 * a binary reply names its items by index, and the decoded items get copies
 * of those ids (an index outside the request, or not increasing, is
 * HIVEHA_EPROTOCOL). A JSON reply carries its ids and ignores `items`. */
int hh_decode_ts_reply_for(hh_ts_reply *out, const void *data, size_t len, const hh_limits *lim,
                           hh_errbuf *err, const char *const *items, size_t item_count);
/* hh_decode_ts_reply_for() without the request: JSON replies (and error
 * replies) only; a binary reply gives HIVEHA_EINVAL. */
int hh_decode_ts_reply(hh_ts_reply *out, const void *data, size_t len, const hh_limits *lim, hh_errbuf *err);
int hh_decode_ev_request(hh_ev_request *out, const void *data, size_t len, const hh_limits *lim, hh_errbuf *err);
int hh_decode_ev_reply(hh_ev_reply *out, const void *data, size_t len, const hh_limits *lim, hh_errbuf *err);

void hh_hello_free(hh_hello *m);
void hh_ts_request_free(hh_ts_request *m);
void hh_ts_reply_free(hh_ts_reply *m);
void hh_ev_request_free(hh_ev_request *m);
void hh_ev_reply_free(hh_ev_reply *m);

#endif /* HH_PROTOCOL_H */
