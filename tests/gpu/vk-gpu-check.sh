#!/bin/sh
# The checks for a machine with a real GPU (issues 4 and 11), in one run of a
# few minutes: builds what it needs, runs the Vulkan tests and the face
# pipeline's backend tests, the full golden set on Vulkan, the import bench,
# the per-model latency and transfer counters (lanesight-infer) on vulkan,
# opencl and cpu, the frame path bench (bytes per frame each way, detect and
# capture latency) at 1920x1080, and the daemon path: lanesightd on a
# 1920x1080 30 fps file camera per backend (end-to-end p50/p99, frames per
# second, the Camera's import path and transfer counters).
#
#   tests/gpu/vk-gpu-check.sh [--quick] MODELS_DIR [OUT_DIR]
#
# --quick: small sizes and few frames, no golden set: checks that the script
# runs (lavapipe and PoCL on a CPU-only machine do it in a few minutes).
# MODELS_DIR holds <id>.onnx; the portrait comes from build/cache (carry both:
# the machine has no network). The device machine may lack the Vulkan loader:
# see the device README (.gl/ debs, VK_DRIVER_FILES for the NVIDIA ICD).
# OpenCL runs where an ICD exists and is reported as not available otherwise.
# Results go to OUT_DIR (default ./vk-gpu-results): one log per step and
# summary.txt.
set -u
quick=no
if [ "${1:-}" = --quick ]; then quick=yes; shift; fi
models=${1:?usage: vk-gpu-check.sh [--quick] MODELS_DIR [OUT_DIR]}
models=$(cd "$models" && pwd)
out=${2:-vk-gpu-results}
build=${VK_GPU_BUILD:-build/vk-gpu}    # VK_GPU_BUILD=build reuses a finished build (the --quick run here)
mkdir -p "$out"
out=$(cd "$out" && pwd)
jobs=$(nproc 2>/dev/null || echo 4)
portrait=$(find build/cache -name grace_hopper_512x512.jpg 2>/dev/null | head -n 1)
impostor=$(find build/cache -name astronaut.png 2>/dev/null | head -n 1)
backends="vulkan opencl cpu"
if [ $quick = yes ]; then
        size=640x480; fps=15; seconds=2; frames=6; e2e_frames=10; repeat=3; bench_frames=20
else
        size=1920x1080; fps=30; seconds=2; frames=60; e2e_frames=150; repeat=20; bench_frames=200
fi

step() {
        name=$1; shift
        start=$(date +%s)
        "$@" >"$out/$name.log" 2>&1
        rc=$?
        printf '%-22s rc=%d %5ds\n' "$name" "$rc" "$(( $(date +%s) - start ))" | tee -a "$out/summary.txt"
}

: >"$out/summary.txt"
echo "vk-gpu-check: quick=$quick size=$size@$fps models=$models portrait=${portrait:-none}" | tee -a "$out/summary.txt"
vk_tests="$build/tests/test-vk-context $build/tests/test-vk-import $build/tests/test-vk-preprocess $build/tests/test-vk-ops"
step build make -j"$jobs" BUILD=$build MODELS_DIR="$models" $vk_tests $build/tests/bench-vk \
        $build/tests/test-face-backends $build/tests/bench-frame-path $build/tests/golden-tool $build/lanesight-infer \
        $build/lanesightd $build/tests/lsd-peer $build/lanesight-make-clip
export LANESIGHT_TEST_MODELS="$models" LANESIGHT_TEST_PORTRAIT="$portrait" LANESIGHT_TEST_IMPOSTOR="$impostor"
# shellcheck disable=SC2086 # the list splits on purpose
step tests env TEST_LOGDIR="$out/test-logs" tests/run-tests.sh $vk_tests $build/tests/test-face-backends
tail -n 3 "$out/tests.log" >>"$out/summary.txt"
grep -h "device '\|worst\|prepare\|max |vk\|reach\|detect frames\|capture frame" "$out"/test-logs/test-*.log 2>/dev/null |
        head -60 >>"$out/summary.txt"
if [ $quick = no ]; then
        step golden sh tests/golden/check-golden.sh --backend vulkan --infer $build/lanesight-infer \
                --tool $build/tests/golden-tool --models "$models" --threads 1
        grep -c '^PASS' "$out/golden.log" | sed 's/^/golden passed: /' >>"$out/summary.txt"
        grep '^FAIL' "$out/golden.log" >>"$out/summary.txt"
fi
step bench-vk $build/tests/bench-vk $bench_frames
cat "$out/bench-vk.log" >>"$out/summary.txt"

# Per model: latency and the backend's transfer counters (an input set once, run N times).
latency() {
        for m in "$models"/*.onnx; do
                for b in $backends; do
                        $build/lanesight-infer --model "$m" --backend $b --threads 0 --repeat $repeat 2>&1 | tail -n 1
                done
        done
}
step latency latency
cat "$out/latency.log" >>"$out/summary.txt"

# The frame path in the face pipeline: bytes per frame each way and detect/capture latency per backend.
step frame-path $build/tests/bench-frame-path --size $size --frames $frames --threads 0 --backends "$backends"
cat "$out/frame-path.log" >>"$out/summary.txt"

# The daemon path: a file camera at $size and $fps fps per backend (the clip loops; 2 s of 1080p is 187 MB).
clip="${TMPDIR:-/tmp}/lanesight-clip-$size-$fps.y4m"
step clip $build/lanesight-make-clip "$portrait" "$clip" "${size%x*}" "${size#*x}" $fps $seconds
step daemon-path env LSD_BIN=$build/lanesightd LSD_PEER=$build/tests/lsd-peer LSD_MODELS="$models" LSD_CLIP="$clip" \
        sh tests/gpu/daemon-path.sh $e2e_frames "$backends"
cat "$out/daemon-path.log" >>"$out/summary.txt"
rm -f "$clip"
cat "$out/summary.txt"
