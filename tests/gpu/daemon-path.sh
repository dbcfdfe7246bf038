#!/bin/sh
# The daemon path per backend, for the GPU machine script (vk-gpu-check.sh):
# lanesightd on a file camera (LSD_CLIP, e.g. 1920x1080 at 30 fps) with
# Backend=<b>, on a private bus. Per backend: end-to-end latency p50/p99/max
# from the frame's capture timestamp to a bus client's receipt of
# Camera.FrameProcessed and the frames per second that client sees (lsd-peer),
# then every Camera property about the frame path (import path and transfer
# counters, frames captured/dropped) as the service publishes them.
#
#   daemon-path.sh FRAMES "BACKENDS"     (e.g. 150 "vulkan opencl cpu")
# Inputs (environment): LSD_BIN, LSD_PEER, LSD_MODELS, LSD_CLIP; root or
# group lanesight (tests/bus/lib.sh).
frames=${1:?usage: daemon-path.sh FRAMES BACKENDS}
backends=${2:?usage: daemon-path.sh FRAMES BACKENDS}
. "$(dirname "$0")/../bus/lib.sh"
start_bus

echo "clip: $(head -c 80 "$LSD_CLIP" | head -n 1)"
for b in $backends; do
        write_config
        sed -i "s/^Backend=cpu/Backend=$b/; s/^Threads=1/Threads=0/" "$T/lanesightd.conf"
        # A subshell per backend: start_daemon exits when the daemon does not come up, ending only this one.
        (
        LSD_START_TENTHS=600 start_daemon
        out=$(timeout 300 "$LSD_PEER" quiet 1 latency "$frames" 240 2>&1)
        echo "$b: $out"
        # Whatever the service publishes about the frame path (names as in docs/dbus-api.md).
        busctl --system introspect "$BUS_NAME" "$CAM" "$IF.Camera" 2>/dev/null |
                awk -v b="$b" '$2 == "property" && $1 ~ /Import|Bytes|Frames|FrameRate|Transfer|Latency/ {
                        v = ""; for (i = 4; i <= NF && $i !~ /^emits-|^const$|^writable$/; i++) v = v " " $i
                        printf "%s:   %s (%s) =%s\n", b, substr($1, 2), $3, v }'
        busctl --system get-property "$BUS_NAME" "$CAM" "$IF.Camera" Size 2>/dev/null | sed "s/^/$b:   Size = /"
        busctl --system get-property "$BUS_NAME" "$ROOT" "$IF.Manager" Backend 2>/dev/null | sed "s/^/$b:   Manager.Backend = /"
        grep -i "import\|backend" "$T/lsd.log" | head -n 3 | sed "s/^/$b:   log: /"
        kill "$LSD_PID" 2>/dev/null; wait "$LSD_PID" 2>/dev/null
        ) | sed "/^lanesightd did not take/s/^/$b: /"
        wait_for 100 sh -c "! busctl --system status $BUS_NAME"
done
