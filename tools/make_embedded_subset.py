"""Makes the embedded Fashion-MNIST subset (fashion-mnist-mini) shipped in the jar.

Stratified and seeded: 1000 images per class from the training set, 200 per class from the test set, in the
original order. Source: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), i.e. the
official Fashion-MNIST files (c) 2017 Zalando SE, MIT license.

Run: python3 tools/make_embedded_subset.py
"""
import gzip
import random
import struct
import os

SRC = "/usr/share/datasets/fashion-mnist"
DST = "src/main/resources/io/distill4j/data/fashion-mnist-mini"


def read(name):
    with gzip.open(os.path.join(SRC, name + ".gz"), "rb") as f:
        return f.read()


def subset(prefix, per_class, seed):
    images = read(prefix + "-images-idx3-ubyte")
    labels = read(prefix + "-labels-idx1-ubyte")
    n, h, w = struct.unpack(">III", images[4:16])
    lab = labels[8:]
    rng = random.Random(seed)
    chosen = []
    for c in range(10):
        idx = [i for i in range(n) if lab[i] == c]
        chosen += rng.sample(idx, per_class)
    chosen.sort()
    size = h * w
    img = b"".join(images[16 + i * size:16 + (i + 1) * size] for i in chosen)
    out_images = struct.pack(">IIII", 0x803, len(chosen), h, w) + img
    out_labels = struct.pack(">II", 0x801, len(chosen)) + bytes(lab[i] for i in chosen)
    for name, data in ((prefix + "-images-idx3-ubyte.gz", out_images), (prefix + "-labels-idx1-ubyte.gz", out_labels)):
        with gzip.GzipFile(os.path.join(DST, name), "wb", mtime=0, compresslevel=9) as f:
            f.write(data)


os.makedirs(DST, exist_ok=True)
subset("train", 1000, 20261122)
subset("t10k", 200, 20261123)
