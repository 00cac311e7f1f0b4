/*
 * protocol/messages.c - hello, the two requests and the error reply.
 * The same checks serve both directions: an encoder refuses (EINVAL) what
 * a decoder would reject (EPROTOCOL), so a peer never receives it.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "protocol/codec.h"

/* ---- hello -------------------------------------------------------------- */

/* "limits": only the announced (non-zero) members; none at all: no object,
 * which is what an older peer sends. */
static int add_limits(cJSON *o, const hh_wire_limits *l)
{
	cJSON *lo;

	if (!l->request_bytes && !l->items && !l->reply_bytes && !l->strings)
		return 0;
	lo = cJSON_AddObjectToObject(o, "limits");
	if (!lo)
		return HIVEHA_ENOMEM;
	if ((l->request_bytes && hh_json_add_u32(lo, "request_bytes", l->request_bytes)) ||
	    (l->items && hh_json_add_u32(lo, "items", l->items)) ||
	    (l->reply_bytes && hh_json_add_u32(lo, "reply_bytes", l->reply_bytes)) ||
	    (l->strings && hh_json_add_u32(lo, "strings", l->strings)))
		return HIVEHA_ENOMEM;
	return 0;
}

static int get_limits(const cJSON *root, hh_wire_limits *l, hh_errbuf *err)
{
	const cJSON *lo = cJSON_GetObjectItemCaseSensitive(root, "limits");
	int rc;

	if (!lo || cJSON_IsNull(lo))
		return 0;
	if (!cJSON_IsObject(lo))
		return hh_err(err, HIVEHA_EPROTOCOL, "hello: \"limits\" must be an object");
	rc = hh_json_get_u32(lo, "request_bytes", HH_OPTIONAL, &l->request_bytes, err);
	if (!rc)
		rc = hh_json_get_u32(lo, "items", HH_OPTIONAL, &l->items, err);
	if (!rc)
		rc = hh_json_get_u32(lo, "reply_bytes", HH_OPTIONAL, &l->reply_bytes, err);
	if (!rc)
		rc = hh_json_get_u32(lo, "strings", HH_OPTIONAL, &l->strings, err);
	if (rc)
		return rc;
	return 0;
}

int hh_encode_hello(hh_buf *out, const hh_hello *m)
{
	cJSON *o;

	if (!out || !m || m->protocol == 0)
		return HIVEHA_EINVAL;
	o = hh_json_new_message(HH_T_HELLO);
	if (!o)
		return HIVEHA_ENOMEM;
	if (hh_json_add_u32(o, "protocol", m->protocol) ||
	    hh_json_add_str(o, "instance_id", m->instance_id ? m->instance_id : "") ||
	    hh_json_add_time(o, "clock", m->clock) || hh_json_add_u32(o, "caps", m->caps) ||
	    add_limits(o, &m->limits)) {
		cJSON_Delete(o);
		return HIVEHA_ENOMEM;
	}
	return hh_json_emit(out, o);
}

int hh_decode_hello(hh_hello *out, const void *data, size_t len, const hh_limits *lim,
                    hh_errbuf *err)
{
	const char *type;
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = hh_json_parse(&root, &type, data, len, lim, err);
	if (rc)
		return rc;
	rc = hh_json_error_reply(root, type, err);
	if (rc)
		goto done;
	if (strcmp(type, HH_T_HELLO) != 0) {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "expected a hello, got \"%s\"", type);
		goto done;
	}
	rc = hh_json_get_u32(root, "protocol", HH_REQUIRED, &out->protocol, err);
	if (!rc)
		rc = hh_json_get_str(root, "instance_id", HH_REQUIRED, lim->max_string_bytes,
		                     &out->instance_id, err);
	if (!rc)
		rc = hh_json_get_time(root, "clock", HH_REQUIRED, &out->clock, err);
	if (!rc)
		rc = hh_json_get_u32(root, "caps", HH_OPTIONAL, &out->caps, err);
	if (!rc)
		rc = get_limits(root, &out->limits, err);
	if (rc)
		goto done;
	if (out->protocol == 0)
		rc = hh_err(err, HIVEHA_EPROTOCOL, "hello: protocol version 0");
