#!/usr/bin/env bash
# Copies the small, text outputs of finished experiment runs (summary.json, machines.json, config.yaml, metrics.jsonl,
# train-fit, teacher-fit and independent-ensemble JSON, table.md, a sweep's manifest.json, the analyses in
# RUN/analysis/) from runs/experiments/ into results/,
# which is committed: the numbers of RESULTS.md stay traceable, `distill4j report results/EXP/*-seed[0-9]`
# rebuilds each table, and the experiment scripts can be pointed at them to skip finished runs. Checkpoints
# stay behind.
# Usage: tools/archive_results.sh [SRC] [DEST]   (defaults runs/experiments, results)
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:-runs/experiments}"
dest="${2:-results}"
find "$src" -type f \( -name summary.json -o -name machines.json -o -name config.yaml -o -name metrics.jsonl -o -name table.md -o -name manifest.json \
    -o -name '*fit*.json' -o -name 'independent-ensemble-*.json' -o -path '*/analysis/*.json' \) -print0 |
  while IFS= read -r -d '' f; do
    rel="${f#"$src"/}"
    mkdir -p "$dest/$(dirname "$rel")"
    cp "$f" "$dest/$rel"
  done
echo "archived $(find "$dest" -name summary.json | wc -l) runs under $dest/"
