/*
 * protocol_ts_reply.c - the timeseries reply in both sample encodings.
 *
 * HH_ENC_JSON: one JSON object, samples as columns (protocol_samples_json.c).
 * HH_ENC_BIN:  "HHB1", u32 LE header length, the JSON header (the same
 *              object without sample columns, each item with "bytes"),
 *              then one binary block per item in header order.
 */
#include <stdlib.h>
#include <string.h>

#include "protocol_codec.h"

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

static cJSON *reply_object(const hh_ts_reply *m, int bin, cJSON **items_out)
{
	cJSON *o = hh_json_new_message(HH_T_TS_REPLY);

	if (!o)
		return NULL;
	if ((bin && !cJSON_AddStringToObject(o, "encoding", "bin")) ||
	    hh_json_add_gaps(o, m->gaps, m->gap_count) ||
	    !(*items_out = cJSON_AddArrayToObject(o, "items")) ||
	    (m->cursor ? !cJSON_AddStringToObject(o, "cursor", m->cursor) : !cJSON_AddNullToObject(o, "cursor"))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
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

	if (!(root = reply_object(m, 0, &items)))
		return HIVEHA_ENOMEM;
	for (i = 0; i < m->item_count; i++) {
		if (!(o = item_object(items, &m->items[i]))) {
			cJSON_Delete(root);
			return HIVEHA_ENOMEM;
		}
		if ((rc = hh_samples_json_encode(o, &m->items[i]))) {
			cJSON_Delete(root);
			return rc;
		}
	}
	return hh_json_emit(out, root);
}

static int encode_bin(hh_buf *out, const hh_ts_reply *m)
{
	hh_buf blocks, head;
	cJSON *root, *items, *o;
	unsigned char len4[4];
	size_t i, before;
	int rc;

	hh_buf_init(&blocks, out->alloc);
	hh_buf_init(&head, out->alloc);
	if (!(root = reply_object(m, 1, &items)))
		return HIVEHA_ENOMEM;
	for (i = 0; i < m->item_count; i++) {
		char buf[24];

		before = blocks.len;
		if ((rc = hh_samples_bin_encode(&blocks, m->items[i].samples, m->items[i].count)))
			goto fail;
		rc = HIVEHA_ENOMEM;
		hh_fmt_u64(buf, blocks.len - before);
		if (!(o = item_object(items, &m->items[i])) || !cJSON_AddRawToObject(o, "bytes", buf))
			goto fail;
	}
	rc = hh_json_emit(&head, root);
	root = NULL;
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
	if ((rc = hh_buf_reserve(out, HH_BIN_MAGIC_LEN + 4 + head.len + blocks.len)))
		goto fail;
	hh_buf_append(out, HH_BIN_MAGIC, HH_BIN_MAGIC_LEN);
	hh_buf_append(out, len4, 4);
	hh_buf_append(out, head.data, head.len);
	hh_buf_append(out, blocks.data, blocks.len);
fail:
	cJSON_Delete(root);
	hh_buf_free(&head);
	hh_buf_free(&blocks);
	return rc;
}

int hh_encode_ts_reply(hh_buf *out, const hh_ts_reply *m, uint32_t encoding)
{
	size_t start;
	int rc;

	if (!out || !m || check_reply(m))
		return HIVEHA_EINVAL;
	start = out->len;
	if (encoding == HH_ENC_JSON)
		rc = encode_json(out, m);
	else if (encoding == HH_ENC_BIN)
		rc = encode_bin(out, m);
	else
		return HIVEHA_EINVAL;
	if (rc)
		out->len = start; /* never leave half a message behind */
	return rc;
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
	if ((rc = hh_json_get_str(o, "id", 1, lim->max_string_bytes, &it->id, err)) ||
	    (rc = hh_json_get_bool(o, "unknown", 0, &it->unknown, err)) ||
	    (rc = hh_json_get_bool(o, "complete", 0, &it->complete, err)) ||
	    (rc = hh_json_get_u32(o, "count", 1, &count, err)))
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

static int decode_items(hh_ts_reply *out, const cJSON *root, const unsigned char *blocks,
                        size_t blocks_len, const hh_limits *lim, hh_errbuf *err)
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
	if (n && !(out->items = calloc(n, sizeof(*out->items))))
		return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	cJSON_ArrayForEach(o, arr) {
		hh_ts_item *it = &out->items[i];

		out->item_count = ++i;
		if ((rc = item_head(o, it, &count, &budget, lim, err)))
			return rc;
		if (!blocks) {
			rc = hh_samples_json_decode(o, it, count, lim, err);
		} else {
			uint32_t bytes;

			if ((rc = hh_json_get_u32(o, "bytes", 1, &bytes, err)))
				return rc;
			if (bytes > blocks_len)
				return hh_err(err, HIVEHA_EPROTOCOL, "item block longer than the message");
			/* Every sample takes at least one byte, so a count the
			 * bytes cannot hold is refused before allocating. */
			if (count > bytes)
				return hh_err(err, HIVEHA_EPROTOCOL, "item count larger than its block");
			if (count && !(it->samples = calloc(count, sizeof(*it->samples))))
				return hh_err(err, HIVEHA_ENOMEM, "out of memory");
			it->count = count;
			rc = hh_samples_bin_decode(it->samples, count, blocks, bytes, lim, err);
			blocks += bytes;
			blocks_len -= bytes;
		}
		if (rc)
			return rc;
	}
	if (blocks && blocks_len)
		return hh_err(err, HIVEHA_EPROTOCOL, "%zu bytes after the last item block", blocks_len);
	return 0;
}

int hh_decode_ts_reply(hh_ts_reply *out, const void *data, size_t len, const hh_limits *lim,
                       hh_errbuf *err)
{
	const unsigned char *p = data, *blocks = NULL;
	size_t json_len = len, blocks_len = 0;
	const char *type;
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!data)
		return hh_err(err, HIVEHA_EINVAL, "NULL message");
	if (len > lim->max_message_bytes)
		return hh_err(err, HIVEHA_ELIMIT, "message of %zu bytes exceeds the limit of %zu", len,
		              lim->max_message_bytes);
	if (len >= HH_BIN_MAGIC_LEN && !memcmp(p, HH_BIN_MAGIC, HH_BIN_MAGIC_LEN)) {
		if (len < HH_BIN_MAGIC_LEN + 4)
			return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: truncated header length");
		json_len = (size_t)p[4] | (size_t)p[5] << 8 | (size_t)p[6] << 16 | (size_t)p[7] << 24;
		if (json_len > len - 8)
			return hh_err(err, HIVEHA_EPROTOCOL, "binary reply: header longer than the message");
		blocks = p + 8 + json_len;
		blocks_len = len - 8 - json_len;
		p += 8;
	}
	if ((rc = hh_json_parse(&root, &type, p, json_len, lim, err)))
		return rc;
	if ((rc = hh_json_error_reply(root, type, err))) {
		if (blocks)
			rc = hh_err(err, HIVEHA_EPROTOCOL, "binary reply: error inside a binary container");
		goto done;
	}
	if (strcmp(type, HH_T_TS_REPLY)) {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "expected a timeseries reply, got \"%s\"", type);
		goto done;
	}
	if ((rc = hh_json_gaps_decode(root, lim, &out->gaps, &out->gap_count, err)) ||
	    (rc = decode_items(out, root, blocks, blocks_len, lim, err)) ||
	    (rc = hh_json_get_str(root, "cursor", 0, HH_MAX_CURSOR_BYTES, &out->cursor, err)))
		goto done;
	if (out->cursor && (!out->cursor[0] || out->gap_count))
		rc = hh_err(err, HIVEHA_EPROTOCOL, "invalid cursor");
done:
	cJSON_Delete(root);
	if (rc)
		hh_ts_reply_free(out);
	return rc;
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
