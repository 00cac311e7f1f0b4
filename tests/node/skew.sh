#!/usr/bin/env bash
# tests/node/skew.sh HIVEHA_NODE WORKDIR - the peer's clock is an hour
# behind (libfaketime): A's restart must detect the skew, stop the replace
# (TrendHistory_DeputyState 6, "clock skew" in SyncState, exit 7) and keep
# every sample it had - in particular those of its overlap window, which a
# peer vouching for its own future used to make it delete (issue 9 item 2).
# Waiting polls the logs with bounded timeouts (lib.sh); the sleeps are
# scenario time (A collects, A is down), never synchronisation.
set -euo pipefail
HH_NODE=$1
dir=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../../examples/demo/lib.sh
source "$here/../../examples/demo/lib.sh"
trap hh_cleanup EXIT
# libfaketime preloaded directly (not through the faketime wrapper), so that
# $! is the node itself; the MT variant, since the node runs threads.
faketime_lib=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1 || true)
if [ -z "$faketime_lib" ]; then
	echo "skip: no libfaketime (Debian package faketime, listed in .ci/deps)"
	exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
echo "skew-test-token" >"$dir/token"
pa=$(hh_free_port)
pb=$(hh_free_port)
while [ "$pb" = "$pa" ]; do pb=$(hh_free_port); done
common=(--token-file "$dir/token" --simulate 20:20 --max-attempts 1 --settle-ms 300)

# B: one hour behind. Its monotonic clock is left alone (sleeps and
# timeouts stay real); only the wall clock - what it stamps and reports in
# hello - is shifted.
# Under the sanitizer build a preloaded library comes before ASan's runtime,
# which ASan refuses unless told; B's leaks are checked by every other node
# test, not here, where libfaketime's own allocations would be counted.
LD_PRELOAD=$faketime_lib FAKETIME="-3600s" FAKETIME_DONT_FAKE_MONOTONIC=1 \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:detect_leaks=0" \
	hh_node_start B "$dir/b.log" --name B --db "$dir/b.db" --listen "127.0.0.1:$pb" "${common[@]}"
pid_b=$HH_PID
hh_wait_for "$dir/b.log" "start-up sync finished ok" 30 "$pid_b"

# A's first run leaves a covered-until mark; its last 10 s (the default
# overlap) are the overlap window of its next start.
hh_node_start A "$dir/a1.log" --name A --db "$dir/a.db" --peer "127.0.0.1:$pb" "${common[@]}"
pid_a=$HH_PID
hh_wait_for "$dir/a1.log" "start-up sync finished ok" 30 "$pid_a"
sleep 2 # scenario time: A collects
hh_stop "$pid_a"
"$HH_NODE" export --db "$dir/a.db" >"$dir/a_before.csv"
before=$(($(wc -l <"$dir/a_before.csv") - 1))
[ "$before" -gt 0 ] || { echo "FAIL: A collected nothing"; exit 1; }
sleep 1 # scenario time: A is down

# A restarts and syncs from B: the skew must stop the replace.
rc=0
"$HH_NODE" --name A --db "$dir/a.db" --peer "127.0.0.1:$pb" "${common[@]}" \
	--run-for-ms 20000 >"$dir/a2.log" 2>&1 || rc=$?
hh_stop "$pid_b"
hh_forget

fail=0
[ "$rc" -eq 7 ] || { echo "FAIL: A's restart exited $rc, want 7 (start-up sync failed)"; fail=1; }
grep -qE "clock skew to the peer is 3[56][0-9]{5} ms, more than the overlap of 10000 ms: no sample replaced" \
	"$dir/a2.log" || { echo "FAIL: no clock skew message"; fail=1; }
grep -q "state TrendHistory_DeputyState = 6 (finished_with_error)" "$dir/a2.log" ||
	{ echo "FAIL: TrendHistory did not end finished_with_error"; fail=1; }
if grep -q "TrendHistory: filled:" "$dir/a2.log"; then
	echo "FAIL: the sync went ahead"; fail=1
fi
start=$(sed -n 's/.*collecting from \([^ ]*\) .*/\1/p' "$dir/a2.log")
"$HH_NODE" export --db "$dir/a.db" --to "$start" >"$dir/a_after.csv"
cmp -s "$dir/a_before.csv" "$dir/a_after.csv" || {
	echo "FAIL: A's samples before its restart changed ($before before," \
		"$(($(wc -l <"$dir/a_after.csv") - 1)) after)"
	fail=1
}
if [ "$fail" -ne 0 ]; then
	tail -n 30 "$dir/a2.log"
else
	echo "skew test OK: skew detected, replace stopped, A kept its $before samples"
fi
exit $fail
