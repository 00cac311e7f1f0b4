#!/usr/bin/env bash
# bench/run.sh - builds the benchmarks (Release) and runs the gap-fill sweep.
#
#   bash bench/run.sh [out-dir]        (default: build-bench/results)
#
# Environment: BUILD_DIR (default build-bench), DATA_DIR (where the SQLite
# files go; default $TMPDIR or /tmp), QUICK=1 (a small sweep, for trying it),
# REPEAT=N (run the sweep N times, default 1, and keep for each size and
# phase the fastest of the N: on a shared machine, the least disturbed).
#
# Writes to out-dir: all-runs.csv (every row of every repetition),
# results.csv (one row per phase and size, the fastest), results.md
# (the same as a markdown table), ratios.md (the ratios to each floor
# per size: sqlpeer/floor, sqlpeer/attach, floor/insert, evsqlpeer/evfloor,
# and the peer's CPU per 10^6 samples), machine.txt (CPU, memory, OS, compiler,
# build flags, commit, load) and performance.png (throughput and RSS
# against gap size; needs gnuplot, installed here with apt-get if missing).
# docs/performance.md explains every column.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
out=${1:-$build/results}
data=${DATA_DIR:-${TMPDIR:-/tmp}}

# shellcheck source=SCRIPTDIR/../.ci/deps
. "$src/.ci/deps"
if ! command -v gnuplot >/dev/null 2>&1; then
	sudo=()
	if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
		sudo=(sudo)
	fi
	echo "run.sh: installing gnuplot-nox (for the plot)"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		gnuplot-nox </dev/null ||
		echo "run.sh: no gnuplot: results without the plot" >&2
fi

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHIVEHA_BUILD_BENCH=ON \
	-DHIVEHA_BUILD_TESTS=OFF -DHIVEHA_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_sync bench_sqlite >/dev/null
bench=$build/bench/sync/bench_sync

mkdir -p "$out"
all=$out/all-runs.csv
csv=$out/results.csv
rm -f "$all" "$csv"

{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	modified=
	if git -C "$src" status --porcelain -- lib include 2>/dev/null | grep -q .; then
		modified="(lib/ or include/ modified)"
	fi
	echo "commit: $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown) $modified"
	echo "kernel: $(uname -srm)"
	# shellcheck source=/dev/null
	echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "compiler: $(cc --version | head -n1)"
	echo "build: $(grep -E '^CMAKE_BUILD_TYPE:' "$build/CMakeCache.txt")," \
		"flags: $(grep -E '^CMAKE_C_FLAGS_RELEASE:' "$build/CMakeCache.txt" | cut -d= -f2)"
	echo "sqlite: $(pkg-config --modversion sqlite3), curl: $(pkg-config --modversion libcurl)," \
		"microhttpd: $(pkg-config --modversion libmicrohttpd), cjson: $(pkg-config --modversion libcjson)"
	echo "data dir: $data ($(df -hT "$data" | awk 'NR==2 {print $2}'))"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	lscpu | grep -E '^(Architecture|CPU\(s\)|Model name|Thread|Core|Socket|L[123]|Hypervisor)'
	echo
	free -m
} >"$out/machine.txt"

run() { # label items samples events [phases] [vector elements]
	echo "== $1: $2 items x $3 samples, $4 events${6:+, vectors of $6 doubles}" >&2
	"$bench" -l "$1" -m "$2" -s "$3" -e "$4" -d "$data" -o "$all" ${5:+-p "$5"} ${6:+-a "$6"}
}
# array shapes: the sample phases only (events carry no arrays here)
vphases=floor,insert,attach,sink,sync,sqlpeer

for _rep in $(seq "${REPEAT:-1}"); do
if [ "${QUICK:-0}" = 1 ]; then
	run "10x1e4" 10 10000 10000
	run "1000x100" 1000 100 0
	run "1e5x10" 100000 10 0
	run "100x1e3v16" 100 1000 0 "$vphases" 16
else
	# 10 items: long gaps of few signals (10^5 .. 10^7 samples)
	run "10x1e4" 10 10000 100000
	run "10x1e5" 10 100000 0
	run "10x1e6" 10 1000000 1000000
	# 1000 items
	run "1000x100" 1000 100 0
	run "1000x1e3" 1000 1000 0
	run "1000x1e4" 1000 10000 0
	# 100 000 items: short gaps of many signals (60 samples = a 1-minute gap)
	run "1e5x10" 100000 10 0
	run "1e5x60" 100000 60 0
	run "100x1e4v16" 100 10000 0 "$vphases" 16
	run "10x1e5v16" 10 100000 0 "$vphases" 16
fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