done:
	cJSON_Delete(root);
	if (rc)
		hh_hello_free(out);
	return rc;
}

void hh_hello_free(hh_hello *m)
{
	if (!m)
		return;
	free(m->instance_id);
	memset(m, 0, sizeof(*m));
}

/* ---- shared request parts ------------------------------------------------ */

static int check_window(const hh_window *w, hh_errbuf *err)
{
	if (w->from >= w->to)
		return hh_err(err, HIVEHA_EPROTOCOL, "request range needs from < to");
	if (w->has_start && (w->start_time < w->from || w->start_time >= w->to))
		return hh_err(err, HIVEHA_EPROTOCOL, "start time outside [from, to)");
	if (!w->has_start && w->start_skip)
		return hh_err(err, HIVEHA_EPROTOCOL, "skip without a start time");
	if (w->cursor && (!*w->cursor || strlen(w->cursor) > HH_MAX_CURSOR_BYTES))
		return hh_err(err, HIVEHA_EPROTOCOL, "cursor empty or longer than %u bytes",
		              HH_MAX_CURSOR_BYTES);
	return 0;
}

static int add_window(cJSON *o, const hh_window *w)
{
	cJSON *s;

	if (hh_json_add_time(o, "from", w->from) || hh_json_add_time(o, "to", w->to))
		return HIVEHA_ENOMEM;
	if (w->has_start) {
		s = cJSON_AddObjectToObject(o, "start");
		if (!s || hh_json_add_time(s, "time", w->start_time) ||
		    hh_json_add_u64(s, "skip", w->start_skip))
			return HIVEHA_ENOMEM;
	}
	return hh_json_add_str(o, "cursor", w->cursor);
}

/* Fills *w (zeroed by the caller); on failure w->cursor may be set, and
 * the caller's free releases it. */
static int get_window(const cJSON *root, hh_window *w, hh_errbuf *err)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "start");
	int rc;

	rc = hh_json_get_time(root, "from", HH_REQUIRED, &w->from, err);
	if (!rc)
		rc = hh_json_get_time(root, "to", HH_REQUIRED, &w->to, err);
	if (rc)
		return rc;
	if (s && !cJSON_IsNull(s)) {
		if (!cJSON_IsObject(s))
			return hh_err(err, HIVEHA_EPROTOCOL, "\"start\" must be an object");
		w->has_start = 1;
		rc = hh_json_get_time(s, "time", HH_REQUIRED, &w->start_time, err);
		if (!rc)
			rc = hh_json_get_u64(s, "skip", HH_OPTIONAL, &w->start_skip, err);
		if (rc)
			return rc;
	}
	rc = hh_json_get_str(root, "cursor", HH_OPTIONAL, HH_MAX_CURSOR_BYTES, &w->owned, err);
	w->cursor = w->owned;
	if (rc)
		return rc == HIVEHA_ELIMIT ? hh_err(err, HIVEHA_EPROTOCOL, "cursor too long") : rc;
	return check_window(w, err);
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Strictly ascending ids (strcmp) are unique, and can be front-coded
 * (docs/protocol.md §4 "items_fc"). */
static int ascending(char *const *items, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (strcmp(items[i - 1], items[i]) >= 0)
			return 0;
	return 1;
}

/* Items: 1..max, non-empty, unique, each at most max_string_bytes.
 * *asc (may be NULL) tells whether they are strictly ascending. */
