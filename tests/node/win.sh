#!/usr/bin/env bash
# tests/node/win.sh WORKDIR EMULATOR... HIVEHA_NODE_EXE - hiveha-node built
# for Windows, run under wine (Windows builds only; the shell tests beside
# it drive POSIX processes): a short run on a fresh store, `status`,
# `export` and `export-events` on it, and a clean stop on Ctrl-C (wine
# turns SIGINT into CTRL_C_EVENT for the console control handler); while
# that node runs, a second one on its file is refused (exit 3) and
# `status` works beside it.
# No listener and no peer here (node_win_integration has both). Every wait
# bounded.
set -euo pipefail
dir=$1
shift
node=("$@") # the emulator (wine-run.sh BUILD_DIR) and the .exe
rm -rf "$dir"
mkdir -p "$dir"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

rc=0
timeout 60 "${node[@]}" --name W --db "$dir/w.db" --simulate 5:10 --run-for-ms 1500 \
	>"$dir/run.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] || ! grep -q "stopped: collected" "$dir/run.log"; then
	bad "run on a fresh store: exit $rc"
	tail -n 10 "$dir/run.log"
else
	echo "ok: $(grep -m1 "stopped: collected" "$dir/run.log")"
fi

# A path outside the ANSI code page (Ω, 水) reaches SQLite as UTF-8: the
# node takes its arguments from the wide command line. wine decodes the
# Unix arguments by the locale, hence C.UTF-8 here.
rc=0
LC_ALL=C.UTF-8 timeout 60 "${node[@]}" --name U --db "$dir/Ω水.db" --simulate 1:5 \
	--run-for-ms 500 >"$dir/utf8.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] || [ ! -f "$dir/Ω水.db" ]; then
	bad "UTF-8 store path: exit $rc, files: $(ls "$dir" | tr '\n' ' ')"
	tail -n 5 "$dir/utf8.log"
else
	echo "ok: a store at a UTF-8 path outside the ANSI code page"
fi

rc=0
timeout 60 "${node[@]}" status --db "$dir/w.db" >"$dir/status.out" 2>&1 || rc=$?
samples=$(awk '$1 == "samples" { print $2 }' "$dir/status.out" | tr -d '\r')
if [ "$rc" -ne 0 ] || [ "${samples:-0}" -lt 1 ]; then
	bad "status: exit $rc, samples '${samples:-}'"
	cat "$dir/status.out"
else
	echo "ok: status counts $samples samples"
fi

rc=0
timeout 60 "${node[@]}" export --db "$dir/w.db" >"$dir/export.csv" 2>&1 || rc=$?
rows=$(($(wc -l <"$dir/export.csv") - 1))
if [ "$rc" -ne 0 ] || [ "$rows" -ne "${samples:-0}" ]; then
	bad "export: exit $rc, $rows rows, want ${samples:-?}"
	head -n 5 "$dir/export.csv"
else
	echo "ok: export wrote $rows rows"
fi

rc=0
timeout 60 "${node[@]}" export-events --db "$dir/w.db" >"$dir/events.csv" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	bad "export-events: exit $rc"
	head -n 5 "$dir/events.csv"
else
	echo "ok: export-events wrote $(($(wc -l <"$dir/events.csv") - 1)) rows"
fi

# Ctrl-C: the console control handler requests the same stop as SIGINT
# on POSIX; the node stores what it collected and exits 0.
"${node[@]}" --name C --db "$dir/c.db" --simulate 5:10 >"$dir/ctrlc.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
	grep -q "start-up sync finished ok" "$dir/ctrlc.log" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
rc=0
timeout 60 "${node[@]}" --name C2 --db "$dir/c.db" --simulate 5:10 --run-for-ms 500 \
	>"$dir/second.log" 2>&1 || rc=$?
if [ "$rc" -ne 3 ] || ! grep -q "in use by another store" "$dir/second.log"; then
	bad "second node on a running node's file: exit $rc, want 3"
	tail -n 5 "$dir/second.log"
else
	echo "ok: second node on the same file refused (exit 3)"
fi
rc=0
timeout 60 "${node[@]}" status --db "$dir/c.db" >"$dir/status_beside.out" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	bad "status beside a running node: exit $rc"
	tail -n 5 "$dir/status_beside.out"
else
	echo "ok: status beside a running node"
fi
kill -INT "$pid" 2>/dev/null || true
rc=0
for _ in $(seq 1 300); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
	kill -KILL "$pid" 2>/dev/null || true
	bad "Ctrl-C: still running 30 s later"
fi
wait "$pid" || rc=$?
if [ "$rc" -ne 0 ] || ! grep -q "stopped by signal 2" "$dir/ctrlc.log"; then
	bad "Ctrl-C: exit $rc"
	tail -n 10 "$dir/ctrlc.log"
else
	echo "ok: Ctrl-C: $(grep -m1 "stopped: collected" "$dir/ctrlc.log")"
fi
exit $fail
