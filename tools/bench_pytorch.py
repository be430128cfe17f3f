"""PyTorch reference for `distill4j bench --pytorch`: the same CIFAR ResNet (basic blocks, projection
shortcuts), the same SGD (momentum 0.9, Nesterov, weight decay 5e-4), cross-entropy, random inputs.

Prints `pytorch images_per_sec=<float> steps=<int> threads=<int>`, then, from a second timed pass with a clock
read between the phases, `pytorch phases_ms data=0 forward+loss=<ms> backward=<ms> optimizer=<ms> other=<ms>` per
step (the inputs are made once: no data pipeline is timed).
Usage: python3 tools/bench_pytorch.py --depth 20 --channels 1 --size 28 --batch 128 --steps 100 --warmup 20
With --memory train|eval, instead: the process's peak resident memory (`pytorch peak_rss_mib=<float>`) after
--warmup + --steps training steps, or after evaluating --steps batches (inference mode, no autograd), as a
user's script would (`distill4j bench --memory` runs the same).
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + (x if self.short is None else self.short(x)))


class ResNet(nn.Module):
    def __init__(self, depth, channels, classes):
        super().__init__()
        n = (depth - 2) // 6
        self.stem = nn.Sequential(nn.Conv2d(channels, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        blocks, cin = [], 16
        for s, w in enumerate([16, 32, 64]):
            for b in range(n):
                blocks.append(Block(cin, w, 2 if s > 0 and b == 0 else 1))
                cin = w
        self.body = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        return self.fc(self.body(self.stem(x)).mean((2, 3)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--size", type=int, default=28)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--profile", default="", help="also write torch.autograd.profiler's Chrome trace of the steps here")
    p.add_argument("--memory", choices=["train", "eval"], help="instead: peak RSS after training or evaluating")
    p.add_argument("--channels-last", action="store_true",
                   help="network and inputs in torch.channels_last (distill4j's train.channels_last)")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = ResNet(a.depth, a.channels, a.classes)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    x = torch.randn(a.batch, a.channels, a.size, a.size)
    y = torch.randint(0, a.classes, (a.batch,))
    if a.channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.to(memory_format=torch.channels_last)
    net.train()
    if a.memory:
        memory(a, net, opt, x, y)
        return

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(net(x), y).backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    t = time.perf_counter()
    for _ in range(a.steps):
        step()
    secs = time.perf_counter() - t
    print("pytorch images_per_sec=%.2f steps=%d threads=%d" % (a.steps * a.batch / secs, a.steps, torch.get_num_threads()))
    fwd = bwd = upd = total = 0.0
    for _ in range(a.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        fwd, bwd, upd, total = fwd + t1 - t0, bwd + t2 - t1, upd + t3 - t2, total + t3 - t0
    n = a.steps / 1000.0
    if a.profile:
        with torch.autograd.profiler.profile() as prof:
            for _ in range(a.steps):
                step()
        prof.export_chrome_trace(a.profile)
    print("pytorch phases_ms data=0 forward+loss=%.3f backward=%.3f optimizer=%.3f other=%.3f"
          % (fwd / n, bwd / n, upd / n, (total - fwd - bwd - upd) / n))


def memory(a, net, opt, x, y):
    if a.memory == "eval":
        net.eval()
        with torch.inference_mode():
            for _ in range(a.warmup + a.steps):
                net(x).softmax(1)
    else:
        for _ in range(a.warmup + a.steps):
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(net(x), y).backward()
            opt.step()
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over exec, so a child of a large process (the
    # JVM running bench) would report its parent's peak
    peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024.0
    print("pytorch peak_rss_mib=%.1f mode=%s batch=%d steps=%d" % (peak, a.memory, a.batch, a.warmup + a.steps))


if __name__ == "__main__":
    main()