static int check_items(char *const *items, size_t n, size_t max_items, size_t max_len,
                       hh_errbuf *err, int *asc)
{
	char **sorted;
	size_t i;
	int rc = 0;

	if (n == 0 || !items)
		return hh_err(err, HIVEHA_EPROTOCOL, "a timeseries request needs at least one item");
	if (n > max_items)
		return hh_err(err, HIVEHA_ELIMIT, "more than %zu items in one request", max_items);
	for (i = 0; i < n; i++) {
		if (!items[i] || !items[i][0])
			return hh_err(err, HIVEHA_EPROTOCOL, "item %zu: empty item id", i);
		if (strlen(items[i]) > max_len)
			return hh_err(err, HIVEHA_ELIMIT, "item %zu: id longer than %zu bytes", i, max_len);
	}
	/* Deputies send their ids sorted: then no copy and sort is needed. */
	rc = ascending(items, n);
	if (rc && asc)
		*asc = 1;
	if (rc)
		return 0;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	memcpy(sorted, items, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_str_ptr);
	for (i = 1; i < n; i++) {
		if (!strcmp(sorted[i - 1], sorted[i])) {
			rc = hh_err(err, HIVEHA_EPROTOCOL, "item \"%.64s\" is listed twice", sorted[i]);
			break;
		}
	}
	free(sorted);
	return rc;
}

/* ---- timeseries request ---------------------------------------------------- */

static int is_utf8_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* Bytes id shares with prev, cut back to a character boundary of both, so
 * that each suffix is a valid UTF-8 string of its own. */
static size_t shared_prefix(const char *prev, const char *id)
{
	size_t l = 0;

	while (prev[l] && prev[l] == id[l])
		l++;
	if (l > UINT32_MAX)
		l = UINT32_MAX;
	while (l > 0 && (is_utf8_cont((unsigned char)id[l]) || is_utf8_cont((unsigned char)prev[l])))
		l--;
	return l;
}

/* The prefix lengths go in as one raw array of decimal numbers: a cJSON
 * node per number would cost more than the front coding saves. */
static int add_items_fc(cJSON *o, char *const *items, size_t n)
{
	cJSON *fc, *suf = NULL, *it;
	char num[24];
	hh_buf pre;
	size_t i, l;
	int rc = HIVEHA_ENOMEM;

	hh_buf_init(&pre, NULL);
	fc = cJSON_AddObjectToObject(o, "items_fc");
	if (!fc)
		goto done;
	suf = cJSON_CreateArray();
	if (!suf || hh_buf_reserve(&pre, 4 * n + 2) || hh_buf_append(&pre, "[", 1))
		goto done;
	for (i = 0; i < n; i++) {
		l = i ? shared_prefix(items[i - 1], items[i]) : 0;
		hh_fmt_u64(num, l);
		if ((i && hh_buf_append(&pre, ",", 1)) || hh_buf_append(&pre, num, strlen(num)))
			goto done;
		it = cJSON_CreateString(items[i] + l);
		if (!it)
			goto done;
		cJSON_AddItemToArray(suf, it);
	}
	/* "]" with its NUL: cJSON takes the raw text as a C string */
	if (hh_buf_append(&pre, "]", 2) || !cJSON_AddRawToObject(fc, "prefix", (char *)pre.data) ||
	    !cJSON_AddItemToObject(fc, "suffix", suf))
		goto done;
	suf = NULL;
	rc = 0;
done:
	cJSON_Delete(suf);
	hh_buf_free(&pre);
	return rc;
}

static int add_items(cJSON *o, char *const *items, size_t n)
{
	cJSON *arr, *s;
	size_t i;

	arr = cJSON_AddArrayToObject(o, "items");
	if (!arr)
		return HIVEHA_ENOMEM;
	for (i = 0; i < n; i++) {
		s = cJSON_CreateString(items[i]);
		if (!s)
			return HIVEHA_ENOMEM;
		cJSON_AddItemToArray(arr, s);
	}
	return 0;
}

int hh_encode_ts_request(hh_buf *out, const hh_ts_request *m)
{
	return hh_encode_ts_request_caps(out, m, 0);
}

