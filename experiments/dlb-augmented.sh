#!/usr/bin/env bash
# Follow-up to experiments/dlb.sh (RESULTS.md): the same comparison with the standard augmentation (pad-2
# random crop + flip), under which DLB's two views of a sample differ, as in the article. 3 seeds.
# Usage: experiments/dlb-augmented.sh [OUT] [SEEDS]   (default runs/experiments/dlb-augmented, "0 1 2")
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/experiments/dlb-augmented}"
seeds="${2:-0 1 2}"
d4j="${DISTILL4J:-bin/distill4j}"
mkdir -p "$out"
for seed in $seeds; do
  for method in baseline dlb; do
    common=(-c configs/fashion-mnist/dlb.yaml --set seed=$seed --set method.name=$method
            --set data.pad_crop=2 --set data.flip=true ${EXTRA_SET:-})
    [ "$method" = baseline ] && common+=(--set method.temperature=null --set method.alpha=null)
    run() { local name=$1; shift; [ -f "$out/$name-seed$seed/summary.json" ] || $d4j train "${common[@]}" "$@" -o "$out/$name-seed$seed" > "$out/$name-seed$seed.log" 2>&1; }
    run "$method-aug-clean"
    run "$method-aug-noise40" --set data.label_noise=0.4
  done
done
$d4j report "$out"/*-seed[0-9] | tee "$out/table.md"
