/*
 * hiveha/governor.h - the governor and its deputies (DESIGN §1, §6, §7).
 *
 * A host creates one governor per instance from a config, a store, a
 * transport to the peer and (optionally) a clock. On start the governor
 * runs one deputy per enabled data class - TrendHistory (timeseries) and
 * EventHistory (events) - that fill the hole in the local history from the
 * peer, and then keeps the covered-until heartbeat and retries pending
 * gaps with back-off.
 *
 * Lifecycle: a governor is in one of four states, changed under one lock:
 *
 *   idle --run()/poll()--> running --the call returns--> idle
 *   idle --start()-------> background --stop()--> stopping --> idle
 *   idle --stop()--------> stopping --> idle     (the clean-stop mark only)
 *
 *  - run, poll and start begin only from idle; while a stop is stopping
 *    (or is waking a run) they first wait for it to finish. From running
 *    or background they return HIVEHA_ESTATE.
 *  - A stop that finds the governor running (a run or poll on another
 *    thread), or that is called on the sync thread itself (a callback, the
 *    transport or the store), only requests: it interrupts sleeps and
 *    transfers and returns; the running call returns HIVEHA_ECANCELLED and
 *    writes the clean-stop mark itself before it leaves running.
 *  - A stop that finds background or idle owns the stopping state: it joins
 *    the background thread (if any) and writes the clean-stop mark. Another
 *    stop meanwhile waits for it and returns its result.
 *  - Every run, poll or background thread begins by dropping what an
 *    earlier stop left behind (the clock's latched wake, the transport's
 *    cancel): a stop is never remembered into the next run, and all of this
 *    can be repeated any number of times.
 *
 * Threads: a governor is used from one host thread at a time, except
 * hiveha_governor_snapshot(), hiveha_governor_set_stored_until() and
 * hiveha_governor_stop(), which may be called from any thread at any time,
 * also concurrently. State, progress
 * and log callbacks run on the sync thread: the caller's for
 * hiveha_governor_run() / _poll(), a thread the governor starts for
 * hiveha_governor_start() (and the stopping thread for a clean-stop mark's
 * log). Callbacks must not call back into the governor except snapshot and
 * stop.
 */
#ifndef HIVEHA_GOVERNOR_H
#define HIVEHA_GOVERNOR_H

#include "clock.h"
#include "common.h"
#include "store.h"
#include "time.h"
#include "transport.h"
#include "value.h"

HIVEHA_BEGIN_DECLS

/** The governor. Opaque. */
typedef struct hiveha_governor hiveha_governor;

/**
 * Deputy kinds. Values are part of the ABI; a new kind (room is left for a
 * configuration deputy) is appended. There is deliberately no public
 * "count": it would change when a kind is appended, and a host that sized
 * an array by it would disagree with the library it runs against. Iterate
 * over the kinds you know.
 */
typedef enum hiveha_deputy_kind {
	HIVEHA_DEPUTY_TREND = 0,   /**< "TrendHistory" */
	HIVEHA_DEPUTY_EVENTS = 1   /**< "EventHistory" */
	/* append new kinds here, never reuse a value */
} hiveha_deputy_kind;

/** Bit of `kind` in a deputy mask (hiveha_governor_config.deputies). */
#define HIVEHA_DEPUTY_MASK(kind) (1u << (unsigned)(kind))
/**
 * The two Hive deputies, TrendHistory and EventHistory. This is what
 * `deputies = 0` means, and it keeps that meaning when a new kind is
 * appended: a new deputy runs only when its bit is set.
 */
#define HIVEHA_DEPUTIES_HIVE \
	(HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND) | HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS))

