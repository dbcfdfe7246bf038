#!/bin/sh
# The Vulkan checks for a machine with a real GPU (issue 4), in one run of a
# few minutes: builds the Vulkan tests, the golden tool and lanesight-infer,
# runs the Vulkan tests, the full golden set on the Vulkan backend, the frame
# path bench, and the per-model latency on vulkan and cpu.
#
#   tests/gpu/vk-gpu-check.sh MODELS_DIR [OUT_DIR]
#
# MODELS_DIR holds <id>.onnx (the machine has no network: carry it). The
# device machine may lack the Vulkan loader: see the device README (.gl/ debs,
# VK_DRIVER_FILES for the NVIDIA ICD). Results go to OUT_DIR (default
# ./vk-gpu-results): one log per step and summary.txt.
set -u
models=${1:?usage: vk-gpu-check.sh MODELS_DIR [OUT_DIR]}
out=${2:-vk-gpu-results}
build=build/vk-gpu
mkdir -p "$out"
jobs=$(nproc 2>/dev/null || echo 4)

step() {
        name=$1; shift
        start=$(date +%s)
        "$@" >"$out/$name.log" 2>&1
        rc=$?
        printf '%-22s rc=%d %5ds\n' "$name" "$rc" "$(( $(date +%s) - start ))" | tee -a "$out/summary.txt"
}

: >"$out/summary.txt"
step build make -j"$jobs" BUILD=$build $build/tests/test-vk-context $build/tests/test-vk-import \
        $build/tests/test-vk-preprocess $build/tests/test-vk-ops $build/tests/bench-vk \
        $build/tests/golden-tool $build/lanesight-infer
step tests env TEST_LOGDIR="$out/test-logs" tests/run-tests.sh $build/tests/test-vk-context $build/tests/test-vk-import \
        $build/tests/test-vk-preprocess $build/tests/test-vk-ops
tail -n 3 "$out/tests.log" >>"$out/summary.txt"
grep -h "device '\|worst\|prepare\|max |vk" "$out"/test-logs/test-vk-*.log 2>/dev/null | head -40 >>"$out/summary.txt"
step golden sh tests/golden/check-golden.sh --backend vulkan --infer $build/lanesight-infer \
        --tool $build/tests/golden-tool --models "$models" --threads 1
grep -c '^PASS' "$out/golden.log" | sed 's/^/golden passed: /' >>"$out/summary.txt"
grep '^FAIL' "$out/golden.log" >>"$out/summary.txt"
step bench $build/tests/bench-vk 200
cat "$out/bench.log" >>"$out/summary.txt"
for m in "$models"/*.onnx; do
        for b in vulkan cpu; do
                $build/lanesight-infer --model "$m" --backend $b --threads 0 --repeat 20 2>/dev/null >>"$out/latency.log"
        done
done
cat "$out/latency.log" >>"$out/summary.txt"
cat "$out/summary.txt"