int hh_encode_ts_request_caps(hh_buf *out, const hh_ts_request *m, uint32_t peer_caps)
{
	cJSON *o;
	int fc = 0;

	if (!out || !m || (m->encoding != HH_ENC_JSON && m->encoding != HH_ENC_BIN) ||
	    check_window(&m->window, NULL) ||
	    check_items(m->items, m->item_count, SIZE_MAX, SIZE_MAX, NULL, &fc))
		return HIVEHA_EINVAL;
	fc = fc && (peer_caps & HH_CAP_ITEMS_FC);
	o = hh_json_new_message(HH_T_TS_REQUEST);
	if (!o)
		return HIVEHA_ENOMEM;
	if (add_window(o, &m->window) ||
	    (fc ? add_items_fc(o, m->items, m->item_count) : add_items(o, m->items, m->item_count)) ||
	    hh_json_add_u32(o, "max_samples", m->max_samples) ||
	    !cJSON_AddStringToObject(o, "encoding", m->encoding == HH_ENC_BIN ? "bin" : "json") ||
	    (m->max_reply_bytes && hh_json_add_u32(o, "max_reply_bytes", m->max_reply_bytes)) ||
	    (m->caps && hh_json_add_u32(o, "caps", m->caps))) {
		cJSON_Delete(o);
		return HIVEHA_ENOMEM;
	}
	return hh_json_emit(out, o);
}

static int get_items(hh_ts_request *out, const cJSON *arr, const hh_limits *lim, hh_errbuf *err)
{
	const cJSON *it;
	size_t n, i = 0;

	if (!cJSON_IsArray(arr))
		return hh_err(err, HIVEHA_EPROTOCOL, "\"items\" must be an array of strings");
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > lim->max_items)
		return hh_err(err, HIVEHA_ELIMIT, "more than %zu items in one request", lim->max_items);
	if (n) {
		out->items = calloc(n, sizeof(*out->items));
		if (!out->items)
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it))
			return hh_err(err, HIVEHA_EPROTOCOL, "\"items\" must be an array of strings");
		out->items[i] = hh_strdup(NULL, it->valuestring);
		if (!out->items[i])
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
		out->item_count = ++i;
	}
	return check_items(out->items, out->item_count, lim->max_items, lim->max_string_bytes, err,
	                   NULL);
}

/*
 * Rebuilds front-coded ids: id[i] = the first prefix[i] bytes of id[i-1],
 * then suffix[i]. Every rule of plain "items" holds for the result, and
 * more: strictly ascending, prefixes at a character boundary (suffixes are
 * valid UTF-8, checked by the parser, so the ids are too), and no more id
 * bytes in total than a message may hold, so that a small message cannot
 * make the decoder allocate max_items x max_string_bytes.
 */
