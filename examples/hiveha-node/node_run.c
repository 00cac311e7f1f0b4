/*
 * node_run.c - the run mode: one simulated Hive instance.
 *
 * Wiring, in the order a host does it:
 *   SQLite store -> HTTP transport (wrapped to watch failures) -> governor
 *   -> responder serving the store and the governor's live gaps -> HTTP
 *   listener -> plant simulator appending to the store -> governor started
 *   in the background (start-up sync, then heartbeat and retries).
 * The main thread collects; a stop request (signal, console event) only
 * sets a flag and wakes the main loop's wait (node_platform.c).
 */
#include "node.h"
#include "node_platform.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t mono_ms(void)
{
	return node_mono_ns() / 1000000;
}

/* Reads the shared token: the file's first line, surrounding blanks dropped. */
static int read_token(const char *path, char *buf, size_t size)
{
	FILE *f = node_fopen(path, "r");
	if (!f) {
		node_errf("cannot read the token file %s: %s", path, strerror(errno));
		return -1;
	}
	size_t n = fread(buf, 1, size - 1, f);
	(void)fclose(f); /* opened for reading: a failed close loses nothing */
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	size_t len = strlen(buf);
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	char *s = buf;
	while (*s == ' ' || *s == '\t')
		s++;
	memmove(buf, s, strlen(s) + 1);
	if (!buf[0]) {
		node_errf("the token file %s is empty", path);
		return -1;
	}
	return 0;
}

/* The start-up result of each deputy: its first finished_ok / _with_error. */
struct startup {
	atomic_int result[NODE_DEPUTY_KINDS]; /* 0 = running, else the DeputyState */
};

static void on_state(const char *name, const hiveha_value *value, void *payload)
{
	struct startup *su = payload;
	node_on_state(name, value, NULL);
	if (value->type != HIVEHA_TYPE_INT64)
		return;
	for (int k = 0; k < NODE_DEPUTY_KINDS; k++) {
		char want[64];
		/* a cut name could match the wrong item: skip it instead */
		int len = snprintf(want, sizeof(want), "%s_DeputyState", hiveha_deputy_name(k));
		if (len < 0 || (size_t)len >= sizeof(want) || strcmp(name, want) != 0)
			continue;
		int expected = 0;
		if (value->as.i64 == HIVEHA_DEPUTY_FINISHED_OK ||
		    value->as.i64 == HIVEHA_DEPUTY_FINISHED_WITH_ERROR)
			atomic_compare_exchange_strong(&su->result[k], &expected, (int)value->as.i64);
	}
}

/* 0 while the start-up sync runs, 1 when it succeeded, -1 when a deputy
 * failed. A deputy that finished ok with ranges still pending - the young
 * tail of its gap the peer had not settled yet - is still running: the
 * governor retries that tail once it has settled. */
static int startup_result(struct startup *su, unsigned deputies, hiveha_governor *gov)
{
	int failed = 0, pending = 0;
	for (int k = 0; k < NODE_DEPUTY_KINDS; k++) {
		if (!(deputies & HIVEHA_DEPUTY_MASK(k)))
			continue;
		int r = atomic_load(&su->result[k]);
		hiveha_deputy_snapshot s;
		if (r == 0)
			return 0;
		if (r == HIVEHA_DEPUTY_FINISHED_WITH_ERROR)
			failed = 1;
		else if (!hiveha_governor_snapshot(gov, k, &s, HIVEHA_DEPUTY_SNAPSHOT_VERSION) &&
		         s.pending_gaps > 0)
			pending = 1;
	}
	return failed ? -1 : pending ? 0 : 1;
}

static int failure_exit_code(void)
{
	switch (node_watch_last_error()) {
	case HIVEHA_EAUTH:
		return NODE_EXIT_AUTH;
	case HIVEHA_ETRANSPORT:
	case HIVEHA_ETIMEOUT:
		return NODE_EXIT_PEER;
	default:
		return NODE_EXIT_SYNC;
	}
}

struct node {
	const node_options *opt;
	hiveha_store store;          /* our copy, for data entry; the governor owns it */
	hiveha_governor *gov;
	hiveha_responder *resp;
	hiveha_http_listener *listener;
	node_sim *sim;
	uint64_t samples, events;
	struct startup su;
	char token[4096];
};

