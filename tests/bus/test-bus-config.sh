#!/bin/sh
# Configuration that changes what the service sees and judges, through the
# real daemon: [Camera] RegionOfInterest= limits the faces of every frame to
# the region, and the [Quality] limits judge reference photos exactly as they
# judge frames (one set of limits for every path).
. "$(dirname "$0")/lib.sh"

start_bus

# frames FILE N: FrameProcessed signals of N frames into FILE (the face tuples, one signal per line).
frames() {
        bg "$1.raw" gdbus monitor --system --dest "$BUS_NAME"
        mon=$BG_PID
        wait_for 200 sh -c "[ \$(grep -c FrameProcessed '$1.raw') -ge $2 ]"
        kill "$mon" 2>/dev/null
        grep FrameProcessed "$1.raw" | head -n "$2" | sed 's/.*\[/[/' >"$1"
}

# --- The region of interest: a strip at the bottom of the 640x480 clip, where no face ever is.
write_config '[Camera]' 'RegionOfInterest=0,360,640,120'
start_daemon
frames "$T/roi-out" 90
check "region without a face: 90 frames processed" test "$(wc -l <"$T/roi-out")" -eq 90
check "region without a face: no frame reports a face" sh -c "! grep -q '(uint32' '$T/roi-out'"
check "region without a face: FacesInView is 0" sh -c \
        "busctl --system get-property $BUS_NAME $ROOT/camera/0 $IF.Camera FacesInView | grep -qx 'u 0'"
stop_daemon

# The same clip with a region around the booth position: faces, every box inside or across the region.
write_config '[Camera]' 'RegionOfInterest=160,40,340,360'
start_daemon
frames "$T/roi-in" 90
check "region around the face: faces found" grep -q '(uint32' "$T/roi-in"
# A face cut by the region's edge gets a box that reaches beyond it, but never one that misses it.
outside=$(sed 's/(uint32 [0-9]*, /\n/g' "$T/roi-in" | awk -F', ' 'NF >= 4 {
        if ($3 <= 160 || $1 >= 500 || $4 <= 40 || $2 >= 400) n++ } END { print n + 0 }')
check "region around the face: every box overlaps the region ($outside do not)" test "$outside" -eq 0
stop_daemon

# --- Reference photos are judged with the configured limits: the portrait's eyes are ~87 px apart.
tpl_quality() { gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Manager.ExtractTemplate" 3 3<"$1"; }
write_config
start_daemon
out=$(tpl_quality "$LSD_PORTRAIT" 2>&1)
case "$out" in *"'guidance': <'ok'>"*) pass "default limits: the portrait is an ok reference" ;;
*) fail "default limits: $(echo "$out" | tr -d '\n' | tail -c 300)" ;; esac
stop_daemon
write_config '[Quality]' 'MinInterEyeDistance=120' 'MaxInterEyeDistance=400'
start_daemon
out=$(tpl_quality "$LSD_PORTRAIT" 2>&1)
case "$out" in *"'guidance': <'move-closer'>"*) pass "MinInterEyeDistance=120: the portrait is judged move-closer" ;;
*) fail "MinInterEyeDistance=120: $(echo "$out" | tr -d '\n' | tail -c 300)" ;; esac
ied=$(echo "$out" | sed -n "s/.*'inter_eye_px': <\([0-9.]*\)>.*/\1/p")
check "the portrait's inter-eye distance ${ied:-?} px is below the limit" awk -v v="${ied:-999}" 'BEGIN { exit !(v < 120) }'
stop_daemon

# --- A poor reference is refused with a named error carrying the reason, never analysed into a template.
write_config '[Quality]' 'MinReferenceQuality=99'
start_daemon
out=$(tpl_quality "$LSD_PORTRAIT" 2>&1)
case "$out" in *"$ERR.PoorReference: Poor reference photo: "*) pass "MinReferenceQuality=99: PoorReference ($(echo "$out" | sed 's/.*Poor reference photo: //'))" ;;
*) fail "MinReferenceQuality=99: $(echo "$out" | tr -d '\n' | tail -c 300)" ;; esac
stop_daemon

finish
