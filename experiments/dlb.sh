#!/usr/bin/env bash
# The DLB experiment of RESULTS.md: baseline vs DLB, 3 seeds, clean labels, 40% symmetric label noise,
# and with CutMix. Usage: experiments/dlb.sh [OUT]   (default runs/experiments/dlb)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/experiments/dlb}"
d4j="${DISTILL4J:-bin/distill4j}"
mkdir -p "$out"
for seed in 0 1 2; do
  for method in baseline dlb; do
    common=(-c configs/fashion-mnist/dlb.yaml --set seed=$seed --set method.name=$method ${EXTRA_SET:-})
    [ "$method" = baseline ] && common+=(--set method.temperature=null --set method.alpha=null)
    run() { local name=$1; shift; [ -f "$out/$name-seed$seed/summary.json" ] || $d4j train "${common[@]}" "$@" -o "$out/$name-seed$seed" > "$out/$name-seed$seed.log" 2>&1; }
    run "$method-clean"
    run "$method-noise40" --set data.label_noise=0.4
    run "$method-cutmix" --set data.cutmix=0.5
  done
done
$d4j report "$out"/*-seed[0-9] | tee "$out/table.md"
