#!/bin/sh
# lanesightctl's bus commands against a real lanesightd on a private system
# bus (tests/demo/lib.sh): JSON of status/cameras/watch, verify match and no
# match (exit codes, the final JSON line), opt-out, gallery add/list/remove/
# clear, identify, the unreachable service (exit 5), bad arguments, and watch's
# camera state lines (a clip played once ends: "stopped").
# Environment (set by make check): LANESIGHTCTL, LANESIGHTD, LANESIGHT_TEST_MODELS,
# LANESIGHT_TEST_PORTRAIT, LANESIGHT_TEST_IMPOSTOR, LANESIGHT_TEST_NOFACE, LANESIGHT_TEST_CLIP.
set -u
: "${LANESIGHTCTL:?}" "${LANESIGHTD:?}"
LSD_MODELS=${LANESIGHT_TEST_MODELS:?}; LSD_CLIP=${LANESIGHT_TEST_CLIP:?}
grace=${LANESIGHT_TEST_PORTRAIT:?}; eileen=${LANESIGHT_TEST_IMPOSTOR:?}; ice=${LANESIGHT_TEST_NOFACE:?}
command -v dbus-daemon >/dev/null || { echo "SKIP: test-ctl-bus (no dbus-daemon)"; exit 77; }
. "$(dirname "$0")/../demo/lib.sh"
ctl="timeout 40 $LANESIGHTCTL"     # every call bounded, even if lanesightd hangs
out=$(mktemp -d); trap 'lsd_stop; rm -rf "$out"' EXIT; trap 'exit 130' INT TERM HUP PIPE
failed=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failed=1; }
# run NAME EXPECTED_RC CMD...: output in $out/NAME.out and .err
run() {
        _name=$1; _want=$2; shift 2
        "$@" >"$out/$_name.out" 2>"$out/$_name.err"; _rc=$?
        if [ "$_rc" -ne "$_want" ]; then
                echo "  $_name: exit $_rc, expected $_want"; sed 's/^/    /' "$out/$_name.err" | head -5
                fail "$_name"; return 1
        fi
        return 0
}
# expect NAME WHICH PATTERN: PASS if $out/NAME.WHICH contains PATTERN.
expect() {
        if grep -q -- "$3" "$out/$1.$2"; then pass "$1"; else
                echo "  $1: no '$3' in:"; head -c 600 "$out/$1.$2" | sed 's/^/    /'; echo; fail "$1"; fi
}
# pyjson NAME PYTHON-EXPR [OUT]: queued; checked at the end in one python3 run (startup
# is slow on a busy machine) over d = the last line of $out/OUT.out (OUT: NAME) as JSON,
# L = every line as JSON.
pyjson() {
        printf '%s\t%s\t%s\n' "$1" "${3:-$1}" "$2" >>"$out/checks"
}
check_json() {
        [ -s "$out/checks" ] || return 0
        python3 - "$out" <<'PY' || failed=1
import json, sys
out, ok = sys.argv[1], True
for line in open(out + "/checks"):
    name, f, expr = line.rstrip("\n").split("\t", 2)
    try:
        L = [json.loads(x) for x in open(f"{out}/{f}.out").read().splitlines()]
        d = L[-1]
        assert eval(expr), d
        print("PASS:", name)
    except Exception as e:
        print(f"  {name}: {expr} failed: {e!r}"[:800]); print("FAIL:", name); ok = False
sys.exit(0 if ok else 1)
PY
}

# --- no bus, no service: exit 5 ---
run no-bus 5 env DBUS_SYSTEM_BUS_ADDRESS=unix:path=$out/nothing-here $ctl status &&
        expect no-bus err 'cannot reach lanesightd'
lsd_start_bus || { echo "FAIL: start-bus"; exit 1; }
run no-daemon 5 $ctl status && expect no-daemon err 'lanesightd is not running'
run no-daemon-json 5 $ctl --json gallery list && pyjson no-daemon-json 'd["error"] == "service-unreachable"'

