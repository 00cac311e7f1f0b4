/*
 * protocol/ts_reply.c - the timeseries reply in both sample encodings.
 *
 * HH_ENC_JSON: one JSON object, samples as columns (protocol/samples_json.c).
 * HH_ENC_BIN:  "HHB2", u32 LE header length, the JSON header (gaps and
 *              cursor, no items), then a binary item table (varint count;
 *              per item: varint index delta into the request's items, a
 *              flags byte, varint sample count, varint block length) and
 *              the items' blocks in table order. Items are named by index
 *              because the client has the ids: with many short items the ids
 *              and per-item JSON would cost more than the samples.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "protocol/codec.h"

/* ---- encoding ------------------------------------------------------------ */

static int check_reply(const hh_ts_reply *m)
{
	size_t i;

	if (m->gap_count && (m->item_count || m->cursor))
		return HIVEHA_EINVAL;
	if ((m->gap_count && !m->gaps) || (m->item_count && !m->items))
		return HIVEHA_EINVAL;
	if (m->cursor && (!*m->cursor || strlen(m->cursor) > HH_MAX_CURSOR_BYTES))
		return HIVEHA_EINVAL;
	for (i = 0; i < m->item_count; i++) {
		const hh_ts_item *it = &m->items[i];

		if (!it->id || !it->id[0] || (it->count && !it->samples) || (it->unknown && it->count) ||
		    it->count > UINT32_MAX)
			return HIVEHA_EINVAL;
	}
	return 0;
}

/* The envelope of a reply in `encoding` (HH_ENC_*); items_out: the JSON
 * "items" array to fill (NULL: none, binary replies carry a block). */
static cJSON *reply_object(const hh_ts_reply *m, uint32_t encoding, cJSON **items_out)
{
	cJSON *o = hh_json_new_message(HH_T_TS_REPLY);

	if (!o)
		return NULL;
	if (encoding == HH_ENC_BIN && !cJSON_AddStringToObject(o, "encoding", "bin"))
		goto fail;
	if (hh_json_add_gaps(o, m->gaps, m->gap_count))
		goto fail;
	if (items_out) {
		*items_out = cJSON_AddArrayToObject(o, "items");
		if (!*items_out)
			goto fail;
	}
	if (m->cursor ? !cJSON_AddStringToObject(o, "cursor", m->cursor)
	              : !cJSON_AddNullToObject(o, "cursor"))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *item_object(cJSON *items, const hh_ts_item *it)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddItemToArray(items, o);
	if (!cJSON_AddStringToObject(o, "id", it->id) || hh_json_add_bool(o, "unknown", it->unknown != 0) ||
	    hh_json_add_bool(o, "complete", it->complete != 0) ||
	    hh_json_add_u32(o, "count", (uint32_t)it->count))
		return NULL;
	return o;
}

static int encode_json(hh_buf *out, const hh_ts_reply *m)
{
	cJSON *root, *items, *o;
	size_t i;
	int rc;

	root = reply_object(m, HH_ENC_JSON, &items);
	if (!root)
		return HIVEHA_ENOMEM;
	for (i = 0; i < m->item_count; i++) {
		o = item_object(items, &m->items[i]);
		if (!o) {
			cJSON_Delete(root);
			return HIVEHA_ENOMEM;
		}
		rc = hh_samples_json_encode(o, &m->items[i]);
		if (rc) {
			cJSON_Delete(root);
			return rc;
		}
	}
	return hh_json_emit(out, root);
}

/* Index of `id` in items[from..n), or n. Reply items are borrowed from the
 * request on the serving side, so the pointer usually matches at once. */
static size_t find_item(const char *id, const char *const *items, size_t from, size_t n)
{
	size_t k;

	for (k = from; k < n; k++)
		if (items[k] == id || !strcmp(items[k], id))
			return k;
	return n;
}