static int get_items_fc(hh_ts_request *out, const cJSON *fc, const hh_limits *lim, hh_errbuf *err)
{
	const cJSON *pre = cJSON_GetObjectItemCaseSensitive(fc, "prefix");
	const cJSON *suf = cJSON_GetObjectItemCaseSensitive(fc, "suffix");
	const cJSON *p_it, *s_it;
	const char *prev = "";
	size_t n, i = 0, prev_len = 0, total = 0, slen, len;
	uint32_t p;
	char *id;

	if (!cJSON_IsObject(fc) || !cJSON_IsArray(pre) || !cJSON_IsArray(suf))
		return hh_err(err, HIVEHA_EPROTOCOL,
		              "\"items_fc\" must be an object with arrays \"prefix\" and \"suffix\"");
	n = (size_t)cJSON_GetArraySize(suf);
	if ((size_t)cJSON_GetArraySize(pre) != n)
		return hh_err(err, HIVEHA_EPROTOCOL, "items_fc: %zu prefix lengths for %zu suffixes",
		              (size_t)cJSON_GetArraySize(pre), n);
	if (n == 0)
		return hh_err(err, HIVEHA_EPROTOCOL, "a timeseries request needs at least one item");
	if (n > lim->max_items)
		return hh_err(err, HIVEHA_ELIMIT, "more than %zu items in one request", lim->max_items);
	out->items = calloc(n, sizeof(*out->items));
	if (!out->items)
		return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	for (p_it = pre->child, s_it = suf->child; p_it && s_it; p_it = p_it->next, s_it = s_it->next) {
		if (!cJSON_IsString(s_it))
			return hh_err(err, HIVEHA_EPROTOCOL, "items_fc: \"suffix\" must be an array of strings");
		if (hh_json_u32_of(p_it, &p))
			return hh_err(err, HIVEHA_EPROTOCOL,
			              "items_fc: \"prefix\" must be an array of integers 0..4294967295");
		if (p > prev_len)
			return hh_err(err, HIVEHA_EPROTOCOL,
			              "item %zu: prefix of %u bytes, the previous id has %zu", i, p, prev_len);
		if (p < prev_len && is_utf8_cont((unsigned char)prev[p]))
			return hh_err(err, HIVEHA_EPROTOCOL,
			              "item %zu: prefix of %u bytes ends inside a UTF-8 character", i, p);
		slen = strlen(s_it->valuestring);
		if (p == 0 && slen == 0)
			return hh_err(err, HIVEHA_EPROTOCOL, "item %zu: empty item id", i);
		if (slen > lim->max_string_bytes - p)
			return hh_err(err, HIVEHA_ELIMIT, "item %zu: id longer than %zu bytes", i,
			              lim->max_string_bytes);
		len = p + slen;
		if (len > lim->max_message_bytes - total)
			return hh_err(err, HIVEHA_ELIMIT, "items_fc: the ids add up to more than %zu bytes",
			              lim->max_message_bytes);
		total += len;
		if (i && strcmp(s_it->valuestring, prev + p) <= 0)
			return hh_err(err, HIVEHA_EPROTOCOL,
			              "item %zu: items_fc ids must be strictly ascending (byte order)", i);
		id = malloc(len + 1);
		if (!id)
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
		memcpy(id, prev, p);
		memcpy(id + p, s_it->valuestring, slen + 1);
		out->items[i] = id;
		out->item_count = ++i;
		prev = id;
		prev_len = len;
	}
	return 0;
}

int hh_decode_ts_request(hh_ts_request *out, const void *data, size_t len, const hh_limits *lim,
                         hh_errbuf *err)
{
	const cJSON *arr, *fc;
	const char *type;
	char *enc = NULL;
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = hh_json_parse(&root, &type, data, len, lim, err);
	if (rc)
		return rc;
	if (strcmp(type, HH_T_TS_REQUEST) != 0) {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "expected a timeseries request, got \"%s\"", type);
		goto done;
	}
	arr = cJSON_GetObjectItemCaseSensitive(root, "items");
	fc = cJSON_GetObjectItemCaseSensitive(root, "items_fc");
	if (arr && fc)
		rc = hh_err(err, HIVEHA_EPROTOCOL,
		            "a timeseries request has \"items\" or \"items_fc\", not both");
	else if (fc)
		rc = get_items_fc(out, fc, lim, err);
	else if (arr)
		rc = get_items(out, arr, lim, err);
	else
		rc = hh_err(err, HIVEHA_EPROTOCOL, "a timeseries request needs \"items\" or \"items_fc\"");
	if (!rc)
		rc = get_window(root, &out->window, err);
	if (!rc)
		rc = hh_json_get_u32(root, "max_samples", HH_OPTIONAL, &out->max_samples, err);
	if (!rc)
		rc = hh_json_get_u32(root, "max_reply_bytes", HH_OPTIONAL, &out->max_reply_bytes, err);
	if (!rc)
		rc = hh_json_get_u32(root, "caps", HH_OPTIONAL, &out->caps, err);
	if (!rc)
		rc = hh_json_get_str(root, "encoding", HH_OPTIONAL, 16, &enc, err);
	if (rc)
		goto done;
	if (!enc || !strcmp(enc, "json")) {
		out->encoding = HH_ENC_JSON;
	} else if (!strcmp(enc, "bin")) {
		out->encoding = HH_ENC_BIN;
	} else {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "unknown sample encoding \"%s\"", enc);
	}
