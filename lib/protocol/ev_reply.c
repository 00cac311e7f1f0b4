/*
 * protocol/ev_reply.c - the events reply: every event field and attribute,
 * ticks as decimal strings, uint32 fields as JSON numbers (exact in a
 * double), a NULL string as an absent member, a string JSON cannot carry
 * in the lossless form (protocol/strings.c).
 */
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"

/* A text field: absent for NULL, else plain or the lossless form. */
static int add_text(cJSON *o, const char *key, const char *s)
{
	return s ? hh_json_add_bytes(o, key, s, strlen(s)) : 0;
}

static int add_event(cJSON *arr, const hiveha_event *e)
{
	cJSON *o = cJSON_CreateObject(), *attrs, *a, *v;
	size_t i;
	int rc;

	if (!o)
		return HIVEHA_ENOMEM;
	cJSON_AddItemToArray(arr, o);
	if (e->severity > 1000 || (e->attribute_count && !e->attributes))
		return HIVEHA_EINVAL;
	if (hh_json_add_time(o, "time", e->time) || hh_json_add_time(o, "received", e->received_time) ||
	    hh_json_add_u32(o, "source_id", e->source_id) ||
	    add_text(o, "source_name", e->source_name) ||
	    hh_json_add_u32(o, "type_id", e->type_id) || hh_json_add_u32(o, "category", e->category) ||
	    hh_json_add_u32(o, "state", e->state) || hh_json_add_u32(o, "severity", e->severity) ||
	    add_text(o, "message", e->message) || add_text(o, "user_name", e->user_name))
		return HIVEHA_ENOMEM;
	if (!e->attribute_count)
		return 0;
	attrs = cJSON_AddArrayToObject(o, "attributes");
	if (!attrs)
		return HIVEHA_ENOMEM;
	for (i = 0; i < e->attribute_count; i++) {
		const hiveha_attribute *at = &e->attributes[i];

		if (!at->name || !hh_valid_type(at->value.type))
			return HIVEHA_EINVAL;
		a = cJSON_CreateObject();
		if (!a)
			return HIVEHA_ENOMEM;
		cJSON_AddItemToArray(attrs, a);
		v = hh_json_value_encode(&at->value, &rc);
		if (!v)
			return rc;
		if (add_text(a, "name", at->name) ||
		    hh_json_add_u32(a, "type", at->value.type)) {
			cJSON_Delete(v);
			return HIVEHA_ENOMEM;
		}
		cJSON_AddItemToObject(a, "value", v);
	}
	return 0;
}

/* "skipped": the events the responder could not carry (absent: none). */
static int add_skipped(cJSON *o, const hh_ev_reply *m)
{
	char text[HH_MAX_ERROR_TEXT];
	cJSON *arr, *s;
	size_t i;

	if (!m->skipped_total)
		return 0;
	arr = cJSON_AddArrayToObject(o, "skipped");
	if (!arr)
		return HIVEHA_ENOMEM;
	for (i = 0; i < m->skipped_count; i++) {
		const hh_skipped *k = &m->skipped[i];

		s = cJSON_CreateObject();
		if (!s)
			return HIVEHA_ENOMEM;
		cJSON_AddItemToArray(arr, s);
		hh_utf8_sanitize(text, sizeof(text), k->reason ? k->reason : "");
		if (hh_json_add_time(s, "time", k->time) || hh_json_add_u32(s, "source_id", k->source_id) ||
		    hh_json_add_u32(s, "type_id", k->type_id) || hh_json_add_str(s, "reason", text))
			return HIVEHA_ENOMEM;
	}
	return hh_json_add_u32(o, "skipped_total", m->skipped_total);
}

