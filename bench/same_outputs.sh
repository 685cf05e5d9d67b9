#!/usr/bin/env bash
# Are two builds' outputs the same? For a refactoring or a crate upgrade (`just same OLD`).
#
#   bench/same_outputs.sh OLD_BIN NEW_BIN [WORK_DIR] [DATA_DIR]
#
# Runs both binaries on a copy of the sample year (DATA_DIR, default data/): `run --all`,
# `assess --year 2015`, `template --period 2015-08`, then compares:
#   - every .csv byte for byte;
#   - every workbook as a reader sees it (bench/compare_workbooks.py: cells, styles, merges,
#     row heights, column widths, print setup);
#   - every PNG chart pixel by pixel, within anti-aliasing (bench/compare_pngs.py);
#   - the history records, row by row (pyarrow), and the new binary reading the old history
#     (its assessment.csv equal to the old one's).
# Needs python3 with openpyxl, pillow and pyarrow (pip install openpyxl pillow pyarrow).
set -euo pipefail
OLD=$(realpath "$1")
NEW=$(realpath "$2")
WORK=${3:-/tmp/tongbao-same}
DATA=$(realpath "${4:-data}")
HERE=$(realpath "$(dirname "$0")")

produce() {
    local bin=$1 dir=$2
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -r "$DATA" "$dir/data"
    rm -rf "$dir/data/history"
    (
        cd "$dir"
        "$bin" run --all >/dev/null 2>"$dir/run.err"
        "$bin" assess --year 2015 >/dev/null 2>>"$dir/run.err"
        "$bin" template --period 2015-08 >/dev/null 2>>"$dir/run.err"
    )
}

produce "$OLD" "$WORK/old"
produce "$NEW" "$WORK/new"
status=0

echo "== csv (byte for byte)"
while IFS= read -r f; do
    rel=${f#"$WORK/old/"}
    if cmp -s "$f" "$WORK/new/$rel"; then echo "equal: $rel"; else echo "DIFFERENT: $rel"; status=1; fi
done < <(find "$WORK/old" -name '*.csv' | sort)
[[ $(find "$WORK/old" -name '*.csv' | wc -l) == $(find "$WORK/new" -name '*.csv' | wc -l) ]] || {
    echo "DIFFERENT: number of csv files"
    status=1
}

echo "== workbooks"
python3 "$HERE/compare_workbooks.py" "$WORK/old" "$WORK/new" || status=1

echo "== charts"
python3 "$HERE/compare_pngs.py" "$WORK/old" "$WORK/new" || status=1

echo "== history"
python3 - "$WORK/old/data/history" "$WORK/new/data/history" <<'EOF' || status=1
import sys, pathlib, pyarrow.parquet as pq
a, b = map(pathlib.Path, sys.argv[1:])
names = sorted(p.name for p in a.glob("*.parquet"))
assert names == sorted(p.name for p in b.glob("*.parquet")), "different periods"
for n in names:
    x, y = pq.read_table(a / n), pq.read_table(b / n)
    if x.schema != y.schema or x.to_pylist() != y.to_pylist():
        sys.exit(f"DIFFERENT: history {n}")
print(f"equal: {len(names)} history records")
EOF
# The new binary reads the old binary's history to the same assessment.
rm -rf "$WORK/cross"
mkdir -p "$WORK/cross"
cp -r "$WORK/old/data" "$WORK/cross/data"
(cd "$WORK/cross" && "$NEW" assess --year 2015 >/dev/null)
if cmp -s "$WORK/old/reports/2015/assessment.csv" "$WORK/cross/reports/2015/assessment.csv"; then
    echo "equal: the old history read by the new binary"
else
    echo "DIFFERENT: the old history read by the new binary"
    status=1
fi
exit $status
