/*
 * governor.c - lifecycle of a governor: creation from config and
 * interfaces, freeing, snapshots and the error message. Running it (start-up,
 * heartbeat, run / poll / start / stop) is governor_run.c; the sync work
 * itself lives in deputy*.c, which see the governor through hh_sync.
 */
#include <stdio.h>
#include <string.h>

#include "abi.h"
#include "alloc.h"
#include "governor_internal.h"

#define DEFAULT_INSTANCE "hiveha"
#define DEFAULT_BATCH_ITEMS 1000u
#define DEFAULT_CHUNK_SAMPLES 65536u
#define DEFAULT_CHUNK_EVENTS 10000u
#define DEFAULT_MAX_REPLY (64u << 20)
#define DEFAULT_HEARTBEAT_MS 10000
#define DEFAULT_CONNECT_MS 10000
#define DEFAULT_REQUEST_MS 60000
#define DEFAULT_RETRY_INITIAL_MS 1000
#define DEFAULT_RETRY_MAX_MS 60000
#define DEFAULT_MAX_ATTEMPTS 3u

static void apply_defaults(hiveha_governor_config *c)
{
	if (!c->deputies)
		c->deputies = HIVEHA_DEPUTIES_HIVE;
	if (!c->batch_items)
		c->batch_items = DEFAULT_BATCH_ITEMS;
	if (!c->chunk_samples)
		c->chunk_samples = DEFAULT_CHUNK_SAMPLES;
	if (!c->chunk_events)
		c->chunk_events = DEFAULT_CHUNK_EVENTS;
	if (!c->max_reply_bytes)
		c->max_reply_bytes = DEFAULT_MAX_REPLY;
	if (!c->heartbeat_ms)
		c->heartbeat_ms = DEFAULT_HEARTBEAT_MS;
	if (!c->connect_timeout_ms)
		c->connect_timeout_ms = DEFAULT_CONNECT_MS;
	if (!c->request_timeout_ms)
		c->request_timeout_ms = DEFAULT_REQUEST_MS;
	if (!c->retry_initial_ms)
		c->retry_initial_ms = DEFAULT_RETRY_INITIAL_MS;
	if (!c->retry_max_ms)
		c->retry_max_ms = DEFAULT_RETRY_MAX_MS;
	if (!c->max_attempts)
		c->max_attempts = DEFAULT_MAX_ATTEMPTS;
}

static void report(const hiveha_governor_config *cfg, const char *msg)
{
	if (cfg && cfg->on_log)
		cfg->on_log(HIVEHA_LOG_ERROR, msg, cfg->payload);
}

/* Checks the arguments of hiveha_governor_new and copies the config, by its
 * declared version, into `c`: from then on only the copy is read, so no
 * member an older host's struct lacks is ever read from its memory. */
static int validate(const hiveha_governor_config *cfg, hiveha_governor_config *c,
                    const hiveha_store *store, const hiveha_transport *transport,
                    const hiveha_clock *clock, hh_errbuf *err)
{
	if (!cfg || !store || !transport)
		return hh_err(err, HIVEHA_EINVAL,
		              "hiveha_governor_new: config, store and transport are required");
	if (hh_abi_copy_in(&hh_abi_governor_config, c, cfg))
		return hh_err(err, HIVEHA_EVERSION,
		              "hiveha_governor_config: version %u is not supported (this library "
		              "knows 1..%d)", cfg->version, HIVEHA_GOVERNOR_CONFIG_VERSION);
	unsigned int deputies = c->deputies ? c->deputies : HIVEHA_DEPUTIES_HIVE;
	if (deputies & ~(unsigned)HH_DEPUTIES_KNOWN)
		return hh_err(err, HIVEHA_EINVAL, "hiveha_governor_config: unknown deputy bits 0x%x",
		              deputies & ~(unsigned)HH_DEPUTIES_KNOWN);
	if (c->overlap_ms < 0 || c->lookback_ms < 0 || c->heartbeat_ms < 0 ||
	    c->connect_timeout_ms < 0 || c->request_timeout_ms < 0 || c->retry_initial_ms < 0 ||
	    c->retry_max_ms < 0)
		return hh_err(err, HIVEHA_EINVAL,
		              "hiveha_governor_config: durations must not be negative");
	if (c->allocator && (!c->allocator->malloc || !c->allocator->realloc ||
	                     !c->allocator->free))
		return hh_err(err, HIVEHA_EINVAL,
		              "hiveha_governor_config: an allocator needs malloc, realloc and free");
	/* the public checks write the same buffer */
	int rc = hiveha_store_check(store, deputies, err->msg, sizeof(err->msg));
	if (!rc)
		rc = hiveha_transport_check(transport, err->msg, sizeof(err->msg));
	if (!rc && clock)
		rc = hiveha_clock_check(clock, err->msg, sizeof(err->msg));
	return rc;
}

