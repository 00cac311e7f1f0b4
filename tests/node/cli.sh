#!/usr/bin/env bash
# tests/node/cli.sh HIVEHA_NODE WORKDIR - hiveha-node's exit codes
# (docs/cli.md), clean stops on SIGINT/SIGTERM, the subcommands, and a sync
# over TLS. Nodes are observed through their logs (lib.sh polls them with
# bounded timeouts).
set -euo pipefail
HH_NODE=$1
dir=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../../examples/demo/lib.sh
source "$here/../../examples/demo/lib.sh"
trap hh_cleanup EXIT
rm -rf "$dir"
mkdir -p "$dir"
fail=0

# expect CODE DESCRIPTION COMMAND... - runs a command, checks its exit code.
expect() {
	local want=$1 what=$2 rc=0
	shift 2
	"$@" >"$dir/last.out" 2>&1 || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: $what: exit $rc, want $want; output:"
		tail -n 10 "$dir/last.out"
		fail=1
	else
		echo "ok: $what (exit $rc)"
	fi
}
# expect_line REGEX DESCRIPTION - the last command's output has a line matching.
expect_line() {
	if ! grep -qE -- "$1" "$dir/last.out"; then
		echo "FAIL: $2: no line /$1/ in:"
		tail -n 10 "$dir/last.out"
		fail=1
	fi
}

echo "token-one" >"$dir/t1"
echo "token-two" >"$dir/t2"
fast=(--settle-ms 0 --max-attempts 1 --simulate 5:10)

# ---- bad flags: 2
expect 2 "no arguments" "$HH_NODE"
expect 2 "unknown flag" "$HH_NODE" --name A --db "$dir/x.db" --bogus
expect 2 "--simulate without HZ" "$HH_NODE" --name A --db "$dir/x.db" --simulate 5
expect 2 "--simulate 3 Hz (not a whole tick period)" "$HH_NODE" --name A --db "$dir/x.db" --simulate 5:3
expect 2 "--simulate-arrays without --simulate" "$HH_NODE" --name A --db "$dir/x.db" --simulate-arrays 2
expect_line "needs --simulate" "message for --simulate-arrays alone"
expect 2 "--simulate-arrays beyond 1000" "$HH_NODE" --name A --db "$dir/x.db" --simulate 5:10 --simulate-arrays 1001
expect 2 "--max-records-per-s not a number" "$HH_NODE" --name A --db "$dir/x.db" --max-records-per-s fast
expect 2 "--max-bytes-per-s negative" "$HH_NODE" --name A --db "$dir/x.db" --max-bytes-per-s -5
expect 2 "--db missing" "$HH_NODE" --name A
expect 2 "bad --expert-start" "$HH_NODE" --name A --db "$dir/x.db" --expert-start yesterday
expect 2 "bad --deputies" "$HH_NODE" --name A --db "$dir/x.db" --deputies trend,config
expect 2 "missing token file" "$HH_NODE" --name A --db "$dir/x.db" --token-file "$dir/none"
expect 2 "export without --db" "$HH_NODE" export
expect 2 "export with a bad --from" "$HH_NODE" export --db "$dir/x.db" --from 2024-13-01T00:00:00Z
expect 0 "--help" "$HH_NODE" --help

# ---- unreadable store: 3
expect 3 "store in a missing directory" "$HH_NODE" --name A --db "$dir/no/such/dir/a.db"
printf 'this is not an SQLite database, not at all.....................................' >"$dir/garbage.db"
expect 3 "store that is not SQLite" "$HH_NODE" --name A --db "$dir/garbage.db"
expect_line "cannot open the store" "message for a garbage store"
expect 3 "status of a missing store" "$HH_NODE" status --db "$dir/none.db"
expect 3 "export of a garbage store" "$HH_NODE" export --db "$dir/garbage.db"

# ---- A serves with token one
pa=$(hh_free_port)
hh_node_start A "$dir/a.log" --name A --db "$dir/a.db" --listen "127.0.0.1:$pa" \
	--token-file "$dir/t1" "${fast[@]}"
pid_a=$HH_PID
hh_wait_for "$dir/a.log" "start-up sync finished ok" 30 "$pid_a"

# B's first run leaves state behind, so every later start has a gap to fill.
expect 0 "first run, stops by itself (--run-for-ms)" "$HH_NODE" --name B --db "$dir/b.db" \
	--peer "127.0.0.1:$pa" --token-file "$dir/t1" "${fast[@]}" --run-for-ms 300
expect_line "stopped: collected [1-9]" "B collected before stopping"

