/*
 * bench_sync - gap-fill throughput of a start-up sync against its floors.
 *
 *   bench_sync [-m items] [-s samples-per-item] [-e events] [-a elements]
 *              [-t max-records-per-s] [-d dir]
 *              [-c chunk-samples] [-b batch-items] [-p phases] [-l label]
 *              [-o results.csv]
 *
 * Two processes per phase, both forked from the thread-less parent: a PEER
 * process that serves the data set (gendata.h: M items x S samples at 1 Hz,
 * E events; computed, not held; with -a N each sample is a vector of N
 * doubles, one sample like a scalar) through a hiveha_responder behind the
 * hiveha_http listener on 127.0.0.1, and a LOCAL process that runs the
 * phase, so the peak RSS of each side is its own:
 *
 *   floor   floor (a): the SQLite store ingests the same samples from
 *           memory, pages of chunk samples in item order, one transaction
 *           per page, through store->replace_samples (what the deputy
 *           calls); no protocol, no network. Only the store calls are timed.
 *   sink    floor (b): hiveha_governor_run (TrendHistory) over HTTP into a
 *           counting sink store: transfer + decode + deputy, no local store.
 *   sync    the real thing: hiveha_governor_run (TrendHistory) over HTTP
 *           into an SQLite store that knows the items but has no samples.
 *   evfloor floor (a) of events: the same events into SQLite, pages of
 *           10 000 per transaction through store->insert_events.
 *   evsink  as sink, EventHistory.
 *   events  as sync, EventHistory, into an empty SQLite store.
 *   insert, attach   SQLite's own floors, on sqlite3 directly (floors_sql.c).
 *   sqlpeer, evsqlpeer  sync and events from a peer serving an SQLite
 *           store filled with the data set before timing (sqlpeer.c).
 *
 * Each phase that talks to the peer gets a fresh peer process, whose peak
 * RSS (VmHWM) and CPU are read when the phase ends. Wire bytes are the request and reply bodies
 * counted by a wrapper around the HTTP transport (wiretap.h).
 * Each phase prints one line; -o appends one CSV row per phase. "stall" is
 * the share of the phase's wall time during which some task on the machine
 * waited for a CPU (/proc/pressure/cpu): near 0 on an idle machine, near 1
 * when other work competed for the CPUs and stretched the timings.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiveha/governor.h>
#include <hiveha/http.h>
#include <hiveha/responder.h>
#include <hiveha/sqlite.h>

#include "gendata.h"
#include "sinkstore.h"
#include "sqlphases.h"
#include "wiretap.h"

/* ---- small helpers ------------------------------------------------------ */

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Peak resident set (kB) of this process. */
static long vm_hwm_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static double load1(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double l = -1;

	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

/* Total µs some task waited for a CPU (Linux PSI), or -1. */
static double cpu_stall_us(void)
{
	FILE *f = fopen("/proc/pressure/cpu", "r");
	double total = -1;

	if (f) {
		if (fscanf(f, "some avg10=%*f avg60=%*f avg300=%*f total=%lf", &total) != 1)
			total = -1;
		fclose(f);
	}
	return total;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *data, size_t len)
{
	char *p = data;

	while (len) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one '\n'-terminated line (without it). */
static int read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		char c;
		if (read_all(fd, &c, 1))
			return -1;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

void remove_db(const char *path)
{
	char p[1100];

	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-lock", path);
	unlink(p);
}

static void on_log(int level, const char *message, void *payload)
{
	(void)payload;
	if (level <= HIVEHA_LOG_WARN)
		fprintf(stderr, "bench_sync: [%d] %s\n", level, message);
}

/* ---- the peer process --------------------------------------------------- */

static void peer_main(const opts *o, int sql, int cmd_fd, int resp_fd)
{
	hiveha_store store;
	hiveha_responder *r = NULL;
	hiveha_responder_config rc = HIVEHA_RESPONDER_CONFIG_INIT;
	hiveha_http_listener *l = NULL;
	hiveha_http_listener_options lo = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	char line[128];
	double cpu0 = cpu_s();

	rc.instance_id = "bench-peer";
	rc.on_log = on_log;
	lo.address = "127.0.0.1";
	lo.max_connections = 4;
	lo.on_log = on_log;
	if ((sql ? sqlpeer_open(&store, o->peer_db) : gen_store_new(&store, &o->gp)) ||
	    hiveha_responder_new(&r, &rc, &store, NULL) ||
	    hiveha_http_listener_new(&l, &lo, r)) {
		fprintf(stderr, "bench_sync: peer setup failed\n");
		snprintf(line, sizeof line, "port 0\n");
		write_all(resp_fd, line, strlen(line));
		_exit(1);
	}
	snprintf(line, sizeof line, "port %u\n", (unsigned)hiveha_http_listener_port(l));
	write_all(resp_fd, line, strlen(line));
	while (read_line(cmd_fd, line, sizeof line) == 0) {
		if (strcmp(line, "stats") == 0) {
			snprintf(line, sizeof line, "%ld %.3f\n", vm_hwm_kb(), cpu_s() - cpu0);
		} else {
			break;
		}
		if (write_all(resp_fd, line, strlen(line)))
			break;
	}
	hiveha_http_listener_free(l);
	hiveha_responder_free(r);
	_exit(0);
}

/* ---- local phases ------------------------------------------------------- */

int open_local(hiveha_store *st, const char *path, const gen_params *gp, int with_items,
               result *res)
{
	hiveha_sqlite_options so = HIVEHA_SQLITE_OPTIONS_INIT;
	hiveha_store_txn *txn = NULL;
	char id[48];
	int rc;

	so.errbuf = res->msg;
	so.errbuf_size = sizeof res->msg;
	remove_db(path);
	if ((rc = hiveha_sqlite_open(st, path, &so)))
		return rc;
	if (!with_items)
		return 0;
	/* the items exist locally (a sync fills only locally trended items),
	 * their samples do not: one transaction, not timed */
	if ((rc = st->begin(st->ctx, &txn)))
		return rc;
	for (size_t i = 0; i < gp->items && !rc; i++) {
		gen_item_id(id, sizeof id, i);
		rc = st->replace_samples(st->ctx, txn, id, 0, 0, NULL, 0);
	}
	if (rc) {
		st->rollback(st->ctx, txn);
		return rc;
	}
	return st->commit(st->ctx, txn);
}

/* Samples of items 0 and M-1 in the gap must be S each. */
static int verify_samples(const hiveha_store *st, const gen_params *gp, result *res)
{
	size_t probe[2] = { 0, gp->items - 1 };
	char id[48];

	for (int j = 0; j < 2; j++) {
		uint64_t n = 0;
		gen_item_id(id, sizeof id, probe[j]);
		int rc = hiveha_sqlite_count_samples(st, id, gp->t0, gen_end(gp), &n);
		if (rc || n != gp->samples) {
			snprintf(res->msg, sizeof res->msg, "verify: %s has %llu samples, want %zu (%s)", id,
			         (unsigned long long)n, gp->samples, hiveha_strerror(rc));
			return HIVEHA_ERROR;
		}
	}
	return 0;
}

typedef struct seg {
	size_t item, off, n;
	int cont, complete;
} seg;

/* Floor (a): what the deputy writes, without the deputy. */
static void phase_floor(const opts *o, const char *path, result *res)
{
	const gen_params *gp = &o->gp;
	hiveha_time end = gen_end(gp);
	hiveha_sample *buf = calloc(o->chunk, sizeof *buf);
	seg *segs = calloc(o->chunk < o->batch ? o->chunk : o->batch, sizeof *segs);
	hiveha_store st;
	size_t npage = 0, nseg = 0;
	char id[48];
	int rc;

	if (!buf || !segs) {
		res->rc = HIVEHA_ENOMEM;
		goto out;
	}
	if ((rc = open_local(&st, path, gp, 1, res))) {
		res->rc = rc;
		goto out;
	}
	rc = 0;
	for (size_t b0 = 0; b0 < gp->items && !rc; b0 += o->batch) {
		size_t b1 = b0 + o->batch < gp->items ? b0 + o->batch : gp->items;
		for (size_t i = b0; i < b1 && !rc; i++) {
			size_t k = 0;
			while (k < gp->samples && !rc) {
				size_t take = gp->samples - k;
				if (take > o->chunk - npage)
					take = o->chunk - npage;
				segs[nseg] = (seg){ i, npage, take, k > 0, k + take == gp->samples };
				for (size_t j = 0; j < take && !rc; j++)
					rc = gen_sample(&buf[npage + j], gp, i, k + j);
				nseg++;
				npage += take;
				k += take;
				if (npage == o->chunk || (i + 1 == b1 && k == gp->samples)) {
					/* one page: one transaction, as apply_page */
					hiveha_store_txn *txn = NULL;
					double t = now_s();
					rc = st.begin(st.ctx, &txn);
					for (size_t q = 0; q < nseg && !rc; q++) {
						const seg *s = &segs[q];
						hiveha_time from = s->cont ? buf[s->off].time : gp->t0;
						hiveha_time to = s->complete ? end : buf[s->off + s->n - 1].time + 1;
						gen_item_id(id, sizeof id, s->item);
						rc = st.replace_samples(st.ctx, txn, id, from, to, &buf[s->off], s->n);
					}
					if (rc)
						st.rollback(st.ctx, txn);
					else
						rc = st.commit(st.ctx, txn);
					res->seconds += now_s() - t;
					res->requests++;
					if (!rc)
						res->count += npage;
					for (size_t j = 0; j < npage; j++)
						hiveha_value_clear(&buf[j].value);
					npage = 0;
					nseg = 0;
				}
			}
		}
	}
	if (rc) {
		hiveha_sqlite_last_error(&st, res->msg, sizeof res->msg);
		res->rc = rc;
	} else {
		res->rc = verify_samples(&st, gp, res);
	}
	st.destroy(st.ctx);
	remove_db(path);
out:
	free(buf);
	free(segs);
}

/* Floor (a) of events: the same events into SQLite, one transaction per
 * page of chunk_events, through store->insert_events. */
static void phase_evfloor(const opts *o, const char *path, result *res)
{
	const gen_params *gp = &o->gp;
	hiveha_time step = gen_event_step(gp);
	hiveha_event *ev = calloc(o->chunk_events, sizeof *ev);
	gen_event_strings *str = calloc(o->chunk_events, sizeof *str);
	hiveha_store st;
	uint64_t n = 0;
	int rc;

	if (!ev || !str) {
		res->rc = HIVEHA_ENOMEM;
		goto out;
	}
	if ((rc = open_local(&st, path, gp, 0, res))) {
		res->rc = rc;
		goto out;
	}
	for (size_t k = 0; k < gp->events && !rc; k += o->chunk_events) {
		size_t m = gp->events - k < o->chunk_events ? gp->events - k : o->chunk_events;
		hiveha_store_txn *txn = NULL;
		size_t added = 0;
		double t;

		for (size_t j = 0; j < m; j++)
			gen_event(&ev[j], &str[j], gp, step, k + j);
		t = now_s();
		if (!(rc = st.begin(st.ctx, &txn))) {
			if ((rc = st.insert_events(st.ctx, txn, ev, m, &added)))
				st.rollback(st.ctx, txn);
			else
				rc = st.commit(st.ctx, txn);
		}
		res->seconds += now_s() - t;
		res->requests++;
		if (!rc)
			res->count += added;
	}
	if (rc)
		hiveha_sqlite_last_error(&st, res->msg, sizeof res->msg);
	else if ((rc = hiveha_sqlite_count_events(&st, gp->t0, gen_end(gp), &n)) || n != gp->events)
		snprintf(res->msg, sizeof res->msg, "verify: %llu events stored, want %zu",
		         (unsigned long long)n, gp->events);
	res->rc = rc ? rc : n != gp->events ? HIVEHA_ERROR : 0;
	st.destroy(st.ctx);
	remove_db(path);
out:
	free(ev);
	free(str);
}

/* sink / sync / evsink / events: one hiveha_governor_run over HTTP. */
static void phase_governor(const opts *o, const char *path, unsigned port, int kind, int sink,
                           result *res)
{
	const gen_params *gp = &o->gp;
	hiveha_governor_config cfg;
	hiveha_transport http, tap;
	hiveha_store st;
	hiveha_governor *gov = NULL;
	hiveha_deputy_snapshot snap;
	wiretap_counts wc;
	sink_counts sc;
	char peer[64];
	double t;
	int rc;

	memset(&wc, 0, sizeof wc);
	memset(&sc, 0, sizeof sc);
	snprintf(peer, sizeof peer, "127.0.0.1:%u", port);
	if (sink)
		rc = sink_store_new(&st, gp, &sc);
	else
		rc = open_local(&st, path, gp, kind == HIVEHA_DEPUTY_TREND, res);
	if (rc) {
		res->rc = rc;
		return;
	}
	if ((rc = hiveha_http_transport_new(&http, NULL)) || (rc = wiretap_new(&tap, &http, &wc))) {
		res->rc = rc;
		st.destroy(st.ctx);
		return;
	}
	hiveha_governor_config_init(&cfg, HIVEHA_GOVERNOR_CONFIG_VERSION);
	cfg.instance_id = "bench-local";
	cfg.deputies = HIVEHA_DEPUTY_MASK(kind);
	cfg.peer = peer;
	cfg.batch_items = o->batch;
	cfg.chunk_samples = o->chunk;
	cfg.chunk_events = o->chunk_events;
	cfg.trend_expert_start = gp->t0;
	cfg.events_expert_start = gp->t0;
	cfg.start_time = gen_end(gp);
	cfg.max_attempts = 1;
	cfg.max_records_per_s = o->throttle;
	cfg.on_log = on_log;
	if ((rc = hiveha_governor_new(&gov, &cfg, &st, &tap, NULL))) {
		res->rc = rc;
		tap.destroy(tap.ctx);
		st.destroy(st.ctx);
		return;
	}
	t = now_s();
	rc = hiveha_governor_run(gov);
	res->seconds = now_s() - t;
	res->rc = rc;
	if (rc)
		snprintf(res->msg, sizeof res->msg, "%s", hiveha_governor_errmsg(gov));
	if (hiveha_governor_snapshot(gov, kind, &snap, HIVEHA_DEPUTY_SNAPSHOT_VERSION) == 0) {
		res->requests = snap.progress.requests;
		if (rc && !res->msg[0])
			snprintf(res->msg, sizeof res->msg, "%.255s", snap.sync_state);
	}
	if (sink) {
		res->count = kind == HIVEHA_DEPUTY_TREND ? sc.samples : sc.events;
	} else if (kind == HIVEHA_DEPUTY_TREND) {
		res->count = snap.progress.samples_done;
		if (!rc)
			res->rc = verify_samples(&st, gp, res);
	} else {
		uint64_t n = 0;
		int vrc = hiveha_sqlite_count_events(&st, gp->t0, gen_end(gp), &n);
		res->count = n;
		if (!rc && (vrc || n != gp->events)) {
			snprintf(res->msg, sizeof res->msg, "verify: %llu events stored, want %zu",
			         (unsigned long long)n, gp->events);
			res->rc = HIVEHA_ERROR;
		}
	}
	res->tap_exchanges = wc.exchanges;
	res->request_bytes = wc.request_bytes;
	res->reply_bytes = wc.reply_bytes;
	hiveha_governor_free(gov); /* destroys the store and the transport */
	if (!sink)
		remove_db(path);
}

/* ---- orchestration ------------------------------------------------------ */

typedef struct peer_proc {
	pid_t pid;
	int cmd, resp;
	unsigned port;
} peer_proc;

static int peer_start(const opts *o, int sql, peer_proc *p)
{
	int c[2], r[2];
	char line[64];

	if (pipe(c) || pipe(r))
		return -1;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		close(c[1]);
		close(r[0]);
		peer_main(o, sql, c[0], r[1]);
	}
	close(c[0]);
	close(r[1]);
	p->cmd = c[1];
	p->resp = r[0];
	if (read_line(p->resp, line, sizeof line) || sscanf(line, "port %u", &p->port) != 1 ||
	    p->port == 0)
		return -1;
	return 0;
}

static int peer_cmd(peer_proc *p, const char *cmd, char *reply, size_t size)
{
	char line[32];

	snprintf(line, sizeof line, "%s\n", cmd);
	if (write_all(p->cmd, line, strlen(line)))
		return -1;
	return read_line(p->resp, reply, size);
}

static void peer_stop(peer_proc *p)
{
	int st;

	close(p->cmd);
	close(p->resp);
	waitpid(p->pid, &st, 0);
}

/* Runs one phase in a fresh local process. */
static int run_phase(const opts *o, const char *phase, unsigned port, result *res)
{
	int fd[2], st;
	pid_t pid;
	char path[1024];

	memset(res, 0, sizeof *res);
	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		result r;
		memset(&r, 0, sizeof r);
		close(fd[0]);
		snprintf(path, sizeof path, "%s/bench_sync_%ld_%s.db", o->dir, (long)getpid(), phase);
		if (strcmp(phase, "floor") == 0)
			phase_floor(o, path, &r);
		else if (strcmp(phase, "sink") == 0)
			phase_governor(o, path, port, HIVEHA_DEPUTY_TREND, 1, &r);
		else if (strcmp(phase, "sync") == 0)
			phase_governor(o, path, port, HIVEHA_DEPUTY_TREND, 0, &r);
		else if (strcmp(phase, "sqlpeer") == 0)
			phase_governor(o, path, port, HIVEHA_DEPUTY_TREND, 0, &r);
		else if (strcmp(phase, "attach") == 0)
			phase_attach(o, path, &r);
		else if (strcmp(phase, "insert") == 0)
			phase_insert(o, path, &r);
		else if (strcmp(phase, "evfloor") == 0)
			phase_evfloor(o, path, &r);
		else if (strcmp(phase, "evsink") == 0)
			phase_governor(o, path, port, HIVEHA_DEPUTY_EVENTS, 1, &r);
		else if (strcmp(phase, "events") == 0 || strcmp(phase, "evsqlpeer") == 0)
			phase_governor(o, path, port, HIVEHA_DEPUTY_EVENTS, 0, &r);
		else
			r.rc = HIVEHA_EINVAL;
		r.cpu_s = cpu_s();
		r.rss_kb = vm_hwm_kb();
		if (getenv("BENCH_STATUS")) {
			/* what the resident memory is made of, at the end of the phase */
			FILE *f = fopen("/proc/self/status", "r");
			char line[256];
			while (f && fgets(line, sizeof line, f))
				if (strncmp(line, "Rss", 3) == 0 || strncmp(line, "VmHWM", 5) == 0)
					fprintf(stderr, "%s: %s", phase, line);
			if (f)
				fclose(f);
		}
		write_all(fd[1], &r, sizeof r);
		_exit(0);
	}
	close(fd[1]);
	if (read_all(fd[0], res, sizeof *res)) {
		res->rc = HIVEHA_ERROR;
		snprintf(res->msg, sizeof res->msg, "phase process died");
	}
	close(fd[0]);
	waitpid(pid, &st, 0);
	return 0;
}

