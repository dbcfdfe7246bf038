#!/bin/sh
# lanesightd --check-config as an administrator runs it (issue 12): the models are loaded and
# prepared, a bad model is named; the reader's refusals reach the user with file and line.
# Environment (set by make check): LANESIGHTD, LANESIGHT_TEST_MODELS.
set -u
d="${LANESIGHTD:?}"; models=${LANESIGHT_TEST_MODELS:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=0

check() {       # check NAME EXPECTED_RC PATTERN CONFIG_TEXT: output (stdout and stderr) must contain PATTERN
        printf '%b' "$4" >"$tmp/c.conf"
        timeout 60 "$d" --check-config --config "$tmp/c.conf" >"$tmp/out" 2>&1; rc=$?
        if [ "$rc" -eq "$2" ] && grep -q -- "$3" "$tmp/out"; then echo "PASS: $1"; else
                echo "  $1: exit $rc (expected $2), output:"; sed 's/^/    /' "$tmp/out" | head -5
                echo "FAIL: $1"; failed=1; fi
}

check models-prepared 0 "configuration valid; models 'blazeface-front-128' and 'fr-feature-112' prepared on cpu" \
        "[Pipeline]\nBackend=cpu\nModelDirectory=$models\n"
check missing-model-named 1 "embedder model '$models/nonesuch.onnx'" \
        "[Pipeline]\nBackend=cpu\nModelDirectory=$models\nEmbedder=nonesuch\n"
check wrong-model-refused 1 "detector: expected 1 input and 4 outputs" \
        "[Pipeline]\nBackend=cpu\nModelDirectory=$models\nDetector=fr-feature-112\n"
# A long comment is refused whole: its tail is never read as a setting.
long=$(printf '%0196d' 0 | tr 0 x)
check long-line-refused 1 "c.conf:2: line longer than 198 bytes" "[Matching]\n# $long Threshold=-1\n"

mkfifo "$tmp/fifo"
for special in zero:/dev/zero directory:"$tmp" fifo:"$tmp/fifo"; do
        name=${special%%:*}; path=${special#*:}
        timeout 10 "$d" --check-config --config "$path" >"$tmp/out" 2>&1; rc=$?
        if [ "$rc" -eq 1 ] && grep -q "not a regular file" "$tmp/out"; then echo "PASS: refuses-$name"; else
                echo "  $path: exit $rc"; sed 's/^/    /' "$tmp/out" | head -3; echo "FAIL: refuses-$name"; failed=1; fi
done
exit $failed
