#!/usr/bin/env bash
# The fair reference for a DML ensemble (RESULTS.md, section 3): the ensemble of two networks trained alone.
# For each online experiment with finished runs, evaluates the baseline runs of seeds (0,1), (1,2), (2,0) as
# one two-network ensemble (`distill4j eval` with one --checkpoint per network, using the config of the
# experiment's DML run of the first seed: same data, two peers, probabilities averaged).
# Usage: experiments/online-ensembles.sh   (after online.sh, online-noaug.sh, online-long.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
d4j="${DISTILL4J:-bin/distill4j}"
for exp in online:baseline:dml2 online-noaug:baseline-noaug:dml2-noaug online-long:baseline-60ep:dml2-60ep; do
  IFS=: read -r dir base dml <<< "$exp"
  out=runs/experiments/$dir
  for pair in "0 1" "1 2" "2 0"; do
    read -r a b <<< "$pair"
    f=$out/independent-ensemble-$base-seed$a$b.json
    [ -f "$out/$base-seed$a/summary.json" ] && [ -f "$out/$base-seed$b/summary.json" ] \
      && [ -f "$out/$dml-seed$a/config.yaml" ] || continue
    [ -f "$f" ] || $d4j eval -c "$out/$dml-seed$a/config.yaml" --json \
        --checkpoint "$out/$base-seed$a/checkpoints/last.ckpt" --checkpoint "$out/$base-seed$b/checkpoints/last.ckpt" > "$f"
    echo "$f: $(cat "$f")"
  done
done
