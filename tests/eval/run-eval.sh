#!/bin/sh
# Runs lanesight-eval on the team's development data:
#   tests/eval/run-eval.sh [--build DIR] [--models DIR] [--backend B] [--eval-args ARGS] DATA
# DATA holds lfw-dev/ (pairsDevTrain.txt, pairsDevTest.txt, images) and
# essex-faces94/ (one folder per person). Prints LFW verification with the
# threshold chosen on DevTrain, then Essex 1:N identification. --eval-args
# passes options to lanesight-eval, e.g. the template experiments
# --eval-args '--flip --refine 2' (docs/evaluation.md).
set -eu
build=build; models=""; backend=cpu; eval_args=
while [ $# -gt 1 ]; do
        case "$1" in
        --build) build=$2; shift 2 ;;
        --models) models=$2; shift 2 ;;
        --backend) backend=$2; shift 2 ;;
        --eval-args) eval_args=$2; shift 2 ;;
        *) break ;;
        esac
done
data=${1:?usage: run-eval.sh [--build DIR] [--models DIR] [--backend B] [--eval-args ARGS] DATA}
models=${models:-$build/models}
eval_bin="$build/lanesight-eval"
[ -x "$eval_bin" ] || { echo "run-eval.sh: build $eval_bin first (make $eval_bin)" >&2; exit 2; }
threads=$(nproc)
echo "== LFW development view (threshold chosen on pairsDevTrain, tested on pairsDevTest)"
# shellcheck disable=SC2086 # eval_args is a list of options
"$eval_bin" --models "$models" --backend "$backend" --threads "$threads" $eval_args \
        --lfw "$data/lfw-dev" --train-pairs "$data/lfw-dev/pairsDevTrain.txt" --pairs "$data/lfw-dev/pairsDevTest.txt"
echo
echo "== Essex faces94 1:N (gallery = first image of each person)"
# shellcheck disable=SC2086
"$eval_bin" --models "$models" --backend "$backend" --threads "$threads" $eval_args --ident "$data/essex-faces94"
