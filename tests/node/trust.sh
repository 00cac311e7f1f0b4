#!/usr/bin/env bash
# tests/node/trust.sh HIVEHA_NODE WORKDIR CASE - two real nodes; no history
# either of them stored may be lost (issue 9).
#
# CASE overlap (item 1): B stops; A stops while B's gap is pending; B comes
#   back first (A is down: its sync fails, it keeps running and retries),
#   then A. Each start re-reads an overlap the instance stored itself; the
#   peer lacks it, and it must not be closed as nobody's by either side.
#   In the end both hold the same history: the range both were down is
#   empty on both, everything else is on both.
# CASE overlap-kill: the same with kill -9 of A (and a 200 ms heartbeat).
#   A knows only its last heartbeat mark M: what it stored after M is not
#   known to be its own, and is closed on both sides if B lacks it too. B
#   may lack nothing of A's before M.
# CASE stop (item 5): B stops cleanly three times and restarts with
#   --overlap-ms 0; the clean-stop mark must not pass what B stored, so
#   after the last sync B equals A.
#
# Waiting polls the nodes' logs and `status` output with bounded timeouts
# (lib.sh); the comparison is of exported CSV, no timing is asserted.
set -euo pipefail
HH_NODE=$1
dir=$2
case=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../../examples/demo/lib.sh
source "$here/../../examples/demo/lib.sh"
trap hh_cleanup EXIT

rm -rf "$dir"
mkdir -p "$dir"
echo "trust-test-token" >"$dir/token"
pa=$(hh_free_port)
pb=$(hh_free_port)
while [ "$pb" = "$pa" ]; do pb=$(hh_free_port); done

first_of() { sed -n 's/.*collecting from \([^ ]*\) .*/\1/p' "$1"; }

# pending_total DB - pending gaps of both deputies (status output).
pending_total() {
	"$HH_NODE" status --db "$1" 2>/dev/null |
		awk '/pending gaps/ { n += $3 } END { print n + 0 }'
}

# wait_settled TIMEOUT DB... - until no deputy of any DB has a pending gap.
wait_settled() {
	local timeout=$1 end db busy
	shift
	end=$((SECONDS + timeout))
	while :; do
		busy=0
		for db in "$@"; do
			[ "$(pending_total "$db")" -eq 0 ] || busy=1
		done
		[ "$busy" -eq 0 ] && return 0
		if [ "$SECONDS" -ge "$end" ]; then
			echo "timed out after ${timeout}s waiting for the gaps to close" >&2
			for db in "$@"; do "$HH_NODE" status --db "$db" >&2 || true; done
			return 1
		fi
		sleep 0.2
	done
}

# compare FROM TO - A's and B's samples and events in [FROM, TO) are equal.
compare() {
	local from=$1 to=$2 fail=0 n
	for who in a b; do
		"$HH_NODE" export --db "$dir/$who.db" --from "$from" --to "$to" >"$dir/$who.csv"
		"$HH_NODE" export-events --db "$dir/$who.db" --from "$from" --to "$to" >"$dir/${who}_ev.csv"
	done
	n=$(($(wc -l <"$dir/a.csv") - 1))
	echo "window [$from, $to): A has $n samples, $(($(wc -l <"$dir/a_ev.csv") - 1)) events"
	if ! cmp -s "$dir/a.csv" "$dir/b.csv"; then
		echo "FAIL: samples differ: $(diff "$dir/a.csv" "$dir/b.csv" | grep -c '^<') only on A," \
			"$(diff "$dir/a.csv" "$dir/b.csv" | grep -c '^>') only on B"
		diff "$dir/a.csv" "$dir/b.csv" | head -n 5
		fail=1
	fi
	if ! cmp -s "$dir/a_ev.csv" "$dir/b_ev.csv"; then
		echo "FAIL: events differ"
		diff "$dir/a_ev.csv" "$dir/b_ev.csv" | head -n 5
		fail=1
	fi
	[ "$n" -gt 0 ] || { echo "FAIL: empty window"; fail=1; }
	return $fail
}