/** Hive's DeputyState values, exactly. */
typedef enum hiveha_deputy_state {
	HIVEHA_DEPUTY_IDLE = 0,
	HIVEHA_DEPUTY_STARTED = 1,
	HIVEHA_DEPUTY_WAITING_FOR_CONNECTION = 2,
	HIVEHA_DEPUTY_SENDING_SYNC_REQUEST = 3,
	HIVEHA_DEPUTY_WAITING_FOR_REPLY = 4,
	HIVEHA_DEPUTY_FINISHED_OK = 5,
	HIVEHA_DEPUTY_FINISHED_WITH_ERROR = 6
} hiveha_deputy_state;

/** "TrendHistory", "EventHistory", or NULL for an unknown kind. */
HIVEHA_API const char *hiveha_deputy_name(int kind);

/** "idle", "started", ... "finished_with_error", or NULL. */
HIVEHA_API const char *hiveha_deputy_state_name(int state);

/**
 * A state item changed. `name` is Hive's name, e.g.
 * "TrendHistory_DeputyState" (value INT64 0..6), "TrendHistory_LastUpToDate"
 * (value TIME) or "TrendHistory_SyncState" (value STRING). Both are
 * borrowed for the duration of the call.
 */
typedef void (*hiveha_state_fn)(const char *name, const hiveha_value *value, void *payload);

/**
 * Progress of one deputy. Totals are 0 while unknown. Frozen: it is
 * embedded in hiveha_deputy_snapshot, whose later members would move if it
 * grew; a new figure is appended to the snapshot instead.
 */
typedef struct hiveha_progress {
	int kind;                /**< hiveha_deputy_kind */
	uint64_t items_done;
	uint64_t items_total;
	uint64_t samples_done;
	uint64_t events_done;
	uint64_t requests;       /**< round trips so far */
	hiveha_time window_from; /**< range being filled, [from, to) */
	hiveha_time window_to;
	hiveha_time position;    /**< filled up to here within the current range */
} hiveha_progress;

typedef void (*hiveha_progress_fn)(const hiveha_progress *progress, void *payload);

#define HIVEHA_GOVERNOR_CONFIG_VERSION 2

/** Default overlap: absorbs clock skew between the instances and the heartbeat period. */
#define HIVEHA_DEFAULT_OVERLAP_MS 10000

/**
 * Governor configuration. Initialise with hiveha_governor_config_init(), or
 * HIVEHA_GOVERNOR_CONFIG_INIT and set what you need: every 0 / NULL member
 * means "the documented default", except overlap_ms, where 0 means no
 * overlap (its default comes from the initialiser). Strings are copied by
 * hiveha_governor_new.
 */
typedef struct hiveha_governor_config {
	unsigned int version;           /**< HIVEHA_GOVERNOR_CONFIG_VERSION */

	/* ---- version 1 ---- */
	const char *instance_id;        /**< this instance's name, sent in hello; default "hiveha" */
	unsigned int deputies;          /**< mask of HIVEHA_DEPUTY_MASK(); 0 = HIVEHA_DEPUTIES_HIVE (always) */
	const char *peer;               /**< endpoint handed to transport->connect; required to sync */
	const char *token;              /**< shared secret sent to the peer; NULL = none */
	uint32_t batch_items;           /**< items per timeseries request; default 1000 */
	uint32_t chunk_samples;         /**< samples per reply page; default 65536 */
	uint32_t chunk_events;          /**< events per reply page; default 10000 */
	uint32_t max_reply_bytes;       /**< largest reply accepted; default 64 MiB */
	int64_t overlap_ms;             /**< gap starts this much before covered-until; 0 = none.
	                                     The _INIT macro and config_init set HIVEHA_DEFAULT_OVERLAP_MS. */
	int64_t lookback_ms;            /**< first start without state syncs this far back; default 0 (none) */
	hiveha_time trend_expert_start; /**< expert mode: TrendHistory syncs from here; 0 = off */
	hiveha_time events_expert_start;/**< expert mode: EventHistory syncs from here; 0 = off */
	hiveha_time start_time;         /**< when the host started collecting again; 0 = clock now at run/start */
	int64_t heartbeat_ms;           /**< covered-until period; default 10000 */
	int64_t connect_timeout_ms;     /**< default 10000 */
	int64_t request_timeout_ms;     /**< default 60000 */
	int64_t retry_initial_ms;       /**< first back-off; default 1000 */
	int64_t retry_max_ms;           /**< back-off cap; default 60000 */
	uint32_t max_attempts;          /**< start-up attempts before finished_with_error; default 3 */
	hiveha_state_fn on_state;       /**< optional */
	hiveha_progress_fn on_progress; /**< optional */
	hiveha_log_fn on_log;           /**< optional */
	void *payload;                  /**< passed to the three callbacks */
	const hiveha_allocator *allocator; /**< optional; copied */

	/* ---- version 2 ---- */
	/**
	 * Throttle of the gap fill, so that a long resync does not starve the
	 * host's live collection: each deputy's transfer stays at or below
	 * this many records per second (samples for TrendHistory, events for
	 * EventHistory) and this many reply bytes per second. The pause is
	 * placed between pages, before the next request; a stop ends it. 0 = no
	 * cap (the default).
	 */
	uint64_t max_records_per_s;
	uint64_t max_bytes_per_s;
} hiveha_governor_config;

