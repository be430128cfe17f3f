"""Checks distill4j's `init:` from torchvision weights on the large torchvision models against PyTorch: scripts
torchvision 0.14's resnet18, resnet34, resnet50 and mobilenet_v3_large (1000 classes, as ImageNet's), writes each
with the logits PyTorch gives a (2, 3, 224, 224) input in inference mode, then runs TorchvisionInitTest, which maps
each file onto distill4j's resnet{18,34,50}-imagenet / mobilenetv3-large and compares the logits within the
forward-error bound. The files (45 to 100 MB each) stay out of the repository.

Usage (from the repository root, after `mvn -B -q -o install -DskipTests`; a few minutes):
    nice -n 15 /usr/bin/python3 tools/check_torchvision_init.py [--out /tmp/torchvision-init] [--weights DIR]
--weights: a folder with torchvision's own .pth files (resnet18-f37072fd.pth, ...; the names torchvision's
download gives them) to check the real pretrained weights instead of random ones; nothing is downloaded here.
Without it, the weights are torchvision's random initialisation with every BatchNorm's weight and bias drawn at
random and its running statistics moved by training-mode forwards, so a lost or swapped buffer shows.
"""
import argparse
import glob
import json
import os
import subprocess

import torch
import torch.nn as nn
import torchvision

MODELS = ["resnet18", "resnet34", "resnet50", "mobilenet_v3_large"]


def build(name, weights_dir):
    m = getattr(torchvision.models, name)()
    found = glob.glob(os.path.join(weights_dir, name + "-*.pth")) if weights_dir else []
    if found:
        m.load_state_dict(torch.load(found[0]))
        return m, found[0]
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            nn.init.uniform_(mod.weight, 0.5, 1.5)
            nn.init.normal_(mod.bias, 0, 0.2)
    m.train()
    with torch.no_grad():
        for _ in range(2):
            m(torch.randn(4, 3, 96, 96) * 2 + 0.5)
    return m, "random (BatchNorm drawn, statistics moved)"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="/tmp/torchvision-init")
    p.add_argument("--weights", default=None)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(7)
    for name in MODELS:
        m, source = build(name, a.weights)
        m.eval()
        path = os.path.join(a.out, name + ".pt")
        torch.jit.script(m).save(path)
        x = torch.randn(2, 3, 224, 224)
        with torch.no_grad():
            z = torch.jit.load(path)(x)
        with open(os.path.join(a.out, name + "-expected.json"), "w") as f:
            json.dump({"producer": "tools/check_torchvision_init.py (PyTorch %s, torchvision %s)"
                       % (torch.__version__, torchvision.__version__), "weights": source,
                       "input": {"shape": list(x.shape), "data": x.flatten().tolist()},
                       "logits": {"shape": list(z.shape), "data": z.flatten().tolist()}}, f)
        print("%s: %s, %.1f MB, max |logit| %.3g" % (name, source, os.path.getsize(path) / 1e6, z.abs().max()))
    env = dict(os.environ, DISTILL4J_TORCHVISION_FIXTURES=os.path.abspath(a.out))
    r = subprocess.run(["mvn", "-B", "-o", "-pl", "core", "test", "-Dtest=TorchvisionInitTest",
                        "-Dsurefire.failIfNoSpecifiedTests=false"], env=env, capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if "of its bound" in line or "Tests run:" in line or "FAIL" in line:
            print(line)
    raise SystemExit(r.returncode)


if __name__ == "__main__":
    main()
