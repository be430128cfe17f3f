"""Makes the test fixture of a foreign teacher that returns its feature maps: TorchScript and ONNX files of a small
gray 28x28 CNN whose forward returns (logits, features, stage1, stage2), the model card naming those outputs, and
expected.json with PyTorch's outputs for a fixed input.

Run: /usr/bin/python3 tools/make_feature_teacher.py   (PyTorch 1.13 from Debian's python3-torch; Fashion-MNIST from
Debian's dataset-fashion-mnist: the model is trained briefly, so that it scores well above chance)
Writes src/test/resources/io/distill4j/teachers/with-features/.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = "src/test/resources/io/distill4j/teachers/with-features"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


class GrayWithFeatures(nn.Module):
    """(N,1,28,28) -> logits (N,10), pooled features (N,16), stage1 (N,8,28,28), stage2 (N,16,14,14)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, 2, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        s1 = F.relu(self.bn1(self.conv1(x)))
        s2 = F.relu(self.bn2(self.conv2(s1)))
        f = torch.flatten(F.adaptive_avg_pool2d(s2, 1), 1)
        return self.fc(f), f, s1, s2


def main():
    torch.set_num_threads(1)
    torch.manual_seed(4321)
    model = GrayWithFeatures()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.2)
    # a few hundred steps on 6,000 Fashion-MNIST images: far enough above chance for distill4j's check on foreign
    # teachers (a model at chance is refused as a likely contract error)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from make_teacher import load_split
    x_train, y_train = load_split("/usr/share/datasets/fashion-mnist", "train")
    x_train, y_train = x_train[:6000], y_train[:6000]
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for epoch in range(3):
        perm = torch.randperm(len(x_train))
        for i in range(0, len(x_train), 64):
            idx = perm[i:i + 64]
            loss = F.cross_entropy(model(x_train[idx])[0], y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    x_test, y_test = load_split("/usr/share/datasets/fashion-mnist", "t10k")
    with torch.no_grad():
        top1 = (model(x_test)[0].argmax(1) == y_test).float().mean().item()
    print(f"top-1 on the 10,000 test images: {100 * top1:.2f}%")
    os.makedirs(OUT, exist_ok=True)
    example = torch.zeros(2, 1, 28, 28)
    names = ["logits", "features", "stage1", "stage2"]
    with torch.no_grad():
        torch.jit.save(torch.jit.trace(model, example), os.path.join(OUT, "teacher.pt"))
    torch.onnx.export(model, example, os.path.join(OUT, "teacher.onnx"), opset_version=13, input_names=["input"],
                      output_names=names, dynamic_axes={n: {0: "batch"} for n in ["input"] + names},
                      do_constant_folding=True)
    card = {
        "format": "distill4j model card",
        "input": {"channels": 1, "height": 28, "width": 28},
        "normalization": {"mean": [0.2860], "std": [0.3530], "applied": "by the caller"},
        "class_names": CLASSES,
        "outputs": names,
    }
    with open(os.path.join(OUT, "distill4j-model.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    torch.manual_seed(7)
    x = torch.rand(2, 1, 28, 28)
    with torch.no_grad():
        logits, feats, s1, s2 = model(x)
    expected = {
        "producer": f"tools/make_feature_teacher.py (PyTorch {torch.__version__})",
        "note": "input: torch.manual_seed(7); torch.rand(2, 1, 28, 28), row-major; maps summed over H and W",
        "input": x.flatten().tolist(),
        "logits": logits.flatten().tolist(),
        "features": feats.flatten().tolist(),
        "stage1_channel_sums": s1.sum(dim=(2, 3)).flatten().tolist(),
        "stage2_channel_sums": s2.sum(dim=(2, 3)).flatten().tolist(),
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
        f.write("\n")
    reloaded = torch.jit.load(os.path.join(OUT, "teacher.pt"))
    with torch.no_grad():
        assert torch.equal(reloaded(x)[3], s2)
    for n in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, n)):8d}  {n}")


if __name__ == "__main__":
    main()