# --- bad arguments: exit 2 before any call ---
run usage-verify 2 $ctl verify && expect usage-verify err 'reference IMAGE (or --template FILE) is required'
run usage-verify-both 2 $ctl verify --reference "$grace" --template "$grace" && expect usage-verify-both err 'exclude each other'
run usage-count 2 $ctl watch --count 0 && expect usage-count err "invalid --count '0'"
run usage-gallery 2 $ctl gallery frob && expect usage-gallery err "unknown action 'frob'"
run usage-gallery-add 2 $ctl gallery add only-id && expect usage-gallery-add err 'takes an ID and either'
run usage-candidates 2 $ctl identify --candidates 0 && expect usage-candidates err "invalid --candidates '0'"
run usage-status 2 $ctl status extra && expect usage-status err "unexpected argument 'extra'"
run usage-timeout 2 $ctl verify --reference "$grace" --timeout -1 && expect usage-timeout err 'invalid --timeout'
for verb in status cameras watch verify identify gallery; do
        run "help-$verb" 0 $ctl "$verb" --help && expect "help-$verb" out "Usage: lanesightctl .*$verb"
done

lsd_start_daemon || { echo "FAIL: start-daemon"; exit 1; }

# --- status, cameras, watch ---
run status-json 0 $ctl --json status &&
        pyjson status-json 'd["manager"]["Backend"] == "cpu" and d["manager"]["Version"] and d["gallery"]["Count"] == 0 and len(d["cameras"]) == 1 and d["cameras"][0]["State"] == "streaming" and d["manager"]["MatchThreshold"] > 0'
run status-text 0 $ctl status && expect status-text out 'State *streaming'
run cameras-json 0 $ctl cameras --json &&
        pyjson cameras-json 'd["cameras"][0]["path"].startswith("/org/lanesight/Lanesight1/") and d["cameras"][0]["Size"][0] > 0'
run watch-json 0 timeout 20 $ctl --json watch --count 3 --timeout 15 &&
        pyjson watch-json 'len(L) == 3 and all("guidance" in x and isinstance(x["faces"], list) for x in L) and L[0]["sequence"] < L[1]["sequence"] < L[2]["sequence"]'
run watch-timeout 0 timeout 10 $ctl watch --camera /org/lanesight/Lanesight1/none --timeout 0.5 &&
        { [ ! -s "$out/watch-timeout.out" ] && pass watch-timeout || fail watch-timeout; }

# --- gallery (templates from photos, in the service) ---
run gallery-add 0 $ctl gallery add grace "$grace" && expect gallery-add out "Added 'grace'"
run gallery-add2 0 $ctl --json gallery add eileen "$eileen" --ttl 600 && pyjson gallery-add2 'd["added"] == "eileen"'
run gallery-noface 3 $ctl gallery add ice "$ice" && expect gallery-noface err 'no face found'
run gallery-list 0 $ctl --json gallery list && pyjson gallery-list 'sorted(d["ids"]) == ["eileen", "grace"] and d["count"] == 2'
run identify-image 0 $ctl --json identify --image "$grace" &&
        pyjson identify-image 'd["id"] == "grace" and d["match"] and d["score"] > 0.99 and d["candidates"][1]["id"] == "eileen" and not d["candidates"][1]["match"]'

# --- sessions on the clip, in parallel: genuine, impostor, identify, opt-out, a template reference ---
$ctl --models "$LSD_MODELS" -o "$out/grace.lsft" template "$grace" >/dev/null 2>&1
$ctl --json verify --reference "$grace" --timeout 25 >"$out/verify-match.out" 2>"$out/verify-match.err" & p1=$!
$ctl --json verify --reference "$eileen" --timeout 25 >"$out/verify-nomatch.out" 2>"$out/verify-nomatch.err" & p2=$!
$ctl --json identify --candidates 2 --timeout 25 >"$out/identify-camera.out" 2>"$out/identify-camera.err" & p3=$!
$ctl verify --opt-out --timeout 25 >"$out/opt-out.out" 2>"$out/opt-out.err" & p4=$!
$ctl --json verify --template "$out/grace.lsft" --timeout 25 >"$out/verify-template.out" 2>"$out/verify-template.err" & p5=$!
wait $p1; rc1=$?; wait $p2; rc2=$?; wait $p3; rc3=$?; wait $p4; rc4=$?; wait $p5; rc5=$?
[ $rc1 -eq 0 ] && pyjson verify-match 'd["match"] is True and d["score"] >= d["threshold"]' || { echo "  exit $rc1"; fail verify-match; }
[ $rc2 -eq 1 ] && pyjson verify-nomatch 'd["match"] is False and d["score"] < d["threshold"]' || { echo "  exit $rc2"; fail verify-nomatch; }
grep -q '"progress"' "$out/verify-match.out" && pass verify-progress || fail verify-progress
[ $rc3 -eq 0 ] && pyjson identify-camera 'd["id"] == "grace" and d["match"] and len(d["candidates"]) == 2' || { echo "  exit $rc3"; fail identify-camera; }
[ $rc4 -eq 0 ] && expect opt-out out 'no template was computed' || { echo "  exit $rc4"; fail opt-out; }
[ $rc5 -eq 0 ] && pyjson verify-template 'd["match"] is True and d["reference"].endswith("grace.lsft")' || { echo "  exit $rc5"; fail verify-template; }

