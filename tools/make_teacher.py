"""Trains a Fashion-MNIST teacher in PyTorch and saves it as TorchScript and ONNX, for distill4j to load as a
foreign (pre-trained) teacher.

Usage (from the repository root; one thread, niced, as the other experiments on the machine must not starve):
    nice -n 15 /usr/bin/python3 tools/make_teacher.py --out models/fashion-mnist-teacher
Options: --epochs (default 10), --lr (0.1), --batch (128), --wd (5e-4), --width (32: channels 32-64-128),
--data (the folder with the four Fashion-MNIST IDX .gz files), --threads (1), --seed (0),
--log (/tmp/make_teacher.log; every line printed is also appended there), --limit N (smoke tests only: train on
the first N images, e.g. `--epochs 1 --limit 2560 --out /tmp/smoke`).

The network is a small VGG-style CNN with BatchNorm (not one of distill4j's architectures):
    [conv3x3 w, BN, ReLU] x2, maxpool 2 -> [conv3x3 2w, BN, ReLU] x2, maxpool 2 -> [conv3x3 4w, BN, ReLU] x2,
    maxpool 2 -> global average pool -> linear 4w -> 10
trained on all 60,000 training images (pad-2 random crop + horizontal flip), SGD momentum 0.9 Nesterov,
cosine learning rate, weight decay 5e-4, batch 128, cross-entropy.

Contract of the saved model: input float32 (N, 1, 28, 28), pixels scaled to [0, 1] and then normalised BY THE
CALLER with mean 0.2860 and std 0.3530 (the network does not normalise); output logits (N, 10) in Fashion-MNIST
label order (T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot).

Writes into --out: teacher.pt (torch.jit.trace on CPU, eval mode), teacher.onnx (opset 13, input "input",
output "logits", dynamic batch axis), distill4j-model.json (metadata, with the test top-1 measured on the
10,000 test images with the saved TorchScript file reloaded) and README.md.
"""
import argparse
import gzip
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN = 0.2860
STD = 0.3530
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

LOG_PATH = None


def log(msg):
    print(msg, flush=True)
    if LOG_PATH:
        with open(LOG_PATH, "a") as f:
            f.write(msg + "\n")


