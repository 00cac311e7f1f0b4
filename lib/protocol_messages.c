/*
 * protocol_messages.c - hello, the two requests and the error reply.
 * The same checks serve both directions: an encoder refuses (EINVAL) what
 * a decoder would reject (EPROTOCOL), so a peer never receives it.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "protocol_codec.h"

/* ---- hello -------------------------------------------------------------- */

int hh_encode_hello(hh_buf *out, const hh_hello *m)
{
	cJSON *o;

	if (!out || !m || m->protocol == 0)
		return HIVEHA_EINVAL;
	if (!(o = hh_json_new_message(HH_T_HELLO)))
		return HIVEHA_ENOMEM;
	if (hh_json_add_u32(o, "protocol", m->protocol) ||
	    hh_json_add_str(o, "instance_id", m->instance_id ? m->instance_id : "") ||
	    hh_json_add_time(o, "clock", m->clock) || hh_json_add_u32(o, "caps", m->caps)) {
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
	if ((rc = hh_json_parse(&root, &type, data, len, lim, err)))
		return rc;
	if ((rc = hh_json_error_reply(root, type, err)))
		goto done;
	if (strcmp(type, HH_T_HELLO)) {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "expected a hello, got \"%s\"", type);
		goto done;
	}
	if ((rc = hh_json_get_u32(root, "protocol", 1, &out->protocol, err)) ||
	    (rc = hh_json_get_str(root, "instance_id", 1, lim->max_string_bytes, &out->instance_id, err)) ||
	    (rc = hh_json_get_time(root, "clock", 1, &out->clock, err)) ||
	    (rc = hh_json_get_u32(root, "caps", 0, &out->caps, err)))
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

static int check_window(hiveha_time from, hiveha_time to, int has_start, hiveha_time start,
                        uint64_t skip, const char *cursor, hh_errbuf *err)
{
	if (from >= to)
		return hh_err(err, HIVEHA_EPROTOCOL, "request range needs from < to");
	if (has_start && (start < from || start >= to))
		return hh_err(err, HIVEHA_EPROTOCOL, "start time outside [from, to)");
	if (!has_start && skip)
		return hh_err(err, HIVEHA_EPROTOCOL, "skip without a start time");
	if (cursor && (!*cursor || strlen(cursor) > HH_MAX_CURSOR_BYTES))
		return hh_err(err, HIVEHA_EPROTOCOL, "cursor empty or longer than %u bytes",
		              HH_MAX_CURSOR_BYTES);
	return 0;
}

static int add_window(cJSON *o, hiveha_time from, hiveha_time to, int has_start, hiveha_time start,
                      uint64_t skip, const char *cursor)
{
	cJSON *s;

	if (hh_json_add_time(o, "from", from) || hh_json_add_time(o, "to", to))
		return HIVEHA_ENOMEM;
	if (has_start) {
		if (!(s = cJSON_AddObjectToObject(o, "start")) || hh_json_add_time(s, "time", start) ||
		    hh_json_add_u64(s, "skip", skip))
			return HIVEHA_ENOMEM;
	}
	return hh_json_add_str(o, "cursor", cursor);
}

static int get_window(const cJSON *root, hiveha_time *from, hiveha_time *to, int *has_start,
                      hiveha_time *start, uint64_t *skip, char **cursor, hh_errbuf *err)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "start");
	int rc;

	if ((rc = hh_json_get_time(root, "from", 1, from, err)) ||
	    (rc = hh_json_get_time(root, "to", 1, to, err)))
		return rc;
	if (s && !cJSON_IsNull(s)) {
		if (!cJSON_IsObject(s))
			return hh_err(err, HIVEHA_EPROTOCOL, "\"start\" must be an object");
		*has_start = 1;
		if ((rc = hh_json_get_time(s, "time", 1, start, err)) ||
		    (rc = hh_json_get_u64(s, "skip", 0, skip, err)))
			return rc;
	}
	if ((rc = hh_json_get_str(root, "cursor", 0, HH_MAX_CURSOR_BYTES, cursor, err)))
		return rc == HIVEHA_ELIMIT ? hh_err(err, HIVEHA_EPROTOCOL, "cursor too long") : rc;
	return check_window(*from, *to, *has_start, *start, *skip, *cursor, err);
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Items: 1..max, non-empty, unique, each at most max_string_bytes. */
static int check_items(char *const *items, size_t n, size_t max_items, size_t max_len,
                       hh_errbuf *err)
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
	if (!(sorted = malloc(n * sizeof(*sorted))))
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

