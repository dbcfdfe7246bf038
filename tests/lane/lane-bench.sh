#!/bin/sh
# `make lane-bench DATA=DIR` (issue 16, docs/lane-bench.md): the lane as a
# border agency measures it. For each of N travelers drawn by
# lanesight-lanesim (a walk-up clip and a manifest of its conditions),
# lanesightd runs on the clip (file camera, paced, as a real camera) on a
# private bus, and lanesightctl verifies the traveler against their document
# photo, then (a second session, same traveler) against another person's.
# `lanesightctl watch` records every processed frame, which dates the capture:
# time to capture = the captured frame's timestamp - the moment the traveler
# stops (from the manifest). tests/lane/lane-report.py prints the table per
# condition, the match rate per quality decile, writes the plot and ends with
# one JSON line.
#
#   lane-bench.sh --data DIR [--travelers N] [--from K] [--seed S] [--jobs J] [--out DIR] [--out-b DIR]
#
# Environment: LANESIGHTD, LANESIGHTCTL, LANESIM (binaries), LSD_MODELS;
# LSD_BACKEND (default cpu). Results accumulate in OUT/results.jsonl, one line
# per traveler (a rerun with the same seed skips the travelers already there:
# delete the file to start over), each traveler's logs in OUT/logs/N; clips
# are made per traveler in a temporary folder and deleted after use.
set -u
: "${LANESIGHTD:?}" "${LANESIGHTCTL:?}" "${LANESIM:?}" "${LSD_MODELS:?}"
here=$(cd "$(dirname "$0")" && pwd)
data="" travelers=300 from=0 seed=1 jobs=2 out=build/lane out_b=""
usage() { sed -n '/^#   lane-bench/s/^#   //p' "$0"; }
while [ $# -gt 0 ]; do
        case "$1" in
        --data) data=$2; shift 2 ;;
        --travelers) travelers=$2; shift 2 ;;
        --from) from=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --out-b) out_b=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "lane-bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
        esac
done
[ -d "$data" ] || { echo "lane-bench: --data '$data' is not a folder" >&2; exit 2; }
case "$travelers$jobs$seed$from" in *[!0-9]*) echo "lane-bench: --travelers, --jobs, --seed take numbers" >&2; exit 2 ;; esac
[ "$travelers" -ge 1 ] && [ "$jobs" -ge 1 ] || { echo "lane-bench: --travelers and --jobs must be >= 1" >&2; exit 2; }
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)
results=$out/results.jsonl
# Results of another seed or photo set do not mix with these.
stamp="seed=$seed data=$(cd "$data" && pwd)"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" != "$stamp" ]; then
        echo "lane-bench: $out holds results of another run ($(cat "$out/stamp")): starting over" >&2
        rm -f "$results"
fi
echo "$stamp" >"$out/stamp"
touch "$results"
# A/B: with --out-b DIR and LANESIGHTD_B, every clip also plays to a second daemon (e.g. a change
# under test), results in DIR: both see the very same travelers, and each clip is rendered once.
results_b=""
if [ -n "$out_b" ]; then
        : "${LANESIGHTD_B:?--out-b needs LANESIGHTD_B}"
        mkdir -p "$out_b" || exit 1
        out_b=$(cd "$out_b" && pwd)
        results_b=$out_b/results.jsonl
        [ -f "$out_b/stamp" ] && [ "$(cat "$out_b/stamp")" != "$stamp" ] && rm -f "$results_b"
        echo "$stamp" >"$out_b/stamp"
        touch "$results_b"
fi

. "$here/../demo/lib.sh"

# The clip of traveler $1 into $2 (a folder), quietly; 0 on success.
make_clip() {
        nice -n 10 "$LANESIM" --data "$data" --seed "$seed" --index "$1" --out "$2" 2>"$2.err"
}

