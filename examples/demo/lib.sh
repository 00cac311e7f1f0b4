# shellcheck shell=bash
# examples/demo/lib.sh - process helpers shared by the two-node demo and the
# node tests (tests/node). Sourced, not run.
#
# Synchronisation is by observable conditions: a node prints one line per
# milestone ("listening on", "collecting from", "start-up sync finished",
# "stopped:"), and wait_for polls its log for that line with a bounded
# timeout. Polling an output file is the only way to observe another
# process's progress from a script; every loop here is bounded.

HH_PIDS=()
HH_PID=

# hh_node_start NAME LOG ARGS... - starts hiveha-node ($HH_NODE) in the
# background, records its pid in HH_PID and in HH_PIDS (for cleanup).
hh_node_start() {
	local log=$2
	shift 2
	"$HH_NODE" "$@" >"$log" 2>&1 &
	HH_PID=$!
	HH_PIDS+=("$HH_PID")
}

# hh_wait_for LOG REGEX [TIMEOUT_S] [PID] - waits until LOG has a line
# matching REGEX. Fails at the timeout, or at once if PID has exited.
hh_wait_for() {
	local log=$1 re=$2 timeout=${3:-30} pid=${4:-} end
	end=$((SECONDS + timeout))
	until grep -qE -- "$re" "$log" 2>/dev/null; do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			grep -qE -- "$re" "$log" 2>/dev/null && return 0
			echo "process $pid exited before printing /$re/; its log ($log):" >&2
			tail -n 20 "$log" >&2
			return 1
		fi
		if [ "$SECONDS" -ge "$end" ]; then
			echo "timed out after ${timeout}s waiting for /$re/ in $log:" >&2
			tail -n 20 "$log" >&2
			return 1
		fi
		sleep 0.05
	done
}

# hh_stop PID - SIGTERM, then waits; returns the node's exit code.
hh_stop() {
	local pid=$1 rc=0
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" || rc=$?
	return $rc
}

# hh_cleanup - kills every node still running (trap on EXIT).
hh_cleanup() {
	local pid
	for pid in "${HH_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in "${HH_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	HH_PIDS=()
	hh_release_ports
}

# hh_forget - the nodes were stopped and waited for: nothing left to clean up.
hh_forget() {
	HH_PIDS=()
}

# hh_free_port - prints a loopback TCP port nobody listens on right now and
# reserves it for this shell ($$ is the same in the $(...) subshell).
# Ports come from below the kernel's ephemeral range: the kernel hands ports
# of that range to outgoing connections and to "port 0" listeners of other
# tests running at the same time, which made a probed-free port busy by the
# time the node bound it. The reservation (a directory per port, owned by a
# live pid) keeps two tests run in parallel from drawing the same port.
hh_free_port() {
	local i port lo=20000 hi=32767 eph owner
	local dir="${TMPDIR:-/tmp}/hiveha-ports"
	if read -r eph _ 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range &&
		[ "$eph" -gt $((lo + 1000)) ]; then
		hi=$((eph - 1))
	fi
	mkdir -p "$dir" 2>/dev/null || true
	for i in $(seq 1 400); do
		port=$((lo + (RANDOM * 32768 + RANDOM + i) % (hi - lo + 1)))
		if ! mkdir "$dir/$port" 2>/dev/null; then
			owner=$(cat "$dir/$port/pid" 2>/dev/null || echo 0)
			if [ "$owner" = "$$" ] || kill -0 "$owner" 2>/dev/null; then
				continue
			fi
		fi
		echo "$$" >"$dir/$port/pid"
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "no free port found" >&2
	return 1
}

# hh_release_ports - drops the port reservations of this shell.
hh_release_ports() {
	local d dir="${TMPDIR:-/tmp}/hiveha-ports"
	for d in "$dir"/*/; do
		[ -f "$d/pid" ] && [ "$(cat "$d/pid" 2>/dev/null)" = "$$" ] &&
			rm -rf "$d"
	done
	return 0
}

# hh_gap LOG - prints "FROM TO" of the TrendHistory gap a node opened at start.
hh_gap() {
	sed -n 's/.*TrendHistory: gap \[\([^,]*\), \([^)]*\)) opened at start.*/\1 \2/p' "$1" | tail -n 1
}

# hh_in_window CSV FROM TO COLUMN - rows of CSV (header dropped) whose ISO time
# in COLUMN is in [FROM, TO). ISO 8601 with seven fraction digits compares
# correctly as text.
hh_in_window() {
	awk -F, -v from="$2" -v to="$3" -v col="$4" 'NR > 1 && $col >= from && $col < to' "$1"
}

# hh_count_per_item ROWS - "item count" per item of sample rows.
hh_count_per_item() {
	awk -F, '{ n[$1]++ } END { for (i in n) print i, n[i] }' "$1" | sort
}

# hh_event_duplicates EVENTS_CSV - identity keys (time, source id, type id,
# message) that occur more than once.
hh_event_duplicates() {
	awk -F, 'NR > 1 { print $1 "," $3 "," $5 "," $9 }' "$1" | sort | uniq -d
}
