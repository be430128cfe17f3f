#!/usr/bin/env bash
# The online-distillation experiment of RESULTS.md: resnet8 alone vs DML (2 peers; 3 peers with the peers and
# with the ensemble as teacher) vs OKDCR (2 peers), and semi-supervised DML with 10% labels vs DML on the
# labelled 10% alone; 3 seeds; a fixed 3k-image Fashion-MNIST subset, pad-2 crop + flip, 20 epochs.
# Usage: experiments/online.sh [OUT] [SEEDS]   (default runs/experiments/online, "0 1 2")
#        ONLY=REGEX experiments/online.sh ...  runs only the runs whose name matches (to split the work)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/experiments/online}"
seeds="${2:-0 1 2}"
d4j="${DISTILL4J:-bin/distill4j}"
mkdir -p "$out"
source experiments/lib.sh
dml=configs/fashion-mnist/dml.yaml
for seed in $seeds; do
  s=(--set seed=$seed)
  run "$out/baseline-seed$seed" -c $dml "${s[@]}" "${alone[@]}"
  fit "$out/baseline-seed$seed"
  run "$out/dml2-seed$seed" -c $dml "${s[@]}"
  fit "$out/dml2-seed$seed"
  run "$out/okdcr2-seed$seed" -c configs/fashion-mnist/okdcr.yaml "${s[@]}"
  run "$out/dml3-seed$seed" -c configs/fashion-mnist/dml-3peers.yaml "${s[@]}"
  run "$out/dml3-ens-seed$seed" -c configs/fashion-mnist/dml-3peers.yaml "${s[@]}" --set method.dml.teacher=ensemble
  semi=(-c configs/fashion-mnist/dml-semi.yaml "${s[@]}")
  run "$out/semi10-dml-seed$seed" "${semi[@]}"
  run "$out/semi10-labelled-only-seed$seed" "${semi[@]}" --set data.drop_unlabeled=true
  # the same number of steps as the semi-supervised run: 10x the epochs on a tenth of the data
  run "$out/semi10-labelled-only-same-steps-seed$seed" "${semi[@]}" --set data.drop_unlabeled=true \
      --set train.epochs=200 --set train.eval_every=50
  # the same steps and the same labelled samples per step as the semi-supervised run (13 = 10% of 128), without
  # the unlabelled 90%: isolates what the mutual KL on unlabelled images adds
  run "$out/semi10-labelled-only-batch13-seed$seed" "${semi[@]}" --set data.drop_unlabeled=true --set train.batch_size=13
done
$d4j report "$out"/*-seed[0-9] | tee "$out/table.md"
