#!/usr/bin/env bash
# tests/node/win-node.sh ARGS... - hiveha-node.exe under the emulator, as
# one program the POSIX shell tests can start (they take a single path).
# HH_WIN_EMULATOR (a CMake list: wine-run.sh;BUILD_DIR) and HH_WIN_NODE_EXE
# come from the test's environment. Windows has no SIGTERM and wine does
# not turn one into a console event: SIGTERM (and SIGINT) to this script
# is passed on as SIGINT, which wine delivers as CTRL_C_EVENT. The exit
# code is the node's.
set -u
IFS=';' read -r -a emulator <<<"$HH_WIN_EMULATOR"
"${emulator[@]}" "$HH_WIN_NODE_EXE" "$@" &
child=$!
trap 'kill -INT "$child" 2>/dev/null' TERM INT
rc=0
while kill -0 "$child" 2>/dev/null; do
	wait "$child"
	rc=$?
done
exit "$rc"
