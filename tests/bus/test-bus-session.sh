#!/bin/sh
# Sessions through real peers: verification against the genuine portrait
# (match) and the impostor (no match), opt-out, identification against a
# gallery of ExtractTemplate templates, unicast-only results, release when
# the owner leaves, and the session timeout.
. "$(dirname "$0")/lib.sh"
: "${LSD_PEER:?}"

start_bus
write_config
start_daemon

peer() { timeout 60 "$LSD_PEER" "$@"; }
# A plain client listening to everything the service sends (no eavesdropping rights).
bg "$T/mon.log" gdbus monitor --system --dest "$BUS_NAME"
MON_PID=$BG_PID
wait_for 100 grep -q 'is owned by' "$T/mon.log"

# A second client asks for everyone's Session signals (eavesdrop='true').
bg "$T/eaves.out" "$LSD_PEER" eavesdrop 30
EAVES=$BG_PID
check "unicast: a second client asks to eavesdrop (match accepted)" wait_for 100 grep -q '^eavesdropping' "$T/eaves.out"

# 1:1 verification, genuine reference.
peer open ref-image "$LSD_PORTRAIT" start wait Verified 40 close >"$T/genuine.out" 2>&1
check "verify: the genuine reference matches" grep -q '^signal Verified [0-9.]* true$' "$T/genuine.out"
score=$(awk '/^signal Verified/ {print $3}' "$T/genuine.out")
check "verify: genuine score ${score:-none} >= 0.5" awk -v s="${score:-0}" 'BEGIN { exit !(s >= 0.5) }'
check "verify: Progress signals before the capture" grep -q '^signal Progress ' "$T/genuine.out"
n_tpl=$(awk '/^signal Captured/ {print $4}' "$T/genuine.out")
check "verify: Captured carries a template (${n_tpl:-0} bytes)" test "${n_tpl:-0}" -gt 48

# 1:1 verification, impostor reference.
peer open ref-image "$LSD_IMPOSTOR" start wait Verified 40 >"$T/impostor.out" 2>&1
check "verify: the impostor does not match" grep -q '^signal Verified [0-9.-]* false$' "$T/impostor.out"
iscore=$(awk '/^signal Verified/ {print $3}' "$T/impostor.out")
check "verify: impostor score ${iscore:-none} < genuine ${score:-none}" \
        awk -v a="${iscore:-1}" -v b="${score:-0}" 'BEGIN { exit !(a < b) }'

# Opt-out: guidance and a capture event, never a template, never a score.
peer open opt_out=b:true start wait Captured 40 quiet 0.5 >"$T/optout.out" 2>&1
check "opt-out: Captured with an empty template" grep -q '^signal Captured [0-9.]* 0$' "$T/optout.out"
check "opt-out: no Verified or Identified" sh -c "! grep -q 'Verified\|Identified' '$T/optout.out'"
peer open opt_out=b:true ref-image "$LSD_PORTRAIT" >"$T/optout-ref.out" 2>&1
check "opt-out: SetReferenceImage refused (OptedOut)" grep -q "^error $ERR.OptedOut:" "$T/optout-ref.out"

# 1:N: a gallery of two templates made by ExtractTemplate.
tpl() { gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Manager.ExtractTemplate" 3 3<"$1" |
        sed -n 's/^(\(\[[^]]*\]\).*/\1/p'; }
for who in hopper:"$LSD_PORTRAIT" collins:"$LSD_IMPOSTOR"; do
        t=$(tpl "${who#*:}")
        gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Gallery.Add" "${who%%:*}" "$t" 600 >/dev/null 2>&1 ||
                fail "gallery: Add ${who%%:*}"
done
check "gallery: Count is 2" sh -c "busctl --system get-property $BUS_NAME $ROOT $IF.Gallery Count | grep -qx 'u 2'"
peer open identify=b:true candidates=u:2 start wait Identified 40 >"$T/identify.out" 2>&1
check "identify: the traveler ranks first" grep -q '^signal Identified hopper:[0-9.]* collins:' "$T/identify.out"
t=$(tpl "$LSD_IMPOSTOR")
out=$(gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Gallery.Identify" "$t" 1 2>&1)
case "$out" in "([('collins', "*) pass "gallery: Identify(impostor template, 1) -> collins" ;;
*) fail "gallery: Identify(impostor template, 1) -> collins: $out" ;; esac

