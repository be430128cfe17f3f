#!/usr/bin/env bash
# Run on a machine with an NVIDIA GPU and a CUDA libtorch (README, "GPUs"): trains the same few steps of a
# distill4j run on the CPU and on the GPU, then compares their loss values step by step, the first evaluation
# (top-1 and loss, which sum over the logits of 2,000 test images), and the logits of the trained student on the
# example images (predict: every class's probability, on the CPU from each run's checkpoint). Exit 0 when every value agrees within
# tolerance (GPU kernels round differently: relative 1e-3 on losses and probabilities), 1 otherwise.
#
#   PYTORCH_LIBRARY_PATH=/opt/libtorch/lib PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128 tools/gpu_check.sh [gpu:N]
set -euo pipefail
cd "$(dirname "$0")/.."
device=${1:-gpu:0}
out=$(mktemp -d /tmp/distill4j-gpu-check.XXXXXX)
common=(--set train.epochs=1 --set data.train_subset=512 --set train.log_every=1 --set train.threads=2
        --set train.batch_size=64 --set train.eval_batch_size=500)
for side in cpu device; do
  d=cpu; [ "$side" = device ] && d="$device"
  bin/distill4j train -c configs/fashion-mnist/dml.yaml -o "$out/$side" --set train.device="$d" "${common[@]}"
  bin/distill4j predict --model "$out/$side" --top 10 --json examples/images/*.png > "$out/$side.predict.txt"
done
python3 - "$out/cpu" "$out/device" <<'PY'
import json, math, re, sys
def lines(run):
    return [json.loads(l) for l in open(run + "/metrics.jsonl")]
def numbers(d, skip=("time", "sec", "wall", "images_per", "rss", "memory")):
    return {k: v for k, v in d.items() if isinstance(v, (int, float)) and not any(s in k for s in skip)}
a, b = lines(sys.argv[1]), lines(sys.argv[2])
bad = 0
if len(a) != len(b):
    print(f"different line counts: cpu {len(a)}, gpu {len(b)}"); bad += 1
for i, (x, y) in enumerate(zip(a, b)):
    for k, v in numbers(x).items():
        w = numbers(y).get(k)
        if w is None or not math.isclose(v, w, rel_tol=1e-3, abs_tol=1e-4):
            print(f"metrics line {i} {k}: cpu {v} gpu {w}"); bad += 1
def scores(path):
    return [float(s) for s in re.findall(r"-?\d+\.\d+(?:[eE][-+]?\d+)?", open(path).read())]
p, q = scores(sys.argv[1] + ".predict.txt"), scores(sys.argv[2] + ".predict.txt")
for i, (v, w) in enumerate(zip(p, q)):
    if not math.isclose(v, w, rel_tol=1e-3, abs_tol=1e-4):
        print(f"predict value {i}: cpu {v} gpu {w}"); bad += 1
print(f"{len(a)} metrics lines and {len(p)} predicted values compared: " + ("AGREE" if bad == 0 else f"{bad} DIFFER"))
sys.exit(1 if bad else 0)
PY
