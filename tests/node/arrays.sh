#!/usr/bin/env bash
# tests/node/arrays.sh HIVEHA_NODE EXPORT_CHECK WORKDIR - the two-node gap
# fill with array items (issue 13 item 5): the demo's scenario with the
# simulator's vectors, matrices and string vector; B is down for a while,
# restarts and fills its gap from A. The scenario requires B's exports of
# the gap and of its whole history to be byte-identical to A's, array rows
# included. Then every array row of those exports is read back
# (export_check) and must equal the sample in the store it was exported
# from: the CSV form is lossless, not merely the same on both sides.
set -euo pipefail
HH_NODE=$1
check=$2
dir=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

bash "$here/../../examples/demo/scenario.sh" --node "$HH_NODE" --dir "$dir" \
	--items 5 --hz 20 --arrays 2 --lead 1 --both 2 --down 3 --after 1 --brief
"$check" "$dir/a.db" "$dir/a_gap.csv"
"$check" "$dir/b.db" "$dir/b_gap.csv"
"$check" "$dir/b.db" "$dir/b_all.csv"
echo "arrays test OK"
