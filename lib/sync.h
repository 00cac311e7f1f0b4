/*
 * sync.h - the context the sync work runs in (internal).
 *
 * The deputies, the peer link and the pager see the governor only through
 * this struct: the members they need, borrowed from the governor that owns
 * them (governor_internal.h, which only governor*.c include). It lets the
 * lower layers be compiled, read and tested without the governor struct,
 * and keeps their dependencies pointing down (HACKING.md, layers).
 *
 * Locking: `lock` is the governor's lock. It guards what other threads
 * read (each deputy's published items and sync state); the sync thread
 * takes it only to change them.
 */
#ifndef HH_SYNC_H
#define HH_SYNC_H

#include <hiveha/governor.h>

#include "platform/compiler.h"
#include "platform/platform.h"
#include "protocol/protocol.h"

struct hh_peer;

typedef struct hh_sync {
	const hiveha_allocator *alloc;       /* NULL: the C heap */
	const hiveha_governor_config *cfg;   /* defaults applied */
	hiveha_store *store;
	hiveha_clock *clock;
	hh_mutex *lock;
	hh_atomic_int *stop;                 /* stop requested */
	const hh_limits *limits;             /* what our decoders accept */
	struct hh_peer *peer;                /* the link to the peer (peer.h) */
	const void *owner;                   /* the governor: marks its sync threads */
} hh_sync;

/* Hands a line to the host's on_log, if any. */
void hh_sync_log(const hh_sync *s, int level, const char *fmt, ...) HH_FMT(3, 4);

/* A stop was requested: the sync work checks this before every sleep and
 * request. */
int hh_sync_stopping(const hh_sync *s);

/* Sleeps on the clock; HIVEHA_ECANCELLED when stopping. */
int hh_sync_sleep_ms(const hh_sync *s, int64_t ms);

/* Marks the calling thread as doing `owner`'s sync work (NULL: none) and
 * returns the previous mark, so that a stop called on it only requests
 * instead of waiting for itself. governor_run.c marks the sync threads,
 * fetch.c its helpers. */
const void *hh_sync_mark_thread(const void *owner);

/* Whether the calling thread carries `owner`'s mark. */
int hh_sync_on_thread(const void *owner);

#endif /* HH_SYNC_H */
