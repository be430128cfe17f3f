#!/usr/bin/env bash
# Follow-up to experiments/dlb.sh (RESULTS.md): the same comparison with the standard augmentation (pad-2
# random crop + flip), under which DLB's two views of a sample differ, as in the article. 3 seeds.
# Usage: experiments/dlb-augmented.sh [OUT] [SEEDS]   (default runs/experiments/dlb-augmented, "0 1 2")
#        ONLY=REGEX experiments/dlb-augmented.sh ...  only the runs whose name matches (to split the work)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/experiments/dlb-augmented}"
seeds="${2:-0 1 2}"
d4j="${DISTILL4J:-bin/distill4j}"
mkdir -p "$out"
source experiments/lib.sh
for seed in $seeds; do
  for method in baseline dlb; do
    common=(-c configs/fashion-mnist/dlb.yaml --set seed=$seed --set method.name=$method
            --set data.pad_crop=2 --set data.flip=true)
    run "$out/$method-aug-clean-seed$seed" "${common[@]}"
    run "$out/$method-aug-noise40-seed$seed" "${common[@]}" --set data.label_noise=0.4
  done
done
$d4j report "$out"/*-seed[0-9] | tee "$out/table.md"
