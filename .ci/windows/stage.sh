#!/usr/bin/env bash
# .ci/windows/stage.sh - the Windows CI stage: cross-build libhiveha, both
# adapters and the tests with MinGW-w64 (-Werror), run ctest under wine.
#
#   bash .ci/windows/stage.sh [BUILD_DIR]        (default: build-win)
#
# Installs mingw-w64 and wine from Debian if missing, builds the
# dependencies' sysroot from Debian's sources (.ci/windows/sysroot.sh,
# cached per version in BUILD_DIR/sysroot), configures with
# cmake/toolchain-mingw64.cmake and the Criterion stand-in
# (HIVEHA_CRITERION_COMPAT, see docs/windows.md) and runs every test
# through wine in a private prefix. Heavy steps run under nice.
set -euo pipefail
exec </dev/null

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(realpath -m "${1:-$root/build-win}")
jobs=${HIVEHA_JOBS:-2}
nice=(nice -n "${HIVEHA_NICE:-15}")
started=$SECONDS
step() { printf -- '-- windows [%s] %s (t+%ds)\n' "$(date -u +%H:%M:%S)" "$*" "$((SECONDS - started))"; }

step "packages"
# shellcheck source=../deps
source "$root/.ci/deps" # the Linux packages, and the list below
missing=()
for pkg in "${HIVEHA_WINDOWS_PACKAGES[@]}"; do
	dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

step "sysroot (.ci/windows/sysroot.sh)"
HIVEHA_JOBS=$jobs bash "$root/.ci/windows/sysroot.sh" "$build/sysroot"

step "configure and build (build-win/tree, -Werror)"
"${nice[@]}" cmake -S "$root" -B "$build/tree" \
	-DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-mingw64.cmake" \
	-DHIVEHA_MINGW_SYSROOT="$build/sysroot" -DHIVEHA_WERROR=ON \
	-DHIVEHA_CRITERION_COMPAT=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" ||
	{ cat "$build/configure.log"; exit 1; }
"${nice[@]}" cmake --build "$build/tree" -j "$jobs"

step "wine prefix"
export WINEPREFIX="$build/tree/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
# Created once before the tests (through wine-run.sh, which also writes
# the WINEPATH list), so parallel tests race neither to make the prefix
# nor to list the DLL folders.
"${nice[@]}" bash "$root/.ci/windows/wine-run.sh" "$build/tree" wineboot -i >"$build/wineboot.log" 2>&1 ||
	{ cat "$build/wineboot.log"; exit 1; }
wineserver -w

step "ctest under wine"
rc=0
# One test at a time, and a failed test is run once more: two tests failed
# once each under wine with two running in parallel on a loaded machine
# (unit_interfaces, conformance_sqlite; never reproduced since). A real
# defect fails both runs; a test that needed its second run is named in
# the output ("Test Passed" after a "Failed" of the same test).
(cd "$build/tree" && "${nice[@]}" ctest --output-on-failure -j 1 --repeat until-pass:2 \
	--timeout 600) || rc=$?
wineserver -k 2>/dev/null || true
step "done (exit $rc)"
exit $rc
