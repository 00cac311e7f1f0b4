#!/usr/bin/env bash
# examples/demo/scenario.sh - the two-node scenario: A and B simulate the
# same plant on loopback; B is stopped while A keeps collecting; B restarts
# and fills the gap from A; then the script verifies that B's history equals
# A's. Used by examples/demo.sh (about a minute) and by the ctest
# integration test (a few seconds).
#
#   scenario.sh --node PATH/hiveha-node --dir WORKDIR [--items N] [--hz HZ]
#               [--arrays N] [--lead S] [--both S] [--down S] [--after S] [--brief]
#
# --arrays N adds the simulator's array items (--simulate-arrays N: N
# vectors, N matrices and a string vector); the exports compared then hold
# their rows too.
#
# Exits 0 only if every check holds.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$here/lib.sh"

items=50 hz=10 arrays=0 lead=3 both=10 down=15 after=3 dir="" brief=0
HH_NODE=""
while [ $# -gt 0 ]; do
	case $1 in
	--node) HH_NODE=$2; shift ;;
	--dir) dir=$2; shift ;;
	--items) items=$2; shift ;;
	--hz) hz=$2; shift ;;
	--arrays) arrays=$2; shift ;;
	--lead) lead=$2; shift ;;
	--both) both=$2; shift ;;
	--down) down=$2; shift ;;
	--after) after=$2; shift ;;
	--brief) brief=1 ;;
	*) echo "scenario.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ ! -x "$HH_NODE" ] || [ -z "$dir" ]; then
	echo "scenario.sh: --node and --dir are required" >&2
	exit 2
fi
mkdir -p "$dir"
rm -f "$dir"/*.db "$dir"/*.db-* "$dir"/*.log "$dir"/*.csv
trap hh_cleanup EXIT

step() { printf '\n---- %s\n' "$*"; }
t0=$SECONDS
elapsed() { echo "t+$((SECONDS - t0))s"; }

head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/token"
pa=$(hh_free_port)
pb=$(hh_free_port)
while [ "$pb" = "$pa" ]; do pb=$(hh_free_port); done
common=(--token-file "$dir/token" --simulate "$items:$hz" --settle-ms 500)
n_arrays=0 # array items: N vectors, N matrices, one string vector
what="$items items"
if [ "$arrays" -gt 0 ]; then
	common+=(--simulate-arrays "$arrays")
	n_arrays=$((2 * arrays + 1))
	what="$items items and $n_arrays array items"
fi

step "$(elapsed) starting node A on 127.0.0.1:$pa ($what at $hz Hz)"
hh_node_start A "$dir/a.log" --name A --db "$dir/a.db" --listen "127.0.0.1:$pa" \
	--peer "127.0.0.1:$pb" "${common[@]}"
pid_a=$HH_PID
hh_wait_for "$dir/a.log" "start-up sync finished" 30 "$pid_a"
sleep "$lead" # scenario time: A collects alone for a while

step "$(elapsed) starting node B on 127.0.0.1:$pb, same plant"
hh_node_start B "$dir/b1.log" --name B --db "$dir/b.db" --listen "127.0.0.1:$pb" \
	--peer "127.0.0.1:$pa" "${common[@]}"
pid_b=$HH_PID
hh_wait_for "$dir/b1.log" "start-up sync finished" 30 "$pid_b"
b_first=$(sed -n 's/.*collecting from \([^ ]*\) .*/\1/p' "$dir/b1.log")
sleep "$both" # scenario time: both collect

step "$(elapsed) stopping B (SIGTERM); A keeps collecting for ${down}s"
hh_stop "$pid_b" || { echo "B did not stop cleanly" >&2; exit 1; }
"$HH_NODE" export --db "$dir/b.db" >"$dir/b_before.csv"
"$HH_NODE" export-events --db "$dir/b.db" >"$dir/b_before_events.csv"
sleep "$down" # scenario time: the outage

