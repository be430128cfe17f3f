"""Writes the small "foreign teacher" test fixtures (TorchScript and ONNX files made by PyTorch, not by distill4j)
into src/test/resources/io/distill4j/teachers/.

Usage (from the repository root; takes a few seconds, no data set needed):
    nice -n 15 /usr/bin/python3 tools/make_foreign_teachers.py [--out src/test/resources/io/distill4j/teachers]

Files written (all networks have seeded random weights; none is one of distill4j's architectures):
  tiny-color.pt / .onnx   input (N,3,20,20) float32 -> logits (N,10): conv3x3 3->8 + BN + ReLU, depthwise conv3x3
                          + BN + ReLU, maxpool 2, conv3x3 8->16 + BN + ReLU, global average pool, linear 16->10.
  tiny-gray.pt / .onnx    input (N,1,28,28) float32 -> logits (N,10): the same idea with a residual add around the
                          depthwise conv.
                          BatchNorm layers have non-trivial affine parameters and running statistics (a few
                          training-mode forwards on random data, then eval()), so a loader that ignores the
                          running statistics or runs in training mode gives different logits.
  expected.json           for tiny-color and tiny-gray: a fixed input of 4 images (torch.manual_seed(7), then
                          torch.rand of the input shape) as a flat float list with its shape, and PyTorch's logits
                          for it (flat list + shape, row-major), with the file names. Floats are the exact float32
                          values, printed with repr (shortest round-trip form).
  not-a-model.pt          2048 seeded random bytes: not a zip at all.
  truncated.pt            the first half of tiny-gray.pt's bytes.
  empty.onnx              an empty file.
  truncated.onnx          the first half of tiny-gray.onnx's bytes.
  wrong-output.pt / .onnx input (N,1,28,28) -> output (N,7): a wrong class count for a 10-class data set.
  rank2-input.onnx        input (N,784) -> logits (N,10), a single linear layer: the input rank does not fit images.
  cuda-saved.pt           tiny-gray.pt with every storage recorded as saved on "cuda:0" (made without a GPU by
                          rewriting the location strings in data.pkl and re-zipping with the same entries, methods
                          and 64-byte data alignment). On a CPU-only machine torch.jit.load(path) fails with an
                          error about CUDA; torch.jit.load(path, map_location="cpu") loads it and gives the logits
                          of tiny-gray.

TorchScript files come from torch.jit.trace in eval mode on CPU, ONNX files from torch.onnx.export, opset 13,
input name "input", output name "logits", dynamic batch axis (axis 0, named "batch").
The script checks every .pt it writes by reloading it and comparing the logits with expected.json.
"""
import argparse
import json
import os
import pickletools
import random
import struct
import zipfile
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DEFAULT = "src/test/resources/io/distill4j/teachers"


class TinyColor(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, 1, 1, groups=8, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.conv3 = nn.Conv2d(8, 16, 3, 1, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.dw(x)))
        x = F.max_pool2d(x, 2)
        x = F.relu(self.bn3(self.conv3(x)))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


