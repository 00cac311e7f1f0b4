/*
 * syncstate.c - persisted sync state <-> JSON.
 *
 * Times are decimal strings: cJSON keeps numbers as doubles, which are
 * exact only to 2^53 and ticks reach ~1.3e17 (DESIGN §4).
 */
#include "syncstate.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiveha/governor.h>

#include "alloc.h"
#include "deputy_info.h"
#include "hash.h"
#include "store_access.h"

#define HH_SYNCSTATE_MAX_SPANS 10000

void hh_syncstate_init(hh_syncstate *st, const hiveha_allocator *alloc)
{
	memset(st, 0, sizeof(*st));
	st->alloc = alloc;
	hh_spans_init(&st->pending, alloc);
	hh_spans_init(&st->closed, alloc);
	hh_spans_init(&st->held, alloc);
}

void hh_checkpoint_clear(hh_syncstate *st)
{
	hh_free(st->alloc, st->ck.item);
	memset(&st->ck, 0, sizeof(st->ck));
}

int hh_checkpoint_set_item(hh_syncstate *st, const char *item)
{
	char *copy = hh_strdup(st->alloc, item);
	if (!copy)
		return HIVEHA_ENOMEM;
	hh_free(st->alloc, st->ck.item);
	st->ck.item = copy;
	return HIVEHA_OK;
}

void hh_syncstate_free(hh_syncstate *st)
{
	if (!st)
		return;
	hh_spans_free(&st->pending);
	hh_spans_free(&st->closed);
	hh_spans_free(&st->held);
	hh_checkpoint_clear(st);
}

int hh_syncstate_copy(hh_syncstate *dst, const hh_syncstate *src)
{
	hh_syncstate tmp;
	hh_syncstate_init(&tmp, dst->alloc);
	tmp.present = src->present;
	tmp.covered_until = src->covered_until;
	tmp.last_up_to_date = src->last_up_to_date;
	tmp.history_start = src->history_start;
	tmp.ck = src->ck;
	tmp.ck.item = NULL;
	int rc = hh_spans_copy(&tmp.pending, &src->pending);
	if (!rc)
		rc = hh_spans_copy(&tmp.closed, &src->closed);
	if (!rc)
		rc = hh_spans_copy(&tmp.held, &src->held);
	if (!rc && src->ck.item)
		rc = hh_checkpoint_set_item(&tmp, src->ck.item);
	if (rc) {
		hh_syncstate_free(&tmp);
		return rc;
	}
	hh_syncstate_free(dst);
	*dst = tmp;
	return HIVEHA_OK;
}

uint64_t hh_item_digest(uint64_t digest, const char *id)
{
	/* The terminator too, so that ("ab", "c") and ("a", "bc") differ; the
	 * running digest seeds the next id's hash. */
	return hh_hash64(id, strlen(id) + 1, digest);
}

/* Removes from `held` whatever is outside `pending`. */
static int held_within(hh_spans *held, const hh_spans *pending)
{
	hiveha_time from = HIVEHA_TIME_MIN;
	int rc = HIVEHA_OK;
	for (size_t i = 0; i <= pending->n && !rc && held->n; i++) {
		hiveha_time to = i < pending->n ? pending->v[i].from : HIVEHA_TIME_MAX;
		if (from < to)
			rc = hh_spans_remove(held, from, to);
		if (i < pending->n)
			from = pending->v[i].to;
	}
	return rc;
}

int hh_syncstate_prune_held(hh_syncstate *st)
{
	return held_within(&st->held, &st->pending);
}

const char *hh_syncstate_key(int kind)
{
	const hh_deputy_info *info = hh_deputy_info_get(kind);
	return info ? info->state_key : NULL;
}

/* ---- encoding --------------------------------------------------------- */

static int add_i64(cJSON *obj, const char *name, int64_t v)
{
	char buf[32];
	(void)snprintf(buf, sizeof(buf), "%" PRId64, v); /* fits: at most 20 characters */
	return cJSON_AddStringToObject(obj, name, buf) ? 0 : HIVEHA_ENOMEM;
}

static int add_spans(cJSON *obj, const char *name, const hh_spans *s)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, name);
	if (!arr)
		return HIVEHA_ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o)
			return HIVEHA_ENOMEM;
		cJSON_AddItemToArray(arr, o);
		if (add_i64(o, "from", s->v[i].from) || add_i64(o, "to", s->v[i].to))
			return HIVEHA_ENOMEM;
		if (s->v[i].flags & HH_SPAN_PEER_LACKS)
			if (!cJSON_AddTrueToObject(o, "peer_lacks"))
				return HIVEHA_ENOMEM;
		if (HH_SPAN_ROUNDS(s->v[i].flags))
			if (!cJSON_AddNumberToObject(o, "filling_rounds", HH_SPAN_ROUNDS(s->v[i].flags)))
				return HIVEHA_ENOMEM;
	}
	return HIVEHA_OK;
}

