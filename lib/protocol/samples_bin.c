/*
 * protocol/samples_bin.c - the binary sample block (HH_ENC_BIN).
 *
 * One block per item, byte-exactly specified in docs/protocol.md. Each
 * block is coded against the blocks before it in the same reply (hh_bin_ctx),
 * so that many short items cost little more than their samples:
 *   times    zigzag varint (t0 - previous t0); if n >= 2 zigzag varint
 *            (d1 - previous d1); zigzag varint (d[i] - d[i-1])... (deltas on
 *            the order-preserving uint64 map of the ticks, so a regular
 *            series costs one byte per sample)
 *   types    runs of (varint run >= 1, varint type) covering every sample,
 *            left out (flag HH_BIN_SAME_TYPE) when all have the type of the
 *            previous item's last sample
 *   quality  the same with qualities (flag HH_BIN_SAME_QUALITY)
 *   values   per sample by type: EMPTY -, BOOL 1 byte 0/1, INT64 / TIME
 *            zigzag varint, UINT64 varint, FLOAT 4 bytes LE, DOUBLE 8 bytes
 *            LE, STRING varint length + bytes
 * The encoder writes straight into the output buffer after reserving a
 * worst case per section; the decoder checks every read against the bytes
 * left and every length against the limits.
 */
#include <string.h>

#include "protocol/codec.h"

#define VARINT_MAX ((size_t)10)

static uint64_t ord(hiveha_time t)
{
	return (uint64_t)t ^ (UINT64_C(1) << 63);
}

static uint64_t zigzag(uint64_t v)
{
	return (v << 1) ^ (uint64_t)-(int64_t)(v >> 63);
}

static uint64_t unzigzag(uint64_t z)
{
	return (z >> 1) ^ (uint64_t)-(int64_t)(z & 1);
}

unsigned char *hh_put_varint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

static void put_le(unsigned char *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Worst-case bytes of the value of `v`. */
static size_t value_max(const hiveha_value *v)
{
	switch (v->type) {
	case HIVEHA_TYPE_STRING: return VARINT_MAX + v->as.str.len;
	default: return VARINT_MAX;
	}
}

static unsigned char *put_value(unsigned char *p, const hiveha_value *v)
{
	uint64_t bits;

	switch (v->type) {
	case HIVEHA_TYPE_EMPTY:
		break;
	case HIVEHA_TYPE_BOOL:
		*p++ = v->as.b ? 1 : 0;
		break;
	case HIVEHA_TYPE_INT64:
	case HIVEHA_TYPE_TIME:
		p = hh_put_varint(p, zigzag((uint64_t)v->as.i64));
		break;
	case HIVEHA_TYPE_UINT64:
		p = hh_put_varint(p, v->as.u64);
		break;
	case HIVEHA_TYPE_FLOAT: {
		uint32_t b32;

		memcpy(&b32, &v->as.f32, 4);
		put_le(p, b32, 4);
		p += 4;
		break;
	}
	case HIVEHA_TYPE_DOUBLE:
		memcpy(&bits, &v->as.f64, 8);
		put_le(p, bits, 8);
		p += 8;
		break;
	case HIVEHA_TYPE_STRING:
		p = hh_put_varint(p, v->as.str.len);
		if (v->as.str.len)
			memcpy(p, v->as.str.ptr, v->as.str.len);
		p += v->as.str.len;
		break;
	}
	return p;
}

/* Writes the run-length section of column `col`. */
static unsigned char *put_runs(unsigned char *p, const hiveha_sample *s, size_t n, hh_column col)
{
	size_t i = 0, j;

	while (i < n) {
		uint32_t x = hh_column_of(&s[i], col);

		for (j = i + 1; j < n && hh_column_of(&s[j], col) == x; j++)
			;
		p = hh_put_varint(p, j - i);
		p = hh_put_varint(p, x);
		i = j;
	}
	return p;
}

/* Is every sample's `col` the given one? */
static int uniform(const hiveha_sample *s, size_t n, hh_column col, uint32_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (hh_column_of(&s[i], col) != x)
			return 0;
	return 1;
}

int hh_samples_bin_encode(hh_buf *out, const hiveha_sample *s, size_t n, hh_bin_ctx *ctx,
                          unsigned *flags)
{
	size_t i, worst = 0;
	uint64_t prev_d = 0;
	unsigned char *p;
	int rc;

	*flags = 0;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (!hh_valid_type(s[i].value.type) || (i && s[i].time < s[i - 1].time))
			return HIVEHA_EINVAL;
		if (s[i].value.type == HIVEHA_TYPE_STRING && s[i].value.as.str.len &&
		    !s[i].value.as.str.ptr)
			return HIVEHA_EINVAL;
		/* time + a type run + a quality run + the value, each bounded. */
		worst += 5 * VARINT_MAX + value_max(&s[i].value);
	}
	rc = hh_buf_reserve(out, worst);
	if (rc)
		return rc;
	p = out->data + out->len;
	p = hh_put_varint(p, zigzag((uint64_t)s[0].time - (uint64_t)ctx->t0));
	for (i = 1; i < n; i++) {
		uint64_t d = ord(s[i].time) - ord(s[i - 1].time);

		p = hh_put_varint(p, zigzag(d - (i == 1 ? ctx->d1 : prev_d)));
		prev_d = d;
		if (i == 1)
			ctx->d1 = d;
	}
	if (uniform(s, n, HH_COL_TYPE, ctx->type))
		*flags |= HH_BIN_SAME_TYPE;
	else
		p = put_runs(p, s, n, HH_COL_TYPE);
	if (uniform(s, n, HH_COL_QUALITY, ctx->quality))
		*flags |= HH_BIN_SAME_QUALITY;
	else
		p = put_runs(p, s, n, HH_COL_QUALITY);
	for (i = 0; i < n; i++)
		p = put_value(p, &s[i].value);
	out->len = (size_t)(p - out->data);
	ctx->t0 = s[0].time;
	ctx->type = s[n - 1].value.type;
	ctx->quality = s[n - 1].quality;
	return 0;
}

