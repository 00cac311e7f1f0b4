#!/usr/bin/env bash
# tests/node/lock.sh HIVEHA_NODE WORKDIR - one store file, one instance
# (issue 9 item 7): a second hiveha-node on the file of a running one
# exits at once with exit code 3 and a message saying the file is in use,
# and leaves the running node's history alone; `status` (read-only) still
# works beside it, and once the first node stopped the file opens again.
# Observed through logs and exit codes, every wait bounded (lib.sh).
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
fast=(--sync-delay-ms 0 --max-attempts 1 --simulate 5:10)

pa=$(hh_free_port)
hh_node_start A "$dir/a.log" --name A --db "$dir/a.db" --listen "127.0.0.1:$pa" "${fast[@]}"
pid_a=$HH_PID
hh_wait_for "$dir/a.log" "start-up sync finished ok" 30 "$pid_a"

# The second node must fail by itself; `timeout` only bounds a hang.
rc=0
timeout 30 "$HH_NODE" --name A2 --db "$dir/a.db" "${fast[@]}" >"$dir/second.out" 2>&1 || rc=$?
if [ "$rc" -ne 3 ]; then
	echo "FAIL: second node on the same file: exit $rc, want 3; output:"
	tail -n 10 "$dir/second.out"
	fail=1
elif ! grep -qE "in use by another store" "$dir/second.out"; then
	echo "FAIL: second node: no clear message in:"
	tail -n 10 "$dir/second.out"
	fail=1
else
	echo "ok: second node on the same file refused (exit 3): $(grep -m1 "in use" "$dir/second.out")"
fi

rc=0
timeout 30 "$HH_NODE" status --db "$dir/a.db" >"$dir/status.out" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "FAIL: status beside the running node: exit $rc"
	tail -n 10 "$dir/status.out"
	fail=1
else
	echo "ok: status (read-only) works beside the running node"
fi

kill -0 "$pid_a" 2>/dev/null || { echo "FAIL: A died"; fail=1; }
kill -TERM "$pid_a"
wait "$pid_a" || true
hh_forget

# A's gap has no peer to fill it (exit 7, docs/cli.md): what matters is
# that the store opened.
rc=0
timeout 30 "$HH_NODE" --name A --db "$dir/a.db" "${fast[@]}" --run-for-ms 200 >"$dir/again.out" 2>&1 || rc=$?
if [ "$rc" -eq 3 ] || grep -q "cannot open the store" "$dir/again.out"; then
	echo "FAIL: reopening after A stopped: exit $rc"
	tail -n 10 "$dir/again.out"
	fail=1
else
	echo "ok: the file opens again once A stopped"
fi
exit $fail
