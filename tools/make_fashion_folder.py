#!/usr/bin/env python3
"""Writes Fashion-MNIST images as an image folder for the streamed experiments (RESULTS.md section 11): the first
--train training images and the first --test test images, resized to --size px (bilinear, PIL) and saved as RGB
PNGs, ROOT/train/<label>/*.png and ROOT/test/<label>/*.png, class folders named 0..9 (Fashion-MNIST's label order),
and the shipped teacher copied to ROOT/teacher.pt without its card (the folder names are not the card's class
names; the experiment's config gives the contract instead).

Usage: /usr/bin/python3 tools/make_fashion_folder.py ROOT [--size 64] [--train 10000] [--test 2000]
       [--data /usr/share/datasets/fashion-mnist]
Needs numpy and Pillow (python3-numpy, python3-pil) and `apt-get install dataset-fashion-mnist`."""
import argparse
import gzip
import os
import shutil

import numpy as np
from PIL import Image


def idx(path, header):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--train", type=int, default=10000)
    p.add_argument("--test", type=int, default=2000)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    for split, prefix, n in [("train", "train", a.train), ("test", "t10k", a.test)]:
        images = idx(os.path.join(a.data, prefix + "-images-idx3-ubyte.gz"), 16).reshape(-1, 28, 28)[:n]
        labels = idx(os.path.join(a.data, prefix + "-labels-idx1-ubyte.gz"), 8)[:n]
        for c in range(10):
            os.makedirs(os.path.join(a.root, split, str(c)), exist_ok=True)
        for i, (img, y) in enumerate(zip(images, labels)):
            Image.fromarray(img).resize((a.size, a.size), Image.BILINEAR).convert("RGB").save(
                os.path.join(a.root, split, str(y), "%05d.png" % i))
    shutil.copy("models/fashion-mnist-teacher/teacher.pt", os.path.join(a.root, "teacher.pt"))
    print("%d train and %d test images of %d px in %s" % (a.train, a.test, a.size, a.root))


if __name__ == "__main__":
    main()
