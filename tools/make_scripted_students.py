"""Writes the TorchScript student fixtures (modules scripted by PyTorch, not distill4j networks) into
src/test/resources/io/distill4j/students/.

Usage (from the repository root; a few seconds, no data set needed):
    nice -n 15 /usr/bin/python3 tools/make_scripted_students.py [--out src/test/resources/io/distill4j/students]

Files written (seeded random weights; none is one of distill4j's architectures):
  student.pt        torch.jit.script of a small CNN for (N,1,28,28) -> (N,10): conv3x3 1->8 + BN + ReLU, maxpool 2,
                    conv3x3 8->16 + BN + ReLU, global average pool, dropout 0.2, linear 16->10. Training mode is
                    a real attribute: BatchNorm uses batch statistics and updates its running statistics, dropout
                    draws from libtorch's generator.
  traced.pt         the same module made by torch.jit.trace in eval mode: BatchNorm and dropout fixed in
                    inference mode (distill4j refuses to train it).
  frozen.pt         torch.jit.script of a module whose parameters are all buffers (nothing to train).
  wrong-output.pt   torch.jit.script of the CNN with 7 outputs (a wrong class count for a 10-class data set).
  double.pt         torch.jit.script of the CNN in float64.
"""
import argparse
import os

import torch
import torch.nn as nn


class Cnn(nn.Module):
    def __init__(self, classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.max_pool2d(x, 2)
        x = torch.relu(self.bn2(self.conv2(x)))
        x = x.mean(dim=[2, 3])
        return self.fc(self.drop(x))


class Frozen(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("w", torch.randn(10, 784))

    def forward(self, x):
        return x.flatten(1) @ self.w.t()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="src/test/resources/io/distill4j/students")
    out = p.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(3)
    m = Cnn()
    torch.jit.script(m).save(os.path.join(out, "student.pt"))
    m.eval()
    torch.jit.trace(m, torch.rand(2, 1, 28, 28)).save(os.path.join(out, "traced.pt"))
    torch.jit.script(Frozen()).save(os.path.join(out, "frozen.pt"))
    torch.jit.script(Cnn(7)).save(os.path.join(out, "wrong-output.pt"))
    torch.jit.script(Cnn().double()).save(os.path.join(out, "double.pt"))
    for f in sorted(os.listdir(out)):
        print(f, os.path.getsize(os.path.join(out, f)))


if __name__ == "__main__":
    main()