kill "$EAVES" 2>/dev/null; wait "$EAVES" 2>/dev/null
check "unicast: an eavesdropping client got none of another's signals" sh -c "! grep -q '^signal' '$T/eaves.out'"

# Unicast only: the listening client got broadcasts but none of the results.
kill "$MON_PID" 2>/dev/null; wait "$MON_PID" 2>/dev/null
check "unicast: the listener heard broadcasts (FrameProcessed)" grep -q 'Camera.FrameProcessed' "$T/mon.log"
check "PropertiesChanged: Session.State capturing, then done" sh -c \
        "grep -q \"PropertiesChanged ('$IF.Session', {'State': <'capturing'>}\" '$T/mon.log' &&
         grep -q \"PropertiesChanged ('$IF.Session', {'State': <'done'>}\" '$T/mon.log'"
check "ObjectManager: InterfacesAdded and InterfacesRemoved name the Session interface" sh -c \
        "grep -q \"InterfacesAdded (objectpath '$ROOT/session/1', {.*'$IF.Session'\" '$T/mon.log' &&
         grep -q \"InterfacesRemoved (objectpath '$ROOT/session/1', \[.*'$IF.Session'\" '$T/mon.log'"
check "unicast: the listener got no Progress/Captured/Verified/Identified" \
        sh -c "! grep -q 'Session\.\(Progress\|Captured\|Verified\|Identified\)' '$T/mon.log'"

# Release: the owner leaves the bus, the session object goes.
mkfifo "$T/hold.in"
bg "$T/hold.out" sh -c "exec '$LSD_PEER' open hold <'$T/hold.in'"
HOLD=$BG_PID
exec 7>"$T/hold.in"
wait_for 100 grep -q '^holding' "$T/hold.out"
path=$(awk '/^session/ {print $2}' "$T/hold.out")
check "release: the session exists while its owner is connected" \
        sh -c "busctl --system get-property $BUS_NAME $path $IF.Session State | grep -qx 's \"idle\"'"
exec 7>&-
wait "$HOLD"
gone() { ! busctl --system get-property "$BUS_NAME" "$path" "$IF.Session" State >/dev/null 2>&1; }
check "release: the session object is gone after the owner left" wait_for 50 gone

# Timeout: a reload (SIGHUP) sets Timeout=1s for new sessions; one ends by itself.
write_config '[Session]' 'Timeout=1s'
kill -HUP "$LSD_PID"
wait_for 100 grep -q 'Configuration reloaded' "$T/lsd.log"
peer open wait Removed 4 >"$T/timeout.out" 2>&1
check "timeout: the session is removed after 1 s" grep -q '^removed ' "$T/timeout.out"
# A reload with another embedder: templates of the old one mean nothing now. First the default session
# timeout again, so that the held session can only end because of the new embedder.
write_config
kill -HUP "$LSD_PID"
wait_for 100 sh -c "[ \$(grep -c 'Configuration reloaded' '$T/lsd.log') -ge 2 ]"
mkfifo "$T/hold2.in"
bg "$T/hold2.out" sh -c "exec '$LSD_PEER' open hold <'$T/hold2.in'"
HOLD=$BG_PID
exec 7>"$T/hold2.in"
wait_for 100 grep -q '^holding' "$T/hold2.out"
write_config '[Pipeline]' 'EmbedderId=fr-feature-112-retrained'
kill -HUP "$LSD_PID"
# The models are prepared on a worker while the service goes on: the swap comes when they are ready.
check "new embedder: models prepared again" wait_for 600 grep -q 'Configuration reloaded (models prepared again)' "$T/lsd.log"
check "new embedder: the open session ends" wait_for 200 grep -q '^removed ' "$T/hold2.out"
check "new embedder: ended because the models changed" grep -q 'ended (the face models changed)' "$T/lsd.log"
check "new embedder: the gallery starts empty" \
        sh -c "busctl --system get-property $BUS_NAME $ROOT $IF.Gallery Count | grep -qx 'u 0'"
out=$(gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Gallery.Identify" "$t" 1 2>&1)
case "$out" in *"$ERR.InvalidTemplate:"*) pass "new embedder: an old template is refused" ;;
*) fail "new embedder: an old template: $out" ;; esac
exec 7>&-
wait "$HOLD"
check "service still running" daemon_alive
stop_daemon
finish
