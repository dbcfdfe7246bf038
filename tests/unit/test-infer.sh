#!/bin/sh
# lanesight-infer's command line: outputs, JSON, and its error messages.
#   tests/unit/test-infer.sh --infer BIN --fixtures-tool BIN
# Prints PASS:/FAIL:/SKIP: lines for tests/run-tests.sh.
set -u
infer="" tool=""
while [ $# -gt 0 ]; do
        case "$1" in
        --infer) infer=$2; shift 2 ;;
        --fixtures-tool) tool=$2; shift 2 ;;
        *) echo "test-infer.sh: unknown argument '$1'" >&2; exit 2 ;;
        esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { echo "PASS: test-infer/$1"; }
fail() { echo "FAIL: test-infer/$1: $2"; fails=$((fails + 1)); }
# expect NAME RC PATTERN-IN-STDERR-OR-STDOUT -- command...
expect() {
        name=$1 want=$2 pat=$3; shift 4
        "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
        if [ "$rc" != "$want" ]; then fail "$name" "exit $rc, expected $want: $(cat "$tmp/err")"; return; fi
        if ! grep -q -- "$pat" "$tmp/out" "$tmp/err"; then fail "$name" "no '$pat' in: $(cat "$tmp/out" "$tmp/err")"; return; fi
        pass "$name"
}

"$tool" "$tmp" || { echo "FAIL: test-infer/fixtures: onnx-fixtures failed"; exit 1; }
f=$tmp

expect help 0 'Usage: lanesight-infer' -- "$infer" --help
expect no-model 2 'model is required' -- "$infer"
expect missing-file 1 "cannot open '$f/nope.onnx'" -- "$infer" --model "$f/nope.onnx"
expect random-input 0 '"outputs":\[{"name":"y:0","shape":\[1,4,8,8\]}\]' -- "$infer" --model "$f/tiny-conv-relu.onnx"
expect random-input-note 0 'deterministic random input' -- "$infer" --model "$f/tiny-conv-relu.onnx"
expect json-latency 0 '"latency_ms":{"min":[0-9.]*,"median":[0-9.]*,"p99":[0-9.]*}' -- \
        "$infer" --model "$f/tiny-conv-relu.onnx" --repeat 5 --threads 2

mkdir -p "$tmp/o"
expect output-dir 0 '"backend":"cpu"' -- "$infer" --model "$f/tiny-conv-relu.onnx" --output-dir "$tmp/o"
if [ "$(wc -c <"$tmp/o/y_0.bin" 2>/dev/null)" = 1024 ]; then pass output-file; else fail output-file "y_0.bin missing or not 1024 bytes (256 floats)"; fi

head -c 100 /dev/zero >"$tmp/short.bin"
expect wrong-input-size 1 "has 100 bytes, expected 768 bytes" -- \
        "$infer" --model "$f/tiny-conv-relu.onnx" --input "$tmp/short.bin"
expect missing-input-file 1 "cannot read input 'x'" -- \
        "$infer" --model "$f/tiny-conv-relu.onnx" --input "$tmp/none.bin"

# Two named inputs: a = 1.0, b = 0.5 (little-endian float32); a - b = 0.5 = b's bytes.
for i in 1 2 3 4; do printf '\000\000\200\077'; done >"$tmp/a.bin"
for i in 1 2 3 4; do printf '\000\000\000\077'; done >"$tmp/b.bin"
mkdir -p "$tmp/o2"
expect named-inputs 0 '"name":"out/diff"' -- \
        "$infer" --model "$f/two-inputs.onnx" --input "a=$tmp/a.bin" --input "b=$tmp/b.bin" --output-dir "$tmp/o2"
if cmp -s "$tmp/o2/out_diff.bin" "$tmp/b.bin"; then pass named-inputs-value; else fail named-inputs-value "a-b != 0.5"; fi
expect unknown-input-name 1 "no input named 'c'" -- \
        "$infer" --model "$f/two-inputs.onnx" --input "a=$tmp/a.bin" --input "c=$tmp/b.bin"
expect missing-named-input 1 "no --input for input 'b'" -- \
        "$infer" --model "$f/two-inputs.onnx" --input "a=$tmp/a.bin"

expect unsupported-op 1 "node 'the_einsum_node' (Einsum): op 'Einsum' is not supported" -- \
        "$infer" --model "$f/unsupported-op.onnx"
expect external-data 1 "external data is not supported" -- "$infer" --model "$f/external-data.onnx"
head -c 300 "$f/mobile-block.onnx" >"$tmp/truncated.onnx"
expect truncated 1 "corrupt or truncated" -- "$infer" --model "$tmp/truncated.onnx"
expect unknown-backend 1 "unknown backend 'tpu'" -- "$infer" --model "$f/tiny-conv-relu.onnx" --backend tpu
expect bad-repeat 2 "invalid --repeat" -- "$infer" --model "$f/tiny-conv-relu.onnx" --repeat 0

for m in blaze-block mobile-block misc-ops; do
        expect "fixture-$m" 0 '"outputs"' -- "$infer" --model "$f/$m.onnx" --threads 2 --repeat 2
        expect "fixture-$m-reference" 0 '"outputs"' -- "$infer" --model "$f/$m.onnx" --device reference --no-optimize
done

# GPU backends: either they run, or they say they are not available; never a crash.
for be in vulkan opencl; do
        "$infer" --model "$f/tiny-conv-relu.onnx" --backend $be >"$tmp/out" 2>"$tmp/err"; rc=$?
        if [ $rc = 0 ] && grep -q "\"backend\":\"$be\"" "$tmp/out"; then pass "backend-$be"
        elif [ $rc = 1 ] && grep -q "not available" "$tmp/err"; then pass "backend-$be"
        else fail "backend-$be" "exit $rc: $(cat "$tmp/err")"; fi
done

[ $fails = 0 ]
