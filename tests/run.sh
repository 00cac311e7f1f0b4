#!/usr/bin/env bash
# tests/run.sh - the test command: installs what is missing, builds libhiveha
# from scratch with warnings as errors and runs the whole test suite.
#
#   bash tests/run.sh
#
# Exits non-zero on any failure. Environment:
#   HIVEHA_BUILD_DIR  build directory (default: build/ in the source tree;
#                     it is deleted and recreated)
#   HIVEHA_JOBS       parallel jobs (default: number of CPUs)
#   extra arguments are passed to the configure step, e.g. -DHIVEHA_BUILD_HTTP=OFF
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=SCRIPTDIR/../.ci/deps
source "$root/.ci/deps"

build=${HIVEHA_BUILD_DIR:-$root/build}
jobs=${HIVEHA_JOBS:-$(nproc 2>/dev/null || echo 2)}

case $(realpath -m "$build") in
/ | "$root" | "$(realpath -m "$HOME")") echo "tests/run.sh: refusing to delete $build" >&2; exit 2 ;;
esac
rm -rf "$build"
cmake -S "$root" -B "$build" -DHIVEHA_WERROR=ON "$@"
cmake --build "$build" -j "$jobs"
cd "$build"
ctest --output-on-failure -j "$jobs"