static int encode_bin(hh_buf *out, const hh_ts_reply *m, const char *const *items, size_t n_items)
{
	hh_buf blocks, table, head;
	hh_bin_ctx ctx;
	cJSON *root;
	unsigned char len4[4], *p;
	size_t i, next = 0;
	int rc;

	if (!items)
		return HIVEHA_EINVAL;
	memset(&ctx, 0, sizeof(ctx));
	hh_buf_init(&blocks, out->alloc);
	hh_buf_init(&table, out->alloc);
	hh_buf_init(&head, out->alloc);
	/* The item count and at most 31 bytes per entry (4 varints + flags). */
	rc = hh_buf_reserve(&table, 10 + 31 * m->item_count);
	if (rc)
		goto fail;
	p = hh_put_varint(table.data, m->item_count);
	for (i = 0; i < m->item_count; i++) {
		const hh_ts_item *it = &m->items[i];
		size_t k = find_item(it->id, items, next, n_items), before = blocks.len;
		unsigned flags;

		if (k == n_items) {
			rc = HIVEHA_EINVAL;
			goto fail;
		}
		rc = hh_samples_bin_encode(&blocks, it->samples, it->count, &ctx, &flags);
		if (rc)
			goto fail;
		flags |= (it->unknown ? HH_BIN_UNKNOWN : 0) | (it->complete ? HH_BIN_COMPLETE : 0);
		p = hh_put_varint(p, k - next);
		*p++ = (unsigned char)flags;
		p = hh_put_varint(p, it->count);
		p = hh_put_varint(p, blocks.len - before);
		next = k + 1;
	}
	table.len = (size_t)(p - table.data);
	rc = HIVEHA_ENOMEM;
	root = reply_object(m, HH_ENC_BIN, NULL);
	if (!root)
		goto fail;
	rc = hh_json_emit(&head, root);
	if (rc)
		goto fail;
	if (head.len > UINT32_MAX) {
		rc = HIVEHA_ELIMIT;
		goto fail;
	}
	len4[0] = (unsigned char)head.len;
	len4[1] = (unsigned char)(head.len >> 8);
	len4[2] = (unsigned char)(head.len >> 16);
	len4[3] = (unsigned char)(head.len >> 24);
	rc = hh_buf_reserve(out, HH_BIN_MAGIC_LEN + 4 + head.len + table.len + blocks.len);
	if (rc)
		goto fail;
	hh_buf_append(out, HH_BIN_MAGIC, HH_BIN_MAGIC_LEN);
	hh_buf_append(out, len4, 4);
	hh_buf_append(out, head.data, head.len);
	hh_buf_append(out, table.data, table.len);
	hh_buf_append(out, blocks.data, blocks.len);
fail:
	hh_buf_free(&head);
	hh_buf_free(&table);
	hh_buf_free(&blocks);
	return rc;
}

int hh_encode_ts_reply_for(hh_buf *out, const hh_ts_reply *m, uint32_t encoding,
                           const char *const *items, size_t item_count)
{
	size_t start;
	int rc;

	if (!out || !m || check_reply(m))
		return HIVEHA_EINVAL;
	start = out->len;
	if (encoding == HH_ENC_JSON)
		rc = encode_json(out, m);
	else if (encoding == HH_ENC_BIN)
		rc = encode_bin(out, m, items, item_count);
	else
		return HIVEHA_EINVAL;
	if (rc)
		out->len = start; /* never leave half a message behind */
	return rc;
}

int hh_encode_ts_reply(hh_buf *out, const hh_ts_reply *m, uint32_t encoding)
{
	return hh_encode_ts_reply_for(out, m, encoding, NULL, 0);
}

/* ---- decoding -------------------------------------------------------------- */

/* The item header members; `*count_out` bounded by the samples left. */
static int item_head(const cJSON *o, hh_ts_item *it, size_t *count_out, size_t *budget,
                     const hh_limits *lim, hh_errbuf *err)
{
	uint32_t count = 0;
	int rc;

	if (!cJSON_IsObject(o))
		return hh_err(err, HIVEHA_EPROTOCOL, "an item must be an object");
	rc = hh_json_get_str(o, "id", HH_REQUIRED, lim->max_string_bytes, &it->id, err);
	if (!rc)
		rc = hh_json_get_bool(o, "unknown", HH_OPTIONAL, &it->unknown, err);
	if (!rc)
		rc = hh_json_get_bool(o, "complete", HH_OPTIONAL, &it->complete, err);
	if (!rc)
		rc = hh_json_get_u32(o, "count", HH_REQUIRED, &count, err);
	if (rc)
		return rc;
	if (!it->id[0])
		return hh_err(err, HIVEHA_EPROTOCOL, "empty item id");
	if (it->unknown && count)
		return hh_err(err, HIVEHA_EPROTOCOL, "unknown item \"%.64s\" with samples", it->id);
	if (count > *budget)
		return hh_err(err, HIVEHA_ELIMIT, "more than %zu samples in one reply", lim->max_samples);
	*budget -= count;
	*count_out = count;
	return 0;
}