/* Builds everything up to (not including) the start of the governor. */
static int node_setup(struct node *n, hiveha_time *start_time)
{
	const node_options *opt = n->opt;
	char err[512] = "";
	hiveha_sqlite_options so = HIVEHA_SQLITE_OPTIONS_INIT;
	so.errbuf = err;
	so.errbuf_size = sizeof(err);
	int rc = hiveha_sqlite_open(&n->store, opt->db, &so);
	if (rc) {
		node_errf("cannot open the store %s: %s (%s)", opt->db, err, hiveha_strerror(rc));
		return NODE_EXIT_DB;
	}

	hiveha_time now = node_wall_now();
	*start_time = now;
	if (opt->sim_items) {
		rc = node_sim_new(&n->sim, opt->sim_items, opt->sim_arrays, opt->sim_hz, now,
		                  start_time);
		if (rc) {
			node_errf("cannot start the simulator: %s", hiveha_strerror(rc));
			return NODE_EXIT_FAILURE;
		}
	}

	hiveha_transport tr;
	hiveha_http_client_options co = HIVEHA_HTTP_CLIENT_OPTIONS_INIT;
	co.use_tls = opt->ca != NULL;
	co.ca_file = opt->ca;
	co.accept_gzip = 1;
	rc = hiveha_http_transport_new(&tr, &co);
	if (!rc) {
		rc = node_watch_transport(&tr);
		if (rc)
			tr.destroy(tr.ctx);
	}
	if (rc) {
		node_errf("cannot create the HTTP transport: %s", hiveha_strerror(rc));
		return NODE_EXIT_FAILURE;
	}

	hiveha_governor_config cfg;
	hiveha_governor_config_init(&cfg, HIVEHA_GOVERNOR_CONFIG_VERSION);
	cfg.instance_id = opt->name;
	cfg.deputies = opt->deputies;
	cfg.peer = opt->peer;
	cfg.token = opt->token_file ? n->token : NULL;
	cfg.batch_items = opt->batch_items;
	cfg.chunk_samples = opt->chunk_samples;
	cfg.chunk_events = opt->chunk_events;
	if (opt->overlap_ms >= 0)
		cfg.overlap_ms = opt->overlap_ms;
	cfg.lookback_ms = opt->lookback_ms;
	cfg.trend_expert_start = opt->expert_start;
	cfg.events_expert_start = opt->expert_start;
	/* the gap ends where our own collection begins: [covered_until - overlap, start) */
	cfg.start_time = *start_time;
	cfg.heartbeat_ms = opt->heartbeat_ms;
	cfg.max_attempts = opt->max_attempts;
	cfg.max_records_per_s = (uint64_t)opt->max_records_per_s;
	cfg.max_bytes_per_s = (uint64_t)opt->max_bytes_per_s;
	cfg.on_state = on_state;
	cfg.on_progress = node_on_progress;
	cfg.on_log = node_on_log;
	cfg.payload = &n->su;
	rc = hiveha_governor_new(&n->gov, &cfg, &n->store, &tr, NULL);
	if (rc) {
		tr.destroy(tr.ctx);
		node_errf("cannot create the governor: %s", hiveha_strerror(rc));
		return rc == HIVEHA_ESTORE ? NODE_EXIT_DB : NODE_EXIT_FAILURE;
	}
	if (n->sim) /* nothing is stored yet from the first sample time on */
		hiveha_governor_set_stored_until(n->gov, node_sim_stored_until(n->sim));

	hiveha_responder_config rcfg;
	hiveha_responder_config_init(&rcfg, HIVEHA_RESPONDER_CONFIG_VERSION);
	rcfg.instance_id = opt->name;
	rcfg.token = cfg.token;
	rcfg.on_log = node_on_log;
	/* The simulator stores every --flush-ms: what it collected since may
	 * not be in the store yet, so the peer is told to come back for it. */
	if (opt->settle_ms >= 0)
		rcfg.settle_ms = opt->settle_ms;
	rc = hiveha_responder_new(&n->resp, &rcfg, &n->store, n->gov);
	if (rc) {
		node_errf("cannot create the responder: %s", hiveha_strerror(rc));
		return NODE_EXIT_FAILURE;
	}
	if (opt->listen) {
		hiveha_http_listener_options lo = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
		lo.address = opt->listen;
		lo.tls_cert_file = opt->tls_cert;
		lo.tls_key_file = opt->tls_key;
		lo.gzip = 1;
		lo.on_log = node_on_log;
		rc = hiveha_http_listener_new(&n->listener, &lo, n->resp);
		if (rc) {
			node_errf("cannot listen on %s: %s", opt->listen, hiveha_strerror(rc));
			return NODE_EXIT_LISTEN;
		}
		node_logf("listening on %s (port %u%s)", opt->listen,
		          (unsigned)hiveha_http_listener_port(n->listener), opt->tls_cert ? ", TLS" : "");
	}
	return NODE_EXIT_OK;
}