/* ---- decoding ----------------------------------------------------------- */

typedef struct reader {
	const unsigned char *p, *end;
} reader;

int hh_get_varint(const unsigned char **pp, const unsigned char *end, uint64_t *out)
{
	const unsigned char *p = *pp;
	uint64_t v = 0;
	unsigned shift = 0;

	while (p < end) {
		unsigned char c = *p++;

		if (shift == 63 && c > 1)
			return HIVEHA_EPROTOCOL;
		v |= (uint64_t)(c & 0x7F) << shift;
		if (!(c & 0x80)) {
			*out = v;
			*pp = p;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return HIVEHA_EPROTOCOL;
	}
	return HIVEHA_EPROTOCOL;
}

static int get_varint(reader *r, uint64_t *out)
{
	return hh_get_varint(&r->p, r->end, out);
}

static int get_runs(reader *r, hiveha_sample *s, size_t n, hh_column col, hh_errbuf *err)
{
	const char *what = col == HH_COL_QUALITY ? "quality" : "type";
	size_t i = 0, k;
	uint64_t run, x;

	while (i < n) {
		if (get_varint(r, &run) || get_varint(r, &x))
			return hh_err(err, HIVEHA_EPROTOCOL, "binary block: truncated %s runs", what);
		if (run == 0 || run > n - i)
			return hh_err(err, HIVEHA_EPROTOCOL, "binary block: bad %s run length", what);
		if (col == HH_COL_QUALITY ? x > UINT32_MAX : x > HIVEHA_TYPE_TIME)
			return hh_err(err, HIVEHA_EPROTOCOL, "binary block: bad %s", what);
		for (k = 0; k < run; k++, i++) {
			if (col == HH_COL_QUALITY)
				s[i].quality = (uint32_t)x;
			else
				s[i].value.type = (uint32_t)x;
		}
	}
	return 0;
}

static int get_value(reader *r, hiveha_value *v, const hh_limits *lim, hh_errbuf *err)
{
	uint64_t u;
	size_t left = (size_t)(r->end - r->p);

	switch (v->type) {
	case HIVEHA_TYPE_EMPTY:
		return 0;
	case HIVEHA_TYPE_BOOL:
		if (left < 1 || *r->p > 1)
			break;
		v->as.b = *r->p++ != 0;
		return 0;
	case HIVEHA_TYPE_INT64:
	case HIVEHA_TYPE_TIME:
		if (get_varint(r, &u))
			break;
		v->as.i64 = (int64_t)unzigzag(u);
		return 0;
	case HIVEHA_TYPE_UINT64:
		if (get_varint(r, &v->as.u64))
			break;
		return 0;
	case HIVEHA_TYPE_FLOAT: {
		uint32_t b32;

		if (left < 4)
			break;
		b32 = (uint32_t)get_le(r->p, 4);
		memcpy(&v->as.f32, &b32, 4);
		r->p += 4;
		return 0;
	}
	case HIVEHA_TYPE_DOUBLE:
		if (left < 8)
			break;
		u = get_le(r->p, 8);
		memcpy(&v->as.f64, &u, 8);
		r->p += 8;
		return 0;
	case HIVEHA_TYPE_STRING:
		if (get_varint(r, &u))
			break;
		if (u > lim->max_string_bytes)
			return hh_err(err, HIVEHA_ELIMIT, "binary block: string longer than %zu bytes",
			              lim->max_string_bytes);
		if (u > (uint64_t)(r->end - r->p))
			break;
		/* set_string wants a value that owns nothing yet. */
		v->type = HIVEHA_TYPE_EMPTY;
		if (hiveha_value_set_string(v, (const char *)r->p, (size_t)u))
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
		r->p += u;
		return 0;
	}
	return hh_err(err, HIVEHA_EPROTOCOL, "binary block: truncated or invalid value");
}

/* Every sample gets x as its `col`. */
static void set_all(hiveha_sample *s, size_t n, hh_column col, uint32_t x)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (col == HH_COL_QUALITY)
			s[i].quality = x;
		else
			s[i].value.type = x;
	}
}

