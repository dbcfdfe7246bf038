#!/bin/sh
# Runs test programs and counts their cases.
#
#   tests/run-tests.sh [--valgrind] [--timeout SECONDS] TEST...
#
# A test prints "PASS: x", "FAIL: x" or "SKIP: x" lines, one per case. A
# program that exits non-zero without printing a FAIL line counts as one
# failure (a crash, a timeout); one that prints nothing and exits 0 is a
# failure too: a test that asserts nothing is not a pass. Skips are shown
# and never counted as passes. Ends with "N passed, N failed, N skipped".
set -u
valgrind=""
tmo=300
while [ $# -gt 0 ]; do
        case "$1" in
        --valgrind)
                valgrind="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no --suppressions=tests/valgrind.supp"
                for s in tests/gpu/*.supp; do [ -r "$s" ] && valgrind="$valgrind --suppressions=$s"; done
                # lavapipe compiles pipelines very slowly under memcheck.
                export LANESIGHT_VK_TIMEOUT_MS=600000
                shift ;;
        --timeout) tmo="$2"; shift 2 ;;
        *) break ;;
        esac
done

pass=0; fail=0; skip=0; failed_names=""
logdir=${TEST_LOGDIR:-build/test-logs}
mkdir -p "$logdir"
for t in "$@"; do
        name=$(basename "$t")
        log="$logdir/$name.log"
        start=$(date +%s)
        case "$t" in
        *.sh) timeout -k 10 "$tmo" sh "$t" >"$log" 2>&1 ;;
        *)    timeout -k 10 "$tmo" $valgrind "$t" >"$log" 2>&1 ;;
        esac
        rc=$?
        secs=$(( $(date +%s) - start ))
        p=$(grep -c '^PASS: ' "$log"); f=$(grep -c '^FAIL: ' "$log"); s=$(grep -c '^SKIP: ' "$log")
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
                f=1
                [ "$rc" -eq 124 ] && echo "FAIL: $name (timed out after ${tmo}s)" >>"$log" \
                                  || echo "FAIL: $name (exit status $rc)" >>"$log"
        fi
        if [ "$rc" -eq 0 ] && [ $((p + f + s)) -eq 0 ]; then
                f=1; echo "FAIL: $name (ran no case)" >>"$log"
        fi
        pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
        if [ "$f" -gt 0 ]; then
                printf '  FAIL %-34s %3d passed, %d failed (%ss)\n' "$name" "$p" "$f" "$secs"
                sed 's/^/    | /' "$log" | tail -n 40
                failed_names="$failed_names $name"
        else
                printf '  ok   %-34s %3d passed%s (%ss)\n' "$name" "$p" \
                        "$( [ "$s" -gt 0 ] && echo ", $s skipped")" "$secs"
                grep '^SKIP: \|  skip: ' "$log" | sed 's/^/    | /'
        fi
done
echo
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
