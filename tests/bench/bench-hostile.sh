#!/bin/sh
# make bench: the hostile-caller case. lanesightd streams a 1080p30 file camera
# on the CPU backend while 16 callers pass ExtractTemplate a pipe that never
# closes (each call again as soon as it is answered) and one caller passes an
# 8192x8192 PNG of ~200 KB over and over. Measured from outside, in the same
# run, against a quiet phase of the same length:
#   - Properties.Get round trips of a plain client (p50/p99/max, 20 per second);
#   - the largest gap between WATCHDOG=1 notifications (WATCHDOG_USEC=4 s: the
#     service pings every 2 s; systemd would kill it after 4 s without one);
#   - frames captured, processed and dropped by the camera during the phase;
#   - FrameProcessed latency (capture timestamp to a client's receipt) and rate;
#   - the daemon's peak RSS (VmHWM).
#
#   bench-hostile.sh [--seconds N]        (default 20 per phase)
# Inputs as for the bus tests (tests/bus/lib.sh), plus LSD_MAKE_CLIP, set by the wrapper.
secs=20
while [ $# -gt 0 ]; do
        case "$1" in
        --seconds) secs=$2; shift 2 ;;
        *) echo "bench-hostile: unknown option $1" >&2; exit 2 ;;
        esac
done
HERE=$(dirname "$0")/../bus
. "$HERE/lib.sh"
: "${LSD_MAKE_CLIP:?}" "${LSD_PORTRAIT:?}"

echo "bench-hostile: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs," \
        "ISA: $(grep -o -w 'avx512f\|avx2\|fma\|neon\|asimd' /proc/cpuinfo | sort -u | tr '\n' ' ')"
"$LSD_MAKE_CLIP" "$LSD_PORTRAIT" "$T/clip.y4m" 1920 1080 30 4 >/dev/null || exit 1
# An 8192x8192 grey PNG: 64 Mpixel (192 MiB as RGB) in ~200 KB.
python3 - "$T/huge.png" <<'PY' || exit 1
import struct, sys, zlib
w = h = 8192
row = b"\0" + b"\x80" * w
comp = zlib.compressobj(9)
data = b"".join(comp.compress(row) for _ in range(h)) + comp.flush()
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
                              chunk(b"IDAT", data) + chunk(b"IEND", b""))
PY

start_bus
bg "$T/notify.log" python3 "$HERE/notify-listen.py" "$T/notify.sock" "$T/notify.log" --timestamps
wait_for 50 grep -q listening "$T/notify.log"
write_config
sed -i "s|^Device=file:.*|Device=file:$T/clip.y4m|; s/^Threads=1/Threads=0/" "$T/lanesightd.conf"
NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=4000000 LANESIGHT_LOG_LEVEL=warning start_daemon
sleep 3         # the first frames warm the pipeline up

counter() { busctl --system get-property "$BUS_NAME" "$CAM" "$IF.Camera" "$1" | awk '{print $2}'; }
now_s() { awk '{print $1}' /proc/uptime; }
# Largest gap between WATCHDOG=1 notifications stamped within [from, to] (monotonic seconds).
wd_gap() {
        awk -v from="$1" -v to="$2" '/^@/ { t = substr($0, 2) + 0; next }
                /^WATCHDOG=1$/ { if (t >= from && t <= to) { if (last) { g = t - last; if (g > max) max = g } last = t } }
                END { printf "%.1f", max }' "$T/notify.log"
}

phase() {       # phase NAME: measures one phase of $secs seconds
        n=$((secs * 20))
        c0=$(counter FramesCaptured); p0=$(counter FramesProcessed); d0=$(counter FramesDropped)
        t0=$(python3 -c 'import time; print(time.monotonic())')
        bg "$T/lat-$phase_name.out" "$LSD_PEER" latency $((secs * 30 - 30)) $((secs + 5))
        lat=$BG_PID
        gp=$(timeout $((secs + 30)) "$LSD_PEER" getprop "$n" 20)
        wait "$lat"
        t1=$(python3 -c 'import time; print(time.monotonic())')
        c1=$(counter FramesCaptured); p1=$(counter FramesProcessed); d1=$(counter FramesDropped)
        # shellcheck disable=SC2046 # split on purpose
        set -- $(echo "$gp" | sed -n 's/^getprop n=[0-9]* p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\) max_ms=\([0-9.]*\) errors=\([0-9]*\)/\1 \2 \3 \4/p')
        l=$(sed -n 's/^latency n=[0-9]* p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\) max_ms=[0-9.]* fps=\([0-9.]*\).*/\1 \2 \3/p' "$T/lat-$phase_name.out")
        printf '%-8s %8s %8s %8s %6s %9s %9s %8s %8s %7s %10s %9s %9s %6s\n' "$phase_name" "${1:--}" "${2:--}" "${3:--}" \
                "${4:--}" "$(wd_gap "$t0" "$t1")" $((c1 - c0)) $((p1 - p0)) $((d1 - d0)) \
                "$(echo "$l" | awk '{print $1}')" "$(echo "$l" | awk '{print $2}')" "$(echo "$l" | awk '{print $3}')" \
                "$(awk '/VmHWM/ {print int($2 / 1024)}' /proc/"$LSD_PID"/status)" "$hostile_answers"
}

printf '%-8s %8s %8s %8s %6s %9s %9s %8s %8s %7s %10s %9s %9s %6s\n' phase get_p50 get_p99 get_max errors \
        wd_gap_s captured processed dropped e2e_p50 e2e_p99_ms fps peak_MB calls
phase_name=quiet hostile_answers=0 phase quiet

# The hostile callers: each stalled pipe has a writer that never writes nor closes.
end=$(($(date +%s) + secs + 10))
i=0
while [ $i -lt 16 ]; do
        mkfifo "$T/stall$i"
        bg /dev/null sh -c "exec sleep $((secs + 60)) >'$T/stall$i'"
        bg "$T/caller$i.out" sh -c "while [ \$(date +%s) -lt $end ]; do
                gdbus call --system -d $BUS_NAME -o $ROOT -m $IF.Manager.ExtractTemplate 3 3<'$T/stall$i'; done"
        i=$((i + 1))
done
bg "$T/caller-png.out" sh -c "while [ \$(date +%s) -lt $end ]; do
        gdbus call --system -d $BUS_NAME -o $ROOT -m $IF.Manager.ExtractTemplate 3 3<'$T/huge.png'; done"
sleep 2
hostile_answers="-"
phase_name=hostile phase hostile
answers=$(cat "$T"/caller*.out | grep -c 'Error\|byte')
echo "bench-hostile: $answers answers to the hostile callers; their errors:" \
        "$(cat "$T"/caller*.out | sed -n 's/.*GDBus.Error:\([^:]*\):.*/\1/p' | sort | uniq -c | tr '\n' ';')"
kill -0 "$LSD_PID" && echo "bench-hostile: lanesightd still running, bus name owned: $(name_owned && echo yes || echo no)"
