#!/usr/bin/env python3
"""The reference for `distill4j data bench`: images/s of torchvision's DataLoader decoding and augmenting an
image folder with the ImageNet training recipe (RandomResizedCrop, flip, ToTensor, Normalize), batch 64,
shuffled, --workers worker processes, timing --batches batches after --warmup.

Usage: /usr/bin/python3 tools/bench_data_torchvision.py /work/data-25/photos-20k --workers 2 --size 224
Needs python3-torchvision (Debian: torch 1.13, torchvision 0.14)."""
import argparse
import time

import torch
from torchvision import datasets, transforms


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--batches", type=int, default=100)
    p.add_argument("--warmup", type=int, default=5)
    a = p.parse_args()
    torch.manual_seed(0)
    t = transforms.Compose([transforms.RandomResizedCrop(a.size), transforms.RandomHorizontalFlip(),
                            transforms.ToTensor(),
                            transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    ds = datasets.ImageFolder(a.root + "/train", t)
    loader = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=a.workers,
                                         drop_last=True)
    images = 0
    t0 = time.perf_counter()
    for b, (x, y) in enumerate(loader):
        if b == a.warmup:
            t0 = time.perf_counter()
            images = 0
        if b == a.warmup + a.batches:
            break
        images += x.shape[0]
    secs = time.perf_counter() - t0
    print(f"torchvision: {images} images in {secs:.2f} s: {images / secs:.1f} images/s "
          f"({a.size} px, {a.workers} workers, batch {a.batch})")


if __name__ == "__main__":
    main()
