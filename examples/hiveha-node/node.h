/*
 * node.h - shared declarations of hiveha-node, a simulated Hive instance.
 *
 * One process is one instance: an SQLite store, an HTTP listener serving the
 * peer, an HTTP transport to sync from the peer, the governor in background
 * mode, and optionally a deterministic plant simulator feeding the store.
 */
#ifndef HIVEHA_NODE_H
#define HIVEHA_NODE_H

#include <hiveha/hiveha.h>
#include <hiveha/http.h>
#include <hiveha/sqlite.h>

#include <stdbool.h>
#include <stdint.h>

/* The deputy kinds this host knows (TrendHistory, EventHistory): a host
 * counts the kinds it handles itself; the library has no public count. */
#define NODE_DEPUTY_KINDS 2

/* Exit codes (docs/cli.md). Scripts depend on them: never renumber. */
enum node_exit {
	NODE_EXIT_OK = 0,          /* clean stop (signal, --run-for) or subcommand done */
	NODE_EXIT_FAILURE = 1,     /* anything not listed below */
	NODE_EXIT_USAGE = 2,       /* bad flags or arguments */
	NODE_EXIT_DB = 3,          /* the store cannot be opened or read */
	NODE_EXIT_PEER = 4,        /* start-up sync failed: peer unreachable / timed out */
	NODE_EXIT_AUTH = 5,        /* start-up sync failed: the peer refused our token */
	NODE_EXIT_LISTEN = 6,      /* the listen address cannot be bound, TLS files unusable */
	NODE_EXIT_SYNC = 7         /* start-up sync failed for another reason */
};

/* Options of the run mode (main.c fills them, node_run.c uses them). */
typedef struct node_options {
	const char *name;
	const char *db;
	const char *listen;
	const char *peer;
	const char *token_file;
	unsigned int deputies;        /* HIVEHA_DEPUTY_MASK bits */
	hiveha_time expert_start;     /* 0 = off */
	uint32_t sim_items;           /* 0 = no simulator */
	uint32_t sim_arrays;          /* --simulate-arrays: vector and matrix items each */
	uint32_t sim_hz;
	const char *tls_cert;
	const char *tls_key;
	const char *ca;
	int64_t overlap_ms;
	int64_t lookback_ms;
	int64_t heartbeat_ms;
	uint32_t batch_items;
	uint32_t chunk_samples;
	uint32_t chunk_events;
	uint32_t max_attempts;
	int64_t max_records_per_s;    /* throttle of the gap fill; 0 = none */
	int64_t max_bytes_per_s;      /* throttle of the gap fill; 0 = none */
	int64_t sync_delay_ms;        /* wait before the start-up sync; 0 (the settle window covers the peer's storing latency) */
	int64_t settle_ms;            /* responder settle window; -1 = the library default */
	int64_t flush_ms;             /* simulator: how often collected samples are stored */
	int64_t progress_ms;          /* plain progress line period; 0 = every update */
	int64_t run_for_ms;           /* stop by itself after this long; 0 = until a signal */
	bool keep_running;            /* on a failed start-up sync: keep collecting, retry */
	bool verbose;                 /* debug log lines too */
} node_options;

int node_run(const node_options *opt);

/* ---- subcommands ------------------------------------------------------ */
int node_export(int argc, char **argv);
int node_export_events(int argc, char **argv);
int node_status(int argc, char **argv);

/* Opens `path` read-only for the subcommands; prints the reason and returns
 * NODE_EXIT_DB on failure. */
int node_open_readonly(hiveha_store *out, const char *path);

/* ---- the plant simulator (simulator.c) --------------------------------- */
typedef struct node_sim node_sim;

/* Bound of --simulate-arrays. */
#define NODE_SIM_MAX_ARRAYS 1000u

/* `items` scalar items, and with `arrays` > 0 that many vector and matrix
 * items and one string vector (docs/cli.md "The simulator"). `first`
 * receives the first sample time: the first multiple of the period at or
 * after `now`. */
int node_sim_new(node_sim **out, uint32_t items, uint32_t arrays, uint32_t hz, hiveha_time now,
                 hiveha_time *first);
void node_sim_free(node_sim *sim);
/* Stores every sample due at or before `now` (and the events they cause). */
int node_sim_collect(node_sim *sim, const hiveha_store *store, hiveha_time now,
                     uint64_t *samples_out, uint64_t *events_out);
uint32_t node_sim_period_ticks(const node_sim *sim);
/* Every sample (and event) before this time is stored: the end of the last
 * step that was stored for every item. */
hiveha_time node_sim_stored_until(const node_sim *sim);

/* ---- output (progress.c): one lock for every line ---------------------- */
void node_out_init(const char *name, int64_t progress_ms);
extern int node_out_verbose; /* debug log lines too */
void node_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void node_errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void node_on_state(const char *name, const hiveha_value *value, void *payload);
void node_on_progress(const hiveha_progress *p, void *payload);
void node_on_log(int level, const char *message, void *payload);
void node_progress_done(void);
void node_iso(char buf[HIVEHA_ISO8601_SIZE], hiveha_time t);

/* ---- transport wrapper (watch.c): remembers the last failure ----------- */
int node_watch_transport(hiveha_transport *inout);
int node_watch_last_error(void);

/* ---- small parsers (main.c) ------------------------------------------- */
int node_parse_time(const char *text, hiveha_time *out);

#endif /* HIVEHA_NODE_H */