#define HIVEHA_GOVERNOR_CONFIG_INIT { HIVEHA_GOVERNOR_CONFIG_VERSION, NULL, 0, NULL, NULL, 0, 0, 0, 0, \
	HIVEHA_DEFAULT_OVERLAP_MS, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, 0, 0 }

/**
 * Sets `cfg` to HIVEHA_GOVERNOR_CONFIG_INIT for `version`: zeroes and overlap_ms =
 * HIVEHA_DEFAULT_OVERLAP_MS. HIVEHA_EVERSION for 0 or a newer version,
 * HIVEHA_EINVAL for NULL.
 */
HIVEHA_API int hiveha_governor_config_init(hiveha_governor_config *cfg, unsigned int version);

#define HIVEHA_DEPUTY_SNAPSHOT_VERSION 1

/**
 * A consistent copy of one deputy's state items, written by
 * hiveha_governor_snapshot() into host memory. It has no version member:
 * the host passes HIVEHA_DEPUTY_SNAPSHOT_VERSION of the header it was built
 * with to the call, and the library writes exactly the members of that
 * version (members are only appended).
 */
typedef struct hiveha_deputy_snapshot {
	/* ---- version 1 ---- */
	int kind;                     /**< hiveha_deputy_kind */
	int enabled;                  /**< 0 when the config disabled this deputy */
	int state;                    /**< hiveha_deputy_state */
	hiveha_time last_up_to_date;  /**< persisted; 0 before the first finished_ok ever */
	hiveha_time covered_until;    /**< persisted heartbeat mark; 0 if none */
	size_t pending_gaps;          /**< gaps still to fill */
	hiveha_progress progress;
	char sync_state[1024];        /**< SyncState text, NUL-terminated, truncated with "..." */
} hiveha_deputy_snapshot;

/**
 * Creates a governor. `store` and `transport` are required, `clock` may be
 * NULL (the system clock). The three structs are copied (only the members
 * of their declared version); from then on the governor owns them and calls
 * their `destroy` members when it is freed. On failure *out is NULL, the
 * interfaces are not destroyed, and the reason went to cfg->on_log; the
 * _check() functions give it too.
 */
HIVEHA_API int hiveha_governor_new(hiveha_governor **out, const hiveha_governor_config *cfg,
                                   const hiveha_store *store, const hiveha_transport *transport,
                                   const hiveha_clock *clock);

/** Stops the governor if running (as hiveha_governor_stop) and frees it. NULL is a no-op. */
HIVEHA_API void hiveha_governor_free(hiveha_governor *gov);

