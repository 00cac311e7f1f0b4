/*
 * protocol/codec.h - helpers shared by the files of lib/protocol/ (internal to
 * the protocol codec; the deputies and the responder use protocol.h).
 *
 * Decoded messages own C-heap memory (value.h's rule for owned strings), so
 * that hh_*_free() and hiveha_value_clear() need no allocator.
 */
#ifndef HH_PROTOCOL_CODEC_H
#define HH_PROTOCOL_CODEC_H

#include <cjson/cJSON.h>

#include "errbuf.h"
#include "platform/compiler.h"
#include "protocol/protocol.h"

/* Message type names ("type" member of every JSON message). */
#define HH_T_HELLO "hello"
#define HH_T_TS_REQUEST "timeseries"
#define HH_T_TS_REPLY "timeseries_reply"
#define HH_T_EV_REQUEST "events"
#define HH_T_EV_REPLY "events_reply"
#define HH_T_ERROR "error"

/* The binary timeseries reply container starts with these four bytes; the
 * first three name the container, the fourth its layout version. */
#define HH_BIN_MAGIC "HHB2"
#define HH_BIN_MAGIC_LEN 4u

/* Flags byte of an item entry in the binary container. */
#define HH_BIN_UNKNOWN 0x01u       /* the responder's store does not know the item */
#define HH_BIN_COMPLETE 0x02u      /* the page holds the item's last sample */
#define HH_BIN_SAME_TYPE 0x04u     /* no type section: the previous item's last type */
#define HH_BIN_SAME_QUALITY 0x08u  /* no quality section: the previous item's last quality */
#define HH_BIN_FLAGS 0x0Fu         /* every defined bit */

/* Longest cursor a peer may send back; ours are far shorter. */
#define HH_MAX_CURSOR_BYTES 256u

/* Error texts sent to a peer are cut to this many bytes. */
#define HH_MAX_ERROR_TEXT 512u

/* ---- UTF-8 (protocol/utf8.c) ----------------------------------------- */

/* Length of the valid UTF-8 sequence at p, or 0 if invalid. */
size_t hh_utf8_seq(const unsigned char *p, size_t avail);
/* Copies `in` into `out` (size > 0), cut at a character boundary, with
 * invalid UTF-8 and control characters replaced by '?'. */
void hh_utf8_sanitize(char *out, size_t size, const char *in);

/* ---- JSON reading --------------------------------------------------- */

/*
 * Parses one JSON message under `lim`: size, nesting depth, UTF-8, no
 * control characters or \u0000 in strings, nothing but whitespace after
 * the value, an object at the top, "v" == 1 (except for hello, which
 * negotiates) and a string "type". On success *type_out points into *out.
 */
int hh_json_parse(cJSON **out, const char **type_out, const void *data, size_t len,
                  const hh_limits *lim, hh_errbuf *err);

/* If `root` is an error message: returns its code (< 0) with the text in
 * err. Returns 0 when it is not an error message. */
int hh_json_error_reply(const cJSON *root, const char *type, hh_errbuf *err);

/* Typed member getters. `required` is HH_REQUIRED (absent or null is
 * HIVEHA_EPROTOCOL) or HH_OPTIONAL (absent or null leaves *out untouched).
 * Each returns 0 or HIVEHA_EPROTOCOL/ELIMIT. */
#define HH_REQUIRED 1
#define HH_OPTIONAL 0
int hh_json_get_time(const cJSON *obj, const char *key, int required, hiveha_time *out, hh_errbuf *err);
int hh_json_get_u64(const cJSON *obj, const char *key, int required, uint64_t *out, hh_errbuf *err);
int hh_json_get_u32(const cJSON *obj, const char *key, int required, uint32_t *out, hh_errbuf *err);
int hh_json_get_bool(const cJSON *obj, const char *key, int required, int *out, hh_errbuf *err);
/* A string copied to the C heap; absent/null gives *out = NULL. */
int hh_json_get_str(const cJSON *obj, const char *key, int required, size_t max_len, char **out,
                    hh_errbuf *err);
/* Number items that must be exact integers. */
int hh_json_u32_of(const cJSON *it, uint32_t *out);

/* Strict decimal text: "-"? digits, no leading zeros, no "-0", fits. */
int hh_parse_i64(const char *s, int64_t *out);
int hh_parse_u64(const char *s, uint64_t *out);

/* Value payload per type (docs/protocol.md "Values"). */
int hh_json_value_decode(hiveha_value *out, uint32_t type, const cJSON *payload,
                         const hh_limits *lim, hh_errbuf *err);
/* The payload of a scalar type only, strings up to max_str bytes (an
 * array's element). */
int hh_json_scalar_decode(hiveha_value *out, uint32_t type, const cJSON *payload, size_t max_str,
                          hh_errbuf *err);
/* Vector and matrix payloads (protocol/samples_json.c): `type` an array
 * tag; the decoder checks dimensions and counts before it allocates. */
int hh_json_array_decode(hiveha_value *out, uint32_t type, const cJSON *payload,
                         const hh_limits *lim, hh_errbuf *err);
cJSON *hh_json_array_encode(const hiveha_value *v, int *rc);

/* Builds the array value `type` (a valid array tag) of rows x cols from a
 * C-heap hiveha_string buffer, taking it (and its strings) in every case:
 * on failure they are freed (protocol/strings.c). */
int hh_strings_adopt(hiveha_value *out, uint32_t type, hiveha_string *elems, size_t rows,
                     size_t cols);