int hh_syncstate_encode(const hh_syncstate *st, char **out, size_t *len)
{
	cJSON *root = cJSON_CreateObject();
	int rc = root ? HIVEHA_OK : HIVEHA_ENOMEM;
	if (!rc && !cJSON_AddNumberToObject(root, "format", HH_SYNCSTATE_FORMAT))
		rc = HIVEHA_ENOMEM;
	if (!rc)
		rc = add_i64(root, "covered_until", st->covered_until);
	if (!rc)
		rc = add_i64(root, "last_up_to_date", st->last_up_to_date);
	if (!rc)
		rc = add_i64(root, "history_start", st->history_start);
	if (!rc)
		rc = add_spans(root, "pending", &st->pending);
	if (!rc)
		rc = add_spans(root, "closed", &st->closed);
	if (!rc && st->held.n) {
		/* a held range that is no longer pending says nothing more */
		hh_spans held;
		hh_spans_init(&held, st->alloc);
		rc = hh_spans_copy(&held, &st->held);
		if (!rc)
			rc = held_within(&held, &st->pending);
		if (!rc && held.n)
			rc = add_spans(root, "held", &held);
		hh_spans_free(&held);
	}
	if (!rc && st->ck.active) {
		cJSON *ck = cJSON_AddObjectToObject(root, "checkpoint");
		rc = ck ? HIVEHA_OK : HIVEHA_ENOMEM;
		if (!rc)
			rc = add_i64(ck, "gap_from", st->ck.gap_from);
		if (!rc)
			rc = add_i64(ck, "gap_to", st->ck.gap_to);
		if (!rc && st->ck.item && !cJSON_AddStringToObject(ck, "item", st->ck.item))
			rc = HIVEHA_ENOMEM;
		if (!rc && !cJSON_AddBoolToObject(ck, "item_done", st->ck.item_done))
			rc = HIVEHA_ENOMEM;
		if (!rc)
			rc = add_i64(ck, "time", st->ck.time);
		if (!rc)
			rc = add_i64(ck, "skip", (int64_t)st->ck.skip);
		if (!rc)
			rc = add_i64(ck, "deleted_to", st->ck.deleted_to);
		if (!rc && st->ck.has_prefix)
			rc = add_i64(ck, "prefix", (int64_t)st->ck.prefix);
	}
	char *text = NULL;
	if (!rc) {
		text = cJSON_PrintUnformatted(root);
		if (!text)
			rc = HIVEHA_ENOMEM;
	}
	cJSON_Delete(root);
	if (rc)
		return rc;
	*out = text;
	*len = strlen(text);
	return HIVEHA_OK;
}

/* ---- decoding --------------------------------------------------------- */

static int get_i64(const cJSON *obj, const char *name, int64_t *out, int required)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!it)
		return required ? HIVEHA_EPROTOCOL : HIVEHA_OK;
	if (!cJSON_IsString(it) || !it->valuestring[0])
		return HIVEHA_EPROTOCOL;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(it->valuestring, &end, 10);
	if (errno || *end)
		return HIVEHA_EPROTOCOL;
	*out = (int64_t)v;
	return HIVEHA_OK;
}

static int get_spans(const cJSON *obj, const char *name, hh_spans *s)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!arr)
		return HIVEHA_OK;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > HH_SYNCSTATE_MAX_SPANS)
		return HIVEHA_EPROTOCOL;
	const cJSON *o;
	cJSON_ArrayForEach(o, arr) {
		int64_t from = 0, to = 0;
		if (!cJSON_IsObject(o) || get_i64(o, "from", &from, 1) || get_i64(o, "to", &to, 1) ||
		    from >= to)
			return HIVEHA_EPROTOCOL;
		int flags = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "peer_lacks")) ?
		                    HH_SPAN_PEER_LACKS : 0;
		const cJSON *rounds = cJSON_GetObjectItemCaseSensitive(o, "filling_rounds");
		if (rounds) {
			if (!cJSON_IsNumber(rounds) || !(rounds->valuedouble >= 0) ||
			    rounds->valuedouble > HH_SPAN_ROUNDS_MAX)
				return HIVEHA_EPROTOCOL;
			flags = HH_SPAN_WITH_ROUNDS(flags, (int)rounds->valuedouble);
		}
		int rc = hh_spans_set(s, from, to, flags);
		if (rc)
			return rc;
	}
	return HIVEHA_OK;
}