step "$(elapsed) restarting B: it fills the gap from A"
hh_node_start B "$dir/b2.log" --name B --db "$dir/b.db" --listen "127.0.0.1:$pb" \
	--peer "127.0.0.1:$pa" "${common[@]}"
pid_b=$HH_PID
hh_wait_for "$dir/b2.log" "start-up sync (finished ok|failed)" 60 "$pid_b"
if grep -q "start-up sync failed" "$dir/b2.log"; then
	cat "$dir/b2.log" >&2
	echo "B's start-up sync failed" >&2
	exit 1
fi
read -r gap_from gap_to < <(hh_gap "$dir/b2.log")
b_restart=$(sed -n 's/.*collecting from \([^ ]*\) .*/\1/p' "$dir/b2.log")
sleep "$after" # scenario time: both collect again

step "state item timeline of B's restart"
grep -E "\] (state |info: .*gap|warn: (TrendHistory|EventHistory)|progress |start-up sync|governor started|collecting from)" \
	"$dir/b2.log" | if [ "$brief" = 1 ]; then grep -v "DeputyState = [34] " ; else cat; fi

step "$(elapsed) verification over B's gap [$gap_from, $gap_to)"
node=$HH_NODE
"$node" export --db "$dir/a.db" --from "$gap_from" --to "$gap_to" >"$dir/a_gap.csv"
"$node" export --db "$dir/b.db" --from "$gap_from" --to "$gap_to" >"$dir/b_gap.csv"
"$node" export-events --db "$dir/a.db" --from "$gap_from" --to "$gap_to" >"$dir/a_gap_events.csv"
"$node" export-events --db "$dir/b.db" --from "$gap_from" --to "$gap_to" >"$dir/b_gap_events.csv"
"$node" export-events --db "$dir/b.db" >"$dir/b_all_events.csv"
hh_in_window "$dir/b_before.csv" "$gap_from" "$gap_to" 2 >"$dir/b_before_gap.rows"
tail -n +2 "$dir/b_gap.csv" >"$dir/b_gap.rows"
tail -n +2 "$dir/a_gap.csv" >"$dir/a_gap.rows"
hh_count_per_item "$dir/b_before_gap.rows" >"$dir/before.cnt"
hh_count_per_item "$dir/b_gap.rows" >"$dir/after.cnt"
hh_count_per_item "$dir/a_gap.rows" >"$dir/a.cnt"

failed=0
printf '%-26s %10s %10s %10s  %s\n' "item" "B before" "B after" "A" "check"
bad_items=0
shown=0
while read -r item a_n; do
	before=$(awk -v i="$item" '$1 == i { print $2 }' "$dir/before.cnt")
	after_n=$(awk -v i="$item" '$1 == i { print $2 }' "$dir/after.cnt")
	ok=ok
	[ "${after_n:-0}" = "$a_n" ] || { ok="MISMATCH"; bad_items=$((bad_items + 1)); }
	if [ "$brief" = 0 ] || [ "$ok" != ok ] || [ "$shown" -lt 5 ]; then
		printf '%-26s %10s %10s %10s  %s\n' "$item" "${before:-0}" "${after_n:-0}" "$a_n" "$ok"
		shown=$((shown + 1))
	fi
done <"$dir/a.cnt"
n_items=$(wc -l <"$dir/a.cnt")
total_before=$(wc -l <"$dir/b_before_gap.rows")
total_after=$(wc -l <"$dir/b_gap.rows")
total_a=$(wc -l <"$dir/a_gap.rows")
printf '%-26s %10s %10s %10s\n' "all $n_items items" "$total_before" "$total_after" "$total_a"
if [ "$n_items" -ne $((items + n_arrays)) ] || [ "$bad_items" -ne 0 ]; then
	echo "FAIL: $bad_items item(s) differ in count, or A has $n_items items in the gap (want $((items + n_arrays)))"
	failed=1
