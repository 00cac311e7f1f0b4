/*
 * hiveha-node - a runnable simulated Hive instance built on libhiveha and
 * its SQLite and HTTP adapters. docs/cli.md is the reference.
 *
 *   hiveha-node --name A --db a.db --listen 127.0.0.1:7001 --peer 127.0.0.1:7002 \
 *               --token-file token --simulate 50:10
 *   hiveha-node export --db a.db [--item ID] [--from ISO --to ISO]
 *   hiveha-node export-events --db a.db [--from ISO --to ISO]
 *   hiveha-node status --db a.db
 */
#include "node.h"
#include "node_platform.h"
#include "args.h"

#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"usage: hiveha-node [run] --name NAME --db PATH [flags]    run an instance\n"
	"       hiveha-node export --db PATH [--item ID] [--from ISO] [--to ISO]\n"
	"       hiveha-node export-events --db PATH [--from ISO] [--to ISO]\n"
	"       hiveha-node status --db PATH\n"
	"       hiveha-node --help | --version\n"
	"\n"
	"run flags:\n"
	"  --name NAME              instance name (sent to the peer, prefixes log lines)\n"
	"  --db PATH                the SQLite store (created if missing)\n"
	"  --listen HOST:PORT       serve the peer here (port 0: any free port)\n"
	"  --peer HOST:PORT         sync from the peer here (or http[s]://host:port)\n"
	"  --token-file PATH        shared token (first line of the file)\n"
	"  --deputies LIST          trend,events (default), trend, events\n"
	"  --expert-start ISO8601   expert mode: sync from this time\n"
	"  --simulate ITEMS:HZ      run the deterministic plant simulator (HZ divides 10000000)\n"
	"  --simulate-arrays N      the simulator adds N vector items (16 doubles), N matrix\n"
	"                           items (3x3 int64) and a string vector (default 0)\n"
	"  --tls-cert PEM --tls-key PEM   serve HTTPS\n"
	"  --ca PEM                 connect to the peer over HTTPS, trusting this CA\n"
	"  --overlap-ms N           gap starts N ms before covered-until (default 10000)\n"
	"  --lookback-ms N          first start without state syncs N ms back (default 0)\n"
	"  --heartbeat-ms N         covered-until period (default 10000)\n"
	"  --batch-items N --chunk-samples N --chunk-events N   request sizes\n"
	"  --max-attempts N         start-up attempts before giving up (default 3)\n"
	"  --max-records-per-s N    throttle the gap fill: samples (events) per second (0: none)\n"
	"  --max-bytes-per-s N      throttle the gap fill: reply bytes per second (0: none)\n"
	"  --settle-ms N            vouch to the peer only for what is N ms old (default 5000;\n"
	"                           at least the --flush-ms of this node)\n"
	"  --sync-delay-ms N        wait before the start-up sync (default 0)\n"
	"  --flush-ms N             simulator store period (default 100)\n"
	"  --progress-ms N          plain progress line period off a terminal (default 1000; 0: all)\n"
	"  --run-for-ms N           stop by itself after N ms\n"
	"  --keep-running           on a failed start-up sync keep collecting and retry\n"
	"  --verbose                debug log lines too\n"
	"\n"
	"exit codes: 0 ok, 1 failure, 2 bad flags, 3 store unreadable, 4 peer unreachable,\n"
	"            5 token refused, 6 cannot listen, 7 start-up sync failed otherwise\n";

int node_parse_time(const char *text, hiveha_time *out)
{
	return hiveha_time_from_iso8601(out, text) == HIVEHA_OK ? 0 : -1;
}

static int parse_deputies(const char *text, unsigned *out)
{
	char buf[64];
	unsigned mask = 0;
	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		if (strcmp(tok, "trend") == 0)
			mask |= HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
		else if (strcmp(tok, "events") == 0)
			mask |= HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS);
		else
			return -1;
	}
	if (!mask)
		return -1;
	*out = mask;
	return 0;
}

static int parse_simulate(const char *text, node_options *o)
{
	uint64_t items = 0, hz = 0;
	char buf[64];
	const char *colon = strchr(text, ':');
	if (!colon || (size_t)(colon - text) >= sizeof(buf))
		goto bad;
	memcpy(buf, text, (size_t)(colon - text));
	buf[colon - text] = '\0';
	if (node_args_u64("--simulate ITEMS", buf, 1, 1000000, &items) ||
	    node_args_u64("--simulate HZ", colon + 1, 1, 1000, &hz))
		return -1;
	if (HIVEHA_TICKS_PER_SECOND % (int64_t)hz != 0) {
		fprintf(stderr, "hiveha-node: --simulate: %llu Hz does not give a whole number of "
		                "100-ns ticks per sample\n", (unsigned long long)hz);
		return -1;
	}
	o->sim_items = (uint32_t)items;
	o->sim_hz = (uint32_t)hz;
	return 0;
bad:
	fprintf(stderr, "hiveha-node: --simulate wants ITEMS:HZ, e.g. 50:10\n");
	return -1;
}

