#!/bin/sh
# Honest transfer accounting through the real daemon, per backend: a streaming
# frame moves no pixels and no input tensor from the host to the device (the
# CPU backend preprocesses into its arena; Vulkan on lavapipe and OpenCL on
# PoCL import the frame's memory), and only the detector's outputs come back.
# Camera.FrameBytesToDevice / FrameBytesFromDevice are the latest frame's,
# BytesToDevice / BytesFromDevice the sums over FramesProcessed frames.
. "$(dirname "$0")/lib.sh"

start_bus
prop() { busctl --system get-property "$BUS_NAME" "$CAM" "$IF.Camera" "$1" | awk '{ $1 = ""; sub(/^ /, ""); print }'; }

for backend in cpu vulkan opencl; do
        write_config
        sed -i "s/^Backend=cpu/Backend=$backend/" "$T/lanesightd.conf"
        LSD_START_TENTHS=600 start_daemon
        if ! busctl --system get-property "$BUS_NAME" "$ROOT" "$IF.Manager" Backend | grep -q "\"$backend\""; then
                echo "SKIP: $backend: not available here ($(busctl --system get-property "$BUS_NAME" "$ROOT" "$IF.Manager" Backend))"
                stop_daemon
                continue
        fi
        # Lavapipe compiles its pipelines with the first frames: a generous bound, then a few frames more.
        wait_for 1200 sh -c "[ \$(busctl --system get-property $BUS_NAME $CAM $IF.Camera FramesProcessed | awk '{print \$2}') -ge 4 ]"
        n=$(prop FramesProcessed); path=$(prop ImportPath | tr -d '"')
        to=$(prop BytesToDevice); from=$(prop BytesFromDevice)
        fto=$(prop FrameBytesToDevice); ffrom=$(prop FrameBytesFromDevice)
        echo "  $backend: import $path, $n frames, to the device $to B ($fto B the last frame)," \
                "back $from B ($ffrom B the last frame)"
        check "$backend: frames processed ($n)" test "$n" -ge 4
        case $backend in
        cpu) check "cpu: frames read through the mapping (import path $path)" test "$path" = host ;;
        *) check "$backend: frames imported, not copied (import path $path)" sh -c "[ '$path' = dmabuf ] || [ '$path' = hostptr ]" ;;
        esac
        check "$backend: no byte to the device for any frame ($to B over $n frames)" test "$to" -eq 0
        # BlazeFace front-128's outputs: 896 scores and 896 x 16 box values, float32 (and no embedding:
        # no session waits for a capture): about 61 KB per frame, nothing more.
        check "$backend: only the detector's outputs come back ($ffrom B the last frame)" \
                sh -c "[ $ffrom -gt 0 ] && [ $ffrom -le 70000 ]"
        stop_daemon
done

finish
