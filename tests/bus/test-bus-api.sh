#!/bin/sh
# The API through real peers (busctl, gdbus, dbus-send): introspection
# against the committed interface file, properties and PropertiesChanged,
# the caller check, and bad arguments answered with the documented errors
# while the service keeps running.
. "$(dirname "$0")/lib.sh"
: "${LSD_PEER:?}" "${LSD_XML:?}" "${LSD_NOFACE:?}"
HERE=$(dirname "$0")

start_bus
write_config
start_daemon

# expect_err DESC ERROR CMD...: CMD fails with the D-Bus error ERROR (gdbus
# and dbus-send print the error's name).
expect_err() {
        desc=$1; want=$2; shift 2
        out=$("$@" 2>&1) && { fail "$desc: succeeded: $out"; return; }
        case "$out" in
        *"$want:"*) pass "$desc ($want)" ;;
        *) fail "$desc: wanted $want, got: $out" ;;
        esac
}
gcall() { obj=$1; method=$2; shift 2; gdbus call --system -d "$BUS_NAME" -o "$obj" -m "$method" "$@"; }
dsend() { obj=$1; method=$2; shift 2; dbus-send --system --print-reply --dest="$BUS_NAME" "$obj" "$method" "$@"; }
prop() { busctl --system get-property "$BUS_NAME" "$@"; }
# A template as dbus-send's array:byte:... argument (template.py KIND ARGS...).
tpl_arg() { python3 "$HERE/template.py" "$@" | awk '{ $1 = ""; sub(/^ /, ""); gsub(/ /, ","); print "array:byte:" $0 }'; }