a_args=(--name A --db "$dir/a.db" --listen "127.0.0.1:$pa" --peer "127.0.0.1:$pb"
	--token-file "$dir/token" --keep-running --max-attempts 1)
b_args=(--name B --db "$dir/b.db" --listen "127.0.0.1:$pb" --peer "127.0.0.1:$pa"
	--token-file "$dir/token" --keep-running --max-attempts 1)

case $case in
overlap | overlap-kill)
	sim=(--simulate 20:50 --flush-ms 100 --overlap-ms 2000 --heartbeat-ms 200)
	hh_node_start A "$dir/a0.log" "${a_args[@]}" "${sim[@]}"
	pid_a=$HH_PID
	hh_wait_for "$dir/a0.log" "start-up sync finished" 30 "$pid_a"
	hh_node_start B "$dir/b0.log" "${b_args[@]}" "${sim[@]}"
	pid_b=$HH_PID
	hh_wait_for "$dir/b0.log" "start-up sync finished" 30 "$pid_b"
	from=$(first_of "$dir/b0.log") # B has no history before its first start
	sleep 1 # scenario time: both collect
	hh_stop "$pid_b"
	sleep 1 # scenario time: B is down, its gap grows
	if [ "$case" = overlap ]; then
		hh_stop "$pid_a"
	else
		kill -KILL "$pid_a"
		wait "$pid_a" 2>/dev/null || true
		mark=$("$HH_NODE" status --db "$dir/a.db" | awk '/covered until/ { print $3; exit }')
	fi
	sleep 1 # scenario time: both are down (nobody has this)
	hh_node_start B "$dir/b1.log" "${b_args[@]}" "${sim[@]}"
	pid_b=$HH_PID
	hh_wait_for "$dir/b1.log" "keep-running" 30 "$pid_b"
	sleep 1 # scenario time: B collects alone
	hh_node_start A "$dir/a1.log" "${a_args[@]}" "${sim[@]}"
	pid_a=$HH_PID
	hh_wait_for "$dir/a1.log" "start-up sync" 30 "$pid_a"
	to=$(first_of "$dir/a1.log")
	wait_settled 60 "$dir/a.db" "$dir/b.db"
	hh_stop "$pid_b"
	hh_stop "$pid_a"
	hh_forget
	if [ "$case" = overlap ]; then
		compare "$from" "$to"
		echo "overlap test OK: both instances hold what either stored"
	else
		compare "$from" "$mark" # nothing before A's last mark may be missing
		compare "$from" "$to" >"$dir/whole.txt" || true
		whole=$(grep -h FAIL "$dir/whole.txt" | tr '\n' ' ' || true)
		echo "kill test OK: B lacks nothing A stored before its last mark $mark;" \
			"over the whole window: ${whole:-equal}"
	fi
	;;
stop)
	sim=(--simulate 20:1000 --flush-ms 50 --overlap-ms 0)
	hh_node_start A "$dir/a0.log" "${a_args[@]}" "${sim[@]}"
	pid_a=$HH_PID
	hh_wait_for "$dir/a0.log" "start-up sync finished" 30 "$pid_a"
	for run in 0 1 2 3; do
		hh_node_start B "$dir/b$run.log" "${b_args[@]}" "${sim[@]}"
		pid_b=$HH_PID
		hh_wait_for "$dir/b$run.log" "start-up sync finished ok" 30 "$pid_b"
		[ "$run" -eq 0 ] && from=$(first_of "$dir/b0.log")
		to=$(first_of "$dir/b$run.log")
		[ "$run" -eq 3 ] && break
		sleep 0.5 # scenario time: B collects
		hh_stop "$pid_b"
		sleep 0.3 # scenario time: B is down
	done
	hh_stop "$pid_b"
	hh_stop "$pid_a"
	hh_forget
	compare "$from" "$to"
	echo "stop test OK: no clean stop lost a sample with --overlap-ms 0"
	;;
*)
	echo "usage: trust.sh HIVEHA_NODE WORKDIR overlap|overlap-kill|stop" >&2
	exit 2
	;;
esac
