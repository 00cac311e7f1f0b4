/*
 * interfaces.c - init and check of the host-supplied interfaces and of
 * the config structs, plus the names of deputies and their states.
 *
 * The checks exist so that a host learns at registration, with a message
 * naming the struct and the member, what would otherwise be a NULL call
 * deep inside a sync.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <hiveha/clock.h>
#include <hiveha/governor.h>
#include <hiveha/responder.h>
#include <hiveha/store.h>
#include <hiveha/transport.h>

#include "abi.h"
#include "deputy_info.h"
#include "errbuf.h"
#include "store_access.h"

/* The one exit of the public checks: the reason, or "" on success, into
 * the caller's buffer if it wants one, cut to its size. */
static int report(int rc, const hh_errbuf *err, char *msg, size_t msg_size)
{
	if (msg && msg_size)
		(void)snprintf(msg, msg_size, "%s", rc ? err->msg : "");
	return rc;
}

/* Checks the version of a host struct and copies it into `copy` by that
 * version, so that the checks read only members the host's struct has. */
static int check_copy(const hh_abi_layout *l, const void *in, void *copy, hh_errbuf *err)
{
	unsigned int version = *(const unsigned int *)in;
	unsigned int current = l->current;

	if (!hh_abi_copy_in(l, copy, in))
		return HIVEHA_OK;
	/* "%.0u" of 0 prints nothing: "supports 1" or "supports 1 to N". */
	if (version == 0)
		return hh_err(err, HIVEHA_EVERSION,
		              "%s: version 0 is not valid (this library supports 1%s%.0u); initialise "
		              "the struct with its _INIT macro or _init() function",
		              l->name, current > 1 ? " to " : "", current > 1 ? current : 0u);
	return hh_err(err, HIVEHA_EVERSION,
	              "%s: version %u is newer than this library supports (%u); "
	              "rebuild against newer headers",
	              l->name, version, current);
}

static int missing(const char *name, const char *member, hh_errbuf *err)
{
	return hh_err(err, HIVEHA_EINVAL, "%s: required member '%s' is NULL", name, member);
}

/* Zeroes the members of `version` of a struct whose first member is its
 * version, and sets that version. Only that version's bytes: the host's
 * struct may be older, and smaller, than this library's. */
static int init_versioned(const hh_abi_layout *l, void *obj, unsigned int version)
{
	size_t n;

	if (!obj)
		return HIVEHA_EINVAL;
	n = hh_abi_size(l, version);
	if (!n)
		return HIVEHA_EVERSION;
	memset(obj, 0, n);
	*(unsigned int *)obj = version;
	return HIVEHA_OK;
}

/* ---- store -------------------------------------------------------------- */

const char *hh_store_reason(const hiveha_store *s, int rc, char *buf, size_t size)
{
	char why[256] = "";

	if (s->version >= 2 && s->last_error) {
		s->last_error(s->ctx, why, sizeof(why));
		why[sizeof(why) - 1] = '\0';
	}
	/* A reason longer than `size` is cut, on purpose. */
	if (why[0])
		(void)snprintf(buf, size, "%s: %s", hiveha_strerror(rc), why);
	else
		(void)snprintf(buf, size, "%s", hiveha_strerror(rc));
	return buf;
}

int hiveha_store_init(hiveha_store *store, unsigned int version)
{
	return init_versioned(&hh_abi_store, store, version);
}

static int store_check(const hiveha_store *in, unsigned int deputies, hh_errbuf *err)
{
	static const char name[] = "hiveha_store";
	hiveha_store copy;
	const hiveha_store *store = &copy;
	unsigned needs = 0;
	int rc;

	if (!in)
		return hh_err(err, HIVEHA_EINVAL, "%s: NULL", name);
	rc = check_copy(&hh_abi_store, in, &copy, err);
	if (rc)
		return rc;
	if (deputies & ~(unsigned int)HH_DEPUTIES_KNOWN)
		return hh_err(err, HIVEHA_EINVAL, "%s: unknown deputy mask bits 0x%x", name,
		              deputies & ~(unsigned int)HH_DEPUTIES_KNOWN);
	/* What the enabled kinds need, from their rows (deputy_info.h). */
	for (int k = 0; k < HH_DEPUTY_KINDS; k++) {
		if (deputies & HIVEHA_DEPUTY_MASK(k))
			needs |= hh_deputy_info_get(k)->needs;
	}
	/* In struct order, so the first missing member is the one reported. */
	if ((needs & HH_NEEDS_LIST_ITEMS) && !store->list_items)
		return missing(name, "list_items", err);
	if ((needs & HH_NEEDS_READ_SAMPLES) && !store->read_samples)
		return missing(name, "read_samples", err);
	if ((needs & HH_NEEDS_READ_EVENTS) && !store->read_events)
		return missing(name, "read_events", err);
	if (!store->begin)
		return missing(name, "begin", err);
	if (!store->commit)
		return missing(name, "commit", err);
	if (!store->rollback)
		return missing(name, "rollback", err);
	if ((needs & HH_NEEDS_REPLACE_SAMPLES) && !store->replace_samples)
		return missing(name, "replace_samples", err);
	if ((needs & HH_NEEDS_INSERT_EVENTS) && !store->insert_events)
		return missing(name, "insert_events", err);
	if (!store->kv_get)
		return missing(name, "kv_get", err);
	if (!store->kv_put)
		return missing(name, "kv_put", err);
	if (!store->kv_delete)
		return missing(name, "kv_delete", err);
	return HIVEHA_OK;
}

