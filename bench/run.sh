#!/usr/bin/env bash
# The benchmark (`just bench`; results in BENCHMARKS.md; the budget of issue 18 checked at the end).
#
#   bench/run.sh [WORK_DIR]        # default /tmp/tongbao-bench
#
# Builds the release binary and the examples once, generates the national case (2,851 units,
# 335 groups, ≈ 23 MB of xlsx a month) and the city case (the 8 default units), then times in
# the same run:
#   - the floor (examples/floor.rs: calamine opens every file and sums its numbers), 1 and 2 threads;
#   - `tongbao run --timings` on the same files with every default output (csv, bulletin,
#     charts, history), after an untimed run of the month before so rank change is exercised,
#     and each output stage alone on one thread (examples/stages.rs, CPU time);
#   - `tongbao assess --year 2015` on the history just written;
#   - the history at scale (examples/history_scale.rs: 10 years × 12 periods × 2,851 units)
#     and `tongbao assess` on its last year;
#   - the national July again with January–June of that history on record (rank-trend charts
#     of seven periods whose lines cross);
# and checks the outputs of both cases with bench/verify.py (an independent recomputation);
# reporting wall time, peak RSS (/usr/bin/time -v) and the ratio tongbao/floor.
set -euo pipefail

cd "$(dirname "$0")/.."
WORK=${1:-/tmp/tongbao-bench}
REPS=${BENCH_REPS:-3}

if [[ ! -x /usr/bin/time ]]; then
    echo "bench: /usr/bin/time (GNU time) is missing; install it: apt-get install -y time" >&2
    exit 1
fi

echo "== machine"
echo "nproc: $(nproc)"
lscpu | grep -E '^(Model name|Architecture|CPU\(s\)|Thread|Core|Socket|CPU max MHz|L2|L3)' || true
grep -E 'MemTotal' /proc/meminfo || true
rustc --version

echo "== build (release)"
cargo build --release --quiet --bin tongbao --example bench_gen --example floor --example history_scale --example stages
BIN=target/release/tongbao
EX=target/release/examples

echo "== generate into $WORK"
rm -rf "$WORK"
mkdir -p "$WORK"
"$EX/bench_gen" "$WORK/national" national
"$EX/bench_gen" "$WORK/city" city
du -sh "$WORK/national/data/2015-07" "$WORK/city/data/2015-07"

# measure LABEL CMD...: best-of-$REPS wall time (ms) and the peak RSS (MB) of that run.
# Appends "LABEL wall_ms rss_mb" to $WORK/results; the last run's stderr is in $WORK/LABEL.err.
# The wall time is taken around /usr/bin/time to the millisecond with bash's own clock (time's
# has 10 ms steps, a tenth of the margin being measured), so it includes starting time itself
# (≈ 1 ms), for the floor and tongbao alike.
measure() {
    local label=$1
    shift
    local best="" best_rss=""
    for _ in $(seq "$REPS"); do
        if [[ -n ${BEFORE:-} ]]; then eval "$BEFORE"; fi
        local t0 t1 wall rss
        t0=${EPOCHREALTIME/./}
        /usr/bin/time -v -o "$WORK/$label.time" "$@" >"$WORK/$label.out" 2>"$WORK/$label.err"
        t1=${EPOCHREALTIME/./}
        wall=$(((t1 - t0 + 500) / 1000))
        rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$WORK/$label.time")
        if [[ -z $best || $wall -lt $best ]]; then
            best=$wall
            best_rss=$rss
            cp "$WORK/$label.err" "$WORK/$label.best.err"
        fi
    done
    printf '%-28s %8s ms %6s MB\n' "$label" "$best" "$best_rss" | tee -a "$WORK/results"
}

