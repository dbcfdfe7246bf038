#!/bin/sh
# make bench: end-to-end latency of lanesightd, per backend: the frame's
# capture timestamp (CLOCK_MONOTONIC, set by the file source when it delivers
# the frame) to a bus client's receipt of Camera.FrameProcessed (p50/p99/max),
# and the throughput the client sees, on the demo clip (15 fps, paced: the
# throughput cannot exceed 15). A private dbus-daemon per backend; a backend
# that does not start is reported as such.
#
#   bench-e2e.sh [--frames N] [--backends "cpu vulkan opencl"]
# Inputs as for the bus tests (tests/bus/lib.sh), set by the wrapper.
frames=90
backends="cpu vulkan opencl"
while [ $# -gt 0 ]; do
        case "$1" in
        --frames) frames=$2; shift 2 ;;
        --backends) backends=$2; shift 2 ;;
        *) echo "bench-e2e: unknown option $1" >&2; exit 2 ;;
        esac
done
. "$(dirname "$0")/../bus/lib.sh"
start_bus

printf '%-8s %6s %9s %9s %9s %7s  %s\n' backend frames p50_ms p99_ms max_ms fps note
for b in $backends; do
        write_config
        sed -i "s/^Backend=cpu/Backend=$b/" "$T/lanesightd.conf"
        LANESIGHT_LOG_LEVEL=warning "$LSD_BIN" --config "$T/lanesightd.conf" >"$T/lsd-$b.log" 2>&1 &
        LSD_PID=$!
        if ! wait_for 600 name_owned; then
                printf '%-8s %6s %9s %9s %9s %7s  %s\n' "$b" - - - - - "did not start: $(tail -n 1 "$T/lsd-$b.log")"
                kill "$LSD_PID" 2>/dev/null; wait "$LSD_PID" 2>/dev/null; LSD_PID=""
                continue
        fi
        # Let the first frames (pipeline warm-up) pass before measuring.
        out=$(timeout 120 "$LSD_PEER" quiet 1 latency "$frames" 60 2>&1)
        # shellcheck disable=SC2046 # split on purpose into the five numbers
        set -- $(echo "$out" | sed -n 's/^latency n=\([0-9]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\) max_ms=\([0-9.]*\) fps=\([0-9.]*\).*/\1 \2 \3 \4 \5/p')
        if [ $# -eq 5 ]; then
                printf '%-8s %6s %9s %9s %9s %7s  %s\n' "$b" "$1" "$2" "$3" "$4" "$5" \
                        "import $(busctl --system get-property "$BUS_NAME" "$CAM" "$IF.Camera" ImportPath | awk '{print $2}')"
        else
                printf '%-8s %6s %9s %9s %9s %7s  %s\n' "$b" - - - - - "no result: $out"
        fi
        kill "$LSD_PID" 2>/dev/null; wait "$LSD_PID" 2>/dev/null; LSD_PID=""
        wait_for 100 sh -c "! busctl --system status $BUS_NAME"
done