# results.csv: per size and phase the fastest row; the ratio is recomputed
# from the fastest floor (a) of the same size (attach and insert included)
awk -F, -v OFS=, 'NR == 1 { print; next }
{
	k = $1 SUBSEP $2
	if (!(k in best)) { order[++n] = k }
	if (!(k in best) || $8 + 0 > rate[k]) { best[k] = $0; rate[k] = $8 + 0 }
}
END {
	for (i = 1; i <= n; i++) {
		split(best[order[i]], f, ",")
		fl = (f[2] ~ /^ev/) ? "evfloor" : "floor"
		fk = f[1] SUBSEP fl
		if (f[2] != fl && (fk in rate) && rate[fk] > 0)
			f[9] = sprintf("%.3f", f[8] / rate[fk])
		line = f[1]
		for (j = 2; j <= 21; j++) line = line OFS f[j]
		print line
	}
}' "$all" >"$csv"

# results.md: the CSV as a table, in units a reader takes in at a glance
awk -F, 'NR == 1 {
	print "| gap | phase | items | per item | count | s | per s | ratio to floor (a) | round trips | wire B/unit | local RSS MB | peer RSS MB | local CPU s | peer CPU s | load | CPU stall |"
	print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	next
}
{
	ev = ($2 ~ /^ev/)
	printf "| %s | %s | %s | %s | %s | %.2f | %.0f | %s | %s | %s | %.1f | %s | %.2f | %s | %s | %s |\n",
		$1, $2, (ev ? "-" : $3), (ev ? "-" : $4), $6, $7, $8,
		($9 > 0 ? sprintf("%.2f", $9) : "-"),
		($2 ~ /floor|^insert|^attach/ ? "-" : $10), ($2 ~ /floor|^insert|^attach/ ? "-" : sprintf("%.2f", $14)),
		$15 / 1024, ($16 < 0 ? "-" : sprintf("%.1f", $16 / 1024)), $17,
		($16 < 0 ? "-" : sprintf("%.2f", $18)), $19, $20
}' "$csv" >"$out/results.md"

# ratios.md: the issue-14 ratios per size, from results.csv. "wall" is the
# ratio of rates; "cpu" the inverse ratio of the local process's CPU
# seconds (whole phase, setup included), which a loaded machine disturbs
# far less than the wall time; peer CPU is per 10^6 samples (or events).
awk -F, 'NR > 1 {
	k = $1; if (!(k in seen)) { seen[k] = 1; order[++n] = k }
	rate[k, $2] = $8 + 0; lcpu[k, $2] = $17 + 0; pcpu[k, $2] = $18 + 0
	cnt[k, $2] = $6 + 0; stall[k] = (stall[k] > $20 + 0 ? stall[k] : $20 + 0)
}
function r(a, b) { return (b > 0 && a > 0) ? sprintf("%.2f", a / b) : "-" }
function pc(k, ph) { return cnt[k, ph] > 0 ? sprintf("%.3f", pcpu[k, ph] * 1e6 / cnt[k, ph]) : "-" }
END {
	print "| gap | sqlpeer/floor wall (cpu) | sqlpeer/attach wall (cpu) | floor/insert wall (cpu) | evsqlpeer/evfloor wall (cpu) | events/evfloor wall | peer CPU s/10^6: sqlpeer | sync (computed peer) | evsqlpeer | max stall |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= n; i++) {
		k = order[i]
		printf "| %s | %s (%s) | %s (%s) | %s (%s) | %s (%s) | %s | %s | %s | %s | %.2f |\n", k,
			r(rate[k, "sqlpeer"], rate[k, "floor"]), r(lcpu[k, "floor"], lcpu[k, "sqlpeer"]),
			r(rate[k, "sqlpeer"], rate[k, "attach"]), r(lcpu[k, "attach"], lcpu[k, "sqlpeer"]),
			r(rate[k, "floor"], rate[k, "insert"]), r(lcpu[k, "insert"], lcpu[k, "floor"]),
			r(rate[k, "evsqlpeer"], rate[k, "evfloor"]), r(lcpu[k, "evfloor"], lcpu[k, "evsqlpeer"]),
			r(rate[k, "events"], rate[k, "evfloor"]),
			pc(k, "sqlpeer"), pc(k, "sync"), pc(k, "evsqlpeer"), stall[k]
	}
}' "$csv" >"$out/ratios.md"

if command -v gnuplot >/dev/null 2>&1; then
	gnuplot -e "csv='$csv'; png='$out/performance.png'" "$src/bench/plot.gp"
fi
cat "$out/results.md"
echo
cat "$out/ratios.md"
echo "results in $out" >&2