# One traveler, on the bus this worker started: prints its result line.
run_traveler() {
        _i=$1 _dir=$2
        # shellcheck disable=SC1091
        . "$_dir/manifest"
        LSD_CLIP=$_dir/clip.y4m
        # The clip loops so that the second (impostor) session finds the traveler again.
        if ! lsd_start_daemon "[Camera]
Size=${width}x$height
FrameRate=$fps
RegionOfInterest=$roi"; then
                printf '{"index":%s,"error":"lanesightd did not start"}\n' "$_i"
                return
        fi
        "$LANESIGHTCTL" --json watch --timeout 120 >"$_dir/watch.jsonl" 2>/dev/null &
        _watch=$!
        # The session runs until the clip ends (10.5 s after the stop), from about when the clip starts.
        _t=$(awk -v s="$t_stop" 'BEGIN { printf "%d", s + 11.5 }')
        "$LANESIGHTCTL" --json verify --reference "$document" --timeout "$_t" >"$_dir/genuine.jsonl" 2>"$_dir/genuine.err"
        if grep -q '"match"' "$_dir/genuine.jsonl" && ! grep -q '"error"' "$_dir/genuine.jsonl"; then
                "$LANESIGHTCTL" --json verify --reference "$impostor" --timeout 30 >"$_dir/impostor.jsonl" \
                        2>"$_dir/impostor.err"
        else
                : >"$_dir/impostor.jsonl"
        fi
        kill "$_watch" 2>/dev/null
        wait "$_watch" 2>/dev/null
        kill "$LSD_PID" 2>/dev/null
        _n=50
        while [ "$_n" -gt 0 ] && kill -0 "$LSD_PID" 2>/dev/null; do sleep 0.1; _n=$((_n - 1)); done
        kill -9 "$LSD_PID" 2>/dev/null
        wait "$LSD_PID" 2>/dev/null
        LSD_PID=""
        python3 "$here/lane-report.py" traveler "$_dir"
}

# Whether traveler $1 has a result in every results file.
done_all() {
        grep -q "^{\"index\":$1," "$results" && { [ -z "$results_b" ] || grep -q "^{\"index\":$1," "$results_b"; }
}

# Runs traveler $1 (clip in $2) with daemon $3 unless results file $4 has it; logs under $5.
run_one() {
        grep -q "^{\"index\":$1," "$4" && return
        LANESIGHTD=$3 run_traveler "$1" "$2" >"$2.result"
        # The logs stay (small), so a report can be recomputed: lane-report.py traveler DIR.
        mkdir -p "$5/logs/$1"
        cp "$2"/manifest "$2"/*.jsonl "$2"/*.err "$5/logs/$1/" 2>/dev/null
        rm -f "$2"/*.jsonl "$2"/*.err
        cat "$2.result" >>"$4"
        printf '%s\n' "$(cat "$2.result")" | cut -c1-160 >&2
}

# Worker $1 of $jobs: travelers $1, $1 + jobs, ...; the next clip renders while the current one plays.
worker() {
        _w=$1
        lsd_start_bus || exit 1
        trap lsd_stop EXIT
        trap 'exit 130' INT TERM
        _tmp=$LSD_TMP/travelers
        mkdir -p "$_tmp"
        _i=$((from + _w)) _gen=""
        while [ "$_i" -lt "$travelers" ]; do
                if done_all "$_i"; then
                        _i=$((_i + jobs)); continue
                fi
                _dir=$_tmp/$_i
                if [ -z "$_gen" ]; then
                        make_clip "$_i" "$_dir" || { printf '{"index":%s,"error":"lanesim failed: %s"}\n' "$_i" \
                                "$(head -c 200 "$_dir.err" | tr -d '"\\\n')" >>"$results"; _i=$((_i + jobs)); continue; }
                else
                        wait "$_gen" || { printf '{"index":%s,"error":"lanesim failed"}\n' "$_i" >>"$results"; }
                fi
                _next=$((_i + jobs)) _gen=""
                while [ "$_next" -lt "$travelers" ] && done_all "$_next"; do
                        _next=$((_next + jobs))
                done
                if [ "$_next" -lt "$travelers" ]; then
                        make_clip "$_next" "$_tmp/$_next" &
                        _gen=$!
                fi
                if [ -f "$_dir/manifest" ]; then
                        run_one "$_i" "$_dir" "$LANESIGHTD" "$results" "$out"
                        [ -n "$results_b" ] && run_one "$_i" "$_dir" "$LANESIGHTD_B" "$results_b" "$out_b"
                fi
                rm -rf "$_dir" "$_dir.err" "$_dir.result"
                _i=$_next
        done
}

echo "lane-bench: $travelers travelers (seed $seed, photos from $data), $jobs at a time, backend ${LSD_BACKEND:-cpu}" >&2
pids=""
w=0
while [ "$w" -lt "$jobs" ]; do
        (worker "$w") &
        pids="$pids $!"
        w=$((w + 1))
done
trap 'kill $pids 2>/dev/null; wait; exit 130' INT TERM
fail=0
for p in $pids; do wait "$p" || fail=1; done
[ "$fail" -eq 0 ] || echo "lane-bench: a worker failed (see above)" >&2
if [ -n "$results_b" ]; then
        echo "=== A: $LANESIGHTD"
        python3 "$here/lane-report.py" report --travelers "$travelers" --from "$from" --out "$out" "$results"
        echo "=== B: $LANESIGHTD_B"
        python3 "$here/lane-report.py" report --travelers "$travelers" --from "$from" --out "$out_b" "$results_b"
else
        python3 "$here/lane-report.py" report --travelers "$travelers" --from "$from" --out "$out" "$results"
fi
