#!/bin/sh
# The build's fragment order: shared variables (config.mk) are known wherever
# a fragment uses them, so every target builds from a clean tree with a plain
# `make -j TARGET`, without `make check` fetching first. Builds selected
# targets into a fresh BUILD (and asks make for the plan of bigger ones), with
# its own model and download directories, so nothing is shared with build/.
set -u
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failed=1; }
# Not the calling make's jobserver or variables.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MODELS_DIR -u LANESIGHT_MODEL_CACHE -u WERROR -u VULKAN -u OPENCL -u SANITIZE -u VALGRIND \
        make --no-print-directory BUILD="$tmp/b" CACHE_DIR="$tmp/cache" "$@"; }

# The database: the pipeline test and lanesightctl's tests wait for the models
# and portraits (from config.mk's variables, defined before face.mk and ctl.mk read them).
mk -p -q -n "$tmp/b/tests/test-face-pipeline" >"$tmp/db" 2>/dev/null
for want in "$tmp/b/models/fr-feature-112.onnx" "$tmp/cache/facedetect/grace_hopper_512x512.jpg" \
            "$tmp/cache/skimage/astronaut.png"; do
        if grep -q "^$tmp/b/tests/test-face-pipeline:.*$want" "$tmp/db"; then
                pass "test-face-pipeline needs $(basename "$want")"
        else fail "test-face-pipeline needs $(basename "$want")"; fi
done
if grep -q "^tests/unit/test-ctl-offline.sh:.*$tmp/b/models/blazeface-front-128.onnx" "$tmp/db"; then
        pass "test-ctl-offline.sh needs the models"; else fail "test-ctl-offline.sh needs the models"; fi

# The plan of a clean `make -j2 lanesightctl test-face-pipeline`: fetch, generate, compile, link.
mk -n -j2 "$tmp/b/tests/test-face-pipeline" >"$tmp/plan" 2>&1
grep -q 'models/fetch.sh .*fr-feature-112' "$tmp/plan" && pass "plan fetches the models" || fail "plan fetches the models"
grep -q 'protoc-c' "$tmp/plan" && pass "plan generates the ONNX parser" || fail "plan generates the ONNX parser"

# Really built from the clean tree: an object that needs a generated header
# (order-only on GENERATED), and a program with its library.
if mk -j2 "$tmp/b/obj/gpu/onnx.o" >"$tmp/log1" 2>&1 && [ -s "$tmp/b/obj/gpu/onnx.o" ]; then
        pass "clean build of an object using generated headers"
else sed 's/^/    /' "$tmp/log1" | tail -5; fail "clean build of an object using generated headers"; fi
if mk -j2 "$tmp/b/tests/test-preprocess" >"$tmp/log2" 2>&1 && "$tmp/b/tests/test-preprocess" >"$tmp/out" 2>&1 &&
   grep -q '^PASS: ' "$tmp/out"; then
        pass "clean build of test-preprocess (library + program), and it runs"
else sed 's/^/    /' "$tmp/log2" | tail -5; fail "clean build of test-preprocess"; fi

# `make` builds what ships, not the tests.
mk -n all >"$tmp/all" 2>&1
if grep -q 'lanesightctl' "$tmp/all" && ! grep -q "$tmp/b/tests/" "$tmp/all"; then
        pass "make builds what ships, no test program"
else fail "make builds what ships, no test program"; fi

# Flags as given: CPPFLAGS on compile lines, -Werror only with WERROR=1.
mk -n -B V=1 CPPFLAGS=-DLS_CPPFLAGS_MARK "$tmp/b/obj/gpu/preprocess.o" >"$tmp/flags" 2>&1
grep -q -- '-DLS_CPPFLAGS_MARK' "$tmp/flags" && pass "CPPFLAGS reach the compiler" || fail "CPPFLAGS reach the compiler"
if ! grep -q -- '-Werror ' "$tmp/flags" && mk -n -B V=1 WERROR=1 "$tmp/b/obj/gpu/preprocess.o" 2>&1 | grep -q -- '-Werror '; then
        pass "-Werror only with WERROR=1"; else fail "-Werror only with WERROR=1"; fi
# A backend asked for but impossible fails with a message; auto says so loudly.
mk -j2 VULKAN=yes GLSLC=/nonexistent/glslc "$tmp/b/obj/gpu/preprocess.o" >"$tmp/vk" 2>&1
if grep -q 'VULKAN=yes, but /nonexistent/glslc' "$tmp/vk"; then pass "VULKAN=yes without glslc fails with a message"
else sed 's/^/    /' "$tmp/vk" | tail -3; fail "VULKAN=yes without glslc fails with a message"; fi
rm -f "$tmp/b/obj/gpu/preprocess.o"
mk -j2 GLSLC=/nonexistent/glslc "$tmp/b/obj/gpu/preprocess.o" >"$tmp/vk2" 2>&1
grep -q 'WARNING: the Vulkan backend is NOT built' "$tmp/vk2" && pass "VULKAN=auto without glslc warns" ||
        fail "VULKAN=auto without glslc warns"
exit $failed
