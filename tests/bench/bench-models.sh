#!/bin/sh
# Latency of each model on lanesight's CPU backend and on onnxruntime-node,
# measured in the same script, interleaved, on the same input:
#
#   tests/bench/bench-models.sh --infer BIN --tool GOLDEN-TOOL --models DIR [--kernels BENCH-KERNELS]
#                               [--rounds 5] [--repeat 20] [--threads "1 2"] [--model ID]...
#
# Each round runs, for every model and thread count, lanesight-infer
# (--backend cpu --repeat N --threads T) and then tests/bench/bench-ort.js
# (onnxruntime, intra_op threads T, inter_op 1, all graph optimisations,
# denormals flushed to zero as lanesight's CPU backend does, one warm-up run)
# and takes each one's median latency. The table shows the median
# over rounds of those medians and the ratio lanesight / onnxruntime (below 1:
# lanesight is faster), and the ratio of the fastest single runs, which a
# loaded machine disturbs least. The machine is noisy: only ratios mean much.
set -eu
infer="" tool="" models="" kernels="" rounds=5 repeat=20 threads="1 2" only=""
manifest=models/MANIFEST
while [ $# -gt 0 ]; do
        case "$1" in
        --infer) infer=$2; shift 2 ;;
        --tool) tool=$2; shift 2 ;;
        --models) models=$2; shift 2 ;;
        --kernels) kernels=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --repeat) repeat=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --model) only="$only $2"; shift 2 ;;
        *) echo "bench-models.sh: unknown argument '$1'" >&2; exit 2 ;;
        esac
done
[ -n "$tool" ] && [ -n "$models" ] || { echo "usage: bench-models.sh --infer BIN --tool GOLDEN-TOOL --models DIR" >&2; exit 2; }

tests/golden/ort-install.sh
have_infer=0
if [ -x "$infer" ]; then
        have_infer=1
else
        echo "bench-models.sh: '$infer' is not built: measuring onnxruntime only" >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-models.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

ids=""
for id in $(awk '/^[a-z0-9]/ { print $1 }' "$manifest"); do
        if [ -n "$only" ]; then
                case " $only " in *" $id "*) ;; *) continue ;; esac
        fi
        shape=$(awk -v id="$id" '$1 == id { for (i = 6; i <= NF; i++) if ($i ~ /^shape=/) print substr($i, 7) }' "$manifest")
        count=$(awk -v s="$shape" 'BEGIN { n = split(s, d, "x"); p = 1; for (i = 1; i <= n; i++) p *= d[i]; print p }')
        "$tool" random 1 "$count" "$tmp/$id.f32"
        ids="$ids $id"
done

latency_of() {  # JSON line on stdin -> "median min" of latency_ms
        tr -d ' \n' | sed -n 's/.*"latency_ms":{\([^}]*\)}.*/\1/p' |
                awk -F, '{ for (i = 1; i <= NF; i++) { split($i, kv, ":"); v[kv[1]] = kv[2] }
                           if (v["\"median\""] != "" && v["\"min\""] != "") print v["\"median\""], v["\"min\""] }'
}

load0=" $(cut -d' ' -f1-3 /proc/loadavg)"
# Each measurement appends "id threads engine median-ms min-ms" to $tmp/results.
r=1
while [ $r -le "$rounds" ]; do
        for id in $ids; do
                for t in $threads; do
                        if [ $have_infer -eq 1 ]; then
                                ms=$("$infer" --model "$models/$id.onnx" --backend cpu --input "$tmp/$id.f32" \
                                        --repeat "$repeat" --threads "$t" </dev/null | latency_of)
                                [ -n "$ms" ] || { echo "bench-models.sh: lanesight-infer printed no median for $id" >&2; exit 1; }
                                echo "$id $t lanesight $ms" >>"$tmp/results"
                        fi
                        ms=$(node tests/bench/bench-ort.js --model "$models/$id.onnx" --input "$tmp/$id.f32" \
                                --repeat "$repeat" --threads "$t" </dev/null | latency_of)
                        [ -n "$ms" ] || { echo "bench-models.sh: bench-ort.js printed no median for $id" >&2; exit 1; }
                        echo "$id $t onnxruntime $ms" >>"$tmp/results"
                done
        done
        r=$((r + 1))
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
flags=$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -n 1 | tr ' ' '\n' |
        grep -E '^(sse4_2|avx|avx2|fma|f16c|avx512f|avx512bw|avx512vl|avx512_vnni|avx512_bf16|asimd|sve)$' | tr '\n' ' ')
isa="?"
if [ -x "$kernels" ]; then isa=$("$kernels" --print-isa); fi
echo
echo "CPU latency, median of $rounds rounds x $repeat runs ($(nproc) CPUs: $cpu; load average$load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after)"
echo "ISA: lanesight kernels $isa${LANESIGHT_CPU_ISA:+ (LANESIGHT_CPU_ISA=$LANESIGHT_CPU_ISA)}; onnxruntime MLAS dispatches on the same CPU flags: ${flags% }"
echo "Both flush denormals (lanesight always; onnxruntime session.set_denormal_as_zero=1)"
awk -v ids="$ids" -v threads="$threads" '
function median(key,    n, i, j, v, a) {
        n = split(vals[key], a, " ")
        if (n == 0) return -1
        for (i = 2; i <= n; i++) { v = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > v + 0; j--) a[j + 1] = a[j]; a[j + 1] = v }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
        k = $1 " " $2 " " $3
        vals[k] = vals[k] " " $4
        if (!(k in best) || $5 + 0 < best[k]) best[k] = $5 + 0
}
END {
        printf "| %-19s | %7s | %14s | %16s | %15s | %20s |\n", "model", "threads", "lanesight (ms)",
                "onnxruntime (ms)", "lanesight / ort", "best-run ratio (min)"
        printf "|%s|%s|%s|%s|%s|%s|\n", "---------------------", "--------:", "---------------:",
                "-----------------:", "----------------:", "---------------------:"
        n = split(ids, id, " "); m = split(threads, th, " ")
        for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) {
                kl = id[i] " " th[j] " lanesight"; ko = id[i] " " th[j] " onnxruntime"
                l = median(kl); o = median(ko)
                printf "| %-19s | %7s | %14s | %16.3f | %15s | %20s |\n", id[i], th[j],
                        l < 0 ? "-" : sprintf("%.3f", l), o, l < 0 ? "-" : sprintf("%.2f", l / o),
                        l < 0 ? "-" : sprintf("%.2f", best[kl] / best[ko])
        }
}' "$tmp/results"