int hh_syncstate_decode(hh_syncstate *st, const void *data, size_t len, hh_errbuf *err)
{
	if (len > HH_SYNCSTATE_MAX_BYTES)
		return hh_err(err, HIVEHA_ELIMIT, "sync state is %zu bytes, more than %u", len,
		              HH_SYNCSTATE_MAX_BYTES);
	cJSON *root = cJSON_ParseWithLength(data, len);
	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return hh_err(err, HIVEHA_EPROTOCOL, "sync state is not a JSON object");
	}
	int rc = HIVEHA_OK;
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
	if (!cJSON_IsNumber(fmt) || fmt->valuedouble != HH_SYNCSTATE_FORMAT) {
		rc = hh_err(err, HIVEHA_EVERSION,
		            "sync state format %g is not supported (this library reads %d)",
		            cJSON_IsNumber(fmt) ? fmt->valuedouble : 0.0, HH_SYNCSTATE_FORMAT);
		cJSON_Delete(root);
		return rc;
	}
	hh_syncstate_free(st);
	hh_syncstate_init(st, st->alloc);
	st->present = 1;
	if (get_i64(root, "covered_until", &st->covered_until, 0) ||
	    get_i64(root, "last_up_to_date", &st->last_up_to_date, 0) ||
	    get_i64(root, "history_start", &st->history_start, 0))
		rc = HIVEHA_EPROTOCOL;
	if (!rc)
		rc = get_spans(root, "pending", &st->pending);
	if (!rc)
		rc = get_spans(root, "closed", &st->closed);
	if (!rc)
		rc = get_spans(root, "held", &st->held);
	const cJSON *ck = cJSON_GetObjectItemCaseSensitive(root, "checkpoint");
	if (!rc && ck) {
		int64_t skip = 0, prefix = 0;
		const cJSON *item = cJSON_GetObjectItemCaseSensitive(ck, "item");
		st->ck.active = 1;
		if (!cJSON_IsObject(ck) || get_i64(ck, "gap_from", &st->ck.gap_from, 1) ||
		    get_i64(ck, "gap_to", &st->ck.gap_to, 1) || get_i64(ck, "time", &st->ck.time, 0) ||
		    get_i64(ck, "skip", &skip, 0) || skip < 0 ||
		    get_i64(ck, "deleted_to", &st->ck.deleted_to, 0) || (item && !cJSON_IsString(item)) ||
		    get_i64(ck, "prefix", &prefix, 0))
			rc = HIVEHA_EPROTOCOL;
		st->ck.has_prefix = cJSON_GetObjectItemCaseSensitive(ck, "prefix") != NULL;
		st->ck.prefix = (uint64_t)prefix;
		st->ck.skip = (uint64_t)skip;
		st->ck.item_done = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ck, "item_done"));
		if (!rc && item)
			rc = hh_checkpoint_set_item(st, item->valuestring);
	}
	cJSON_Delete(root);
	if (rc == HIVEHA_EPROTOCOL)
		return hh_err(err, rc, "sync state is malformed");
	if (rc)
		return hh_err(err, rc, "%s", hiveha_strerror(rc));
	return HIVEHA_OK;
}

/* ---- store access ----------------------------------------------------- */

struct load_ctx {
	hh_syncstate *st;
	hh_errbuf *err;
	int decode_failed; /* 1: `err` holds the decoder's message */
};

static int on_state_bytes(const void *data, size_t len, void *payload)
{
	struct load_ctx *lc = payload;
	int rc = hh_syncstate_decode(lc->st, data, len, lc->err);
	if (rc)
		lc->decode_failed = 1;
	return rc;
}

int hh_syncstate_load(hh_syncstate *st, const hiveha_store *store, int kind, hh_errbuf *err)
{
	const char *key = hh_syncstate_key(kind);
	if (!key)
		return HIVEHA_EINVAL;
	struct load_ctx lc = { .st = st, .err = err, .decode_failed = 0 };
	int rc = store->kv_get(store->ctx, key, on_state_bytes, &lc);
	if (rc == HIVEHA_ENOTFOUND) {
		st->present = 0;
		return HIVEHA_OK;
	}
	/* The decoder's message says more than the store's reason for passing
	 * its failure on. */
	if (rc && !lc.decode_failed) {
		char why[320];
		return hh_err(err, rc, "reading %s from the store failed: %s", key,
		              hh_store_reason(store, rc, why, sizeof(why)));
	}
	return rc;
}

int hh_syncstate_save(const hh_syncstate *st, const hiveha_store *store, hiveha_store_txn *txn, int kind)
{
	const char *key = hh_syncstate_key(kind);
	if (!key)
		return HIVEHA_EINVAL;
	char *text = NULL;
	size_t len = 0;
	int rc = hh_syncstate_encode(st, &text, &len);
	if (rc)
		return rc;
	rc = store->kv_put(store->ctx, txn, key, text, len);
	cJSON_free(text);
	return rc;
}