static int decode_items(hh_ts_reply *out, const cJSON *root, const hh_limits *lim, hh_errbuf *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "items"), *o;
	size_t n, i = 0, count = 0, budget = lim->max_samples;
	int rc;

	if (!cJSON_IsArray(arr))
		return hh_err(err, HIVEHA_EPROTOCOL, "\"items\" must be an array");
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > lim->max_items)
		return hh_err(err, HIVEHA_ELIMIT, "more than %zu items in one reply", lim->max_items);
	if (n && out->gap_count)
		return hh_err(err, HIVEHA_EPROTOCOL, "a reply with gaps must not carry items");
	if (n) {
		out->items = calloc(n, sizeof(*out->items));
		if (!out->items)
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(o, arr) {
		hh_ts_item *it = &out->items[i];

		out->item_count = ++i;
		rc = item_head(o, it, &count, &budget, lim, err);
		if (!rc)
			rc = hh_samples_json_decode(o, it, count, lim, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* One entry of the binary item table; `*k` is the next index it may name
 * and becomes the one after it. */
typedef struct bin_entry {
	size_t index;
	unsigned flags;
	uint64_t count, bytes;
} bin_entry;

static int get_entry(const unsigned char **p, const unsigned char *end, size_t *k, size_t n_items,
                     bin_entry *e, hh_errbuf *err)
{
	uint64_t delta;

	if (hh_get_varint(p, end, &delta) || *p == end)
		return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: truncated item table");
	e->flags = *(*p)++;
	if (hh_get_varint(p, end, &e->count) || hh_get_varint(p, end, &e->bytes))
		return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: truncated item table");
	if (delta >= n_items - *k)
		return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: item index beyond the request's %zu items",
		              n_items);
	e->index = *k + (size_t)delta;
	*k = e->index + 1;
	return 0;
}

/* The item table and the blocks after the JSON header: every entry is
 * checked (indices, flags, counts against the limits and the bytes) before
 * any sample is allocated. */
static int decode_bin_items(hh_ts_reply *out, const unsigned char *p, const unsigned char *end,
                            const char *const *items, size_t n_items, const hh_limits *lim,
                            hh_errbuf *err)
{
	const unsigned char *table;
	uint64_t n, total = 0, bytes = 0;
	size_t i, k = 0;
	hh_bin_ctx ctx;
	/* Zeroed: get_entry fills it on success; clang-analyzer cannot see
	 * that its hh_err() returns are never 0. */
	bin_entry e = { 0 };
	int rc;

	if (hh_get_varint(&p, end, &n))
		return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: truncated item count");
	if (n > lim->max_items)
		return hh_err(err, HIVEHA_ELIMIT, "more than %zu items in one reply", lim->max_items);
	if (n > n_items)
		return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: more items than the request's %zu",
		              n_items);
	/* An entry takes at least 4 bytes. */
	if (n > (uint64_t)(end - p) / 4)
		return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: truncated item table");
	if (n && out->gap_count)
		return hh_err(err, HIVEHA_EPROTOCOL, "a reply with gaps must not carry items");
	table = p;
	for (i = 0; i < n; i++) {
		rc = get_entry(&p, end, &k, n_items, &e, err);
		if (rc)
			return rc;
		if (e.flags & ~HH_BIN_FLAGS)
			return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: undefined item flags 0x%02x",
			              e.flags);
		if (e.count > lim->max_samples - total)
			return hh_err(err, HIVEHA_ELIMIT, "more than %zu samples in one reply",
			              lim->max_samples);
		total += e.count;
		if ((e.flags & HH_BIN_UNKNOWN) && e.count)
			return hh_err(err, HIVEHA_EPROTOCOL, "unknown item %zu with samples", e.index);
		/* Every sample takes at least one byte (its time), so a count the
		 * bytes cannot hold is refused before allocating. */
		if (e.count > e.bytes)
			return hh_err(err, HIVEHA_EPROTOCOL, "item count larger than its block");
		/* What is left after this entry must hold the blocks so far and this
		 * one (checked without wrapping around). */
		if (bytes > (uint64_t)(end - p) || e.bytes > (uint64_t)(end - p) - bytes)
			return hh_err(err, HIVEHA_EPROTOCOL, "item blocks longer than the message");
		bytes += e.bytes;
	}
	if (bytes != (uint64_t)(end - p))
		return hh_err(err, HIVEHA_EPROTOCOL, "%zu bytes after the last item block",
		              (size_t)((uint64_t)(end - p) - bytes));
	if (n) {
		out->items = calloc((size_t)n, sizeof(*out->items));
		if (!out->items)
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	}
	/* Second pass: the table is known good; decode the blocks. */
	memset(&ctx, 0, sizeof(ctx));
	k = 0;
	for (i = 0; i < n; i++) {
		hh_ts_item *it = &out->items[i];

		get_entry(&table, end, &k, n_items, &e, err);
		out->item_count = i + 1;
		it->unknown = (e.flags & HH_BIN_UNKNOWN) != 0;
		it->complete = (e.flags & HH_BIN_COMPLETE) != 0;
		it->id = hh_strdup(NULL, items[e.index]);
		if (!it->id)
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
		if (e.count) {
			it->samples = calloc((size_t)e.count, sizeof(*it->samples));
			if (!it->samples)
				return hh_err(err, HIVEHA_ENOMEM, "out of memory");
		}
		it->count = (size_t)e.count;
		rc = hh_samples_bin_decode(it->samples, it->count, e.flags, p, (size_t)e.bytes, &ctx, lim,
		                           err);
		if (rc)
			return rc;
		p += e.bytes;
	}
	return 0;
}

