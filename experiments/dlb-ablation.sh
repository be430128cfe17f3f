#!/usr/bin/env bash
# Follow-up to experiments/dlb.sh (RESULTS.md): DLB with alpha = 0 (two views, every sample trained in two
# consecutive steps, no KL) separates the effect of DLB's distillation term from that of its doubled
# cross-entropy; and how well the baseline and DLB fit their training labels (train-split accuracy).
# 3 seeds, clean and 40% symmetric noise. Usage: experiments/dlb-ablation.sh [OUT] [DLB_RUNS]
#        ONLY=REGEX experiments/dlb-ablation.sh ...  only the runs whose name matches (e.g. ONLY=noise40)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/experiments/dlb-ablation}"
runs="${2:-runs/experiments/dlb}"
d4j="${DISTILL4J:-bin/distill4j}"
mkdir -p "$out"
source experiments/lib.sh
for seed in 0 1 2; do
  for noise in clean noise40; do
    set_noise=(); [ $noise = noise40 ] && set_noise=(--set data.label_noise=0.4)
    dir="$out/dlb-alpha0-$noise-seed$seed"
    [[ "$(basename "$dir")" =~ ${ONLY:-.} ]] || continue
    run "$dir" -c configs/fashion-mnist/dlb.yaml --set seed=$seed --set method.dlb.alpha=0 "${set_noise[@]}"
    for r in "$runs/baseline-$noise-seed$seed" "$runs/dlb-$noise-seed$seed" "$dir"; do
      ONLY= fit "$r" "$out/fit-$(basename "$r").json"   # ONLY chose the ablation run above; fit all three
    done
  done
done
$d4j report "$out"/*-seed[0-9] | tee "$out/table.md"