static void free_strings(hiveha_governor *gov)
{
	hh_free(gov->alloc, gov->instance_id);
	hh_free(gov->alloc, gov->peer);
	hh_free(gov->alloc, gov->token);
}

int hiveha_governor_new(hiveha_governor **out, const hiveha_governor_config *cfg,
                        const hiveha_store *store, const hiveha_transport *transport,
                        const hiveha_clock *clock)
{
	hh_errbuf err = { .msg = "" };
	if (!out) {
		report(cfg, "hiveha_governor_new: out is NULL");
		return HIVEHA_EINVAL;
	}
	*out = NULL;
	hiveha_governor_config c;
	memset(&c, 0, sizeof(c)); /* the analyzer cannot see that hh_err returns non-zero */
	int rc = validate(cfg, &c, store, transport, clock, &err);
	if (rc) {
		report(cfg, err.msg);
		return rc;
	}
	const hiveha_allocator *alloc = c.allocator;
	hiveha_governor *gov = hh_calloc(alloc, 1, sizeof(*gov));
	if (!gov) {
		report(cfg, "hiveha_governor_new: out of memory");
		return HIVEHA_ENOMEM;
	}
	if (alloc) {
		gov->alloc_copy = *alloc;
		gov->alloc = &gov->alloc_copy;
	}
	gov->cfg = c;
	apply_defaults(&gov->cfg);
	gov->instance_id = hh_strdup(gov->alloc, c.instance_id ? c.instance_id : DEFAULT_INSTANCE);
	gov->peer = hh_strdup(gov->alloc, c.peer ? c.peer : "");
	gov->token = c.token ? hh_strdup(gov->alloc, c.token) : NULL;
	if (!gov->instance_id || !gov->peer || (c.token && !gov->token)) {
		free_strings(gov);
		hh_free(gov->alloc, gov);
		report(cfg, "hiveha_governor_new: out of memory");
		return HIVEHA_ENOMEM;
	}
	gov->cfg.instance_id = gov->instance_id;
	gov->cfg.peer = gov->peer;
	gov->cfg.token = gov->token;
	gov->cfg.allocator = gov->alloc;

	/* Versions were checked by validate(); these cannot fail. */
	hh_abi_copy_in(&hh_abi_store, &gov->store, store);
	hh_abi_copy_in(&hh_abi_transport, &gov->transport, transport);
	if (clock)
		hh_abi_copy_in(&hh_abi_clock, &gov->clock, clock);
	else
		rc = hiveha_clock_system(&gov->clock);
	if (rc) {
		free_strings(gov);
		hh_free(gov->alloc, gov);
		report(cfg, "hiveha_governor_new: cannot create the system clock");
		return rc;
	}
	rc = hh_mutex_init(&gov->lock);
	if (!rc) {
		rc = hh_cond_init(&gov->life_cond);
		if (rc)
			hh_mutex_destroy(&gov->lock);
	}
	if (rc) {
		if (!clock && gov->clock.destroy)
			gov->clock.destroy(gov->clock.ctx);
		free_strings(gov);
		hh_free(gov->alloc, gov);
		report(cfg, "hiveha_governor_new: cannot create a mutex or condition variable");
		return rc;
	}
	hh_atomic_init(&gov->stop, 0);
	gov->life = HH_LIFE_IDLE;
	hh_limits_default(&gov->limits);
	gov->limits.max_message_bytes = gov->cfg.max_reply_bytes;
	gov->link = (hh_peer){ .transport = &gov->transport, .address = gov->peer,
	                       .instance_id = gov->instance_id, .token = gov->token };
	gov->sync = (hh_sync){ .alloc = gov->alloc, .cfg = &gov->cfg, .store = &gov->store,
	                       .clock = &gov->clock, .lock = &gov->lock, .stop = &gov->stop,
	                       .limits = &gov->limits, .peer = &gov->link, .owner = gov };

	/* Load each deputy's persisted state now, so that a responder attached
	 * to this governor vouches correctly even before start. */
	for (int k = 0; k < HH_DEPUTY_KINDS; k++) {
		hh_deputy *d = &gov->dep[k];
		d->sync = &gov->sync;
		d->kind = k;
		d->enabled = (gov->cfg.deputies & HIVEHA_DEPUTY_MASK(k)) != 0;
		d->state = HIVEHA_DEPUTY_IDLE;
		d->progress.kind = k;
		d->backoff_ms = gov->cfg.retry_initial_ms;
		hh_syncstate_init(&d->st, gov->alloc);
		if (!rc)
			rc = hh_syncstate_load(&d->st, &gov->store, k, &err);
	}
	if (rc) {
		char full[300];
		(void)snprintf(full, sizeof(full), "hiveha_governor_new: %s", err.msg);
		report(cfg, full);
		for (int k = 0; k < HH_DEPUTY_KINDS; k++)
			hh_syncstate_free(&gov->dep[k].st);
		hh_cond_destroy(&gov->life_cond);
		hh_mutex_destroy(&gov->lock);
		if (!clock && gov->clock.destroy)
			gov->clock.destroy(gov->clock.ctx);
		free_strings(gov);
		hh_free(gov->alloc, gov);
		return rc;
	}
	*out = gov;
	return HIVEHA_OK;
}