static int get_skipped(const cJSON *root, hh_ev_reply *out, hh_errbuf *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "skipped"), *s;
	size_t n, i = 0;
	int rc;

	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return hh_err(err, HIVEHA_EPROTOCOL, "\"skipped\" must be an array");
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > HH_MAX_SKIPPED_LISTED)
		return hh_err(err, HIVEHA_ELIMIT, "more than %d skipped events listed",
		              HH_MAX_SKIPPED_LISTED);
	if (n) {
		out->skipped = calloc(n, sizeof(*out->skipped));
		if (!out->skipped)
			return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(s, arr) {
		hh_skipped *k = &out->skipped[i];

		out->skipped_count = ++i;
		if (!cJSON_IsObject(s))
			return hh_err(err, HIVEHA_EPROTOCOL, "a skipped event must be an object");
		rc = hh_json_get_time(s, "time", HH_REQUIRED, &k->time, err);
		if (!rc)
			rc = hh_json_get_u32(s, "source_id", HH_REQUIRED, &k->source_id, err);
		if (!rc)
			rc = hh_json_get_u32(s, "type_id", HH_REQUIRED, &k->type_id, err);
		if (!rc)
			rc = hh_json_get_str(s, "reason", HH_OPTIONAL, HH_MAX_ERROR_TEXT, &k->reason, err);
		if (rc)
			return rc;
	}
	rc = hh_json_get_u32(root, "skipped_total", HH_REQUIRED, &out->skipped_total, err);
	if (rc)
		return rc;
	if (out->skipped_total < n || !out->skipped_total)
		return hh_err(err, HIVEHA_EPROTOCOL, "skipped_total below the events listed");
	return 0;
}

int hh_encode_ev_reply(hh_buf *out, const hh_ev_reply *m)
{
	cJSON *o, *arr;
	size_t i, start;
	int rc = HIVEHA_ENOMEM;

	if (!out || !m || (m->gap_count && (m->count || m->cursor)) || (m->count && !m->events) ||
	    m->skipped_count > HH_MAX_SKIPPED_LISTED || m->skipped_count > m->skipped_total ||
	    (m->skipped_count && !m->skipped) ||
	    (m->gap_count && !m->gaps) ||
	    (m->cursor && (!*m->cursor || strlen(m->cursor) > HH_MAX_CURSOR_BYTES)))
		return HIVEHA_EINVAL;
	for (i = 1; i < m->count; i++) {
		if (m->events[i].time < m->events[i - 1].time)
			return HIVEHA_EINVAL;
	}
	o = hh_json_new_message(HH_T_EV_REPLY);
	if (!o)
		return HIVEHA_ENOMEM;
	rc = hh_json_add_gaps(o, m->gaps, m->gap_count);
	if (rc)
		goto fail;
	rc = HIVEHA_ENOMEM;
	arr = cJSON_AddArrayToObject(o, "events");
	if (!arr)
		goto fail;
	for (i = 0; i < m->count; i++) {
		rc = add_event(arr, &m->events[i]);
		if (rc)
			goto fail;
	}
	rc = add_skipped(o, m);
	if (rc)
		goto fail;
	rc = HIVEHA_ENOMEM;
	if (m->cursor ? !cJSON_AddStringToObject(o, "cursor", m->cursor) : !cJSON_AddNullToObject(o, "cursor"))
		goto fail;
	start = out->len;
	rc = hh_json_emit(out, o);
	if (rc)
		out->len = start;
	return rc;
fail:
	cJSON_Delete(o);
	return rc;
}