# The city case again without /usr/bin/time around it (best of 5, bash's clock).
fine() {
    local label=$1
    shift
    local best=""
    for _ in $(seq 5); do
        if [[ -n ${BEFORE:-} ]]; then eval "$BEFORE"; fi
        local t0 t1 ms
        t0=${EPOCHREALTIME/./}
        "$@" >/dev/null 2>&1
        t1=${EPOCHREALTIME/./}
        ms=$(((t1 - t0 + 500) / 1000))
        if [[ -z $best || $ms -lt $best ]]; then best=$ms; fi
    done
    printf '%-28s %8s ms (best of 5, no /usr/bin/time)\n' "$label" "$best" | tee -a "$WORK/results"
}

: >"$WORK/results"
for case in national city; do
    C=$WORK/$case
    CFG=()
    if [[ $case == national ]]; then CFG=(--config "$C/config.toml"); fi
    D=$C/data/2015-07
    echo "== $case: $(find "$D" -name '*.xlsx' | wc -l) files"
    # Warm the page cache so every program reads from memory.
    cat "$D"/*.xlsx >/dev/null
    BEFORE="" measure "$case.floor.1thread" "$EX/floor" "$D" --threads 1
    BEFORE="" measure "$case.floor.2threads" "$EX/floor" "$D" --threads 2
    # The history holds 2015-06 (rank change) and is reset to it before each timed run.
    H=$C/history
    rm -rf "$H" "$C/reports" "$C/history-06"
    "$BIN" run "${CFG[@]}" --period 2015-06 --input "$C/data/2015-06" --out "$C/reports" \
        --history "$H" >/dev/null 2>"$WORK/$case.2015-06.err"
    cp -r "$H" "$C/history-06"
    RESET="rm -rf '$H' '$C/reports/2015-07'; cp -r '$C/history-06' '$H'"
    BEFORE=$RESET measure "$case.run" "$BIN" run "${CFG[@]}" --period 2015-07 --input "$D" \
        --out "$C/reports" --history "$H" --timings
    echo "   timings of the best run:"
    grep -E '^ ' "$WORK/$case.run.best.err" | sed 's/^/   /'
    if [[ $case == national ]]; then
        # Each output stage alone on one thread (CPU ms): what the side-by-side stages cost.
        echo "   output stages alone (examples/stages.rs):"
        TMPDIR=$WORK "$EX/stages" "$C/config.toml" "$D" "$C/history-06" 2015-07 3 2>/dev/null | sed 's/^/   /'
        # Everything after reading except the PNG charts, alone on both cores as `run`
        # arranges it: history read, compute, then workbook ∥ csv ∥ history record.
        TMPDIR=$WORK STAGE=rest "$EX/stages" "$C/config.toml" "$D" "$C/history-06" 2015-07 "$REPS" \
            2>/dev/null | tee "$WORK/rest.out" | sed 's/^/   /'
        awk -v n="$REPS" '{printf "%-28s %8.0f ms (best of %s, examples/stages.rs STAGE=rest)\n", "national.rest", $4, n}' \
            "$WORK/rest.out" | tee -a "$WORK/results"
        awk '/read\+validate/ {printf "%-28s %8.0f ms (the best run'"'"'s --timings)\n", "national.read+validate", $2}' \
            "$WORK/$case.run.best.err" | tee -a "$WORK/results"
    fi
    BEFORE="" measure "$case.check" "$BIN" check "${CFG[@]}" --period 2015-07 --input "$D" --history "$H"
    BEFORE="" measure "$case.assess" "$BIN" assess "${CFG[@]}" --year 2015 --history "$H" --out "$C/reports"
    if [[ $case == city ]]; then
        BEFORE=$RESET fine "$case.run.fine" "$BIN" run --period 2015-07 --input "$D" \
            --out "$C/reports" --history "$H"
    fi
    ls "$C/reports/2015-07"
    echo "   charts: $(find "$C/reports/2015-07/charts" -name '*.png' | wc -l) PNG"
    # The outputs, recomputed independently (growth, ranks, rank change, scores, final ranks).
    if [[ $case == national ]]; then VCFG=$C/config.toml; else VCFG=$WORK/city-config.toml; "$BIN" config >"$VCFG"; fi
    python3 bench/verify.py "$VCFG" "$C/reports" 2015
done

echo "== history at scale"
"$EX/history_scale" "$WORK/national/config.toml" "$WORK/history-scale" 10
BEFORE="" measure "history.assess.2024" "$BIN" assess --config "$WORK/national/config.toml" \
    --year 2024 --history "$WORK/history-scale" --out "$WORK/history-scale-reports"
# Later in a year: the national July with January–June on record (ranks that change every
# month), so that the rank-trend charts have seven periods of crossing lines.
# Its outputs go to tmpfs when there is one: after the runs above have created and deleted
# tens of thousands of files, this VM's journal-less ext4 spends up to 2 s of system time
# finding free inodes (`recently_deleted`), which is not tongbao's cost.
# January–May come from the history at scale, June is the national case's own June (as run
# above), so that July's cumulative values follow on from it (no warnings, as in a real year).
H7=$WORK/history-2015-h1
rm -rf "$H7" && mkdir -p "$H7" && cp "$WORK/history-scale/2015-0"[1-5].parquet "$H7/"
cp "$WORK/national/history-06/2015-06.parquet" "$H7/"
J=$WORK/national
if [[ -d /dev/shm && -w /dev/shm ]]; then J=/dev/shm/tongbao-bench-july; fi
mkdir -p "$J"
RESET="rm -rf '$J/history-h1' '$J/reports-h1'; cp -r '$H7' '$J/history-h1'"
BEFORE=$RESET measure "national.run.july" "$BIN" run --config "$WORK/national/config.toml" \
    --period 2015-07 --input "$WORK/national/data/2015-07" --out "$J/reports-h1" \
    --history "$J/history-h1" --timings
echo "   (outputs in $J)"
grep -E '^ ' "$WORK/national.run.july.best.err" | sed 's/^/   /'
if [[ $J == /dev/shm/* ]]; then rm -rf "$J"; fi

echo "== summary (best of $REPS; wall ms, peak RSS MB)"
cat "$WORK/results"
awk '
    { wall[$1] = $2 }
    END {
        split("national city", cs, " ")
        for (i = 1; i <= 2; i++) {
            c = cs[i]
            f1 = wall[c ".floor.1thread"]; f2 = wall[c ".floor.2threads"]; r = wall[c ".run"]
            if (f2 > 0) printf "%s: tongbao run / floor(2 threads) = %.2f, / floor(1 thread) = %.2f\n", c, r / f2, r / f1
        }
        f2 = wall["national.floor.2threads"]
        if (f2 > 0 && wall["national.read+validate"] > 0) printf "national: read+validate / floor(2 threads) = %.2f\n", wall["national.read+validate"] / f2
        if (f2 > 0 && wall["national.rest"] > 0) printf "national: everything after reading except PNG charts, alone / floor(2 threads) = %.2f\n", wall["national.rest"] / f2
        j = wall["national.run.july"]; f2 = wall["national.floor.2threads"]; f1 = wall["national.floor.1thread"]
        if (j > 0 && f2 > 0) printf "national, July with Jan-Jun on record: / floor(2 threads) = %.2f, / floor(1 thread) = %.2f\n", j / f2, j / f1
    }' "$WORK/results"
# The budget of issue 18: national month <= 6 x the 2-thread floor with every output, city
# month <= 50 ms, peak RSS <= 300 MB.
awk '
    { wall[$1] = $2; if ($4 + 0 > rss) rss = $4 + 0 }
    END {
        r = wall["national.run"] / wall["national.floor.2threads"]
        c = wall["city.run.fine"] > 0 ? wall["city.run.fine"] : wall["city.run"]
        printf "budget: national %.2f x floor (<= 6): %s; city %d ms (<= 50): %s; peak RSS %d MB (<= 300): %s\n",
            r, r <= 6 ? "met" : "MISSED", c, c <= 50 ? "met" : "MISSED", rss, rss <= 300 ? "met" : "MISSED"
    }' "$WORK/results"