int hh_json_type_of(const cJSON *it, uint32_t *out, hh_errbuf *err);

/* Gaps array (absent = none). */
int hh_json_gaps_decode(const cJSON *root, const hh_limits *lim, hh_gap **gaps_out,
                        size_t *count_out, hh_errbuf *err);

/* ---- strings: the lossless form (protocol/strings.c) ----------------- */

/* A JSON string, or {"b64": ...} when hh_str_needs_b64(); NULL on ENOMEM
 * (or s == NULL with len > 0). */
cJSON *hh_json_bytes(const char *s, size_t len);
int hh_json_add_bytes(cJSON *obj, const char *key, const char *s, size_t len);
/* What hh_json_bytes_of() reads: a value.h string (any bytes) or a text
 * field (a C string: a NUL byte is EPROTOCOL). */
#define HH_STR_BYTES 1
#define HH_STR_TEXT 0
/* Reads either form into a C-heap copy (NUL-terminated, *len_out bytes).
 * `what` names the member in errors; allow_nul is HH_STR_BYTES or
 * HH_STR_TEXT. The b64 form of a string that a
 * plain JSON string could carry is EPROTOCOL too (one spelling each). */
int hh_json_bytes_of(const cJSON *it, const char *what, size_t max_len, int allow_nul, char **out,
                     size_t *len_out, hh_errbuf *err);
/* An optional (or required) text member in either form; absent/null gives
 * *out = NULL. */
int hh_json_get_text(const cJSON *obj, const char *key, int required, size_t max_len, char **out,
                     hh_errbuf *err);

/* ---- JSON writing --------------------------------------------------- */

/* A new object with "v": 1 and "type"; NULL on ENOMEM. */
cJSON *hh_json_new_message(const char *type);
/* Decimal-string and raw-number members; 0 or HIVEHA_ENOMEM. */
int hh_json_add_time(cJSON *obj, const char *key, hiveha_time t);
int hh_json_add_u64(cJSON *obj, const char *key, uint64_t u);
int hh_json_add_u32(cJSON *obj, const char *key, uint32_t u);
int hh_json_add_bool(cJSON *obj, const char *key, int b);
/* A string (NULL adds nothing). */
int hh_json_add_str(cJSON *obj, const char *key, const char *s);
int hh_json_add_gaps(cJSON *obj, const hh_gap *gaps, size_t count);
/* A value payload item; NULL with *rc set on failure. */
cJSON *hh_json_value_encode(const hiveha_value *v, int *rc);
/* Prints `root` unformatted and appends it to `out`; frees root. */
int hh_json_emit(hh_buf *out, cJSON *root);

/* Decimal text into a buffer of at least 24 bytes. */
void hh_fmt_i64(char *buf, int64_t v);
void hh_fmt_u64(char *buf, uint64_t v);

/* ---- samples -------------------------------------------------------- */

/* Every tag value.h defines, arrays included (hh_type_valid). */
int hh_valid_type(uint32_t type);

/* A zeroed array value of `type` (a valid array tag), rows x cols
 * (a vector: rows 1), checked against value.h's bounds. */
int hh_array_new(hiveha_value *out, uint32_t type, size_t rows, size_t cols);

/* The per-sample column a section of a sample block describes: both
 * encodings send types and qualities as one value when all are equal. */
typedef enum hh_column {
	HH_COL_TYPE,   /* value.type */
	HH_COL_QUALITY /* quality */
} hh_column;

static inline uint32_t hh_column_of(const hiveha_sample *s, hh_column col)
{
	return col == HH_COL_QUALITY ? s->quality : s->value.type;
}
/* Appends the JSON sample columns of `it` to `obj`. */
int hh_samples_json_encode(cJSON *obj, const hh_ts_item *it);
/* Reads the columns of one JSON item; `count` already bounded. */
int hh_samples_json_decode(const cJSON *obj, hh_ts_item *it, size_t count, const hh_limits *lim,
                           hh_errbuf *err);

/* Unsigned LEB128. put: writes at most 10 bytes at p, returns the end.
 * get: reads one at *p (< end), advances *p; HIVEHA_EPROTOCOL when it is
 * truncated or longer than 64 bits. */
unsigned char *hh_put_varint(unsigned char *p, uint64_t v);
int hh_get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out);

/*
 * The blocks of one binary reply are coded in order, each against what the
 * blocks before it left here (docs/protocol.md "Binary sample block").
 * Zero it before the first block; encoder and decoder update it alike.
 */
typedef struct hh_bin_ctx {
	hiveha_time t0;    /* first time of the last item with samples */
	uint64_t d1;       /* first time delta of the last item with >= 2 samples */
	uint32_t type;     /* type and quality of the last sample of the last */
	uint32_t quality;  /* item with samples */
} hh_bin_ctx;

/* Appends the block of s[0..count) and sets *flags to its HH_BIN_SAME_*
 * bits (the sections it left out). */
int hh_samples_bin_encode(hh_buf *out, const hiveha_sample *s, size_t count, hh_bin_ctx *ctx,
                          unsigned *flags);
/* Decodes a block of exactly `len` bytes into s[0..count) (zeroed by the
 * caller); `flags` are the item entry's. */
int hh_samples_bin_decode(hiveha_sample *s, size_t count, unsigned flags, const unsigned char *p,
                          size_t len, hh_bin_ctx *ctx, const hh_limits *lim, hh_errbuf *err);

/* Frees samples[0..count) and the array. */
void hh_samples_free(hiveha_sample *s, size_t count);

#endif /* HH_PROTOCOL_CODEC_H */
