#!/usr/bin/env bash
# examples/demo.sh - installs what is missing, builds libhiveha in build/ and
# runs the demo.
#
#   bash examples/demo.sh
#
# The demo is a list of steps (demo_* functions below, run in order); to
# extend it, add a function and append its name to DEMO_STEPS.
# Environment: HIVEHA_BUILD_DIR (default build/), HIVEHA_JOBS.
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
	say "building libhiveha and the examples in $build"
	mkdir -p "$build"
	local log=$build/demo-build.log
	if ! { cmake -S "$root" -B "$build" -DHIVEHA_BUILD_EXAMPLES=ON &&
		cmake --build "$build" -j "$jobs"; } >"$log" 2>&1; then
		cat "$log" >&2
		echo "demo: the build failed (log above, also in $log)" >&2
		return 1
	fi
}

demo_hello() {
	say "examples/hello: version, clock, time and value round trips"
	"$build/examples/hello/hiveha-hello"
}

DEMO_STEPS=(demo_build demo_hello)

for step in "${DEMO_STEPS[@]}"; do
	"$step"
done
say "demo finished"
