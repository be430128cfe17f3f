"""PyTorch's own evaluation throughput of a TorchScript file, for `distill4j bench --teacher`.

Loads the file with torch.jit.load, puts it in eval mode and runs random float32 batches of the given shape
under torch.inference_mode(), as a user's evaluation script would, for --seconds after --warmup batches.
Prints `pytorch images_per_sec=<float> batches=<int> threads=<int>`.
Usage: /usr/bin/python3 tools/bench_teacher.py FILE --shape 1 28 28 --batch 128 --threads 2 --seconds 2
"""
import argparse
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--shape", type=int, nargs=3, default=[1, 28, 28])
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--seconds", type=float, default=2.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    model = torch.jit.load(a.file, map_location="cpu").eval()
    x = torch.rand(a.batch, *a.shape)
    with torch.inference_mode():
        for _ in range(a.warmup):
            model(x)
        n = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < a.seconds:
            model(x)
            n += 1
        dt = time.perf_counter() - t0
    print("pytorch images_per_sec=%.3f batches=%d threads=%d" % (n * a.batch / dt, n, a.threads))


if __name__ == "__main__":
    main()