int hh_encode_ts_request(hh_buf *out, const hh_ts_request *m)
{
	cJSON *o, *arr;
	size_t i;

	if (!out || !m || (m->encoding != HH_ENC_JSON && m->encoding != HH_ENC_BIN) ||
	    check_window(m->from, m->to, m->has_start, m->start_time, m->start_skip, m->cursor, NULL) ||
	    check_items(m->items, m->item_count, SIZE_MAX, SIZE_MAX, NULL))
		return HIVEHA_EINVAL;
	if (!(o = hh_json_new_message(HH_T_TS_REQUEST)))
		return HIVEHA_ENOMEM;
	if (add_window(o, m->from, m->to, m->has_start, m->start_time, m->start_skip, m->cursor) ||
	    !(arr = cJSON_AddArrayToObject(o, "items")))
		goto nomem;
	for (i = 0; i < m->item_count; i++) {
		cJSON *s = cJSON_CreateString(m->items[i]);

		if (!s)
			goto nomem;
		cJSON_AddItemToArray(arr, s);
	}
	if (hh_json_add_u32(o, "max_samples", m->max_samples) ||
	    !cJSON_AddStringToObject(o, "encoding", m->encoding == HH_ENC_BIN ? "bin" : "json"))
		goto nomem;
	return hh_json_emit(out, o);
nomem:
	cJSON_Delete(o);
	return HIVEHA_ENOMEM;
}

int hh_decode_ts_request(hh_ts_request *out, const void *data, size_t len, const hh_limits *lim,
                         hh_errbuf *err)
{
	const cJSON *arr, *it;
	const char *type;
	char *enc = NULL;
	cJSON *root;
	size_t n, i = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = hh_json_parse(&root, &type, data, len, lim, err)))
		return rc;
	if (strcmp(type, HH_T_TS_REQUEST)) {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "expected a timeseries request, got \"%s\"", type);
		goto done;
	}
	arr = cJSON_GetObjectItemCaseSensitive(root, "items");
	if (!cJSON_IsArray(arr)) {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "\"items\" must be an array of strings");
		goto done;
	}
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > lim->max_items) {
		rc = hh_err(err, HIVEHA_ELIMIT, "more than %zu items in one request", lim->max_items);
		goto done;
	}
	if (n && !(out->items = calloc(n, sizeof(*out->items)))) {
		rc = hh_err(err, HIVEHA_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it)) {
			rc = hh_err(err, HIVEHA_EPROTOCOL, "\"items\" must be an array of strings");
			goto done;
		}
		if (!(out->items[i] = hh_strdup(NULL, it->valuestring))) {
			rc = hh_err(err, HIVEHA_ENOMEM, "out of memory");
			goto done;
		}
		out->item_count = ++i;
	}
	if ((rc = check_items(out->items, out->item_count, lim->max_items, lim->max_string_bytes, err)) ||
	    (rc = get_window(root, &out->from, &out->to, &out->has_start, &out->start_time,
	                     &out->start_skip, &out->cursor, err)) ||
	    (rc = hh_json_get_u32(root, "max_samples", 0, &out->max_samples, err)) ||
	    (rc = hh_json_get_str(root, "encoding", 0, 16, &enc, err)))
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
	free(m->cursor);
	memset(m, 0, sizeof(*m));
}

/* ---- events request ---------------------------------------------------------- */

int hh_encode_ev_request(hh_buf *out, const hh_ev_request *m)
{
	cJSON *o;

	if (!out || !m ||
	    check_window(m->from, m->to, m->has_start, m->start_time, m->start_skip, m->cursor, NULL))
		return HIVEHA_EINVAL;
	if (!(o = hh_json_new_message(HH_T_EV_REQUEST)))
		return HIVEHA_ENOMEM;
	if (add_window(o, m->from, m->to, m->has_start, m->start_time, m->start_skip, m->cursor) ||
	    hh_json_add_u32(o, "max_events", m->max_events)) {
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
	if ((rc = hh_json_parse(&root, &type, data, len, lim, err)))
		return rc;
	if (strcmp(type, HH_T_EV_REQUEST))
		rc = hh_err(err, HIVEHA_EPROTOCOL, "expected an events request, got \"%s\"", type);
	else if (!(rc = get_window(root, &out->from, &out->to, &out->has_start, &out->start_time,
	                           &out->start_skip, &out->cursor, err)))
		rc = hh_json_get_u32(root, "max_events", 0, &out->max_events, err);
	cJSON_Delete(root);
	if (rc)
		hh_ev_request_free(out);
	return rc;
}

void hh_ev_request_free(hh_ev_request *m)
{
	if (!m)
		return;
	free(m->cursor);
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
	if (!(o = hh_json_new_message(HH_T_ERROR)))
		return HIVEHA_ENOMEM;
	hh_fmt_i64(buf, code);
	if (!cJSON_AddRawToObject(o, "code", buf) || !cJSON_AddStringToObject(o, "message", text)) {
		cJSON_Delete(o);
		return HIVEHA_ENOMEM;
	}
	return hh_json_emit(out, o);
}