def read_idx(path):
    """Reads a gzip'ed IDX file (big-endian header: magic with the type code and the rank, then the sizes)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file")
    type_code, rank = raw[2], raw[3]
    if type_code != 0x08:
        raise ValueError(f"{path}: expected unsigned bytes (0x08), got type 0x{type_code:02x}")
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} values for shape {dims}")
    return data.reshape(dims)


def load_split(folder, split):
    images = read_idx(os.path.join(folder, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(folder, f"{split}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)  # (N, 1, 28, 28) in [0, 1]
    x = (x - MEAN) / STD
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def conv_bn_relu(cin, cout):
    return [nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class VggTeacher(nn.Module):
    def __init__(self, width=32, classes=10):
        super().__init__()
        a, b, c = width, 2 * width, 4 * width
        self.features = nn.Sequential(
            *conv_bn_relu(1, a), *conv_bn_relu(a, a), nn.MaxPool2d(2),   # 28 -> 14
            *conv_bn_relu(a, b), *conv_bn_relu(b, b), nn.MaxPool2d(2),   # 14 -> 7
            *conv_bn_relu(b, c), *conv_bn_relu(c, c), nn.MaxPool2d(2),   # 7 -> 3
        )
        self.classifier = nn.Linear(c, classes)

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.classifier(x)


def augment(x, gen):
    """Pad-2 random crop (zero padding in normalised space = the background value would be (0 - MEAN) / STD;
    we pad with that so the border looks like black pixels) and random horizontal flip, vectorised."""
    n = x.shape[0]
    padded = F.pad(x, (2, 2, 2, 2), value=(0.0 - MEAN) / STD)
    oy = torch.randint(0, 5, (n,), generator=gen)
    ox = torch.randint(0, 5, (n,), generator=gen)
    ar = torch.arange(28)
    rows = (oy[:, None] + ar)[:, :, None]          # (n, 28, 1)
    cols = (ox[:, None] + ar)[:, None, :]          # (n, 1, 28)
    idx = torch.arange(n)[:, None, None]
    out = padded[idx, 0, rows, cols].unsqueeze(1)  # (n, 1, 28, 28)
    flip = torch.rand(n, generator=gen) < 0.5
    out = torch.where(flip[:, None, None, None], out.flip(3), out)
    return out.contiguous()


@torch.no_grad()
def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    for i in range(0, x.shape[0], batch):
        correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / x.shape[0]


def main():
    global LOG_PATH
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="models/fashion-mnist-teacher")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--wd", type=float, default=5e-4)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log", default="/tmp/make_teacher.log")
    p.add_argument("--limit", type=int, default=0, help="smoke test only: train on the first LIMIT images")
    args = p.parse_args()
    LOG_PATH = args.log

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)

    x_train, y_train = load_split(args.data, "train")
    x_test, y_test = load_split(args.data, "t10k")
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
    log(f"data: train {tuple(x_train.shape)}, test {tuple(x_test.shape)}; torch {torch.__version__}, "
        f"threads {torch.get_num_threads()}")

    model = VggTeacher(args.width)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: VGG-style CNN width {args.width}, {n_params} parameters; epochs {args.epochs}, lr {args.lr}, "
        f"batch {args.batch}, wd {args.wd}")

    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": args.wd},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=args.lr, momentum=0.9, nesterov=True)
    n = x_train.shape[0]
    steps_per_epoch = math.ceil(n / args.batch)
    total_steps = args.epochs * steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / total_steps)))

    t0 = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(n, generator=gen)
        loss_sum, correct, seen = 0.0, 0, 0
        for i in range(0, n, args.batch):
            idx = perm[i:i + args.batch]
            xb = augment(x_train[idx], gen)
            yb = y_train[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * yb.shape[0]
            correct += (logits.argmax(1) == yb).sum().item()
            seen += yb.shape[0]
        test_top1 = evaluate(model, x_test, y_test)
        log(f"epoch {epoch}/{args.epochs}: loss {loss_sum / seen:.4f} train-top1 {correct / seen:.4f} "
            f"test-top1 {test_top1:.4f} lr {sched.get_last_lr()[0]:.5f} elapsed {time.time() - t0:.0f}s")
    seconds = time.time() - t0

    os.makedirs(args.out, exist_ok=True)
    model.eval()
    example = torch.zeros(2, 1, 28, 28)
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    pt_path = os.path.join(args.out, "teacher.pt")
    torch.jit.save(traced, pt_path)
    onnx_path = os.path.join(args.out, "teacher.onnx")
    torch.onnx.export(model, example, onnx_path, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True)

    reloaded = torch.jit.load(pt_path, map_location="cpu")
    reloaded.eval()
    final_top1 = evaluate(reloaded, x_test, y_test)
    in_memory_top1 = evaluate(model, x_test, y_test)
    log(f"saved {pt_path} ({os.path.getsize(pt_path)} bytes), {onnx_path} ({os.path.getsize(onnx_path)} bytes); "
        f"test top-1 of the reloaded TorchScript file {final_top1:.4f} (in memory {in_memory_top1:.4f}); "
        f"training {seconds:.0f}s")

    arch = (f"VGG-style CNN with BatchNorm: conv3x3 {args.width}-{args.width}, maxpool, "
            f"conv3x3 {2 * args.width}-{2 * args.width}, maxpool, conv3x3 {4 * args.width}-{4 * args.width}, "
            f"maxpool, global average pool, linear {4 * args.width}->10 ({n_params} parameters)")
    meta = {
        "format_version": 1,
        "producer": f"tools/make_teacher.py (PyTorch {torch.__version__})",
        "arch": arch,
        "class_names": CLASS_NAMES,
        "input": {"channels": 1, "height": 28, "width": 28, "layout": "NCHW", "range": "[0, 1]"},
        "normalization": {"mean": [round(MEAN, 4)], "std": [round(STD, 4)], "applied": "by the caller"},
        "dataset": "fashion-mnist (all 60,000 training images)",
        "training": {"epochs": args.epochs, "batch_size": args.batch,
                     "optimizer": f"SGD momentum 0.9 nesterov, lr {args.lr} cosine (per step), "
                                  f"weight decay {args.wd} (not on BatchNorm/bias)",
                     "augmentation": "pad-2 crop + flip", "seconds": round(seconds, 1),
                     "threads": torch.get_num_threads()},
        "top1": {"test": round(final_top1, 4)},
    }
    with open(os.path.join(args.out, "distill4j-model.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")

    extra = [] if (args.epochs, args.lr, args.width, args.batch, args.seed) == (10, 0.1, 32, 128, 0) else [
        f"--epochs {args.epochs}", f"--lr {args.lr}", f"--width {args.width}", f"--batch {args.batch}",
        f"--seed {args.seed}"]
    command = " ".join(["nice -n 15 /usr/bin/python3 tools/make_teacher.py --out", args.out] + extra)
    readme = f"""# Fashion-MNIST teacher (PyTorch, foreign)

A pre-trained Fashion-MNIST classifier made outside distill4j, in PyTorch, to be loaded by distill4j as a
foreign teacher. It is clearly stronger than distill4j's resnet8 student (about 83-85% on a 9k-image subset).

- `teacher.pt`: TorchScript (`torch.jit.trace` on CPU, eval mode).
- `teacher.onnx`: the same network, ONNX opset 13, input `input`, output `logits`, dynamic batch axis.
- `distill4j-model.json`: metadata (classes, input contract, normalisation, training, measured accuracy).

## Network

{arch}.

## How it was made

    {command}

Trained on all 60,000 training images for {args.epochs} epochs (pad-2 random crop + horizontal flip, SGD momentum 0.9
Nesterov, lr {args.lr} cosine, weight decay {args.wd}, batch {args.batch}, seed {args.seed}), one thread,
{seconds:.0f} s, PyTorch {torch.__version__}.

**Test top-1: {final_top1:.4f}** on the 10,000 test images, measured with the saved `teacher.pt` reloaded.

## Contract

- Input: float32 `(N, 1, 28, 28)`, NCHW; pixels scaled to [0, 1], then normalised **by the caller** with
  mean 0.2860 and std 0.3530 (the network does not normalise).
- Output: logits `(N, 10)` (no softmax), in Fashion-MNIST label order:
  {", ".join(CLASS_NAMES)}.
"""
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write(readme)
    log("done")


if __name__ == "__main__":
    main()
