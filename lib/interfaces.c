/*
 * interfaces.c - init and check of the host-supplied interfaces and of
 * the config structs, plus the names of deputies and their states.
 *
 * The checks exist so that a host learns at registration, with a message
 * naming the struct and the member, what would otherwise be a NULL call
 * deep inside a sync.
 */
#include <stdarg.h>
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
#include "platform/compiler.h"
#include "store_access.h"

static int fail(int status, char *msg, size_t msg_size, const char *fmt, ...) HH_FMT(4, 5);

/* Writes a reason (if the caller wants one) and returns `status`. */
static int fail(int status, char *msg, size_t msg_size, const char *fmt, ...)
{
	va_list ap;

	if (msg && msg_size) {
		va_start(ap, fmt);
		vsnprintf(msg, msg_size, fmt, ap);
		va_end(ap);
	}
	return status;
}

static int ok(char *msg, size_t msg_size)
{
	if (msg && msg_size)
		msg[0] = '\0';
	return HIVEHA_OK;
}

/* Checks the version of a host struct and copies it into `copy` by that
 * version, so that the checks read only members the host's struct has. */
static int check_copy(const hh_abi_layout *l, const void *in, void *copy, char *msg,
                      size_t msg_size)
{
	unsigned int version = *(const unsigned int *)in;
	unsigned int current = l->current;

	if (!hh_abi_copy_in(l, copy, in))
		return HIVEHA_OK;
	/* "%.0u" of 0 prints nothing: "supports 1" or "supports 1 to N". */
	if (version == 0)
		return fail(HIVEHA_EVERSION, msg, msg_size,
		            "%s: version 0 is not valid (this library supports 1%s%.0u); initialise "
		            "the struct with its _INIT macro or _init() function",
		            l->name, current > 1 ? " to " : "", current > 1 ? current : 0u);
	return fail(HIVEHA_EVERSION, msg, msg_size,
	            "%s: version %u is newer than this library supports (%u); "
	            "rebuild against newer headers",
	            l->name, version, current);
}

static int missing(const char *name, const char *member, char *msg, size_t msg_size)
{
	return fail(HIVEHA_EINVAL, msg, msg_size, "%s: required member '%s' is NULL", name, member);
}

/* Zeroes the members of `version` of a struct whose first member is its
 * version, and sets that version. Only that version's bytes: the host's
 * struct may be older, and smaller, than this library's. */
static int init_versioned(const hh_abi_layout *l, void *obj, unsigned int version)
{
	size_t n;

	if (!obj)
		return HIVEHA_EINVAL;
	if (!(n = hh_abi_size(l, version)))
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
	if (why[0])
		snprintf(buf, size, "%s: %s", hiveha_strerror(rc), why);
	else
		snprintf(buf, size, "%s", hiveha_strerror(rc));
	return buf;
}

int hiveha_store_init(hiveha_store *store, unsigned int version)
{
	return init_versioned(&hh_abi_store, store, version);
}

int hiveha_store_check(const hiveha_store *in, unsigned int deputies, char *msg,
                       size_t msg_size)
{
	static const char name[] = "hiveha_store";
	hiveha_store copy;
	const hiveha_store *store = &copy;
	unsigned needs = 0;
	int rc;

	if (!in)
		return fail(HIVEHA_EINVAL, msg, msg_size, "%s: NULL", name);
	rc = check_copy(&hh_abi_store, in, &copy, msg, msg_size);
	if (rc)
		return rc;
	if (deputies & ~(unsigned int)HH_DEPUTIES_KNOWN)
		return fail(HIVEHA_EINVAL, msg, msg_size, "%s: unknown deputy mask bits 0x%x", name,
		            deputies & ~(unsigned int)HH_DEPUTIES_KNOWN);
	/* What the enabled kinds need, from their rows (deputy_info.h). */
	for (int k = 0; k < HH_DEPUTY_KINDS; k++) {
		if (deputies & HIVEHA_DEPUTY_MASK(k))
			needs |= hh_deputy_info_get(k)->needs;
	}
	/* In struct order, so the first missing member is the one reported. */
	if ((needs & HH_NEEDS_LIST_ITEMS) && !store->list_items)
		return missing(name, "list_items", msg, msg_size);
	if ((needs & HH_NEEDS_READ_SAMPLES) && !store->read_samples)
		return missing(name, "read_samples", msg, msg_size);
	if ((needs & HH_NEEDS_READ_EVENTS) && !store->read_events)
		return missing(name, "read_events", msg, msg_size);
	if (!store->begin)
		return missing(name, "begin", msg, msg_size);
	if (!store->commit)
		return missing(name, "commit", msg, msg_size);
	if (!store->rollback)
		return missing(name, "rollback", msg, msg_size);
	if ((needs & HH_NEEDS_REPLACE_SAMPLES) && !store->replace_samples)
		return missing(name, "replace_samples", msg, msg_size);
	if ((needs & HH_NEEDS_INSERT_EVENTS) && !store->insert_events)
		return missing(name, "insert_events", msg, msg_size);
	if (!store->kv_get)
		return missing(name, "kv_get", msg, msg_size);
	if (!store->kv_put)
		return missing(name, "kv_put", msg, msg_size);
	if (!store->kv_delete)
		return missing(name, "kv_delete", msg, msg_size);
	return ok(msg, msg_size);
}

/* ---- transport ---------------------------------------------------------- */

int hiveha_transport_init(hiveha_transport *t, unsigned int version)
{
	return init_versioned(&hh_abi_transport, t, version);
}

int hiveha_transport_check(const hiveha_transport *in, char *msg, size_t msg_size)
{
	static const char name[] = "hiveha_transport";
	hiveha_transport copy;
	const hiveha_transport *t = &copy;
	int rc;

	if (!in)
		return fail(HIVEHA_EINVAL, msg, msg_size, "%s: NULL", name);
	if ((rc = check_copy(&hh_abi_transport, in, &copy, msg, msg_size)))
		return rc;
	if (!t->connect)
		return missing(name, "connect", msg, msg_size);
	if (!t->exchange)
		return missing(name, "exchange", msg, msg_size);
	if (!t->close)
		return missing(name, "close", msg, msg_size);
	if (t->cancel && !t->reset)
		return fail(HIVEHA_EINVAL, msg, msg_size,
		            "%s: required member 'reset' is NULL (it is required when 'cancel' is set)",
		            name);
	return ok(msg, msg_size);
}

/* ---- clock -------------------------------------------------------------- */

int hiveha_clock_init(hiveha_clock *clock, unsigned int version)
{
	return init_versioned(&hh_abi_clock, clock, version);
}

int hiveha_clock_check(const hiveha_clock *in, char *msg, size_t msg_size)
{
	static const char name[] = "hiveha_clock";
	hiveha_clock copy;
	const hiveha_clock *clock = &copy;
	int rc;

	if (!in)
		return fail(HIVEHA_EINVAL, msg, msg_size, "%s: NULL", name);
	if ((rc = check_copy(&hh_abi_clock, in, &copy, msg, msg_size)))
		return rc;
	if (!clock->now)
		return missing(name, "now", msg, msg_size);
	if (!clock->monotonic_ns)
		return missing(name, "monotonic_ns", msg, msg_size);
	if (!clock->sleep)
		return missing(name, "sleep", msg, msg_size);
	if (!clock->wake)
		return missing(name, "wake", msg, msg_size);
	return ok(msg, msg_size);
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
