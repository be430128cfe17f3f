#!/usr/bin/env bash
# Follow-up to experiments/online.sh (RESULTS.md): with pad-crop + flip and 20 epochs the resnet8 baseline on
# 3k images fits its training set only to about 89%, and DML, a regulariser, lowers the fit further. The DML
# article trains until the networks fit their (augmented) training set. Here: resnet8 alone vs DML with two
# peers, with augmentation, for 60 epochs instead of 20; 3 seeds, train-set fit of every run.
# Usage: experiments/online-long.sh [OUT] [SEEDS]
#        ONLY=REGEX experiments/online-long.sh ...  runs only the runs whose name matches (to split the work)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/experiments/online-long}"
seeds="${2:-0 1 2}"
d4j="${DISTILL4J:-bin/distill4j}"
mkdir -p "$out"
source experiments/lib.sh
alone_vs_dml2 60ep --set train.epochs=60 --set train.eval_every=10
$d4j report "$out"/*-seed[0-9] | tee "$out/table.md"
