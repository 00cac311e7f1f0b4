#!/usr/bin/env bash
# The core library must not link libcurl, libmicrohttpd or SQLite (DESIGN §3:
# those belong to the adapters). Reads the dynamic section of the built
# libraries with readelf (or objdump).
#
#   core_needed.sh CORE.so [ADAPTER.so:PATTERN ...]
#
# Each ADAPTER:PATTERN pair is a positive control: the adapter must list a
# NEEDED entry matching PATTERN, which shows that the check sees what it
# looks for (a tool printing nothing would otherwise pass silently).
set -euo pipefail

needed() {
	if command -v readelf >/dev/null; then
		readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'
	elif command -v objdump >/dev/null; then
		objdump -p "$1" | awk '$1 == "NEEDED" { print $2 }'
	else
		echo "core_needed.sh: neither readelf nor objdump found" >&2
		exit 77
	fi
}

core=$1
shift
[ -f "$core" ] || { echo "FAIL: $core does not exist" >&2; exit 1; }
core_needed=$(needed "$core")
echo "$core needs:"
echo "$core_needed"
[ -n "$core_needed" ] || { echo "FAIL: no NEEDED entry read from $core" >&2; exit 1; }
grep -q 'libc\.so' <<<"$core_needed" || { echo "FAIL: libc not among NEEDED: the check is blind" >&2; exit 1; }
if grep -Eiq 'curl|microhttpd|sqlite' <<<"$core_needed"; then
	echo "FAIL: $core links an adapter dependency" >&2
	exit 1
fi

for pair in "$@"; do
	lib=${pair%%:*}
	pattern=${pair#*:}
	got=$(needed "$lib")
	grep -Eiq "$pattern" <<<"$got" ||
		{ echo "FAIL: control: $lib does not need '$pattern' (got: $got)" >&2; exit 1; }
	echo "control: $(basename "$lib") needs $pattern"
done
echo "core links no adapter dependency"