/* Integer flags: name, target, min, max. */
static int parse_number(node_args *a, node_options *o, int *handled)
{
	struct {
		const char *name;
		int64_t *i64;
		uint32_t *u32;
		uint64_t min, max;
	} nums[] = {
		{ "--overlap-ms", &o->overlap_ms, NULL, 0, INT32_MAX },
		{ "--lookback-ms", &o->lookback_ms, NULL, 0, INT64_MAX / 10000 },
		{ "--heartbeat-ms", &o->heartbeat_ms, NULL, 1, INT32_MAX },
		{ "--sync-delay-ms", &o->sync_delay_ms, NULL, 0, 3600000 },
		{ "--settle-ms", &o->settle_ms, NULL, 0, 3600000 },
		{ "--flush-ms", &o->flush_ms, NULL, 1, 60000 },
		{ "--progress-ms", &o->progress_ms, NULL, 0, 3600000 },
		{ "--run-for-ms", &o->run_for_ms, NULL, 1, INT32_MAX },
		{ "--batch-items", NULL, &o->batch_items, 1, 1000000 },
		{ "--chunk-samples", NULL, &o->chunk_samples, 1, 10000000 },
		{ "--chunk-events", NULL, &o->chunk_events, 1, 1000000 },
		{ "--max-attempts", NULL, &o->max_attempts, 1, 1000 },
		{ "--max-records-per-s", &o->max_records_per_s, NULL, 0, INT64_MAX },
		{ "--max-bytes-per-s", &o->max_bytes_per_s, NULL, 0, INT64_MAX },
		{ "--simulate-arrays", NULL, &o->sim_arrays, 0, NODE_SIM_MAX_ARRAYS },
	};
	*handled = 0;
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (!node_args_is(a, nums[i].name))
			continue;
		*handled = 1;
		const char *v = node_args_value(a);
		uint64_t n = 0;
		if (!v || node_args_u64(a->flag, v, nums[i].min, nums[i].max, &n))
			return -1;
		if (nums[i].i64)
			*nums[i].i64 = (int64_t)n;
		else
			*nums[i].u32 = (uint32_t)n;
		return 0;
	}
	return 0;
}

static int parse_run(int argc, char **argv, int first, node_options *o)
{
	node_args a;
	int r, handled;
	memset(o, 0, sizeof(*o));
	o->deputies = HIVEHA_DEPUTIES_HIVE;
	o->overlap_ms = -1; /* the library default */
	o->sync_delay_ms = 0;
	o->settle_ms = -1; /* the library default */
	o->flush_ms = 100;
	o->progress_ms = 1000;
	node_args_init(&a, argc, argv, first);
	for (;;) {
		r = node_args_next(&a);
		if (r <= 0)
			break;
		if (parse_number(&a, o, &handled))
			return -1;
		if (handled)
			continue;
		if (node_args_is(&a, "--keep-running")) {
			o->keep_running = true;
			continue;
		}
		if (node_args_is(&a, "--verbose")) {
			o->verbose = true;
			continue;
		}
		const char *v = node_args_value(&a);
		if (!v)
			return -1;
		if (node_args_is(&a, "--name"))
			o->name = v;
		else if (node_args_is(&a, "--db"))
			o->db = v;
		else if (node_args_is(&a, "--listen"))
			o->listen = v;
		else if (node_args_is(&a, "--peer"))
			o->peer = v;
		else if (node_args_is(&a, "--token-file"))
			o->token_file = v;
		else if (node_args_is(&a, "--tls-cert"))
			o->tls_cert = v;
		else if (node_args_is(&a, "--tls-key"))
			o->tls_key = v;
		else if (node_args_is(&a, "--ca"))
			o->ca = v;
		else if (node_args_is(&a, "--deputies")) {
			if (parse_deputies(v, &o->deputies)) {
				fprintf(stderr, "hiveha-node: --deputies wants trend, events or trend,events\n");
				return -1;
			}
		} else if (node_args_is(&a, "--expert-start")) {
			if (node_parse_time(v, &o->expert_start)) {
				fprintf(stderr, "hiveha-node: --expert-start: '%s' is not an ISO 8601 UTC time "
				                "(e.g. 2024-05-01T12:00:00Z)\n", v);
				return -1;
			}
		} else if (node_args_is(&a, "--simulate")) {
			if (parse_simulate(v, o))
				return -1;
		} else {
			fprintf(stderr, "hiveha-node: unknown flag %s (see --help)\n", a.flag);
			return -1;
		}
	}
	if (r < 0)
		return -1;
	if (!o->name || !o->db) {
		fprintf(stderr, "hiveha-node: --name and --db are required (see --help)\n");
		return -1;
	}
	if (o->sim_arrays && !o->sim_items) {
		fprintf(stderr, "hiveha-node: --simulate-arrays needs --simulate (its rate)\n");
		return -1;
	}
	if (!o->tls_cert != !o->tls_key) {
		fprintf(stderr, "hiveha-node: --tls-cert and --tls-key go together\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	node_stdout_binary();
	argv = node_utf8_argv(argc, argv);
	const char *cmd = argc > 1 ? argv[1] : "";
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return NODE_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("hiveha-node (libhiveha %s)\n", hiveha_version());
		return NODE_EXIT_OK;
	}
	if (strcmp(cmd, "export") == 0)
		return node_export(argc, argv);
	if (strcmp(cmd, "export-events") == 0)
		return node_export_events(argc, argv);
	if (strcmp(cmd, "status") == 0)
		return node_status(argc, argv);

	node_options o;
	if (argc < 2 || parse_run(argc, argv, strcmp(cmd, "run") == 0 ? 2 : 1, &o)) {
		if (argc < 2)
			fputs(usage_text, stderr);
		return NODE_EXIT_USAGE;
	}
	node_out_verbose = o.verbose;
	return node_run(&o);
}
