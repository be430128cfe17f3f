#!/usr/bin/env bash
# Follow-up to experiments/kd.sh (RESULTS.md): why MEAL V2 does not beat the baseline while KD does.
#  1. how well the teachers fit the student's training subset (train-split accuracy and cross-entropy);
#  2. soft-label KD at T = 1 from one teacher, no hard labels (what meal-v2 reduces to without discriminator);
#  3. meal-v2 without its discriminator (two teachers, T = 1);
#  4. KD at T = 4 without hard labels (isolates the temperature from the 0.1 hard-label weight).
# 3 seeds each. Usage: experiments/kd-ablation.sh [OUT] [TEACHERS]  (teachers as made by experiments/kd.sh)
#        ONLY=REGEX experiments/kd-ablation.sh ...  only the runs whose name matches (to split the work)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/experiments/kd-ablation}"
teachers="${2:-runs/experiments/kd/teachers}"
d4j="${DISTILL4J:-bin/distill4j}"
mkdir -p "$out"
for t in resnet20-a resnet20-b; do
  [ -f "$out/teacher-fit-$t.json" ] || $d4j eval -c "$teachers/$t/config.yaml" --checkpoint "$teachers/$t/checkpoints/best.ckpt" \
      --split train --json > "$out/teacher-fit-$t.json"
done
ta="teachers.teacher.checkpoint=$teachers/resnet20-a/checkpoints/best.ckpt"
source experiments/lib.sh
for seed in 0 1 2; do
  run "$out/kd-T1-soft-seed$seed" -c configs/fashion-mnist/kd.yaml --set seed=$seed --set "$ta" \
      --set method.kd.temperature=1 --set method.kd.ce_weight=0 --set method.kd.kd_weight=1
  run "$out/meal-v2-nodisc-seed$seed" -c configs/fashion-mnist/meal-v2.yaml --set seed=$seed \
      --set "teachers.teacher_a.checkpoint=$teachers/resnet20-a/checkpoints/best.ckpt" \
      --set "teachers.teacher_b.checkpoint=$teachers/resnet20-b/checkpoints/best.ckpt" \
      --set method.meal-v2.discriminator=false
  run "$out/kd-T4-soft-seed$seed" -c configs/fashion-mnist/kd.yaml --set seed=$seed --set "$ta" \
      --set method.kd.ce_weight=0 --set method.kd.kd_weight=1
done
$d4j report "$out"/*-seed[0-9] | tee "$out/table.md"