class TinyGray(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, 1, 1, groups=8, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.conv3 = nn.Conv2d(8, 16, 3, 1, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(x + self.bn2(self.dw(x)))
        x = F.max_pool2d(x, 2)
        x = F.relu(self.bn3(self.conv3(x)))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


class WrongOutput(nn.Module):
    """(N,1,28,28) -> (N,7)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, 2, 1)
        self.fc = nn.Linear(4, 7)

    def forward(self, x):
        x = F.relu(self.conv(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class Rank2Input(nn.Module):
    """(N,784) -> (N,10)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        return self.fc(x)


def make_model(cls, in_shape, seed=1234):
    torch.manual_seed(seed)
    model = cls()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.2)
            if isinstance(m, nn.Linear):
                m.weight.mul_(4.0)  # livelier logits: the 4 test images get visibly different scores
    model.train()
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.momentum = None  # cumulative average over the warm-up batches: running stats far from (0, 1)
    with torch.no_grad():
        for _ in range(5):
            model(torch.rand(16, *in_shape[1:]) * 1.5 - 0.25)
    for m in bns:
        m.momentum = 0.1
    model.eval()
    return model


def save_torchscript(model, example, path):
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    torch.jit.save(traced, path)


def save_onnx(model, example, path):
    torch.onnx.export(model, example, path, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True)


# ---- cuda-saved.pt: rewrite the storage locations of a TorchScript zip ----

def rewrite_locations(pickle_bytes, old="cpu", new="cuda:0"):
    """Returns the pickle with every string opcode whose value is `old` replaced by one holding `new`, and the
    number of replacements. Pickles have no absolute offsets (the memo is indexed by number), so re-encoding
    one opcode with its new length keeps the stream valid."""
    out = bytearray()
    last = 0
    count = 0
    ops = list(pickletools.genops(pickle_bytes))
    for i, (op, arg, pos) in enumerate(ops):
        if op.name in ("BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "UNICODE") and arg == old:
            end = ops[i + 1][2]
            encoded = new.encode("utf-8")
            out += pickle_bytes[last:pos]
            out += b"X" + struct.pack("<I", len(encoded)) + encoded  # BINUNICODE
            last = end
            count += 1
    out += pickle_bytes[last:]
    return bytes(out), count


def raw_entry(data, info):
    """The stored (possibly compressed) bytes of a zip entry, read at its local header."""
    off = info.header_offset
    sig, = struct.unpack("<I", data[off:off + 4])
    assert sig == 0x04034B50, "bad local header"
    name_len, extra_len = struct.unpack("<HH", data[off + 26:off + 30])
    start = off + 30 + name_len + extra_len
    return data[start:start + info.compress_size]


def write_zip_aligned(path, entries, alignment=64):
    """entries: list of (name, method, crc, compressed_bytes, uncompressed_size). Writes a zip whose local headers
    carry an extra field 'FB' padding the data to `alignment` bytes, as libtorch's PyTorchStreamWriter does; the
    central directory has no extra fields."""
    buf = bytearray()
    central = bytearray()
    for name, method, crc, payload, size in entries:
        nb = name.encode("utf-8")
        offset = len(buf)
        base = offset + 30 + len(nb)
        pad = (-(base + 4)) % alignment  # extra = 'FB' + 2-byte length + pad bytes
        extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        buf += struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, 0, method, 0, 0x21, crc, len(payload), size,
                           len(nb), len(extra))
        buf += nb + extra
        assert method != 0 or len(buf) % alignment == 0
        buf += payload
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, 0, method, 0, 0x21, crc, len(payload), size,
                               len(nb), 0, 0, 0, 0, 0, offset)
        central += nb
    cd_offset = len(buf)
    buf += central
    buf += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), cd_offset, 0)
    with open(path, "wb") as f:
        f.write(buf)


