#!/usr/bin/env bash
# The DLB experiment of RESULTS.md: baseline vs DLB, 3 seeds, clean labels, 40% symmetric label noise,
# and with CutMix. Usage: experiments/dlb.sh [OUT]   (default runs/experiments/dlb)
#        ONLY=REGEX experiments/dlb.sh ...  only the runs whose name matches (to split the work)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/experiments/dlb}"
d4j="${DISTILL4J:-bin/distill4j}"
mkdir -p "$out"
source experiments/lib.sh
for seed in 0 1 2; do
  for method in baseline dlb; do
    common=(-c configs/fashion-mnist/dlb.yaml --set seed=$seed --set method.name=$method)
    run "$out/$method-clean-seed$seed" "${common[@]}"
    run "$out/$method-noise40-seed$seed" "${common[@]}" --set data.label_noise=0.4
    run "$out/$method-cutmix-seed$seed" "${common[@]}" --set data.cutmix=0.5
  done
done
$d4j report "$out"/*-seed[0-9] | tee "$out/table.md"
