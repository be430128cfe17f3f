"""Writes the TorchScript student fixtures (modules scripted by PyTorch, not distill4j networks), their expected
outputs, the shipped scripted student and the torchvision fixtures of `init:`.

Usage (from the repository root; about ten seconds, no data set needed; torch 1.13 and torchvision 0.14 from Debian):
    nice -n 15 /usr/bin/python3 tools/make_scripted_students.py
Options: --out (src/test/resources/io/distill4j/students), --shipped (models/scripted-cnn-student),
--init-out (src/test/resources/io/distill4j/torchvision).

Into --out (seeded random weights; none is one of distill4j's architectures):
  student.pt        torch.jit.script of a small CNN for (N,1,28,28) -> (N,10): conv3x3 1->8 + BN + ReLU, maxpool 2,
                    conv3x3 8->16 + BN + ReLU, global average pool, dropout 0.2, linear 16->10. Training mode is
                    a real attribute: BatchNorm uses batch statistics and updates its running statistics, dropout
                    draws from libtorch's generator.
  student-expected.json
                    a (3,1,28,28) input and PyTorch 1.13's logits of student.pt on it in inference mode, its
                    BatchNorm running statistics moved away from (0, 1) first by training-mode forwards (so the
                    comparison reads them).
  traced.pt         the same module made by torch.jit.trace in eval mode: BatchNorm and dropout fixed in
                    inference mode (distill4j refuses to train it).
  frozen.pt         torch.jit.script of a module whose parameters are all buffers (nothing to train).
  wrong-output.pt   torch.jit.script of the CNN with 7 outputs (a wrong class count for a 10-class data set).
  double.pt         torch.jit.script of the CNN in float64.
  state-dict.pth    a torch.save of a dictionary of known tensors for the archive reader: w = arange(6) as 2x3,
                    transposed (a strided view), h = float16 [1.5, -2, 65504, 2^-24], d = float64 [0.1, -3],
                    n = int64 7.

Into --shipped: student.pt, the untrained scripted CNN of the scripted-student experiment (experiments/
scripted-student.yaml): [conv3x3, BN, ReLU] 1->16, 16->32 stride 2, 32->32, 32->64 stride 2, 64->64, global average
pool, dropout 0.1, linear 64->10 (70,330 parameters, about resnet8's 78k); its card (distill4j-model.json) and README.md.

Into --init-out: mobilenet_v3_small.pt, torchvision's mobilenet_v3_small(num_classes=10) scripted, its weights as
torchvision initialises them except that every BatchNorm's weight and bias are drawn at random and its running
statistics moved by training-mode forwards (so a mapping that loses or swaps any of them shows in the logits);
mobilenet_v3_small-expected.json: a (2,3,64,64) input and its logits in inference mode.
"""
import argparse
import json
import os

import torch
import torch.nn as nn
import torchvision

FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
           "Ankle boot"]


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