/* Fills the SQLite peer's file once per run, in a child process (the
 * parent stays free of SQLite state before it forks the phases). Not timed
 * as a phase; its duration is printed as a comment. */
static int fill_peer_db(opts *o)
{
	char path[sizeof o->peer_db];
	double t = now_s();
	int fd[2], st;
	char msg[256] = "";
	pid_t pid;

	snprintf(path, sizeof path, "%s/bench_sync_%ld_peer.db", o->dir, (long)getpid());
	if (pipe(fd))
		return -1;
	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int rc = sqlpeer_fill(o, path, msg, sizeof msg);
		close(fd[0]);
		write_all(fd[1], msg, sizeof msg);
		_exit(rc ? 1 : 0);
	}
	close(fd[1]);
	if (read_all(fd[0], msg, sizeof msg))
		snprintf(msg, sizeof msg, "fill process died");
	close(fd[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench_sync: filling the SQLite peer %s: %s\n", path, msg);
		remove_db(path);
		return -1;
	}
	snprintf(o->peer_db, sizeof o->peer_db, "%s", path);
	printf("# SQLite peer filled in %.1f s (not timed): %s\n", now_s() - t, path);
	return 0;
}

static int want_phase(const opts *o, const char *phase)
{
	const char *p = o->phases;
	size_t n = strlen(phase);

	while ((p = strstr(p, phase))) {
		if ((p == o->phases || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_sync [-m items] [-s samples-per-item] [-e events]\n"
	                "                  [-a vector-elements] [-t max-records-per-s] [-d dir]\n"
	                "                  [-c chunk-samples] [-b batch-items]\n"
	                "                  [-p floor,insert,attach,sink,sync,sqlpeer,evfloor,evsink,events,\n"
	                "                      evsqlpeer] [-l label] [-o csv]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const char *const all[] = { "floor",   "insert", "attach", "sink",   "sync",
		                            "sqlpeer", "evfloor", "evsink", "events", "evsqlpeer" };
	opts o;
	peer_proc peer;
	double floor_rate = 0, evfloor_rate = 0;
	FILE *csv = NULL;
	int opt, failed = 0;

	memset(&o, 0, sizeof o);
	o.gp.items = 10;
	o.gp.samples = 10000;
	o.gp.events = 0;
	o.dir = "/tmp";
	o.chunk = 65536;
	o.batch = 1000;
	o.chunk_events = 10000; /* the governor's default */
	o.phases = "floor,insert,attach,sink,sync,sqlpeer,evfloor,evsink,events,evsqlpeer";
	o.label = "";
	hiveha_time_from_unix(&o.gp.t0, 1767225600, 0); /* 2026-01-01T00:00:00Z */
	while ((opt = getopt(argc, argv, "hm:s:e:d:c:b:p:l:o:a:t:")) != -1) {
		switch (opt) {
		case 'm': o.gp.items = strtoul(optarg, NULL, 10); break;
		case 's': o.gp.samples = strtoul(optarg, NULL, 10); break;
		case 'e': o.gp.events = strtoul(optarg, NULL, 10); break;
		case 'a': o.gp.elems = strtoul(optarg, NULL, 10); break;
		case 't': o.throttle = strtoull(optarg, NULL, 10); break;
		case 'd': o.dir = optarg; break;
		case 'c': o.chunk = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'b': o.batch = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'p': o.phases = optarg; break;
		case 'l': o.label = optarg; break;
		case 'o': o.csv = optarg; break;
		default: usage();
		}
	}
	if (o.gp.items == 0 || o.gp.samples == 0 || o.chunk == 0 || o.batch == 0 ||
	    o.gp.items > 10000000u || o.gp.events > o.gp.samples * 1000u ||
	    o.gp.elems > BENCH_MAX_ELEMS)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (o.csv) {
		FILE *probe = fopen(o.csv, "r");
		int fresh = probe == NULL;
		if (probe)
			fclose(probe);
		if (!(csv = fopen(o.csv, "a"))) {
			perror(o.csv);
			return 1;
		}
		if (fresh)
			fprintf(csv, "label,phase,items,samples_per_item,events,count,seconds,rate_per_s,"
			             "ratio_to_floor,requests,transport_exchanges,request_bytes,reply_bytes,"
			             "bytes_per_unit,local_rss_kb,peer_rss_kb,local_cpu_s,peer_cpu_s,load1,cpu_stall,rc\n");
	}
	printf("# %zu items x %zu samples (%zu), %zu events, chunk %u, batch %u", o.gp.items,
	       o.gp.samples, o.gp.items * o.gp.samples, o.gp.events, o.chunk, o.batch);
	if (o.gp.elems)
		printf(", samples are vectors of %zu doubles", o.gp.elems);
	if (o.throttle)
		printf(", throttled to %llu records/s", (unsigned long long)o.throttle);
	printf("\n");
	printf("%-9s %10s %8s %12s %6s %8s %9s %9s %9s %7s %7s %6s\n", "phase", "count", "s", "per s",
	       "ratio", "trips", "B/unit", "localMB", "peerMB", "lcpu", "pcpu", "stall");
	for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
		const char *ph = all[i];
		int events = strncmp(ph, "ev", 2) == 0;
		int is_floor = strstr(ph, "floor") != NULL;
		/* attach and insert are floors too, but ratios are to floor (a) */
		int local_only = is_floor || strcmp(ph, "attach") == 0 || strcmp(ph, "insert") == 0;
		int sql = strstr(ph, "sqlpeer") != NULL || strcmp(ph, "attach") == 0;
		char line[128];
		long peer_kb = -1;
		double peer_cpu = 0, rate, ratio = 0, bpu, ld, stall0, stall, t0;
		result r;

		if (!want_phase(&o, ph) || (events && o.gp.events == 0))
			continue;
		if (sql && !o.peer_db[0] && fill_peer_db(&o)) {
			failed = 1;
			break;
		}
		ld = load1();
		/* a fresh peer per phase, so that its peak RSS is this phase's
		 * alone; forked from this thread-less process */
		fflush(stdout);
		if (!local_only && peer_start(&o, strstr(ph, "sqlpeer") != NULL, &peer)) {
			fprintf(stderr, "bench_sync: cannot start the peer process\n");
			return 1;
		}
		stall0 = cpu_stall_us();
		t0 = now_s();
		run_phase(&o, ph, local_only ? 0 : peer.port, &r);
		/* share of the phase during which some task waited for a CPU: how
		 * much other work on the machine distorted the timing */
		stall = stall0 < 0 ? -1 : (cpu_stall_us() - stall0) / 1e6 / (now_s() - t0);
		if (!local_only) {
			if (peer_cmd(&peer, "stats", line, sizeof line) == 0)
				sscanf(line, "%ld %lf", &peer_kb, &peer_cpu);
			peer_stop(&peer);
		}
		rate = r.seconds > 0 ? (double)r.count / r.seconds : 0;
		if (is_floor) {
			if (events)
				evfloor_rate = rate;
			else
				floor_rate = rate;
		} else if (events ? evfloor_rate > 0 : floor_rate > 0) {
			ratio = rate / (events ? evfloor_rate : floor_rate);
		}
		bpu = r.count ? (double)(r.request_bytes + r.reply_bytes) / (double)r.count : 0;
		printf("%-9s %10llu %8.3f %12.0f %6.2f %8llu %9.2f %9.1f %9.1f %7.2f %7.2f %6.2f%s%s\n", ph,
		       (unsigned long long)r.count, r.seconds, rate, ratio,
		       (unsigned long long)r.requests, bpu, (double)r.rss_kb / 1024.0,
		       peer_kb < 0 ? 0.0 : (double)peer_kb / 1024.0, r.cpu_s, peer_cpu, stall,
		       r.rc ? "  FAILED: " : "", r.rc ? r.msg : "");
		fflush(stdout);
		if (r.rc)
			failed = 1;
		if (csv)
			fprintf(csv, "%s,%s,%zu,%zu,%zu,%llu,%.4f,%.0f,%.3f,%llu,%llu,%llu,%llu,%.3f,%ld,%ld,"
			             "%.3f,%.3f,%.2f,%.2f,%d\n",
			        o.label, ph, o.gp.items, o.gp.samples, o.gp.events,
			        (unsigned long long)r.count, r.seconds, rate, ratio,
			        (unsigned long long)r.requests, (unsigned long long)r.tap_exchanges,
			        (unsigned long long)r.request_bytes, (unsigned long long)r.reply_bytes, bpu,
			        r.rss_kb, peer_kb, r.cpu_s, peer_cpu, ld, stall, r.rc);
	}
	if (csv)
		fclose(csv);
	if (o.peer_db[0])
		remove_db(o.peer_db);
	return failed;
}
