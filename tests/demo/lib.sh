# Sourced by the demo and tests/unit/test-ctl-bus.sh: a private system bus
# (dbus-daemon in a temporary folder) with lanesightd on a Y4M clip, and
# their teardown. Needs: LANESIGHTD (binary), LSD_CLIP, LSD_MODELS.
# Sets LSD_TMP, DBUS_SYSTEM_BUS_ADDRESS (exported), LSD_BUS_PID, LSD_PID.
# The caller installs the trap: trap lsd_stop EXIT.

LSD_TMP=""; LSD_BUS_PID=""; LSD_PID=""

# lsd_wait TENTHS CMD...: runs CMD every 0.1 s until it succeeds; bounded.
lsd_wait() {
        _n=$1; shift
        while [ "$_n" -gt 0 ]; do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.1
                _n=$((_n - 1))
        done
        return 1
}

# lsd_start_bus: a dbus-daemon of type "system" that lets anyone own and call anything.
lsd_start_bus() {
        LSD_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lanesight-demo.XXXXXX") || return 1
        chmod 0755 "$LSD_TMP"   # unprivileged callers (tests) must reach the bus socket
        cat >"$LSD_TMP/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$LSD_TMP/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
CONF
        dbus-daemon --nofork --nopidfile --config-file="$LSD_TMP/bus.conf" >"$LSD_TMP/bus.log" 2>&1 &
        LSD_BUS_PID=$!
        DBUS_SYSTEM_BUS_ADDRESS="unix:path=$LSD_TMP/bus"
        export DBUS_SYSTEM_BUS_ADDRESS
        lsd_wait 50 test -S "$LSD_TMP/bus" || { echo "dbus-daemon did not start:" >&2; cat "$LSD_TMP/bus.log" >&2; return 1; }
}

# lsd_start_daemon [EXTRA CONFIG LINES]: lanesightd on $LSD_CLIP (looping), CPU backend.
lsd_start_daemon() {
        cat >"$LSD_TMP/lanesightd.conf" <<CONF
[Camera]
Device=file:$LSD_CLIP
Loop=yes
[Pipeline]
Backend=${LSD_BACKEND:-cpu}
ModelDirectory=$LSD_MODELS
${1:-}
CONF
        "$LANESIGHTD" --config "$LSD_TMP/lanesightd.conf" >"$LSD_TMP/lanesightd.log" 2>&1 &
        LSD_PID=$!
        # Ready once it answers on the bus; bounded by the clock (a busy daemon
        # may take long to answer) and ended early when the daemon dies.
        _end=$(($(date +%s) + ${LSD_START_TIMEOUT:-20}))
        while [ "$(date +%s)" -lt "$_end" ]; do
                timeout 3 "$LANESIGHTCTL" status >/dev/null 2>&1 && return 0
                kill -0 "$LSD_PID" 2>/dev/null || break
                sleep 0.1
        done
        echo "lanesightd did not come up:" >&2
        tail -20 "$LSD_TMP/lanesightd.log" >&2
        return 1
}

# lsd_stop: SIGTERM to lanesightd and the bus, bounded wait, then the folder goes.
lsd_stop() {
        for _p in $LSD_PID $LSD_BUS_PID; do
                kill "$_p" 2>/dev/null
                _n=50
                while [ "$_n" -gt 0 ] && kill -0 "$_p" 2>/dev/null; do sleep 0.1; _n=$((_n - 1)); done
                kill -9 "$_p" 2>/dev/null
                wait "$_p" 2>/dev/null
        done
        LSD_PID=""; LSD_BUS_PID=""
        [ -n "$LSD_TMP" ] && rm -rf "$LSD_TMP"
        LSD_TMP=""
}
