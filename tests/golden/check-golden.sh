#!/bin/sh
# The golden test: lanesight's CPU backend against onnxruntime's outputs.
#
#   tests/golden/check-golden.sh --infer BIN --tool BIN --models DIR [--golden DIR]
#                                [--threads "1 2"] [--rtol R] [--atol-rel A] [--manifest FILE]
#                                [--backend cpu|vulkan|opencl] [--infer-args "ARGS"] [--cases PATTERN]
#
# For every case of DIR/GOLDEN (default tests/golden/data) and every thread
# count, builds the input (seeded random, or a stored uint8 image normalised
# by models/MANIFEST's mean/std) with golden-tool, runs
#   lanesight-infer --model MODELS/<id>.onnx --backend B --input X --output-dir D --threads T
# and compares each output file with onnxruntime's: element i passes when
#   |a_i - b_i| <= rtol |b_i| + atol_rel max_j |b_j|,  rtol = atol_rel = 1e-4
# (b: onnxruntime). Prints one PASS/FAIL line per case and thread count, with
# the worst element of each output. See tests/golden/README.md.
set -u
infer="" backend=cpu infer_args="" cases="*" tool="" models="" golden=tests/golden/data threads="1 2" rtol=1e-4 atol=1e-4
manifest=models/MANIFEST
while [ $# -gt 0 ]; do
        case "$1" in
        --infer) infer=$2; shift 2 ;;
        --tool) tool=$2; shift 2 ;;
        --models) models=$2; shift 2 ;;
        --golden) golden=$2; shift 2 ;;
        --manifest) manifest=$2; shift 2 ;;
        --backend) backend=$2; shift 2 ;;
        --infer-args) infer_args=$2; shift 2 ;;   # e.g. "--device reference"
        --cases) cases=$2; shift 2 ;;             # shell pattern on case names
        --threads) threads=$2; shift 2 ;;
        --rtol) rtol=$2; shift 2 ;;
        --atol-rel) atol=$2; shift 2 ;;
        *) echo "check-golden.sh: unknown argument '$1'" >&2; exit 2 ;;
        esac
done
if [ -z "$tool" ] || [ -z "$models" ] || [ -z "$infer" ]; then
        echo "usage: check-golden.sh --infer BIN --tool BIN --models DIR [--golden DIR]" >&2
        exit 2
fi
if [ ! -x "$infer" ]; then
        echo "SKIP: golden (lanesight-infer not built: '$infer')"
        exit 0
fi

echo "tolerance: |a - b| <= $rtol |b| + $atol max|b| per element (a: lanesight, b: onnxruntime)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0

# A model of the golden manifest must be the one in models/MANIFEST and in
# the models directory: otherwise the golden files describe another model.
model_ok() {
        id=$1
        want=$(awk -v id="$id" '$1 == "model" && $2 == id { print $3 }' "$golden/GOLDEN")
        have=$(awk -v id="$id" '$1 == id { print $4 }' "$manifest")
        if [ "$want" != "$have" ]; then
                echo "FAIL: golden/$id (golden files are for sha256 '$want', models/MANIFEST has '$have': rerun tests/golden/regen.sh)"
                return 1
        fi
        if ! models/fetch.sh --check --manifest "$manifest" --dir "$models" "$id" </dev/null 2>"$tmp/fetch.log"; then
                echo "FAIL: golden/$id ($(cat "$tmp/fetch.log"))"
                return 1
        fi
}

manifest_field() {  # id key -> value of key=value in models/MANIFEST
        awk -v id="$1" -v key="$2=" '$1 == id { for (i = 6; i <= NF; i++) if (index($i, key) == 1) print substr($i, length(key) + 1) }' "$manifest"
}

# Builds the case's input tensor at $tmp/input.f32.
make_input() {
        id=$1 kind=$2 arg=$3
        shape=$(manifest_field "$id" shape)
        count=$(awk -v s="$shape" 'BEGIN { n = split(s, d, "x"); p = 1; for (i = 1; i <= n; i++) p *= d[i]; print p }')
        case "$kind" in
        random) "$tool" random "$arg" "$count" "$tmp/input.f32" </dev/null ;;
        image) "$tool" normalize "$golden/$arg" "$(manifest_field "$id" mean)" "$(manifest_field "$id" std)" "$tmp/input.f32" </dev/null ;;
        *) echo "unknown case kind '$kind'" >&2; return 1 ;;
        esac
}

checked_models=" "
tag_args=$(echo "$infer_args" "$([ "$backend" != cpu ] && echo "--backend $backend")" | sed 's/--//g; s/^ *//; s/ *$//; s/  */:/g')
[ -n "$tag_args" ] && tag_args="/$tag_args"
while read -r tag id name kind arg; do
        [ "$tag" = case ] || continue
        # shellcheck disable=SC2254
        case "$name" in $cases) ;; *) continue ;; esac
        case "$checked_models" in
        *" $id "*) ;;
        *" !$id "*) continue ;;
        *) if model_ok "$id"; then checked_models="$checked_models$id "; else checked_models="$checked_models!$id "; fail=1; continue; fi ;;
        esac
        if ! make_input "$id" "$kind" "$arg" 2>"$tmp/input.log"; then
                echo "FAIL: golden/$id/$name (cannot build the input: $(cat "$tmp/input.log"))"
                fail=1
                continue
        fi
        for t in $threads; do
                out="$tmp/out-$id-$name-$t"
                mkdir -p "$out"
                # shellcheck disable=SC2086
                if ! "$infer" $infer_args --model "$models/$id.onnx" --backend "$backend" --input "$tmp/input.f32" \
                                --output-dir "$out" --threads "$t" </dev/null >"$tmp/infer.json" 2>"$tmp/infer.log"; then
                        echo "FAIL: golden/$id/$name/threads=$t$tag_args (lanesight-infer failed:"
                        sed 's/^/    /' "$tmp/infer.log" | tail -n 10
                        echo "  )"
                        fail=1
                        continue
                fi
                ok=1 report=""
                json=$(tr -d ' \n' <"$tmp/infer.json")
                while read -r otag oid oname ofile oshape _spread oout; do
                        [ "$otag" = output ] && [ "$oid" = "$id" ] && [ "$oname" = "$name" ] || continue
                        dims=$(echo "$oshape" | tr 'x' ',')
                        case "$json" in
                        *"{\"name\":\"$oout\",\"shape\":[$dims]}"*) ;;
                        *) ok=0; report="$report
    $ofile: lanesight-infer reports no output \"$oout\" of shape [$dims]" ;;
                        esac
                        if [ ! -f "$out/$ofile.bin" ]; then
                                ok=0 report="$report
    $ofile: no $ofile.bin written"
                                continue
                        fi
                        line=$("$tool" compare "$golden/$id/$name/$ofile.bin" "$out/$ofile.bin" "$rtol" "$atol" 2>&1 </dev/null) || ok=0
                        report="$report
    $ofile: $line"
                done <"$golden/GOLDEN"
                if [ $ok -eq 1 ]; then
                        echo "PASS: golden/$id/$name/threads=$t$tag_args$report"
                else
                        echo "FAIL: golden/$id/$name/threads=$t$tag_args$report"
                        fail=1
                fi
        done
done <"$golden/GOLDEN"
[ "$checked_models" = " " ] && { echo "FAIL: golden (no case in $golden/GOLDEN)"; fail=1; }
exit $fail