fi
# The array items' rows are in both exports compared below, every one of them.
array_rows() { grep -c '^Plant/Arrays/' "$1" || true; }
array_items() { grep '^Plant/Arrays/' "$1" | cut -d, -f1 | sort -u | wc -l; }
a_arr=$(array_rows "$dir/a_gap.rows")
if [ "$n_arrays" -gt 0 ]; then
	if [ "$(array_items "$dir/a_gap.rows")" -ne "$n_arrays" ] ||
		[ "$(array_items "$dir/b_gap.rows")" -ne "$n_arrays" ] ||
		[ "$(array_rows "$dir/b_gap.rows")" -ne "$a_arr" ]; then
		echo "FAIL: the gap's exports do not hold the rows of all $n_arrays array items alike"
		failed=1
	fi
fi
if cmp -s "$dir/a_gap.csv" "$dir/b_gap.csv"; then
	echo "samples: B's export of the gap is identical to A's (times, values, qualities: $total_after rows, $a_arr of them arrays)"
else
	echo "FAIL: B's samples in the gap differ from A's:"
	diff "$dir/a_gap.csv" "$dir/b_gap.csv" | head -n 10
	failed=1
fi
if [ "$total_after" -le "$total_before" ]; then
	echo "FAIL: B did not gain samples in the gap ($total_before before, $total_after after)"
	failed=1
fi

ev_before=$(hh_in_window "$dir/b_before_events.csv" "$gap_from" "$gap_to" 1 | wc -l)
ev_after=$(($(wc -l <"$dir/b_gap_events.csv") - 1))
ev_a=$(($(wc -l <"$dir/a_gap_events.csv") - 1))
dups=$(hh_event_duplicates "$dir/b_all_events.csv" | wc -l)
echo "events in the gap: B before $ev_before, B after $ev_after, A $ev_a; duplicate identities in B: $dups"
if ! cmp -s "$dir/a_gap_events.csv" "$dir/b_gap_events.csv"; then
	echo "FAIL: B's events in the gap differ from A's:"
	diff "$dir/a_gap_events.csv" "$dir/b_gap_events.csv" | head -n 10
	failed=1
fi
if [ "$dups" -ne 0 ]; then
	echo "FAIL: B holds duplicated events"
	failed=1
fi

# B's whole history, from its first start to its restart, equals A's.
"$node" export --db "$dir/a.db" --from "$b_first" --to "$b_restart" >"$dir/a_all.csv"
"$node" export --db "$dir/b.db" --from "$b_first" --to "$b_restart" >"$dir/b_all.csv"
"$node" export-events --db "$dir/a.db" --from "$b_first" --to "$b_restart" >"$dir/a_all_ev.csv"
"$node" export-events --db "$dir/b.db" --from "$b_first" --to "$b_restart" >"$dir/b_all_ev.csv"
if cmp -s "$dir/a_all.csv" "$dir/b_all.csv" && cmp -s "$dir/a_all_ev.csv" "$dir/b_all_ev.csv"; then
	echo "history: B equals A over [$b_first, $b_restart): $(($(wc -l <"$dir/b_all.csv") - 1)) samples ($(array_rows "$dir/b_all.csv") arrays), $(($(wc -l <"$dir/b_all_ev.csv") - 1)) events"
else
	echo "FAIL: B's history differs from A's over [$b_first, $b_restart)"
	failed=1
fi

step "$(elapsed) stopping A and B"
hh_stop "$pid_b" || { echo "FAIL: B did not stop cleanly" >&2; failed=1; }
hh_stop "$pid_a" || { echo "FAIL: A did not stop cleanly" >&2; failed=1; }
hh_forget
if [ "$brief" = 0 ]; then
	step "B's persisted state (hiveha-node status)"
	"$node" status --db "$dir/b.db"
fi
if [ "$failed" -ne 0 ]; then
	echo "VERIFICATION FAILED (logs in $dir)"
	exit 1
fi
echo "VERIFICATION OK ($(elapsed))"
