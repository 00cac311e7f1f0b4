#!/usr/bin/env bash
# .ci/windows/wine-run.sh BUILD_DIR PROGRAM [ARGS...] - runs a cross-built
# test program under wine (CMAKE_CROSSCOMPILING_EMULATOR, set by
# cmake/toolchain-mingw64.cmake).
#
# The DLLs of the build tree (libhiveha.dll, ...) live in other folders than
# the test programs: every folder under BUILD_DIR holding a .dll goes on
# WINEPATH. The wine prefix is private to the build tree (BUILD_DIR/wine) and
# created once with `wineboot -i` before the tests run (see .ci/run), so
# parallel tests do not race to create it.
set -euo pipefail
build=$1
shift
export WINEPREFIX=${WINEPREFIX:-$build/wine}
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
if [ ! -f "$build/.winepath" ] || [ -n "$(find "$build" -name '*.dll' -newer "$build/.winepath" -print -quit 2>/dev/null)" ]; then
	# find fails when a file vanishes under it (a parallel test's temp
	# file): that must not fail this test through pipefail.
	{ find "$build" -name '*.dll' -not -path "$WINEPREFIX/*" -printf 'Z:%h\n' 2>/dev/null || true; } |
		sort -u | tr '/' '\\' | paste -sd';' >"$build/.winepath.$$"
	mv "$build/.winepath.$$" "$build/.winepath"
fi
WINEPATH=$(cat "$build/.winepath")
export WINEPATH
wine=$(command -v wine64 || command -v wine)
exec "$wine" "$@"
