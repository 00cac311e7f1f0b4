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
 *            LE, STRING varint length + bytes; a vector varint count, a
 *            matrix varint rows + varint cols, then each element as the
 *            scalar of its type (only to a requester with HH_CAP_ARRAYS:
 *            the tags alone mark them, and an older decoder refuses them)
 * The encoder writes straight into the output buffer after reserving a
 * worst case per section; the decoder checks every read against the bytes
 * left and every length against the limits.
 */
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"
#include "value_array.h"

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

/* Worst-case bytes of the value of `v`: for an array its dimensions and
 * every element at its widest (a varint element up to 10 bytes). */
static size_t value_max(const hiveha_value *v)
{
	if (hh_type_is_array(v->type))
		return 2 * VARINT_MAX + hiveha_value_count(v) * VARINT_MAX + hh_value_string_bytes(v);
	switch (v->type) {
	case HIVEHA_TYPE_STRING: return VARINT_MAX + v->as.str.len;
	default: return VARINT_MAX;
	}
}

static unsigned char *put_scalar(unsigned char *p, const hiveha_value *v)
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

static unsigned char *put_value(unsigned char *p, const hiveha_value *v)
{
	uint32_t elem = v->type & HIVEHA_TYPE_SCALAR_MASK;
	const void *elems;
	hiveha_value e;
	size_t i, n;

	if (!hh_type_is_array(v->type))
		return put_scalar(p, v);
	if (v->type & HIVEHA_TYPE_MATRIX)
		p = hh_put_varint(p, hiveha_value_rows(v));
	p = hh_put_varint(p, hiveha_value_cols(v));
	elems = hiveha_value_elements(v);
	n = hiveha_value_count(v);
	for (i = 0; i < n; i++) {
		hh_elem_get(&e, elem, elems, i);
		p = put_scalar(p, &e);
	}
	return p;
}

/* What the encoder cannot carry: an invalid tag, a string without its
 * bytes, an array value without its payload or with a NULL string. */
