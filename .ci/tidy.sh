#!/usr/bin/env bash
# .ci/tidy.sh - the static-analysis stage: clang-tidy with the repo's
# .clang-tidy over every C file of lib/, adapters/ and examples/ (not
# tests/, not bench/), zero findings required.
#
#   bash .ci/tidy.sh [BUILD_DIR]        (default: build-tidy)
#
# Configures BUILD_DIR with clang (the compile flags clang-tidy reads are
# clang's then, not gcc's) only to get compile_commands.json; nothing is
# built. Runs one clang-tidy per file, HIVEHA_JOBS (default 2) at a time,
# each into its own log, and prints the logs of the files with findings.
# Exits non-zero on any finding or on a file clang-tidy could not parse.
set -euo pipefail
exec </dev/null

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(realpath -m "${1:-$root/build-tidy}")
jobs=${HIVEHA_JOBS:-2}
tidy=${CLANG_TIDY:-clang-tidy-14}
command -v "$tidy" >/dev/null 2>&1 || tidy=clang-tidy

started=$SECONDS
rm -rf "$build"
mkdir -p "$build"
CC=clang cmake -S "$root" -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
	-DHIVEHA_BUILD_TESTS=OFF -DHIVEHA_BUILD_BENCH=OFF -DHIVEHA_BUILD_FUZZ=OFF \
	-DHIVEHA_BUILD_EXAMPLES=ON -DHIVEHA_BUILD_SQLITE=ON -DHIVEHA_BUILD_HTTP=ON \
	>"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }

# The files: every compile command under lib/, adapters/ or examples/
# (CMake writes one absolute "file": line per entry). There is no pending
# list: a finding is fixed, or silenced on its line with NOLINT(check) and
# the reason beside it (.clang-tidy).
mapfile -t files < <(sed -n 's/^ *"file": *"\(.*\)",\{0,1\}$/\1/p' "$build/compile_commands.json" |
	sed -n "s|^$root/||p" | grep -E '^(lib|adapters|examples)/' | sort -u)
if [ ${#files[@]} -eq 0 ]; then
	echo "tidy: no files found in $build/compile_commands.json" >&2
	exit 1
fi
echo "tidy: $tidy on ${#files[@]} files, $jobs at a time"

logs="$build/logs"
mkdir -p "$logs"
# One log per file (slashes become '__'); clang-tidy's exit status is
# non-zero on any finding (WarningsAsErrors: '*') or parse error.
export tidy build logs root
# shellcheck disable=SC2016 # the inner script expands its own variables
printf '%s\n' "${files[@]}" | xargs -P "$jobs" -I{} bash -c '
	f=$1
	log="$logs/${f//\//__}.log"
	if ! "$tidy" -p "$build" --quiet "$root/$f" >"$log" 2>&1; then
		mv "$log" "$log.bad"
	fi
' _ {}

shopt -s nullglob
bad=("$logs"/*.bad)
shopt -u nullglob
if [ ${#bad[@]} -ne 0 ]; then
	cat "${bad[@]}" >&2
	n=$(cat "${bad[@]}" | grep -cE '(warning|error): ' || true)
	echo "tidy: ${#bad[@]} of ${#files[@]} files with findings ($n diagnostics; logs in $logs)" >&2
	exit 1
fi
echo "tidy: clean, ${#files[@]} files in $((SECONDS - started))s"