/* The fourth byte of "HHB?" is the container's layout version. */
static int is_bin(const unsigned char *p, size_t len)
{
	return len >= 3 && !memcmp(p, HH_BIN_MAGIC, 3);
}

int hh_decode_ts_reply_for(hh_ts_reply *out, const void *data, size_t len, const hh_limits *lim,
                           hh_errbuf *err, const char *const *items, size_t item_count)
{
	const unsigned char *p = data;
	size_t json_len = len;
	const char *type;
	cJSON *root;
	int rc, bin;

	memset(out, 0, sizeof(*out));
	if (!data)
		return hh_err(err, HIVEHA_EINVAL, "NULL message");
	if (len > lim->max_message_bytes)
		return hh_err(err, HIVEHA_ELIMIT, "message of %zu bytes exceeds the limit of %zu", len,
		              lim->max_message_bytes);
	bin = is_bin(p, len);
	if (bin) {
		if (len < HH_BIN_MAGIC_LEN || p[3] != (unsigned char)HH_BIN_MAGIC[3])
			return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: not an %s container (a peer "
			              "of another protocol version?)", HH_BIN_MAGIC);
		if (!items)
			return hh_err(err, HIVEHA_EINVAL, "a binary reply names items by their index in "
			              "the request: decode it with the request's items");
		if (len < HH_BIN_MAGIC_LEN + 4)
			return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: truncated header length");
		json_len = (size_t)p[4] | (size_t)p[5] << 8 | (size_t)p[6] << 16 | (size_t)p[7] << 24;
		if (json_len > len - 8)
			return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: header longer than the message");
		p += 8;
	}
	rc = hh_json_parse(&root, &type, p, json_len, lim, err);
	if (rc)
		return rc;
	rc = hh_json_error_reply(root, type, err);
	if (rc) {
		if (bin)
			rc = hh_err(err, HIVEHA_EPROTOCOL, "binary reply: error inside a binary container");
		goto done;
	}
	if (strcmp(type, HH_T_TS_REPLY) != 0) {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "expected a timeseries reply, got \"%s\"", type);
		goto done;
	}
	if (bin && cJSON_GetObjectItemCaseSensitive(root, "items")) {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "binary reply: \"items\" in the header");
		goto done;
	}
	rc = hh_json_gaps_decode(root, lim, &out->gaps, &out->gap_count, err);
	if (!rc && bin)
		rc = decode_bin_items(out, p + json_len, (const unsigned char *)data + len, items,
		                      item_count, lim, err);
	else if (!rc)
		rc = decode_items(out, root, lim, err);
	if (!rc)
		rc = hh_json_get_str(root, "cursor", HH_OPTIONAL, HH_MAX_CURSOR_BYTES, &out->cursor, err);
	if (rc)
		goto done;
	if (out->cursor && (!out->cursor[0] || out->gap_count))
		rc = hh_err(err, HIVEHA_EPROTOCOL, "invalid cursor");
done:
	cJSON_Delete(root);
	if (rc)
		hh_ts_reply_free(out);
	return rc;
}

int hh_decode_ts_reply(hh_ts_reply *out, const void *data, size_t len, const hh_limits *lim,
                       hh_errbuf *err)
{
	return hh_decode_ts_reply_for(out, data, len, lim, err, NULL, 0);
}

void hh_ts_reply_free(hh_ts_reply *m)
{
	size_t i;

	if (!m)
		return;
	free(m->gaps);
	if (m->items) {
		for (i = 0; i < m->item_count; i++) {
			free(m->items[i].id);
			hh_samples_free(m->items[i].samples, m->items[i].count);
		}
		free(m->items);
	}
	free(m->cursor);
	memset(m, 0, sizeof(*m));
}