static int value_ok(const hiveha_value *v)
{
	if (!hh_valid_type(v->type))
		return 0;
	if (v->type == HIVEHA_TYPE_STRING)
		return !v->as.str.len || v->as.str.ptr;
	if (!hh_type_is_array(v->type))
		return 1;
	if (!v->as.arr)
		return 0;
	if ((v->type & HIVEHA_TYPE_SCALAR_MASK) == HIVEHA_TYPE_STRING) {
		const hiveha_string *s = hiveha_value_elements(v);
		size_t i, n = hiveha_value_count(v);

		for (i = 0; i < n; i++)
			if (s[i].len && !s[i].ptr)
				return 0;
	}
	return 1;
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
		if (!value_ok(&s[i].value) || (i && s[i].time < s[i - 1].time))
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
		if (col == HH_COL_QUALITY ? x > UINT32_MAX : x > UINT32_MAX || !hh_valid_type((uint32_t)x))
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

static int get_scalar(reader *r, hiveha_value *v, const hh_limits *lim, hh_errbuf *err)
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

/* Fewest bytes an element of `elem` takes: what bounds a count before the
 * allocation it sizes. */
static size_t elem_min_bytes(uint32_t elem)
{
	switch (elem) {
	case HIVEHA_TYPE_DOUBLE: return 8;
	case HIVEHA_TYPE_FLOAT: return 4;
	default: return 1;
	}
}

static int get_strings(reader *r, hiveha_value *v, uint32_t type, size_t rows, size_t cols,
                       const hh_limits *lim, hh_errbuf *err)
{
	size_t n = rows * cols, i, total = 0;
	hiveha_string *s = NULL;
	uint64_t u;
	int rc = 0;

	if (n) {
		s = calloc(n, sizeof(*s));
		if (!s)
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	}
	for (i = 0; i < n && !rc; i++) {
		if (get_varint(r, &u) || u > (uint64_t)(r->end - r->p)) {
			rc = hh_err(err, HIVEHA_EPROTOCOL,
			            "binary block: string element %zu of %zu truncated", i, n);
		} else if (u > lim->max_string_bytes || u > HIVEHA_VALUE_MAX_BYTES - total) {
			rc = hh_err(err, HIVEHA_ELIMIT,
			            "binary block: string elements longer than %zu bytes (one) or %u (all)",
			            lim->max_string_bytes, (unsigned)HIVEHA_VALUE_MAX_BYTES);
		} else {
			s[i].ptr = malloc((size_t)u + 1);
			if (!s[i].ptr) {
				rc = hh_err(err, HIVEHA_ENOMEM, "out of memory");
				break;
			}
			if (u)
				memcpy(s[i].ptr, r->p, (size_t)u);
			s[i].ptr[u] = '\0';
			s[i].len = (size_t)u;
			total += (size_t)u;
			r->p += u;
		}
	}
	if (rc) {
		while (i > 0)
			free(s[--i].ptr);
		free(s);
		return rc;
	}
	rc = hh_strings_adopt(v, type, s, rows, cols);
	return rc ? hh_err(err, rc, "out of memory") : 0;
}

/* A vector or matrix: dimensions, then the elements. `v` owns nothing. */
static int get_array(reader *r, hiveha_value *v, const hh_limits *lim, hh_errbuf *err)
{
	uint32_t type = v->type, elem = type & HIVEHA_TYPE_SCALAR_MASK;
	uint64_t rows = 1, cols;
	hiveha_value e;
	size_t i, n;
	void *elems;
	int rc;

	v->type = HIVEHA_TYPE_EMPTY;
	if (((type & HIVEHA_TYPE_MATRIX) && get_varint(r, &rows)) || get_varint(r, &cols))
		return hh_err(err, HIVEHA_EPROTOCOL, "binary block: truncated array dimensions");
	if (rows > HIVEHA_VALUE_MAX_ELEMENTS || cols > HIVEHA_VALUE_MAX_ELEMENTS ||
	    hh_dims_check((size_t)rows, (size_t)cols))
		return hh_err(err, HIVEHA_ELIMIT, "binary block: array of %llu x %llu elements, more "
		              "than %u", (unsigned long long)rows, (unsigned long long)cols,
		              (unsigned)HIVEHA_VALUE_MAX_ELEMENTS);
	n = (size_t)rows * (size_t)cols;
	/* every element takes bytes: a count the block cannot hold is refused
	 * before it sizes an allocation */
	if (n > (size_t)(r->end - r->p) / elem_min_bytes(elem))
		return hh_err(err, HIVEHA_EPROTOCOL, "binary block: %zu array elements, fewer bytes left",
		              n);
	if (elem == HIVEHA_TYPE_STRING)
		return get_strings(r, v, type, (size_t)rows, (size_t)cols, lim, err);
	rc = hh_array_new(v, type, (size_t)rows, (size_t)cols);
	if (rc)
		return hh_err(err, rc, "out of memory");
	elems = hiveha_value_elements_mut(v);
	if (elem == HIVEHA_TYPE_DOUBLE || elem == HIVEHA_TYPE_FLOAT) {
		/* fixed width, and the bytes were counted above: the common
		 * case (vectors of measurements) skips the per-element switch */
		unsigned w = elem == HIVEHA_TYPE_DOUBLE ? 8 : 4;

		for (i = 0; i < n; i++) {
			uint64_t bits = get_le(r->p, w);

			if (w == 8) {
				memcpy((unsigned char *)elems + 8 * i, &bits, 8);
			} else {
				uint32_t b32 = (uint32_t)bits;

				memcpy((unsigned char *)elems + 4 * i, &b32, 4);
			}
			r->p += w;
		}
		return 0;
	}
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		e.type = elem;
		rc = get_scalar(r, &e, lim, err);
		if (rc) {
			hiveha_value_clear(v);
			return rc;
		}
		hh_elem_put(elems, elem, i, &e);
	}
	return 0;
}

static int get_value(reader *r, hiveha_value *v, const hh_limits *lim, hh_errbuf *err)
{
	return hh_type_is_array(v->type) ? get_array(r, v, lim, err) : get_scalar(r, v, lim, err);
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
			/* The types were set for every sample; only strings and
			 * arrays own memory, and only those before i were filled
			 * (a failed one owns nothing). */
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
