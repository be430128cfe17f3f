#!/usr/bin/env bash
# Follow-up to experiments/online.sh (RESULTS.md): with pad-crop + flip the 20-epoch resnet8 baseline on 3k
# images fits its training set only to about 89% (test about 84.5%), so a regulariser has little to fix.
# Here: resnet8 alone vs DML with two peers without augmentation, where the baseline memorises its training
# set; 3 seeds. Usage: experiments/online-noaug.sh [OUT] [SEEDS]
#        ONLY=REGEX experiments/online-noaug.sh ...  runs only the runs whose name matches (to split the work)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/experiments/online-noaug}"
seeds="${2:-0 1 2}"
d4j="${DISTILL4J:-bin/distill4j}"
mkdir -p "$out"
source experiments/lib.sh
alone_vs_dml2 noaug --set data.pad_crop=0 --set data.flip=false
$d4j report "$out"/*-seed[0-9] | tee "$out/table.md"