def make_cuda_saved(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    zf = zipfile.ZipFile(src)
    entries = []
    replaced = 0
    for info in zf.infolist():
        payload = raw_entry(data, info)
        method, crc, size = info.compress_type, info.CRC, info.file_size
        base = info.filename.rsplit("/", 1)[-1]
        if base in ("data.pkl", "constants.pkl"):
            plain = zf.read(info.filename)
            new, n = rewrite_locations(plain)
            replaced += n
            payload, method, crc, size = new, zipfile.ZIP_STORED, zlib.crc32(new) & 0xFFFFFFFF, len(new)
        entries.append((info.filename, method, crc, payload, size))
    if replaced == 0:
        raise RuntimeError("no storage location 'cpu' found in " + src)
    write_zip_aligned(dst, entries)
    return replaced


def dumps_compact(obj, indent=0):
    """Pretty JSON where lists of numbers stay on one line (expected.json stays small and readable)."""
    pad = "  " * indent
    if isinstance(obj, dict):
        items = [f'{pad}  {json.dumps(k)}: {dumps_compact(v, indent + 1).lstrip()}' for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        return "[\n" + ",\n".join(pad + "  " + dumps_compact(v, indent + 1).lstrip() for v in obj) + "\n" + pad + "]"
    if isinstance(obj, list):
        return "[" + ", ".join(repr(v) if isinstance(v, float) else json.dumps(v) for v in obj) + "]"
    return json.dumps(obj)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=OUT_DEFAULT)
    args = p.parse_args()
    torch.set_num_threads(1)
    out = args.out
    os.makedirs(out, exist_ok=True)

    networks = {}
    specs = [("tiny-color", TinyColor, (4, 3, 20, 20)), ("tiny-gray", TinyGray, (4, 1, 28, 28))]
    models = {}
    for name, cls, shape in specs:
        model = make_model(cls, shape)
        models[name] = model
        example = torch.zeros(2, *shape[1:])
        save_torchscript(model, example, os.path.join(out, name + ".pt"))
        save_onnx(model, example, os.path.join(out, name + ".onnx"))
        torch.manual_seed(7)
        x = torch.rand(*shape)
        with torch.no_grad():
            y = model(x)
        networks[name] = {
            "torchscript": name + ".pt",
            "onnx": name + ".onnx",
            "input": {"shape": list(x.shape), "data": x.flatten().tolist()},
            "logits": {"shape": list(y.shape), "data": y.flatten().tolist()},
        }

    wrong = make_model(WrongOutput, (4, 1, 28, 28))
    save_torchscript(wrong, torch.zeros(2, 1, 28, 28), os.path.join(out, "wrong-output.pt"))
    save_onnx(wrong, torch.zeros(2, 1, 28, 28), os.path.join(out, "wrong-output.onnx"))
    flat = make_model(Rank2Input, (4, 784))
    save_onnx(flat, torch.zeros(2, 784), os.path.join(out, "rank2-input.onnx"))

    rng = random.Random(99)
    with open(os.path.join(out, "not-a-model.pt"), "wb") as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(2048)))
    for src, dst in [("tiny-gray.pt", "truncated.pt"), ("tiny-gray.onnx", "truncated.onnx")]:
        with open(os.path.join(out, src), "rb") as f:
            data = f.read()
        with open(os.path.join(out, dst), "wb") as f:
            f.write(data[:len(data) // 2])
    open(os.path.join(out, "empty.onnx"), "wb").close()

    replaced = make_cuda_saved(os.path.join(out, "tiny-gray.pt"), os.path.join(out, "cuda-saved.pt"))

    expected = {
        "format_version": 1,
        "producer": f"tools/make_foreign_teachers.py (PyTorch {torch.__version__})",
        "note": "input: torch.manual_seed(7); torch.rand(shape). Flat lists are row-major (NCHW / N x classes). "
                "Logits are PyTorch's on CPU in eval mode; other runtimes should match within about 1e-5.",
        "networks": networks,
        "fixtures": {
            "wrong-output.pt": {"input_shape": [1, 1, 28, 28], "output_shape": [1, 7]},
            "wrong-output.onnx": {"input_shape": ["batch", 1, 28, 28], "output_shape": ["batch", 7]},
            "rank2-input.onnx": {"input_shape": ["batch", 784], "output_shape": ["batch", 10]},
            "cuda-saved.pt": {"same_as": "tiny-gray.pt", "storage_location": "cuda:0"},
        },
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        f.write(dumps_compact(expected) + "\n")

    # ---- verification ----
    with open(os.path.join(out, "expected.json")) as f:
        check = json.load(f)
    for name, entry in check["networks"].items():
        x = torch.tensor(entry["input"]["data"], dtype=torch.float32).reshape(entry["input"]["shape"])
        want = torch.tensor(entry["logits"]["data"], dtype=torch.float32).reshape(entry["logits"]["shape"])
        loaded = torch.jit.load(os.path.join(out, entry["torchscript"]))
        with torch.no_grad():
            got = loaded(x)
        assert torch.equal(got, want), f"{name}: reloaded logits differ by {(got - want).abs().max()}"
        assert tuple(got.shape) == (4, 10)
        print(f"ok {entry['torchscript']}: reloaded logits equal expected.json")
    w = torch.jit.load(os.path.join(out, "wrong-output.pt"))
    assert tuple(w(torch.zeros(3, 1, 28, 28)).shape) == (3, 7)
    print("ok wrong-output.pt: output (N, 7)")
    for bad in ("not-a-model.pt", "truncated.pt"):
        try:
            torch.jit.load(os.path.join(out, bad))
            raise AssertionError(bad + " loaded")
        except RuntimeError as e:
            print(f"ok {bad}: load fails ({str(e).splitlines()[0][:100]})")
    try:
        torch.jit.load(os.path.join(out, "cuda-saved.pt"))
        if torch.cuda.is_available():
            print("note: CUDA is available here, so cuda-saved.pt loaded onto the GPU")
        else:
            raise AssertionError("cuda-saved.pt loaded on a machine without CUDA")
    except RuntimeError as e:
        msg = str(e)
        assert "cuda" in msg.lower(), msg
        print(f"ok cuda-saved.pt ({replaced} location strings rewritten): plain load fails: "
              f"{type(e).__name__}: {msg.strip().splitlines()[0][:110]}")
    mapped = torch.jit.load(os.path.join(out, "cuda-saved.pt"), map_location="cpu")
    g = check["networks"]["tiny-gray"]
    x = torch.tensor(g["input"]["data"]).reshape(g["input"]["shape"])
    with torch.no_grad():
        assert torch.equal(mapped(x), torch.tensor(g["logits"]["data"]).reshape(g["logits"]["shape"]))
    print("ok cuda-saved.pt: loads with map_location='cpu' and gives tiny-gray's logits")
    for name in sorted(os.listdir(out)):
        print(f"{os.path.getsize(os.path.join(out, name)):8d}  {name}")


if __name__ == "__main__":
    main()
