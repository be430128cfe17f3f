"""Scripts a torchvision network (untrained) for `distill4j bench --student`: the step of a TorchScript student
against distill4j's own network of the same architecture (BENCHMARKS.md, "A scripted student's step").

Usage: /usr/bin/python3 tools/make_bench_student.py OUT.pt [--arch resnet18] [--classes 10]
Needs torch and torchvision (python3-torch, python3-torchvision)."""
import argparse

import torch
import torchvision

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--arch", default="resnet18")
p.add_argument("--classes", type=int, default=10)
a = p.parse_args()
torch.manual_seed(0)
torch.jit.script(getattr(torchvision.models, a.arch)(num_classes=a.classes)).save(a.out)
print(a.out)
