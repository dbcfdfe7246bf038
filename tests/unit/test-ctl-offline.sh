#!/bin/sh
# lanesightctl's offline commands as a user runs them: exit codes, JSON and messages.
# Environment (set by make check): LANESIGHTCTL, LANESIGHT_TEST_MODELS, LANESIGHT_TEST_PORTRAIT,
# LANESIGHT_TEST_IMPOSTOR, LANESIGHT_TEST_NOFACE.
set -u
ctl="${LANESIGHTCTL:?} --models ${LANESIGHT_TEST_MODELS:?}"
grace=${LANESIGHT_TEST_PORTRAIT:?}; eileen=${LANESIGHT_TEST_IMPOSTOR:?}; ice=${LANESIGHT_TEST_NOFACE:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=0

check() {       # check NAME EXPECTED_RC COMMAND... ; output in $tmp/out, $tmp/err
        name=$1; want=$2; shift 2
        "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
        if [ "$rc" -ne "$want" ]; then
                echo "  $name: exit $rc, expected $want"; sed 's/^/    /' "$tmp/err" | head -5
                echo "FAIL: $name"; failed=1; return 1
        fi
        return 0
}
expect() {      # expect NAME FILE PATTERN
        if grep -q -- "$3" "$2"; then echo "PASS: $1"; else
                echo "  $1: no '$3' in:"; head -c 600 "$2" | sed 's/^/    /'; echo; echo "FAIL: $1"; failed=1; fi
}

check compare-genuine 0 $ctl --json compare "$grace" "$grace" &&
        expect compare-genuine "$tmp/out" '"match":true'
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["score"] > 0.99 and len(d["faces"]) == 2 and d["faces"][0]["guidance"] == "ok", d' "$tmp/out" \
        && echo "PASS: compare-json-fields" || { echo "FAIL: compare-json-fields"; failed=1; }

check compare-impostor 1 $ctl --json compare "$grace" "$eileen" &&
        expect compare-impostor "$tmp/out" '"match":false'

check compare-text 1 $ctl compare "$grace" "$eileen" && expect compare-text "$tmp/out" 'no match (threshold 0.284)'

check threshold-option 0 $ctl --threshold -1 compare "$grace" "$eileen" && expect threshold-option "$tmp/out" 'MATCH'

check no-face 3 $ctl compare "$grace" "$ice" && expect no-face "$tmp/err" "no face found in '$ice'"
check no-face-json 3 $ctl --json compare "$ice" "$grace" && expect no-face-json "$tmp/out" '"error":"no-face"'

head -c 3000 "$grace" >"$tmp/truncated.jpg"
check corrupt-image 3 $ctl compare "$grace" "$tmp/truncated.jpg" && expect corrupt-image "$tmp/err" 'corrupt or truncated'
echo "hello" >"$tmp/text.jpg"
check not-an-image 3 $ctl compare "$tmp/text.jpg" "$grace" && expect not-an-image "$tmp/err" 'not a JPEG, PNG or JPEG 2000'
check missing-file 3 $ctl template "$tmp/nope.jpg" && expect missing-file "$tmp/err" 'No such file'

check usage-args 2 $ctl compare "$grace" && expect usage-args "$tmp/err" 'compare takes two images'
check usage-verb 2 $ctl frobnicate && expect usage-verb "$tmp/err" "unknown command 'frobnicate'"
check usage-threshold 2 $ctl --threshold 7 compare "$grace" "$grace" && expect usage-threshold "$tmp/err" 'invalid --threshold'
check bad-models 4 ${LANESIGHTCTL} --models "$tmp" compare "$grace" "$grace" && expect bad-models "$tmp/err" 'cannot start the face engine'

check template-json 0 $ctl --json template "$grace" && expect template-json "$tmp/out" '"template":"TFNGV'
check template-file 0 $ctl -o "$tmp/t.bin" template "$grace"
if [ "$(head -c 4 "$tmp/t.bin")" = LSFT ] && [ "$(stat -c %s "$tmp/t.bin")" -eq $((48 + 512 * 4)) ] &&
   [ "$(stat -c %a "$tmp/t.bin")" = 600 ]; then echo "PASS: template-file-format"; else echo "FAIL: template-file-format"; failed=1; fi

check help 0 ${LANESIGHTCTL} --help && expect help "$tmp/out" 'compare IMAGE1 IMAGE2'
exit $failed