# --- Introspection: every object against the committed interface file.
mkfifo "$T/hold.in"
bg "$T/hold.out" sh -c "exec '$LSD_PEER' open hold <'$T/hold.in'"
HOLD=$BG_PID
exec 7>"$T/hold.in"
wait_for 100 grep -q '^holding' "$T/hold.out"
SESSION=$(awk '/^session/ {print $2}' "$T/hold.out")
for spec in "$ROOT:$IF.Manager $IF.Gallery" "$CAM:$IF.Camera" "$SESSION:$IF.Session"; do
        obj=${spec%%:*}
        busctl --system introspect --xml-interface "$BUS_NAME" "$obj" >"$T/live.xml"
        # shellcheck disable=SC2086
        if python3 "$HERE/introspect-compare.py" "$LSD_XML" "$T/live.xml" ${spec#*:} >"$T/cmp.out"; then
                pass "introspection of $obj matches $(basename "$LSD_XML")"
        else
                fail "introspection of $obj differs:"; cat "$T/cmp.out"
        fi
done

# --- Properties.
ver=$("$LSD_BIN" --version | awk '{print $2}')
check "Manager.Version is $ver" sh -c "busctl --system get-property $BUS_NAME $ROOT $IF.Manager Version | grep -qx 's \"$ver\"'"
check "Manager.Backend is cpu" sh -c "busctl --system get-property $BUS_NAME $ROOT $IF.Manager Backend | grep -qx 's \"cpu\"'"
check "Manager.Cameras lists camera 0" sh -c "busctl --system get-property $BUS_NAME $ROOT $IF.Manager Cameras | grep -qx 'ao 1 \"$CAM\"'"
check "Manager.GetCameras lists camera 0" sh -c "busctl --system call $BUS_NAME $ROOT $IF.Manager GetCameras | grep -qx 'ao 1 \"$CAM\"'"
check "Camera.State is streaming" sh -c "busctl --system get-property $BUS_NAME $CAM $IF.Camera State | grep -qx 's \"streaming\"'"
wh=$(head -c 200 "$LSD_CLIP" | head -n 1 | tr ' ' '\n' | sed -n 's/^W//p; s/^H//p' | tr '\n' ' ')
check "Camera.Size is the clip's ${wh% }" sh -c "busctl --system get-property $BUS_NAME $CAM $IF.Camera Size | grep -qx '(uu) ${wh% }'"
check "Camera.ImportPath is host (CPU backend)" sh -c "busctl --system get-property $BUS_NAME $CAM $IF.Camera ImportPath | grep -qx 's \"host\"'"
check "Manager.ImportPath is host" sh -c "busctl --system get-property $BUS_NAME $ROOT $IF.Manager ImportPath | grep -qx 's \"host\"'"
f1=$(prop "$CAM" "$IF.Camera" FramesCaptured | awk '{print $2}')
conv=$(prop "$CAM" "$IF.Camera" BytesConverted | awk '{print $2}')
check "Camera.BytesConverted counts the file source's conversion ($conv)" test "${conv:-0}" -gt 0
check "Camera.ImportBytesCopied is 0 on the host path" sh -c "busctl --system get-property $BUS_NAME $CAM $IF.Camera ImportBytesCopied | grep -qx 't 0'"
check "Session.State is idle, OptOut false" sh -c "busctl --system get-property $BUS_NAME $SESSION $IF.Session State OptOut | tr '\n' ' ' | grep -qx 's \"idle\" b false '"

# --- PropertiesChanged, heard by a plain client.
bg "$T/mon.log" gdbus monitor --system --dest "$BUS_NAME"
MON=$BG_PID
wait_for 100 grep -q 'is owned by' "$T/mon.log"
t=$(gcall "$ROOT" "$IF.Manager.ExtractTemplate" 3 3<"$LSD_PORTRAIT" | sed -n 's/^(\(\[[^]]*\]\).*/\1/p')
check "ExtractTemplate returns a 2096-byte template" test "$(echo "$t" | tr ',' '\n' | wc -l)" -eq 2096
gcall "$ROOT" "$IF.Gallery.Add" hopper "$t" 60 >/dev/null
check "PropertiesChanged: Gallery.Count 1 after Add" \
        wait_for 50 grep -q "PropertiesChanged ('$IF.Gallery', {'Count': <uint32 1>}" "$T/mon.log"
check "PropertiesChanged: Camera counters invalidated" \
        wait_for 50 grep -q "PropertiesChanged ('$IF.Camera', @a{sv} {}, \['FramesCaptured'" "$T/mon.log"
f2=$(prop "$CAM" "$IF.Camera" FramesCaptured | awk '{print $2}')
check "Camera.FramesCaptured grows ($f1 -> $f2)" test "${f2:-0}" -gt "${f1:-0}"
gcall "$ROOT" "$IF.Gallery.Clear" >/dev/null
check "PropertiesChanged: Gallery.Count 0 after Clear" \
        wait_for 50 grep -q "PropertiesChanged ('$IF.Gallery', {'Count': <uint32 0>}" "$T/mon.log"

# --- The service's own caller check (the bus here lets anyone through).
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if [ "$(id -u)" -ne 0 ]; then
        echo "SKIP: caller check (setpriv needs root)"
else
        expect_err "caller outside group lanesight: GetCameras" "$ERR.AccessDenied" \
                nobody gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Manager.GetCameras"
        expect_err "caller outside group lanesight: OpenSession" "$ERR.AccessDenied" \
                nobody gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Manager.OpenSession" "$CAM" '{}'
        expect_err "caller outside group lanesight: ExtractTemplate" "$ERR.AccessDenied" \
                nobody gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Manager.ExtractTemplate" 3 3<"$LSD_PORTRAIT"
        expect_err "caller outside group lanesight: Gallery.List" "$ERR.AccessDenied" \
                nobody dbus-send --system --print-reply --dest="$BUS_NAME" "$ROOT" "$IF.Gallery.List"
        # A session's methods are its owner's alone (authorized when it opened the session): anyone else is not the owner.
        expect_err "caller outside group lanesight: Session.Close of another's session" "$ERR.NotOwner" \
                nobody dbus-send --system --print-reply --dest="$BUS_NAME" "$SESSION" "$IF.Session.Close"
        if nobody busctl --system call "$BUS_NAME" "$ROOT" "$IF.Manager" GetCameras >/dev/null 2>&1; then
                fail "busctl as nobody was answered"
        else
                pass "busctl as nobody is refused"
        fi
fi

# --- Bad arguments.
expect_err "OpenSession with the wrong signature" org.freedesktop.DBus.Error.InvalidArgs \
        dsend "$ROOT" "$IF.Manager.OpenSession" string:"$CAM"
expect_err "OpenSession on an unknown camera" "$ERR.NoSuchCamera" \
        gcall "$ROOT" "$IF.Manager.OpenSession" "$ROOT/camera/7" '{}'
expect_err "OpenSession with an unknown option" org.freedesktop.DBus.Error.InvalidArgs \
        gcall "$ROOT" "$IF.Manager.OpenSession" "$CAM" "{'colour': <true>}"
expect_err "OpenSession with an option of the wrong type" org.freedesktop.DBus.Error.InvalidArgs \
        gcall "$ROOT" "$IF.Manager.OpenSession" "$CAM" "{'opt_out': <'yes'>}"
expect_err "OpenSession with candidates=0" org.freedesktop.DBus.Error.InvalidArgs \
        gcall "$ROOT" "$IF.Manager.OpenSession" "$CAM" "{'candidates': <uint32 0>}"
expect_err "OpenSession with min_quality=NaN" org.freedesktop.DBus.Error.InvalidArgs \
        gcall "$ROOT" "$IF.Manager.OpenSession" "$CAM" "{'min_quality': <nan>}"
expect_err "Identify with a garbage template" "$ERR.InvalidTemplate" \
        dsend "$ROOT" "$IF.Gallery.Identify" "$(tpl_arg garbage 300)" uint32:1
expect_err "Identify with an empty template" "$ERR.InvalidTemplate" \
        dsend "$ROOT" "$IF.Gallery.Identify" array:byte: uint32:1
expect_err "Identify with an oversized template (8192 dims)" "$ERR.InvalidTemplate" \
        dsend "$ROOT" "$IF.Gallery.Identify" "$(tpl_arg oversized)" uint32:1
expect_err "Identify with a NaN template" "$ERR.InvalidTemplate" \
        dsend "$ROOT" "$IF.Gallery.Identify" "$(tpl_arg nan fr-feature-112 512)" uint32:1
expect_err "Identify with an unnormalised template" "$ERR.InvalidTemplate" \
        dsend "$ROOT" "$IF.Gallery.Identify" "$(tpl_arg unnormalised fr-feature-112 512)" uint32:1
expect_err "Identify with a template of the wrong dimension" "$ERR.InvalidTemplate" \
        dsend "$ROOT" "$IF.Gallery.Identify" "$(tpl_arg valid fr-feature-112 128)" uint32:1
expect_err "Identify with another model's template" "$ERR.InvalidTemplate" \
        dsend "$ROOT" "$IF.Gallery.Identify" "$(tpl_arg valid arcface-r100 512)" uint32:1
good=$(tpl_arg valid fr-feature-112 512)
check "Identify with a well-formed template is answered" sh -c \
        "dbus-send --system --print-reply --dest=$BUS_NAME $ROOT $IF.Gallery.Identify $good uint32:1 >/dev/null"
expect_err "Identify with k=0" org.freedesktop.DBus.Error.InvalidArgs \
        dsend "$ROOT" "$IF.Gallery.Identify" "$good" uint32:0
expect_err "Identify with k=101" org.freedesktop.DBus.Error.InvalidArgs \
        dsend "$ROOT" "$IF.Gallery.Identify" "$good" uint32:101
expect_err "Gallery.Add with an empty id" org.freedesktop.DBus.Error.InvalidArgs \
        dsend "$ROOT" "$IF.Gallery.Add" string: "$good" uint64:60
expect_err "Gallery.Add with a 31-day time to live" org.freedesktop.DBus.Error.InvalidArgs \
        dsend "$ROOT" "$IF.Gallery.Add" string:x "$good" uint64:2678400
expect_err "Gallery.Remove of an unknown id" "$ERR.NotFound" dsend "$ROOT" "$IF.Gallery.Remove" string:nobody
expect_err "ExtractTemplate from a directory fd" "$ERR.InvalidImage" \
        gcall "$ROOT" "$IF.Manager.ExtractTemplate" 3 3<"$T"
expect_err "ExtractTemplate from /dev/null (a device)" "$ERR.InvalidImage" \
        gcall "$ROOT" "$IF.Manager.ExtractTemplate" 3 3</dev/null
expect_err "ExtractTemplate from a text file" "$ERR.InvalidImage" \
        gcall "$ROOT" "$IF.Manager.ExtractTemplate" 3 3<"$HERE/lib.sh"
head -c 3000 "$LSD_PORTRAIT" >"$T/truncated.jpg"
expect_err "ExtractTemplate from a truncated JPEG" "$ERR.InvalidImage" \
        gcall "$ROOT" "$IF.Manager.ExtractTemplate" 3 3<"$T/truncated.jpg"
expect_err "ExtractTemplate from a photo without a face" "$ERR.NoFace" \
        gcall "$ROOT" "$IF.Manager.ExtractTemplate" 3 3<"$LSD_NOFACE"
# shellcheck disable=SC2002 # a pipe on purpose: the fd must not be a regular file
out=$(cat "$LSD_PORTRAIT" | gcall "$ROOT" "$IF.Manager.ExtractTemplate" 3 3<&0 2>&1)
case "$out" in "([byte 0x4c, 0x53, 0x46, 0x54, "*) pass "ExtractTemplate from a pipe" ;;
*) fail "ExtractTemplate from a pipe: $(echo "$out" | head -c 200)" ;; esac
mkfifo "$T/slow.fifo"
bg /dev/null sh -c "exec sleep 20 >'$T/slow.fifo'"
SLOW=$BG_PID
start_s=$(date +%s)
# The stalled pipe is read on the main loop as data comes, never waited for: while its caller
# waits for the read deadline (5 s), other callers are answered at once.
bg "$T/slow.out" gcall "$ROOT" "$IF.Manager.ExtractTemplate" 3 3<"$T/slow.fifo"
SLOWCALL=$BG_PID
sleep 1
t0=$(date +%s%N)
gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m org.freedesktop.DBus.Properties.Get "$IF.Manager" Version >/dev/null
t1=$(date +%s%N)
check "Properties.Get answered while a pipe stalls ($(( (t1 - t0) / 1000000 )) ms)" \
        test $(( (t1 - t0) / 1000000 )) -lt 1000