void hiveha_governor_free(hiveha_governor *gov)
{
	if (!gov)
		return;
	hiveha_governor_stop(gov);
	hh_peer_close(&gov->link);
	for (int k = 0; k < HH_DEPUTY_KINDS; k++)
		hh_syncstate_free(&gov->dep[k].st);
	hh_cond_destroy(&gov->life_cond);
	hh_mutex_destroy(&gov->lock);
	if (gov->transport.destroy)
		gov->transport.destroy(gov->transport.ctx);
	if (gov->store.destroy)
		gov->store.destroy(gov->store.ctx);
	if (gov->clock.destroy)
		gov->clock.destroy(gov->clock.ctx);
	free_strings(gov);
	const hiveha_allocator *alloc = gov->alloc;
	hiveha_allocator copy;
	if (alloc) {
		copy = *alloc;
		alloc = &copy;
	}
	hh_free(alloc, gov);
}

int hiveha_governor_snapshot(hiveha_governor *gov, int kind, hiveha_deputy_snapshot *out,
                             unsigned int version)
{
	hiveha_deputy_snapshot full;

	if (!gov || !out || kind < 0 || kind >= HH_DEPUTY_KINDS)
		return HIVEHA_EINVAL;
	if (!hh_abi_size(&hh_abi_deputy_snapshot, version))
		return HIVEHA_EVERSION;
	/* Filled in full here, then only `version`'s bytes go to the host. */
	memset(&full, 0, sizeof(full));
	hh_mutex_lock(&gov->lock);
	const hh_deputy *d = &gov->dep[kind];
	full.kind = kind;
	full.enabled = d->enabled;
	full.state = d->state;
	full.last_up_to_date = d->st.last_up_to_date;
	full.covered_until = d->st.covered_until;
	full.pending_gaps = d->st.pending.n;
	full.progress = d->progress;
	(void)snprintf(full.sync_state, sizeof(full.sync_state), "%s", d->sync_state);
	hh_mutex_unlock(&gov->lock);
	return hh_abi_copy_out(&hh_abi_deputy_snapshot, out, &full, version);
}

const char *hiveha_governor_errmsg(hiveha_governor *gov)
{
	return gov ? gov->errmsg : "";
}