# --- more gallery, and the service's refusals ---
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
        run denied 6 setpriv --reuid=65534 --regid=65534 --clear-groups $ctl --json gallery list &&
                expect denied err 'permission denied' && pyjson denied-json 'd["error"] == "access-denied"' denied
else
        echo "SKIP: denied (needs root and setpriv to call as nobody)"
fi
run gallery-remove 0 $ctl gallery remove eileen && expect gallery-remove out "Removed 'eileen'"
run gallery-remove-again 7 $ctl --json gallery remove eileen &&
        expect gallery-remove-again err 'not found' && pyjson gallery-remove-again-json 'd["error"] == "not-found"' gallery-remove-again
run gallery-clear 0 $ctl gallery clear
run gallery-empty 0 $ctl --json gallery list && pyjson gallery-empty 'd["count"] == 0'
run identify-empty 1 $ctl identify --image "$grace" && expect identify-empty out 'the gallery is empty'
run gallery-template 0 $ctl gallery add grace-file --template "$out/grace.lsft" &&
        run gallery-template-id 0 $ctl --json identify --image "$grace" && pyjson gallery-template-id 'd["id"] == "grace-file" and d["score"] > 0.99'
head -c 100 "$out/grace.lsft" >"$out/short.lsft"
run gallery-bad-template 7 $ctl gallery add bad --template "$out/short.lsft" && expect gallery-bad-template err 'invalid template'
run verify-bad-camera 7 $ctl verify --reference "$grace" --camera /org/lanesight/Lanesight1/nocam &&
        expect verify-bad-camera err 'no such camera'
run verify-missing-ref 3 $ctl verify --reference "$out/none.jpg" && expect verify-missing-ref err "cannot open"
run verify-noface-ref 3 $ctl --json verify --reference "$ice" && pyjson verify-noface-ref 'd["error"] == "no-face"'

# --- the service goes away: exit 5, also in the middle of a session ---
# (Quality 100 is never reached on the clip: the session waits until lanesightd goes.)
$ctl --json verify --reference "$grace" --min-quality 100 --timeout 20 >"$out/verify-gone.out" 2>"$out/verify-gone.err" & p=$!
sleep 1
kill "$LSD_PID"; wait "$LSD_PID" 2>/dev/null; LSD_PID=""
t0=$(date +%s)
wait $p; rc=$?
[ $rc -eq 5 ] && [ $(($(date +%s) - t0)) -lt 5 ] && pyjson verify-gone 'd["error"] == "service-unreachable"' ||
        { echo "  exit $rc"; fail verify-gone; }
run gone 5 $ctl cameras && expect gone err 'lanesightd is not running'

# --- the service ends a session on its timeout: verify stops waiting (exit 3) ---
lsd_start_daemon "[Session]
Timeout=1s" || { echo "FAIL: restart-daemon"; exit 1; }
run session-timeout 3 timeout 15 $ctl verify --reference "$grace" --min-quality 100 --timeout 20 &&
        expect session-timeout err 'ended the session'

# --- watch reports a camera's state changes: the clip played once ends ("stopped") ---
kill "$LSD_PID"; wait "$LSD_PID" 2>/dev/null; LSD_PID=""
lsd_start_daemon "[Camera]
Loop=no" || { echo "FAIL: restart-daemon-once"; exit 1; }
run watch-state 0 timeout 30 $ctl --json watch --timeout 15 &&
        pyjson watch-state '[x["state"] for x in L if "state" in x] == ["stopped"] and [x for x in L if "state" in x][0]["camera"] == "/org/lanesight/Lanesight1/camera/0" and any("guidance" in x for x in L)'
check_json
exit $failed