static int get_attributes(const cJSON *o, hiveha_event *e, const hh_limits *lim, hh_errbuf *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "attributes"), *a;
	size_t n, i = 0;
	uint32_t type;
	int rc;

	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return hh_err(err, HIVEHA_EPROTOCOL, "\"attributes\" must be an array");
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > lim->max_attributes)
		return hh_err(err, HIVEHA_ELIMIT, "more than %zu attributes in one event",
		              lim->max_attributes);
	if (!n)
		return 0;
	e->attributes = calloc(n, sizeof(*e->attributes));
	if (!e->attributes)
		return hh_err(err, HIVEHA_ENOMEM, "out of memory");
	cJSON_ArrayForEach(a, arr) {
		hiveha_attribute *at = &e->attributes[i];

		e->attribute_count = ++i;
		if (!cJSON_IsObject(a))
			return hh_err(err, HIVEHA_EPROTOCOL, "an attribute must be an object");
		rc = hh_json_get_text(a, "name", HH_REQUIRED, lim->max_string_bytes, &at->name, err);
		if (!rc)
			rc = hh_json_type_of(cJSON_GetObjectItemCaseSensitive(a, "type"), &type, err);
		if (!rc)
			rc = hh_json_value_decode(&at->value, type,
			                          cJSON_GetObjectItemCaseSensitive(a, "value"), lim, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int get_event(const cJSON *o, hiveha_event *e, const hh_limits *lim, hh_errbuf *err)
{
	size_t ms = lim->max_string_bytes;
	int rc;

	if (!cJSON_IsObject(o))
		return hh_err(err, HIVEHA_EPROTOCOL, "an event must be an object");
	rc = hh_json_get_time(o, "time", HH_REQUIRED, &e->time, err);
	if (!rc)
		rc = hh_json_get_time(o, "received", HH_REQUIRED, &e->received_time, err);
	if (!rc)
		rc = hh_json_get_u32(o, "source_id", HH_REQUIRED, &e->source_id, err);
	if (!rc)
		rc = hh_json_get_text(o, "source_name", HH_OPTIONAL, ms, &e->source_name, err);
	if (!rc)
		rc = hh_json_get_u32(o, "type_id", HH_REQUIRED, &e->type_id, err);
	if (!rc)
		rc = hh_json_get_u32(o, "category", HH_REQUIRED, &e->category, err);
	if (!rc)
		rc = hh_json_get_u32(o, "state", HH_REQUIRED, &e->state, err);
	if (!rc)
		rc = hh_json_get_u32(o, "severity", HH_REQUIRED, &e->severity, err);
	if (!rc)
		rc = hh_json_get_text(o, "message", HH_OPTIONAL, ms, &e->message, err);
	if (!rc)
		rc = hh_json_get_text(o, "user_name", HH_OPTIONAL, ms, &e->user_name, err);
	if (!rc)
		rc = get_attributes(o, e, lim, err);
	if (rc)
		return rc;
	if (e->severity > 1000)
		return hh_err(err, HIVEHA_EPROTOCOL, "severity %u above 1000", (unsigned)e->severity);
	return 0;
}

int hh_decode_ev_reply(hh_ev_reply *out, const void *data, size_t len, const hh_limits *lim,
                       hh_errbuf *err)
{
	const cJSON *arr, *o;
	const char *type;
	cJSON *root;
	size_t n, i = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = hh_json_parse(&root, &type, data, len, lim, err);
	if (rc)
		return rc;
	rc = hh_json_error_reply(root, type, err);
	if (rc)
		goto done;
	if (strcmp(type, HH_T_EV_REPLY) != 0) {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "expected an events reply, got \"%s\"", type);
		goto done;
	}
	rc = hh_json_gaps_decode(root, lim, &out->gaps, &out->gap_count, err);
	if (rc)
		goto done;
	arr = cJSON_GetObjectItemCaseSensitive(root, "events");
	if (!cJSON_IsArray(arr)) {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "\"events\" must be an array");
		goto done;
	}
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > lim->max_events) {
		rc = hh_err(err, HIVEHA_ELIMIT, "more than %zu events in one reply", lim->max_events);
		goto done;
	}
	if (n && out->gap_count) {
		rc = hh_err(err, HIVEHA_EPROTOCOL, "a reply with gaps must not carry events");
		goto done;
	}
	if (n) {
		out->events = calloc(n, sizeof(*out->events));
		if (!out->events) {
			rc = hh_err(err, HIVEHA_ENOMEM, "out of memory");
			goto done;
		}
	}
	cJSON_ArrayForEach(o, arr) {
		out->count = ++i;
		rc = get_event(o, &out->events[i - 1], lim, err);
		if (rc)
			goto done;
		if (i > 1 && out->events[i - 1].time < out->events[i - 2].time) {
			rc = hh_err(err, HIVEHA_EPROTOCOL, "events not in ascending time");
			goto done;
		}
	}
	rc = get_skipped(root, out, err);
	if (!rc)
		rc = hh_json_get_str(root, "cursor", HH_OPTIONAL, HH_MAX_CURSOR_BYTES, &out->cursor, err);
	if (rc)
		goto done;
	if (out->cursor && (!out->cursor[0] || out->gap_count))
		rc = hh_err(err, HIVEHA_EPROTOCOL, "invalid cursor");
done:
	cJSON_Delete(root);
	if (rc)
		hh_ev_reply_free(out);
	return rc;
}

void hh_ev_reply_free(hh_ev_reply *m)
{
	size_t i;

	if (!m)
		return;
	free(m->gaps);
	if (m->events) {
		for (i = 0; i < m->count; i++)
			hiveha_event_clear(&m->events[i]);
		free(m->events);
	}
	free(m->cursor);
	if (m->skipped) {
		for (i = 0; i < m->skipped_count; i++)
			free(m->skipped[i].reason);
		free(m->skipped);
	}
	memset(m, 0, sizeof(*m));
}
