/*
 * interfaces.c - init and check of the host-supplied interfaces and of
 * the config structs, plus the names of deputies and their states.
 *
 * The checks exist so that a host learns at registration, with a message
 * naming the struct and the member, what would otherwise be a NULL call
 * deep inside a sync.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <hiveha/clock.h>
#include <hiveha/governor.h>
#include <hiveha/responder.h>
#include <hiveha/store.h>
#include <hiveha/transport.h>

#if defined(__GNUC__) || defined(__clang__)
#  define HH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define HH_PRINTF(f, a)
#endif

static int fail(int status, char *msg, size_t msg_size, const char *fmt, ...) HH_PRINTF(4, 5);

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

static int check_version(const char *name, unsigned int version, unsigned int current,
                         char *msg, size_t msg_size)
{
	/* "%.0u" of 0 prints nothing: "supports 1" or "supports 1 to N". */
	if (version == 0)
		return fail(HIVEHA_EVERSION, msg, msg_size,
		            "%s: version 0 is not valid (this library supports 1%s%.0u); initialise "
		            "the struct with its _INIT macro or _init() function",
		            name, current > 1 ? " to " : "", current > 1 ? current : 0u);
	if (version > current)
		return fail(HIVEHA_EVERSION, msg, msg_size,
		            "%s: version %u is newer than this library supports (%u); "
		            "rebuild against newer headers",
		            name, version, current);
	return HIVEHA_OK;
}

static int missing(const char *name, const char *member, char *msg, size_t msg_size)
{
	return fail(HIVEHA_EINVAL, msg, msg_size, "%s: required member '%s' is NULL", name, member);
}

/* Zeroes a struct whose first member is its version and sets that version. */
static int init_versioned(void *obj, size_t size, unsigned int version, unsigned int current)
{
	if (!obj)
		return HIVEHA_EINVAL;
	if (version == 0 || version > current)
		return HIVEHA_EVERSION;
	memset(obj, 0, size);
	*(unsigned int *)obj = version;
	return HIVEHA_OK;
}

/* ---- store -------------------------------------------------------------- */

int hiveha_store_init(hiveha_store *store, unsigned int version)
{
	return init_versioned(store, sizeof(*store), version, HIVEHA_STORE_VERSION);
}

int hiveha_store_check(const hiveha_store *store, unsigned int deputies, char *msg,
                       size_t msg_size)
{
	static const char name[] = "hiveha_store";
	int trend = (deputies & HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND)) != 0;
	int events = (deputies & HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS)) != 0;
	int rc;

	if (!store)
		return fail(HIVEHA_EINVAL, msg, msg_size, "%s: NULL", name);
	if ((rc = check_version(name, store->version, HIVEHA_STORE_VERSION, msg, msg_size)))
		return rc;
	if (deputies & ~(unsigned int)HIVEHA_DEPUTIES_ALL)
		return fail(HIVEHA_EINVAL, msg, msg_size, "%s: unknown deputy mask bits 0x%x", name,
		            deputies & ~(unsigned int)HIVEHA_DEPUTIES_ALL);
	/* In struct order, so the first missing member is the one reported. */
	if (trend && !store->list_items)
		return missing(name, "list_items", msg, msg_size);
	if (trend && !store->read_samples)
		return missing(name, "read_samples", msg, msg_size);
	if (events && !store->read_events)
		return missing(name, "read_events", msg, msg_size);
	if (!store->begin)
		return missing(name, "begin", msg, msg_size);
	if (!store->commit)
		return missing(name, "commit", msg, msg_size);
	if (!store->rollback)
		return missing(name, "rollback", msg, msg_size);
	if (trend && !store->replace_samples)
		return missing(name, "replace_samples", msg, msg_size);
	if (events && !store->insert_events)
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
	return init_versioned(t, sizeof(*t), version, HIVEHA_TRANSPORT_VERSION);
}

int hiveha_transport_check(const hiveha_transport *t, char *msg, size_t msg_size)
{
	static const char name[] = "hiveha_transport";
	int rc;

	if (!t)
		return fail(HIVEHA_EINVAL, msg, msg_size, "%s: NULL", name);
	if ((rc = check_version(name, t->version, HIVEHA_TRANSPORT_VERSION, msg, msg_size)))
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
	return init_versioned(clock, sizeof(*clock), version, HIVEHA_CLOCK_VERSION);
}

int hiveha_clock_check(const hiveha_clock *clock, char *msg, size_t msg_size)
{
	static const char name[] = "hiveha_clock";
	int rc;

	if (!clock)
		return fail(HIVEHA_EINVAL, msg, msg_size, "%s: NULL", name);
	if ((rc = check_version(name, clock->version, HIVEHA_CLOCK_VERSION, msg, msg_size)))
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
	int rc = init_versioned(cfg, sizeof(*cfg), version, HIVEHA_GOVERNOR_CONFIG_VERSION);
	if (!rc)
		cfg->overlap_ms = HIVEHA_DEFAULT_OVERLAP_MS; /* 0 is a meaningful overlap */
	return rc;
}

int hiveha_responder_config_init(hiveha_responder_config *cfg, unsigned int version)
{
	return init_versioned(cfg, sizeof(*cfg), version, HIVEHA_RESPONDER_CONFIG_VERSION);
}

/* ---- names -------------------------------------------------------------- */

const char *hiveha_deputy_name(int kind)
{
	switch (kind) {
	case HIVEHA_DEPUTY_TREND: return "TrendHistory";
	case HIVEHA_DEPUTY_EVENTS: return "EventHistory";
	}
	return NULL;
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