static void node_teardown(struct node *n)
{
	if (n->gov) {
		if (hiveha_governor_stop(n->gov))
			node_errf("stop: %s", hiveha_governor_errmsg(n->gov));
	}
	node_progress_done();
	hiveha_http_listener_free(n->listener);
	hiveha_responder_free(n->resp);
	if (n->gov)
		hiveha_governor_free(n->gov); /* closes the store and the transport */
	else if (n->store.destroy)
		n->store.destroy(n->store.ctx);
	node_sim_free(n->sim);
}

static int collect(struct node *n)
{
	if (!n->sim)
		return 0;
	uint64_t s = 0, e = 0;
	int rc = node_sim_collect(n->sim, &n->store, node_wall_now(), &s, &e);
	n->samples += s;
	n->events += e;
	/* Even after a failed write: covered-until must not claim what the
	 * store lacks, or the next start would not refill it. */
	hiveha_governor_set_stored_until(n->gov, node_sim_stored_until(n->sim));
	if (rc) {
		char msg[256] = "";
		hiveha_sqlite_last_error(&n->store, msg, sizeof(msg));
		node_errf("storing collected data failed: %s (%s)", hiveha_strerror(rc), msg);
	}
	return rc;
}

int node_run(const node_options *opt)
{
	struct node n;
	memset(&n, 0, sizeof(n));
	n.opt = opt;
	node_out_init(opt->name, opt->progress_ms);
	if (opt->token_file && read_token(opt->token_file, n.token, sizeof(n.token)))
		return NODE_EXIT_USAGE;
	if (node_stop_install()) {
		node_errf("cannot install signal handlers: %s", strerror(errno));
		return NODE_EXIT_FAILURE;
	}

	hiveha_time start_time = 0;
	int code = node_setup(&n, &start_time);
	if (code) {
		node_teardown(&n);
		node_stop_done();
		return code;
	}
	char iso[HIVEHA_ISO8601_SIZE];
	node_iso(iso, start_time);
	if (n.sim && opt->sim_arrays)
		node_logf("collecting from %s (%u items and %u array items at %u Hz)", iso,
		          opt->sim_items, 2 * opt->sim_arrays + 1, opt->sim_hz);
	else if (n.sim)
		node_logf("collecting from %s (%u items at %u Hz)", iso, opt->sim_items, opt->sim_hz);
	else
		node_logf("started at %s (no simulator)", iso);

	int64_t t0 = mono_ms();
	int64_t sync_due = t0 + opt->sync_delay_ms;
	int started = 0, reported = 0;
	while (!node_stop_requested()) {
		if (collect(&n)) {
			code = NODE_EXIT_DB;
			break;
		}
		int64_t now = mono_ms();
		if (!started && now >= sync_due) {
			int rc = hiveha_governor_start(n.gov);
			if (rc) {
				node_errf("cannot start the governor: %s", hiveha_governor_errmsg(n.gov));
				code = NODE_EXIT_FAILURE;
				break;
			}
			started = 1;
			node_logf("governor started: syncing from %s", opt->peer ? opt->peer : "(no peer)");
		}
		if (started && !reported) {
			int r = startup_result(&n.su, opt->deputies, n.gov);
			if (r > 0) {
				reported = 1;
				node_logf("start-up sync finished ok");
			} else if (r < 0 && !node_stop_requested()) {
				reported = 1;
				for (int k = 0; k < NODE_DEPUTY_KINDS; k++) {
					hiveha_deputy_snapshot s;
					if (!hiveha_governor_snapshot(n.gov, k, &s,
					                              HIVEHA_DEPUTY_SNAPSHOT_VERSION) &&
					    s.state == HIVEHA_DEPUTY_FINISHED_WITH_ERROR)
						node_errf("start-up sync failed: %s: %s", hiveha_deputy_name(k),
						          s.sync_state);
				}
				if (!opt->keep_running) {
					code = failure_exit_code();
					break;
				}
				node_logf("--keep-running: collecting on; the gap stays pending and is retried");
			}
		}
		if (opt->run_for_ms > 0 && now - t0 >= opt->run_for_ms)
			break;
		int64_t wait = opt->flush_ms;
		if (!started && sync_due - now < wait)
			wait = sync_due - now;
		if (wait < 1)
			wait = 1;
		node_stop_wait(wait);
	}
	if (!code && n.sim)
		collect(&n); /* everything up to the stop is stored before the stop mark */
	node_teardown(&n);
	int sig = node_stop_requested();
	if (sig)
		node_logf("stopped by signal %d", sig);
	node_logf("stopped: collected %llu samples, %llu events (exit %d)",
	          (unsigned long long)n.samples, (unsigned long long)n.events, code);
	node_stop_done();
	return code;
}