int hh_samples_bin_decode(hiveha_sample *s, size_t n, unsigned flags, const unsigned char *p,
                          size_t len, hh_bin_ctx *ctx, const hh_limits *lim, hh_errbuf *err)
{
	reader r = { p, p + len };
	uint64_t z, cur, d = 0;
	size_t i;
	int rc;

	if (n == 0) {
		if (len || (flags & (HH_BIN_SAME_TYPE | HH_BIN_SAME_QUALITY)))
			return hh_err(err, HIVEHA_EPROTOCOL, "binary block: bytes or flags for an empty item");
		return 0;
	}
	if (get_varint(&r, &z))
		return hh_err(err, HIVEHA_EPROTOCOL, "binary block: truncated times");
	s[0].time = (hiveha_time)(unzigzag(z) + (uint64_t)ctx->t0);
	cur = ord(s[0].time);
	for (i = 1; i < n; i++) {
		if (get_varint(&r, &z))
			return hh_err(err, HIVEHA_EPROTOCOL, "binary block: truncated times");
		d = (i == 1 ? ctx->d1 : d) + unzigzag(z);
		if (d > UINT64_MAX - cur)
			return hh_err(err, HIVEHA_EPROTOCOL, "binary block: times not ascending");
		cur += d;
		s[i].time = (hiveha_time)(cur ^ (UINT64_C(1) << 63));
		if (i == 1)
			ctx->d1 = d;
	}
	if (flags & HH_BIN_SAME_TYPE) {
		set_all(s, n, HH_COL_TYPE, ctx->type);
	} else {
		rc = get_runs(&r, s, n, HH_COL_TYPE, err);
		if (rc)
			return rc;
	}
	if (flags & HH_BIN_SAME_QUALITY) {
		set_all(s, n, HH_COL_QUALITY, ctx->quality);
	} else {
		rc = get_runs(&r, s, n, HH_COL_QUALITY, err);
		if (rc)
			return rc;
	}
	ctx->t0 = s[0].time;
	ctx->type = s[n - 1].value.type;
	ctx->quality = s[n - 1].quality;
	for (i = 0; i < n; i++) {
		rc = get_value(&r, &s[i].value, lim, err);
		if (rc) {
			/* The types were set for every sample; only strings own memory,
			 * and only those before i were filled. */
			size_t k;

			for (k = i; k < n; k++)
				s[k].value.type = HIVEHA_TYPE_EMPTY;
			return rc;
		}
	}
	if (r.p != r.end)
		return hh_err(err, HIVEHA_EPROTOCOL, "binary block: %zu trailing bytes",
		              (size_t)(r.end - r.p));
	return 0;
}
