#!/bin/sh
# How lanesightctl reads an image path (issue 12): a FIFO without a writer gives up after its
# deadline, /dev/zero and a directory are named for what they are, a FIFO or pipe with a writer works.
# Environment (set by make check): LANESIGHTCTL, LANESIGHT_TEST_MODELS, LANESIGHT_TEST_PORTRAIT.
set -u
ctl="${LANESIGHTCTL:?} --models ${LANESIGHT_TEST_MODELS:?} --threads 1"
grace=${LANESIGHT_TEST_PORTRAIT:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=0

check() {       # check NAME EXPECTED_RC PATTERN FILE: template FILE, stderr must contain PATTERN
        timeout 30 $ctl template "$4" >"$tmp/out" 2>"$tmp/err"; rc=$?
        if [ "$rc" -eq "$2" ] && { [ -z "$3" ] || grep -q -- "$3" "$tmp/err"; }; then echo "PASS: $1"; else
                echo "  $1: exit $rc (expected $2):"; sed 's/^/    /' "$tmp/err" | head -3; echo "FAIL: $1"; failed=1; fi
}

mkfifo "$tmp/silent"
start=$(date +%s)
check silent-fifo-deadline 3 "cannot read '$tmp/silent': no data arrived within 5 s" "$tmp/silent"
[ $(( $(date +%s) - start )) -lt 20 ] && echo "PASS: silent-fifo-prompt" || { echo "FAIL: silent-fifo-prompt"; failed=1; }
check dev-zero 3 "cannot read '/dev/zero': it is a device" /dev/zero
grep -q "Is a directory" "$tmp/err" && { echo "FAIL: dev-zero-not-a-directory"; failed=1; } || echo "PASS: dev-zero-not-a-directory"
check directory 3 "cannot read '$tmp': it is a directory" "$tmp"

mkfifo "$tmp/fed"
( sleep 1; cat "$grace" >"$tmp/fed" ) &
check fifo-with-writer 0 "" "$tmp/fed"
grep -q "1 face" "$tmp/out" && echo "PASS: fifo-with-writer-face" || { echo "FAIL: fifo-with-writer-face"; failed=1; }
wait
exit $failed