wait "$SLOWCALL" 2>/dev/null
took=$(( $(date +%s) - start_s ))
check "ExtractTemplate from a pipe whose writer stalls: InvalidImage" grep -q "$ERR.InvalidImage" "$T/slow.out"
check "the stalled caller is answered at the 5 s read deadline (took ${took}s)" test "$took" -ge 4 -a "$took" -le 8
kill "$SLOW" 2>/dev/null
expect_err "ExtractTemplate with the wrong signature" org.freedesktop.DBus.Error.InvalidArgs \
        dsend "$ROOT" "$IF.Manager.ExtractTemplate" int32:3
expect_err "another caller's session: Start" "$ERR.NotOwner" dsend "$SESSION" "$IF.Session.Start"
expect_err "another caller's session: SetReference" "$ERR.NotOwner" dsend "$SESSION" "$IF.Session.SetReference" "$good"
expect_err "a session that does not exist" org.freedesktop.DBus.Error.UnknownObject \
        dsend "$ROOT/session/999" "$IF.Session.Start"
exec 7>&-
wait "$HOLD"
check "service still running after the bad calls" daemon_alive
check "service still answers" sh -c "busctl --system get-property $BUS_NAME $CAM $IF.Camera State | grep -qx 's \"streaming\"'"
stop_daemon
finish
