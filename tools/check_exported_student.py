"""Loads a student distill4j exported as TorchScript (`distill4j export RUN --format torchscript -o DIR`) in
PyTorch and compares its logits with distill4j's own (`distill4j predict --model DIR/model.pt --json`, which runs the
same file in DJL's libtorch) on images this script writes, prepared as the card says (pixels / 255, then
(x - mean) / std by the caller).

Usage (from the repository root, with a built jar):
    /usr/bin/python3 tools/check_exported_student.py DIR [--images 16] [--seed 0]

Tolerance, derived from the module rather than tuned: each layer with a weight tensor computes dot products of
its fan-in n (the tensor's size over its first dimension), within gamma(n + 1) + 10 u of the exact value relative to
the layer's output magnitude (u = 2^-24, Higham's gamma_n = n u / (1 - n u)); an average pool over at most the
input's H x W values adds gamma(H W + 1); two implementations (PyTorch here, libtorch in DJL) are each within that
sum g, so they differ by at most 2 g times a sample's largest |logit| (the model of the tests' FloatBounds.network).
Exit code 1 when any logit is outside it.
"""
import argparse
import json
import os
import subprocess
import tempfile

import numpy as np
import torch
from PIL import Image

U = 2.0 ** -24


def gamma(n):
    return n * U / (1 - n * U)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("export")
    p.add_argument("--images", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    card = json.load(open(os.path.join(a.export, "distill4j-model.json")))
    c, h, w = card["input"]["channels"], card["input"]["height"], card["input"]["width"]
    mean = np.array(card["normalization"]["mean"], dtype=np.float32).reshape(c, 1, 1)
    std = np.array(card["normalization"]["std"], dtype=np.float32).reshape(c, 1, 1)
    rng = np.random.default_rng(a.seed)
    tmp = tempfile.mkdtemp(prefix="check-export-")
    files, xs = [], []
    for i in range(a.images):
        px = rng.integers(0, 256, size=(h, w, c) if c == 3 else (h, w), dtype=np.uint8)
        f = os.path.join(tmp, "%03d.png" % i)
        Image.fromarray(px).save(f)
        files.append(f)
        chw = px.reshape(h, w, c).transpose(2, 0, 1).astype(np.float32) / np.float32(255)
        xs.append((chw - mean) / std)
    model = torch.jit.load(os.path.join(a.export, "model.pt"))
    model.eval()
    with torch.no_grad():
        want = model(torch.from_numpy(np.stack(xs))).numpy()
    k = want.shape[1]
    out = subprocess.run(["bin/distill4j", "predict", "--model", os.path.join(a.export, "model.pt"), "--json",
                          "--top", str(k)] + files, capture_output=True, text=True, check=True).stdout
    got = np.zeros_like(want)
    for i, pred in enumerate(json.loads(out)["predictions"]):
        for c_ in pred["top"]:
            got[i, c_["index"]] = c_["logit"]
    g = gamma(h * w + 1) + 10 * U
    for q in model.parameters():
        if q.dim() >= 2:
            g += gamma(q.numel() // q.shape[0] + 1) + 10 * U
    scale = np.maximum(np.abs(want).max(axis=1), np.abs(got).max(axis=1))[:, None]
    bound = 2 * g * scale
    diff = np.abs(got - want)
    worst = float((diff / bound).max())
    print("%s: %d images, %d classes, PyTorch %s against distill4j predict: largest |difference| %.3g, %.3g of "
          "the bound (2 g max|logit|, g = %.3g)" % (a.export, a.images, k, torch.__version__, diff.max(), worst, g))
    raise SystemExit(0 if worst <= 1 else 1)


if __name__ == "__main__":
    main()
