#!/usr/bin/env bash
# Follow-up to experiments/kd-ablation.sh (RESULTS.md): MEAL V2 (two teachers, discriminator, joint mode)
# with its soft targets at T = 4 instead of the article's T = 1; 3 seeds.
# Usage: experiments/meal-v2-temperature.sh [OUT] [TEACHERS]  (teachers as made by experiments/kd.sh)
#        ONLY=REGEX experiments/meal-v2-temperature.sh ...  only the runs whose name matches (to split the work)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/experiments/meal-v2-temperature}"
teachers="${2:-runs/experiments/kd/teachers}"
d4j="${DISTILL4J:-bin/distill4j}"
mkdir -p "$out"
source experiments/lib.sh
for seed in 0 1 2; do
  run "$out/meal-v2-T4-seed$seed" -c configs/fashion-mnist/meal-v2.yaml --set seed=$seed --set method.meal-v2.temperature=4 \
      --set "teachers.teacher_a.checkpoint=$teachers/resnet20-a/checkpoints/best.ckpt" \
      --set "teachers.teacher_b.checkpoint=$teachers/resnet20-b/checkpoints/best.ckpt"
done
$d4j report "$out"/*-seed[0-9] | tee "$out/table.md"
