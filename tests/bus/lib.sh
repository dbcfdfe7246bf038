# Shared by the bus tests (sourced): a private dbus-daemon and a lanesightd
# on the demo clip (Backend=cpu), both torn down by the EXIT trap.
#
# Inputs (environment, set by the wrapper that tests/bus/bus.mk writes):
#   LSD_BIN      the lanesightd binary
#   LSD_MODELS   the model directory
#   LSD_CLIP     the demo clip (Y4M)
#   LSD_PORTRAIT, LSD_IMPOSTOR, LSD_NOFACE   images
#   LSD_XML      packaging/dbus/org.lanesight.Lanesight1.xml
# Optional: LSD_WRAP runs the daemon under a tool (e.g. "valgrind -q
# --error-exitcode=99"), LSD_START_TENTHS bounds its start (default 300).
set -u
# lsd_start_bus: the private bus the demo and lanesightctl's tests use too.
. "$(dirname "$0")/../demo/lib.sh"

BUS_NAME=org.lanesight.Lanesight1
ROOT=/org/lanesight/Lanesight1
CAM=$ROOT/camera/0
IF=org.lanesight.Lanesight1
ERR=org.lanesight.Lanesight1.Error

# lanesightd answers root and group lanesight only (its own check, tested here).
if [ "$(id -u)" -ne 0 ] && ! id -Gn | tr ' ' '\n' | grep -qx lanesight; then
        echo "SKIP: $(basename "$0"): needs root or group lanesight"
        exit 0
fi
for tool in dbus-daemon busctl gdbus dbus-send python3; do
        command -v "$tool" >/dev/null || { echo "SKIP: $(basename "$0"): no $tool"; exit 0; }
done

T=$(mktemp -d /tmp/lsd-bus-test.XXXXXX)
chmod 0755 "$T"         # the unprivileged caller must reach the bus socket
BUS_PID=""
LSD_PID=""
BG_PIDS=""
n_fail=0

cleanup() {
        for p in $BG_PIDS $LSD_PID $BUS_PID; do
                kill "$p" 2>/dev/null
        done
        for p in $BG_PIDS $LSD_PID $BUS_PID; do
                wait "$p" 2>/dev/null
        done
        rm -rf "$T"
        [ -n "$LSD_TMP" ] && rm -rf "$LSD_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; n_fail=$((n_fail + 1)); }
# check NAME CMD...: PASS when CMD succeeds.
check() { name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
finish() { [ "$n_fail" -eq 0 ]; exit $?; }

# Waits (bounded, 0.05 s steps) until CMD succeeds; $1 = tenths of a second.
wait_for() {
        max=$1; shift
        i=0
        while [ "$i" -lt "$((max * 2))" ]; do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.05
                i=$((i + 1))
        done
        return 1
}

start_bus() {
        lsd_start_bus || exit 1
        BUS_PID=$LSD_BUS_PID
}

# write_config [EXTRA LINES...]: the daemon's configuration in $T/lanesightd.conf.
write_config() {
        {
                printf '[Camera]\nDevice=file:%s\nLoop=yes\n' "$LSD_CLIP"
                printf '[Pipeline]\nBackend=cpu\nModelDirectory=%s\nThreads=1\n' "$LSD_MODELS"
                for l in "$@"; do printf '%s\n' "$l"; done
        } >"$T/lanesightd.conf"
}

bctl() { busctl --system "$@"; }
name_owned() { bctl status "$BUS_NAME" >/dev/null 2>&1; }

# start_daemon: runs lanesightd on $T/lanesightd.conf; waits for its bus name.
start_daemon() {
        # shellcheck disable=SC2086
        LANESIGHT_LOG_LEVEL=${LANESIGHT_LOG_LEVEL:-info} ${LSD_WRAP:-} "$LSD_BIN" --config "$T/lanesightd.conf" \
                >"$T/lsd.log" 2>&1 &
        LSD_PID=$!
        if ! wait_for "${LSD_START_TENTHS:-300}" name_owned; then
                echo "lanesightd did not take its bus name"; cat "$T/lsd.log"; exit 1
        fi
}

# stop_daemon: SIGTERM; checks a clean exit (status 0: under LSD_WRAP=valgrind
# or a sanitizer build, no error and no leak) and a log free of sanitizer reports.
stop_daemon() {
        kill -TERM "$LSD_PID"
        wait "$LSD_PID"; rc=$?
        LSD_PID=""
        if [ "$rc" -eq 0 ] && ! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error:' "$T/lsd.log"; then
                pass "lanesightd stops cleanly on SIGTERM"
        else
                fail "lanesightd exit status $rc"; grep -A20 'Sanitizer\|runtime error' "$T/lsd.log" | head -40
        fi
}

daemon_alive() { kill -0 "$LSD_PID" 2>/dev/null && name_owned; }

# bg OUT CMD...: runs CMD in the background, output to OUT; sets BG_PID. fd 7
# (the writer end of a holding peer's stdin) is not inherited.
bg() {
        out=$1; shift
        "$@" >"$out" 2>&1 7>&- &
        BG_PID=$!
        BG_PIDS="$BG_PIDS $BG_PID"
}
