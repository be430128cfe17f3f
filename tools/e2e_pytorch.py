"""PyTorch reference for a whole run, end to end (configs/bench/end-to-end.yaml): resnet8 (tools/bench_pytorch.py's
CIFAR ResNet) on a seeded 10,000-image subset of Fashion-MNIST, normalised with the dataset's mean and std, pad-2
random crop + horizontal flip per image, 15 epochs, batch 128 (the last, smaller batch kept), SGD lr 0.1 momentum
0.9 Nesterov weight decay 5e-4, cosine schedule per step, evaluation of the 10,000 test images after every epoch in
batches of 256 under torch.inference_mode(). Written as a PyTorch user would (tensors in memory, augmentation
vectorised per batch, no DataLoader workers: the machine has 2 cores, both for the step).
Prints the wall time of the whole run (data loading included) and the last test accuracy.
Usage: /usr/bin/python3 tools/e2e_pytorch.py [--root /usr/share/datasets/fashion-mnist] [--threads 0]
"""
import argparse
import gzip
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_pytorch import ResNet  # noqa: E402


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--epochs", type=int, default=15)
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    t_start = time.perf_counter()
    torch.manual_seed(0)
    xtr = idx(os.path.join(a.root, "train-images-idx3-ubyte.gz"))
    ytr = idx(os.path.join(a.root, "train-labels-idx1-ubyte.gz")).long()
    xte = idx(os.path.join(a.root, "t10k-images-idx3-ubyte.gz"))
    yte = idx(os.path.join(a.root, "t10k-labels-idx1-ubyte.gz")).long()
    pick = torch.randperm(len(xtr))[:10000]
    mean, std = 0.2860, 0.3530
    xtr = ((xtr[pick].float() / 255 - mean) / std).unsqueeze(1)
    ytr = ytr[pick]
    xte = ((xte.float() / 255 - mean) / std).unsqueeze(1)
    net = ResNet(8, 1, 10)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    batch = 128
    steps_per_epoch = math.ceil(len(xtr) / batch)
    total = steps_per_epoch * a.epochs
    step = 0
    pad = 2
    acc = 0.0
    for epoch in range(a.epochs):
        net.train()
        order = torch.randperm(len(xtr))
        for b in range(steps_per_epoch):
            ids = order[b * batch:(b + 1) * batch]
            x = F.pad(xtr[ids], (pad, pad, pad, pad), value=(0 - mean) / std)
            n = len(ids)
            dx = torch.randint(0, 2 * pad + 1, (n,))
            dy = torch.randint(0, 2 * pad + 1, (n,))
            rows = (dy.view(n, 1) + torch.arange(28).view(1, 28)).view(n, 1, 28, 1).expand(n, 1, 28, 32)
            x = torch.gather(x, 2, rows)
            cols = (dx.view(n, 1) + torch.arange(28).view(1, 28)).view(n, 1, 1, 28).expand(n, 1, 28, 28)
            x = torch.gather(x, 3, cols)
            flip = torch.rand(n) < 0.5
            x[flip] = x[flip].flip(3)
            for g in opt.param_groups:
                g["lr"] = 0.1 * 0.5 * (1 + math.cos(math.pi * step / total))
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(net(x), ytr[ids]).backward()
            opt.step()
            step += 1
        net.eval()
        correct = 0
        with torch.inference_mode():
            for b in range(0, len(xte), 256):
                correct += (net(xte[b:b + 256]).argmax(1) == yte[b:b + 256]).sum().item()
        acc = correct / len(xte)
        print("epoch %d test top1 %.4f elapsed %.1f s" % (epoch + 1, acc, time.perf_counter() - t_start), flush=True)
    print("pytorch e2e wall_seconds=%.1f epochs=%d last_top1=%.4f threads=%d"
          % (time.perf_counter() - t_start, a.epochs, acc, torch.get_num_threads()))


if __name__ == "__main__":
    main()
