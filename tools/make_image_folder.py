#!/usr/bin/env python3
"""Generates an image folder of synthetic photographs for distill4j's streaming benchmarks and tests:
ROOT/train/cNNN/*.JPEG and ROOT/val/cNNN/*.JPEG (ImageNet's layout after the usual val/ reorganisation).

Each picture is a smooth colour field with blobs and sensor-like noise, so that it compresses like a photograph
(about 40 KB at ImageNet's typical 500x375 with --size 0). --size S gives S x S pictures (e.g. 128);
--size 0 draws ImageNet-like sizes (shorter side 300-500, aspect 0.75-1.33). Deterministic for a --seed.

Usage:
  /usr/bin/python3 tools/make_image_folder.py ROOT --train 20000 --val 1000 --classes 100 --size 0 --jobs 2
  /usr/bin/python3 tools/make_image_folder.py ROOT --train 6400 --val 640 --classes 10 --size 128
Needs numpy and Pillow (python3-numpy, python3-pil)."""
import argparse
import os
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image


def picture(seed, cls, size):
    rng = np.random.default_rng(seed)
    if size > 0:
        w = h = size
    else:
        short = int(rng.integers(300, 501))
        aspect = float(np.exp(rng.uniform(np.log(0.75), np.log(4 / 3))))
        w, h = (int(short * aspect), short) if aspect >= 1 else (short, int(short / aspect))
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array([(cls * 37) % 256, (cls * 91) % 256, (cls * 53) % 256], np.float32)
    img = np.empty((h, w, 3), np.float32)
    fx, fy = rng.uniform(0.5, 3, 2) * np.pi / max(w, h)
    for c in range(3):
        img[..., c] = base[c] * 0.6 + 60 * np.sin(fx * x * (c + 1) + fy * y + rng.uniform(0, 6))
    for _ in range(4):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.05, 0.3) * min(w, h)
        blob = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
        img += blob[..., None] * rng.uniform(-80, 80, 3).astype(np.float32)
    img += rng.normal(0, 6, img.shape).astype(np.float32)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def write(job):
    path, seed, cls, size = job
    if not os.path.exists(path):
        picture(seed, cls, size).save(path, quality=90)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("root")
    p.add_argument("--train", type=int, required=True, help="training images in all")
    p.add_argument("--val", type=int, default=0, help="validation images in all")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--size", type=int, default=0, help="side in pixels; 0: ImageNet-like sizes")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=os.cpu_count())
    a = p.parse_args()
    jobs = []
    for split, n in (("train", a.train), ("val", a.val)):
        for i in range(n):
            cls = i % a.classes
            d = Path(a.root, split, f"c{cls:03d}")
            d.mkdir(parents=True, exist_ok=True)
            jobs.append((str(d / f"{split}_{i:07d}.JPEG"), a.seed * 10_000_019 + i * 2 + (split == "val"), cls, a.size))
    with Pool(a.jobs) as pool:
        for k, _ in enumerate(pool.imap_unordered(write, jobs, chunksize=64)):
            if k % 5000 == 0:
                print(f"{k}/{len(jobs)}", flush=True)
    print(f"{len(jobs)} images in {a.root}")


if __name__ == "__main__":
    main()
