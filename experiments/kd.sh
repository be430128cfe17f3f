#!/usr/bin/env bash
# The offline-distillation experiment of RESULTS.md: resnet8 alone vs KD from a resnet20 vs MEAL V2 from two
# resnet20s, 3 seeds, a fixed 3k-image Fashion-MNIST subset. Usage: experiments/kd.sh [OUT]
#        ONLY=REGEX experiments/kd.sh ...  only the runs whose name matches (to split the work)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/experiments/kd}"
d4j="${DISTILL4J:-bin/distill4j}"
mkdir -p "$out/teachers"
source experiments/lib.sh
run "$out/teachers/resnet20-a" -c configs/fashion-mnist/kd-teacher.yaml
run "$out/teachers/resnet20-b" -c configs/fashion-mnist/kd-teacher.yaml --set seed=1
ta="teachers.teacher.checkpoint=$out/teachers/resnet20-a/checkpoints/best.ckpt"
for seed in 0 1 2; do
  run "$out/baseline-seed$seed" -c configs/fashion-mnist/kd.yaml --set seed=$seed --set method.name=baseline \
      --set teachers=null
  run "$out/kd-seed$seed" -c configs/fashion-mnist/kd.yaml --set seed=$seed --set "$ta"
  run "$out/meal-v2-seed$seed" -c configs/fashion-mnist/meal-v2.yaml --set seed=$seed \
      --set "teachers.teacher_a.checkpoint=$out/teachers/resnet20-a/checkpoints/best.ckpt" \
      --set "teachers.teacher_b.checkpoint=$out/teachers/resnet20-b/checkpoints/best.ckpt"
done
$d4j report "$out"/teachers/resnet20-a "$out"/teachers/resnet20-b "$out"/*-seed[0-9] | tee "$out/table.md"