# ---- listen address taken: 6
expect 6 "listen on A's port" "$HH_NODE" --name B --db "$dir/b.db" --listen "127.0.0.1:$pa" \
	--peer "127.0.0.1:$pa" --token-file "$dir/t1" "${fast[@]}"

# ---- peer unreachable: 4
dead=$(hh_free_port)
expect 4 "peer unreachable" "$HH_NODE" --name B --db "$dir/b.db" --peer "127.0.0.1:$dead" \
	--token-file "$dir/t1" "${fast[@]}"
expect_line "start-up sync failed" "unreachable peer message"

# ---- wrong token: 5
expect 5 "token refused" "$HH_NODE" --name B --db "$dir/b.db" --peer "127.0.0.1:$pa" \
	--token-file "$dir/t2" "${fast[@]}"
expect_line "refused our token" "wrong token message"

# ---- --keep-running: a failed sync does not stop the node
expect 0 "--keep-running with an unreachable peer" "$HH_NODE" --name B --db "$dir/b.db" \
	--peer "127.0.0.1:$dead" --token-file "$dir/t1" "${fast[@]}" --keep-running --run-for-ms 1500
expect_line "keep-running" "keep-running message"

# ---- a good sync, then SIGINT stops it cleanly (0)
hh_node_start B "$dir/b.log" --name B --db "$dir/b.db" --peer "127.0.0.1:$pa" \
	--token-file "$dir/t1" "${fast[@]}"
pid_b=$HH_PID
hh_wait_for "$dir/b.log" "start-up sync finished ok" 30 "$pid_b"
kill -INT "$pid_b"
rc=0
wait "$pid_b" || rc=$?
if [ "$rc" -ne 0 ] || ! grep -q "stopped by signal 2" "$dir/b.log"; then
	echo "FAIL: SIGINT: exit $rc"; tail -n 5 "$dir/b.log"; fail=1
else
	echo "ok: SIGINT stops cleanly (exit 0)"
fi
grep -q "state TrendHistory_DeputyState = 5 (finished_ok)" "$dir/b.log" ||
	{ echo "FAIL: no state item line for finished_ok"; fail=1; }

# ---- subcommands on B's store
expect 0 "status" "$HH_NODE" status --db "$dir/b.db"
expect_line "pending gaps +0" "status shows no pending gap"
expect_line "samples +[1-9]" "status counts samples"
expect 0 "export one item" "$HH_NODE" export --db "$dir/b.db" --item Plant/Area01/Signal0001
expect_line "^Plant/Area01/Signal0001,[0-9-]+T[0-9:]+\.[0-9]{7}Z,[0-9.e+-]+,192$" "export CSV row"
expect 1 "export of an unknown item" "$HH_NODE" export --db "$dir/b.db" --item nope
expect 0 "export-events" "$HH_NODE" export-events --db "$dir/b.db"
expect_line "^time,received_time,source_id" "export-events header"

# ---- TLS: C serves HTTPS, D syncs from it trusting C's certificate
hh_stop "$pid_a"
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$dir/key.pem" -out "$dir/cert.pem" -days 2 -subj /CN=localhost \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >/dev/null 2>&1
	pc=$(hh_free_port)
	hh_node_start C "$dir/c.log" --name C --db "$dir/c.db" --listen "127.0.0.1:$pc" \
		--tls-cert "$dir/cert.pem" --tls-key "$dir/key.pem" --token-file "$dir/t1" "${fast[@]}"
	pid_c=$HH_PID
	hh_wait_for "$dir/c.log" "start-up sync finished ok" 30 "$pid_c"
	expect 0 "D's first run" "$HH_NODE" --name D --db "$dir/d.db" --peer "127.0.0.1:$pc" \
		--ca "$dir/cert.pem" --token-file "$dir/t1" "${fast[@]}" --run-for-ms 300
	expect 4 "plain HTTP to an HTTPS peer" "$HH_NODE" --name D --db "$dir/d.db" \
		--peer "127.0.0.1:$pc" --token-file "$dir/t1" "${fast[@]}"
	expect 0 "sync over TLS" "$HH_NODE" --name D --db "$dir/d.db" --peer "127.0.0.1:$pc" \
		--ca "$dir/cert.pem" --token-file "$dir/t1" "${fast[@]}" --run-for-ms 3000
	# (the gap ends at D's first sample, up to a period ahead of C's clock:
	# that tail is retried after a back-off of 1 s, once C has it)
	expect_line "start-up sync finished ok" "TLS sync succeeded"
	expect_line "filled: [1-9][0-9]* samples" "TLS sync filled samples"
	hh_stop "$pid_c"
else
	echo "skip: TLS (no openssl)"
fi
hh_forget
exit $fail