class ShippedCnn(nn.Module):
    """The scripted-student experiment's student: five conv-BN-ReLU layers, global average pool, dropout, linear."""

    def __init__(self, classes: int = 10):
        super().__init__()
        layers = []
        for cin, cout, stride in [(1, 16, 1), (16, 32, 2), (32, 32, 1), (32, 64, 2), (64, 64, 1)]:
            layers += [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
        self.features = nn.Sequential(*layers)
        self.drop = nn.Dropout(0.1)
        self.fc = nn.Linear(64, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")

    def forward(self, x):
        x = self.features(x).mean(dim=[2, 3])
        return self.fc(self.drop(x))


class Frozen(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("w", torch.randn(10, 784))

    def forward(self, x):
        return x.flatten(1) @ self.w.t()


def move_statistics(m, shape, batches=3):
    """Training-mode forwards of random batches: running statistics away from (0, 1), then inference mode."""
    m.train()
    with torch.no_grad():
        for _ in range(batches):
            m(torch.randn(*shape) * 2 + 0.5)
    m.eval()


def expected(m, x, path):
    with torch.no_grad():
        z = m(x)
    with open(path, "w") as f:
        json.dump({"producer": "tools/make_scripted_students.py (PyTorch %s)" % torch.__version__,
                   "input": {"shape": list(x.shape), "data": x.flatten().tolist()},
                   "logits": {"shape": list(z.shape), "data": z.flatten().tolist()}}, f)


def card(path, arch, params, classes):
    with open(path, "w") as f:
        json.dump({"format_version": 1, "producer": "tools/make_scripted_students.py (PyTorch %s)" % torch.__version__,
                   "arch": arch + " (%d parameters), untrained" % params, "class_names": classes,
                   "input": {"channels": 1, "height": 28, "width": 28, "layout": "NCHW", "range": "[0, 1]"},
                   "normalization": {"mean": [0.286], "std": [0.353], "applied": "by the caller"}}, f, indent=2)
        f.write("\n")


SHIPPED_README = """# A scripted student (PyTorch, untrained)

`student.pt` is a network written in PyTorch, scripted with `torch.jit.script` and saved untrained: the student of
`experiments/scripted-student.yaml` (RESULTS.md), which distils the shipped teacher into it with distill4j's KD and
trains it alone, on the main job's data. It is not one of distill4j's architectures.

- Network: [conv3x3, BatchNorm, ReLU] 1->16, 16->32 (stride 2), 32->32, 32->64 (stride 2), 64->64, global average
  pool, dropout 0.1, linear 64->10 (%d parameters, about resnet8's 78k).
- Contract (`distill4j-model.json`): float32 `(N, 1, 28, 28)` normalised by the caller (mean 0.286, std 0.353),
  logits `(N, 10)` in Fashion-MNIST's label order.
- Made by `nice -n 15 /usr/bin/python3 tools/make_scripted_students.py` (seed 5, PyTorch %s).
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="src/test/resources/io/distill4j/students")
    p.add_argument("--shipped", default="models/scripted-cnn-student")
    p.add_argument("--init-out", default="src/test/resources/io/distill4j/torchvision")
    a = p.parse_args()
    for d in (a.out, a.shipped, a.init_out):
        os.makedirs(d, exist_ok=True)
    torch.set_num_threads(1)

    torch.manual_seed(3)
    m = Cnn()
    torch.jit.script(m).save(os.path.join(a.out, "student.pt"))
    m.eval()
    torch.jit.trace(m, torch.rand(2, 1, 28, 28)).save(os.path.join(a.out, "traced.pt"))
    torch.jit.script(Frozen()).save(os.path.join(a.out, "frozen.pt"))
    torch.jit.script(Cnn(7)).save(os.path.join(a.out, "wrong-output.pt"))
    torch.jit.script(Cnn().double()).save(os.path.join(a.out, "double.pt"))
    torch.save({"w": torch.arange(6.0).reshape(2, 3).t(),
                "h": torch.tensor([1.5, -2, 65504, 2.0 ** -24], dtype=torch.float16),
                "d": torch.tensor([0.1, -3], dtype=torch.float64), "n": torch.tensor(7)},
               os.path.join(a.out, "state-dict.pth"))
    # the expected logits of student.pt as saved (reloaded), its running statistics moved first; the moved
    # module is not saved: student.pt stays the untrained module the training tests start from
    s = torch.jit.load(os.path.join(a.out, "student.pt"))
    torch.manual_seed(4)
    move_statistics(s, (16, 1, 28, 28))
    s.save(os.path.join(a.out, "student-moved.pt"))
    expected(s, torch.randn(3, 1, 28, 28), os.path.join(a.out, "student-expected.json"))

    torch.manual_seed(5)
    shipped = ShippedCnn()
    params = sum(q.numel() for q in shipped.parameters())
    torch.jit.script(shipped).save(os.path.join(a.shipped, "student.pt"))
    card(os.path.join(a.shipped, "distill4j-model.json"), "scripted CNN: [conv3x3, BN, ReLU] 1-16, 16-32/2, 32-32, "
         "32-64/2, 64-64, global average pool, dropout 0.1, linear 64->10", params, FASHION)
    with open(os.path.join(a.shipped, "README.md"), "w") as f:
        f.write(SHIPPED_README % (params, torch.__version__))

    torch.manual_seed(6)
    mv = torchvision.models.mobilenet_v3_small(num_classes=10)
    for mod in mv.modules():
        if isinstance(mod, nn.BatchNorm2d):
            nn.init.uniform_(mod.weight, 0.5, 1.5)
            nn.init.normal_(mod.bias, 0, 0.2)
    move_statistics(mv, (8, 3, 64, 64))
    sm = torch.jit.script(mv)
    sm.save(os.path.join(a.init_out, "mobilenet_v3_small.pt"))
    expected(torch.jit.load(os.path.join(a.init_out, "mobilenet_v3_small.pt")), torch.randn(2, 3, 64, 64),
             os.path.join(a.init_out, "mobilenet_v3_small-expected.json"))

    for d in (a.out, a.shipped, a.init_out):
        for f in sorted(os.listdir(d)):
            print(os.path.join(d, f), os.path.getsize(os.path.join(d, f)))


if __name__ == "__main__":
    main()