done:
	free(enc);
	cJSON_Delete(root);
	if (rc)
		hh_ts_request_free(out);
	return rc;
}

void hh_ts_request_free(hh_ts_request *m)
{
	size_t i;

	if (!m)
		return;
	if (m->items) {
		for (i = 0; i < m->item_count; i++)
			free(m->items[i]);
		free(m->items);
	}
	free(m->window.owned);
	memset(m, 0, sizeof(*m));
}

/* ---- events request ---------------------------------------------------------- */

int hh_encode_ev_request(hh_buf *out, const hh_ev_request *m)
{
	cJSON *o;

	if (!out || !m || check_window(&m->window, NULL))
		return HIVEHA_EINVAL;
	o = hh_json_new_message(HH_T_EV_REQUEST);
	if (!o)
		return HIVEHA_ENOMEM;
	if (add_window(o, &m->window) || hh_json_add_u32(o, "max_events", m->max_events) ||
	    (m->max_reply_bytes && hh_json_add_u32(o, "max_reply_bytes", m->max_reply_bytes)) ||
	    (m->caps && hh_json_add_u32(o, "caps", m->caps))) {
		cJSON_Delete(o);
		return HIVEHA_ENOMEM;
	}
	return hh_json_emit(out, o);
}

int hh_decode_ev_request(hh_ev_request *out, const void *data, size_t len, const hh_limits *lim,
                         hh_errbuf *err)
{
	const char *type;
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = hh_json_parse(&root, &type, data, len, lim, err);
	if (rc)
		return rc;
	if (strcmp(type, HH_T_EV_REQUEST) != 0)
		rc = hh_err(err, HIVEHA_EPROTOCOL, "expected an events request, got \"%s\"", type);
	else
		rc = get_window(root, &out->window, err);
	if (!rc)
		rc = hh_json_get_u32(root, "max_events", HH_OPTIONAL, &out->max_events, err);
	if (!rc)
		rc = hh_json_get_u32(root, "max_reply_bytes", HH_OPTIONAL, &out->max_reply_bytes, err);
	if (!rc)
		rc = hh_json_get_u32(root, "caps", HH_OPTIONAL, &out->caps, err);
	cJSON_Delete(root);
	if (rc)
		hh_ev_request_free(out);
	return rc;
}

void hh_ev_request_free(hh_ev_request *m)
{
	if (!m)
		return;
	free(m->window.owned);
	memset(m, 0, sizeof(*m));
}

/* ---- error reply -------------------------------------------------------------- */

int hh_encode_error(hh_buf *out, int code, const char *message)
{
	char buf[24], text[HH_MAX_ERROR_TEXT];
	cJSON *o;

	if (!out || code >= 0)
		return HIVEHA_EINVAL;
	/* The text often quotes peer input (an item id, cut to a length); keep
	 * the reply itself valid whatever it quotes. */
	hh_utf8_sanitize(text, sizeof(text), message ? message : "");
	o = hh_json_new_message(HH_T_ERROR);
	if (!o)
		return HIVEHA_ENOMEM;
	hh_fmt_i64(buf, code);
	if (!cJSON_AddRawToObject(o, "code", buf) || !cJSON_AddStringToObject(o, "message", text)) {
		cJSON_Delete(o);
		return HIVEHA_ENOMEM;
	}
	return hh_json_emit(out, o);
}
