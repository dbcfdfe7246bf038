#!/bin/sh
# The sd_notify protocol through a test NOTIFY_SOCKET: READY=1 and STATUS=,
# WATCHDOG=1 while frames flow (WATCHDOG_USEC set), RELOADING=1 then
# READY=1 on SIGHUP (a good configuration applied, a bad one refused with
# the old one kept), STOPPING=1 on SIGTERM and a clean exit.
. "$(dirname "$0")/lib.sh"
HERE=$(dirname "$0")

start_bus
bg "$T/notify.log" python3 "$HERE/notify-listen.py" "$T/notify.sock" "$T/notify.log"
wait_for 100 test -S "$T/notify.sock"
write_config '[Matching]' 'Threshold=0.4'
NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=1000000 start_daemon

has() { grep -q "$1" "$T/notify.log"; }
count() { grep -c "$1" "$T/notify.log"; }
threshold() { busctl --system get-property "$BUS_NAME" "$ROOT" "$IF.Manager" MatchThreshold | awk '{print $2}'; }

check "READY=1 once the service is up" wait_for 100 has '^READY=1$'
check "STATUS= names camera, backend and import path" \
        wait_for 100 grep -q '^STATUS=Camera file:.* streaming .*backend cpu, import host' "$T/notify.log"
check "WATCHDOG=1 pings keep coming (WATCHDOG_USEC=1s)" wait_for 100 sh -c "[ \$(grep -c '^WATCHDOG=1$' '$T/notify.log') -ge 3 ]"
check "MatchThreshold is the configured 0.4" sh -c "[ '$(threshold)' = 0.4 ] || [ '$(threshold)' = 0.4000000059604645 ]"

# A good new configuration.
write_config '[Matching]' 'Threshold=0.5'
ready_before=$(count '^READY=1$')
kill -HUP "$LSD_PID"
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC=" wait_for 100 grep -q '^MONOTONIC_USEC=[0-9][0-9]*$' "$T/notify.log"
check "SIGHUP: RELOADING=1" has '^RELOADING=1$'
check "SIGHUP: READY=1 again" wait_for 100 sh -c "[ \$(grep -c '^READY=1$' '$T/notify.log') -gt $ready_before ]"
check "SIGHUP: the new threshold applies" wait_for 50 sh -c "busctl --system get-property $BUS_NAME $ROOT $IF.Manager MatchThreshold | grep -qx 'd 0.5'"

# A bad one: refused, the running one kept.
write_config '[Matching]' 'Threshold=0.9' 'Colour=blue'
reloading_before=$(count '^RELOADING=1$')
ready_before=$(count '^READY=1$')
kill -HUP "$LSD_PID"
check "bad config: RELOADING=1 then READY=1" wait_for 100 sh -c \
        "[ \$(grep -c '^RELOADING=1$' '$T/notify.log') -gt $reloading_before ] && [ \$(grep -c '^READY=1$' '$T/notify.log') -gt $ready_before ]"
check "bad config: refused, naming the key" grep -q 'New configuration refused.*Colour' "$T/lsd.log"
check "bad config: the old threshold stays" sh -c "busctl --system get-property $BUS_NAME $ROOT $IF.Manager MatchThreshold | grep -qx 'd 0.5'"
check "bad config: the service still answers" daemon_alive

# SIGTERM: STOPPING=1 and a clean exit.
kill -TERM "$LSD_PID"
check "SIGTERM: STOPPING=1" wait_for 100 has '^STOPPING=1$'
i=0; while kill -0 "$LSD_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
wait "$LSD_PID"; rc=$?
LSD_PID=""
check "SIGTERM: exit status 0 (got $rc)" test "$rc" -eq 0
check "SIGTERM: the bus name is released" sh -c "! busctl --system status $BUS_NAME >/dev/null 2>&1"
# A missing camera is not fatal: READY=1 all the same, and the service says so.
write_config
sed -i 's|^Device=.*|Device=/dev/video-lanesight-missing|' "$T/lanesightd.conf"
: >"$T/notify.log"
NOTIFY_SOCKET="$T/notify.sock" start_daemon
check "missing camera: READY=1" wait_for 100 has '^READY=1$'
check "missing camera: State is disconnected" sh -c \
        "busctl --system get-property $BUS_NAME $CAM $IF.Camera State | grep -qx 's \"disconnected\"'"
check "missing camera: STATUS= says disconnected" grep -q '^STATUS=Camera /dev/video-lanesight-missing disconnected' "$T/notify.log"
finish