int hiveha_store_check(const hiveha_store *in, unsigned int deputies, char *msg,
                       size_t msg_size)
{
	hh_errbuf err = { .msg = "" };
	int rc = store_check(in, deputies, &err);

	return report(rc, &err, msg, msg_size);
}

/* ---- transport ---------------------------------------------------------- */

int hiveha_transport_init(hiveha_transport *t, unsigned int version)
{
	return init_versioned(&hh_abi_transport, t, version);
}

static int transport_check(const hiveha_transport *in, hh_errbuf *err)
{
	static const char name[] = "hiveha_transport";
	hiveha_transport copy;
	const hiveha_transport *t = &copy;
	int rc;

	if (!in)
		return hh_err(err, HIVEHA_EINVAL, "%s: NULL", name);
	rc = check_copy(&hh_abi_transport, in, &copy, err);
	if (rc)
		return rc;
	if (!t->connect)
		return missing(name, "connect", err);
	if (!t->exchange)
		return missing(name, "exchange", err);
	if (!t->close)
		return missing(name, "close", err);
	if (t->cancel && !t->reset)
		return hh_err(err, HIVEHA_EINVAL,
		              "%s: required member 'reset' is NULL (it is required when 'cancel' is set)",
		              name);
	return HIVEHA_OK;
}

int hiveha_transport_check(const hiveha_transport *in, char *msg, size_t msg_size)
{
	hh_errbuf err = { .msg = "" };
	int rc = transport_check(in, &err);

	return report(rc, &err, msg, msg_size);
}

/* ---- clock -------------------------------------------------------------- */

int hiveha_clock_init(hiveha_clock *clock, unsigned int version)
{
	return init_versioned(&hh_abi_clock, clock, version);
}

static int clock_check(const hiveha_clock *in, hh_errbuf *err)
{
	static const char name[] = "hiveha_clock";
	hiveha_clock copy;
	const hiveha_clock *clock = &copy;
	int rc;

	if (!in)
		return hh_err(err, HIVEHA_EINVAL, "%s: NULL", name);
	rc = check_copy(&hh_abi_clock, in, &copy, err);
	if (rc)
		return rc;
	if (!clock->now)
		return missing(name, "now", err);
	if (!clock->monotonic_ns)
		return missing(name, "monotonic_ns", err);
	if (!clock->sleep)
		return missing(name, "sleep", err);
	if (!clock->wake)
		return missing(name, "wake", err);
	return HIVEHA_OK;
}

int hiveha_clock_check(const hiveha_clock *in, char *msg, size_t msg_size)
{
	hh_errbuf err = { .msg = "" };
	int rc = clock_check(in, &err);

	return report(rc, &err, msg, msg_size);
}

/* ---- configs ------------------------------------------------------------ */

int hiveha_governor_config_init(hiveha_governor_config *cfg, unsigned int version)
{
	int rc = init_versioned(&hh_abi_governor_config, cfg, version);
	if (!rc)
		cfg->overlap_ms = HIVEHA_DEFAULT_OVERLAP_MS; /* 0 is a meaningful overlap */
	return rc;
}

int hiveha_responder_config_init(hiveha_responder_config *cfg, unsigned int version)
{
	int rc = init_versioned(&hh_abi_responder_config, cfg, version);
	if (!rc && version >= 2)
		cfg->settle_ms = HIVEHA_DEFAULT_SETTLE_MS; /* 0 is a meaningful window */
	return rc;
}

/* ---- names -------------------------------------------------------------- */

const char *hiveha_deputy_name(int kind)
{
	const hh_deputy_info *info = hh_deputy_info_get(kind);
	return info ? info->name : NULL;
}

const char *hiveha_deputy_state_name(int state)
{
	switch (state) {
	case HIVEHA_DEPUTY_IDLE: return "idle";
	case HIVEHA_DEPUTY_STARTED: return "started";
	case HIVEHA_DEPUTY_WAITING_FOR_CONNECTION: return "waiting_for_connection";
	case HIVEHA_DEPUTY_SENDING_SYNC_REQUEST: return "sending_sync_request";
	case HIVEHA_DEPUTY_WAITING_FOR_REPLY: return "waiting_for_reply";
	case HIVEHA_DEPUTY_FINISHED_OK: return "finished_ok";
	case HIVEHA_DEPUTY_FINISHED_WITH_ERROR: return "finished_with_error";
	}
	return NULL;
}
