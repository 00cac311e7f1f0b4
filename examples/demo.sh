#!/usr/bin/env bash
# examples/demo.sh - installs what is missing, builds libhiveha and
# hiveha-node in build/, and runs the two-node demo:
#
#   1. nodes A and B start on loopback, simulating the same plant
#      (50 items at 10 Hz, limit-crossing events, and 5 array items:
#      2 vectors of 16 doubles, 2 3x3 int64 matrices, a string vector);
#   2. B is stopped (SIGTERM) for 15 s while A keeps collecting;
#   3. B restarts and fills the gap from A;
#   4. the state item timeline of B's restart is printed, then a
#      verification: per item, B's samples in the gap before and after,
#      which must equal A's (the array items' too, byte for byte in the
#      export), and the events, merged with none duplicated.
#
#   bash examples/demo.sh
#
# Exits 0 only if the verification holds; takes about a minute after the
# build. Environment: HIVEHA_BUILD_DIR (default build/), HIVEHA_JOBS,
# HIVEHA_DEMO_DOWN (seconds B is down, default 15). Logs and exports stay in
# <build>/demo/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=SCRIPTDIR/../.ci/deps
source "$root/.ci/deps"

build=${HIVEHA_BUILD_DIR:-$root/build}
jobs=${HIVEHA_JOBS:-$(nproc 2>/dev/null || echo 2)}

say() {
	printf '\n==== %s\n' "$*"
}

demo_build() {
	say "building libhiveha and hiveha-node in $build"
	mkdir -p "$build"
	local log=$build/demo-build.log
	if ! { cmake -S "$root" -B "$build" -DHIVEHA_BUILD_EXAMPLES=ON &&
		cmake --build "$build" -j "$jobs" --target hiveha_node; } >"$log" 2>&1; then
		cat "$log" >&2
		echo "demo: the build failed (log above, also in $log)" >&2
		return 1
	fi
}

demo_two_nodes() {
	say "two nodes, one outage: B fills its gap from A"
	bash "$root/examples/demo/scenario.sh" --node "$build/examples/hiveha-node/hiveha-node" \
		--dir "$build/demo" --items 50 --hz 10 --arrays 2 --lead 3 --both 12 \
		--down "${HIVEHA_DEMO_DOWN:-15}" --after 3
}

started=$SECONDS
demo_build
demo_two_nodes
say "demo finished in $((SECONDS - started)) s: B's history equals A's"
