#!/bin/sh
# Tests of the golden checker itself (check-golden.sh), on a toy manifest and
# golden set with stand-ins for lanesight-infer: a correct engine passes; a
# wrong value, a wrong shape, a missing output, a crash, or golden files made
# for another model version fail.
#   sh tests/golden/test-check-golden.sh --tool BUILD/tests/golden-tool
set -u
tool=""
[ "${1:-}" = --tool ] && tool=$2
[ -x "$tool" ] || { echo "usage: test-check-golden.sh --tool GOLDEN-TOOL" >&2; exit 2; }
tool=$(cd "$(dirname "$tool")" && pwd)/$(basename "$tool")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-check-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0

# A toy "model" whose one output y equals its input (shape 1x6), and its
# golden set: a random case and an image case.
mkdir -p "$tmp/models" "$tmp/golden/inputs" "$tmp/golden/toy/random-7" "$tmp/golden/toy/img"
printf 'toy model' >"$tmp/models/toy.onnx"
sha=$(sha256sum "$tmp/models/toy.onnx" | cut -d' ' -f1)
echo "toy  pkg@1.0.0  package/toy.onnx  $sha  MIT  input=x shape=1x6 layout=NCHW order=RGB mean=127 std=128" >"$tmp/MANIFEST"
printf '\000\177\200\377\001\002' >"$tmp/golden/inputs/img.u8"
"$tool" random 7 6 "$tmp/golden/toy/random-7/y.bin"
"$tool" normalize "$tmp/golden/inputs/img.u8" 127 128 "$tmp/golden/toy/img/y.bin"
cat >"$tmp/golden/GOLDEN" <<EOF
ort test
model toy $sha
case toy random-7 random 7
case toy img image inputs/img.u8
output toy random-7 y 1x6 0 y
output toy img y 1x6 0 y
EOF

# The stand-in engine; MODE picks how it misbehaves.
cat >"$tmp/infer" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
        case "$1" in --input) in=$2 ;; --output-dir) out=$2 ;; esac
        shift 2
done
shape='[1,6]'
case "$MODE" in
good) cp "$in" "$out/y.bin" ;;
off) { head -c 20 "$in"; printf '\001\000\200\077'; } >"$out/y.bin" ;;  # last element 1.0000001
ulp) set -- $(tail -c 4 "$in" | od -An -tu1)  # last element 1 ulp away
     { head -c 20 "$in"; printf "\\$(printf %o $(($1 ^ 1)))\\$(printf %o $2)\\$(printf %o $3)\\$(printf %o $4)"; } >"$out/y.bin" ;;
shape) cp "$in" "$out/y.bin"; shape='[6]' ;;
none) ;;
crash) echo "engine: Conv 'x': unsupported" >&2; exit 1 ;;
esac
echo "{\"model\":\"m\",\"backend\":\"cpu\",\"latency_ms\":{\"min\":1,\"median\":1,\"p99\":1},\"outputs\":[{\"name\":\"y\",\"shape\":$shape}]}"
EOF
chmod +x "$tmp/infer"

check() {  # mode -> $out, $rc
        MODE=$1 sh tests/golden/check-golden.sh --infer "$tmp/infer" --tool "$tool" --models "$tmp/models" \
                --golden "$tmp/golden" --manifest "$tmp/MANIFEST" --threads "1 2" >"$tmp/out" 2>&1
        rc=$?
}
expect() {  # name want-rc pass-lines fail-lines [grep]
        p=$(grep -c '^PASS: ' "$tmp/out"); f=$(grep -c '^FAIL: ' "$tmp/out")
        if [ $rc -eq "$2" ] && [ "$p" -eq "$3" ] && [ "$f" -eq "$4" ] && { [ -z "${5:-}" ] || grep -q "$5" "$tmp/out"; }; then
                echo "PASS: test-check-golden/$1"
        else
                echo "FAIL: test-check-golden/$1 (rc=$rc, $p PASS, $f FAIL lines):"
                sed 's/^/    | /' "$tmp/out"
                failed=1
        fi
}

check good;  expect exact-match-passes 0 4 0 'ok max|a-b| 0 '
check ulp;   expect one-ulp-passes 0 4 0 'ok max|a-b| [1-9]'
check off;   expect wrong-value-fails 1 0 4 'worst \[5\] 1.00000012 vs'
check shape; expect wrong-shape-fails 1 0 4 'no output "y" of shape \[1,6\]'
check none;  expect missing-output-fails 1 0 4 'no y.bin written'
check crash; expect engine-error-fails 1 0 4 "unsupported"
printf 'changed' >"$tmp/models/toy.onnx"
check good;  expect model-mismatch-fails 1 0 1 'does not match'
sed -i "s/^model toy .*/model toy 0000/" "$tmp/golden/GOLDEN"
check good;  expect golden-for-other-model-fails 1 0 1 'rerun tests/golden/regen.sh'
exit $failed