/**
 * Blocking start-up sync on the caller's thread: computes each enabled
 * deputy's gaps and fills them. Returns 0 when every enabled deputy ended
 * finished_ok, otherwise the status of the first that ended
 * finished_with_error (its gaps stay pending for a later run or poll;
 * HIVEHA_ECANCELLED after a stop, which leaves them due at once).
 * HIVEHA_ESTATE if the governor is already running in the background, or
 * a run or poll is in progress on another thread.
 */
HIVEHA_API int hiveha_governor_run(hiveha_governor *gov);

/**
 * Does the background work that is due now on the caller's thread: writes
 * the covered-until heartbeat if its period passed, and retries pending
 * gaps whose back-off expired. For hosts that drive the governor from
 * their own loop after hiveha_governor_run(). `*next_ms_out` (may be NULL)
 * receives how long until more work is due. HIVEHA_ESTATE before the
 * first run, in the background, or beside another run or poll;
 * HIVEHA_ECANCELLED when a stop cut a retry short (it is due again at once).
 */
HIVEHA_API int hiveha_governor_poll(hiveha_governor *gov, int64_t *next_ms_out);

/**
 * Starts a background thread that does what run() does and then what
 * poll() does, until stop. Returns at once. HIVEHA_ESTATE if already
 * started (also after the thread ended by a stop from one of its own
 * callbacks: a stop from outside joins it) or while a run or poll runs.
 */
HIVEHA_API int hiveha_governor_start(hiveha_governor *gov);

/**
 * Stops promptly: interrupts sleeps and transfers, joins the background
 * thread if any, rolls back whatever was not committed (committed chunks
 * and their checkpoints stay), and writes covered-until = clock now (or the
 * host's stored-until, if earlier: hiveha_governor_set_stored_until) as a
 * clean-stop mark (once the start-up state was persisted). Safe to call
 * more than once, from any thread, concurrently, and from a callback. See
 * "Lifecycle" above for who writes the mark: a stop that only requests
 * returns 0 at once; one that stops the background thread or an idle
 * governor returns when it is done, with the mark's store error if it
 * failed (a concurrent stop returns the same).
 */
HIVEHA_API int hiveha_governor_stop(hiveha_governor *gov);

/**
 * Tells the governor how far the host has stored its own collection: every
 * sample and event with a time before `t` that the host collected is
 * committed to its store. From the first call on, the covered-until marks
 * (heartbeat and clean stop) are min(clock now, t) instead of clock now, so
 * a stop after a failed or buffered write never claims time that was not
 * stored; the next start's gap then begins early enough to refill it. A
 * responder attached to this governor vouches to its peer only for time
 * before `t` (and before its now - settle_ms). The latest call wins; covered-until itself never moves back. Call it after
 * each commit of collected data. Thread-safe: any thread, any time after
 * hiveha_governor_new(), also while the governor runs in the background.
 * HIVEHA_EINVAL for a NULL governor.
 */
HIVEHA_API int hiveha_governor_set_stored_until(hiveha_governor *gov, hiveha_time t);

/**
 * Copies the state items of deputy `kind` into `*out`, a struct of version
 * `version`: pass HIVEHA_DEPUTY_SNAPSHOT_VERSION. Exactly the bytes of that
 * version are written, never more, so a host built against an older header
 * keeps working when members are appended. HIVEHA_EINVAL for NULL or an
 * unknown kind, HIVEHA_EVERSION for version 0 or one newer than the
 * library knows; on failure `*out` is untouched.
 */
HIVEHA_API int hiveha_governor_snapshot(hiveha_governor *gov, int kind, hiveha_deputy_snapshot *out,
                                        unsigned int version);

/**
 * Human-readable message of the last failure returned by a call on this
 * governor from the host's thread (or "" if none). Valid until the next
 * such call. Failures of the background thread are reported through the
 * SyncState items and the log, not here.
 */
HIVEHA_API const char *hiveha_governor_errmsg(hiveha_governor *gov);

HIVEHA_END_DECLS

#endif /* HIVEHA_GOVERNOR_H */
