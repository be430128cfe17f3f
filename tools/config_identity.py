#!/usr/bin/env python3
"""The house's identity check: every shipped Fashion-MNIST config trained for one epoch (1 thread), so that two
commits' metrics.jsonl files can be compared line by line, timing aside.

  python3 tools/config_identity.py run OUT [--teachers DIR]   # trains each configs/fashion-mnist/*.yaml into OUT/NAME
  python3 tools/config_identity.py compare BEFORE AFTER        # exit 1 and the first difference of each config

The configs' teacher checkpoints (runs/teachers/resnet20-a, -b) are replaced by one-epoch teachers trained from
kd-teacher.yaml (seeds 0 and 1) into DIR (default OUT/teachers; pass the same DIR to both commits' runs so that
both distil from the same files). Run it from the checkout whose jar is to be measured.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

CONFIGS = Path("configs/fashion-mnist")
TIMING = re.compile(r"(per_sec|seconds|_ms$|millis|wall|eta)")


def train(config, out, sets):
    cmd = ["bin/distill4j", "train", "-c", str(config), "-o", str(out), "--set", "train.epochs=1",
           "--set", "train.threads=1"] + [a for s in sets for a in ("--set", s)]
    print(" ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def run(out, teachers):
    out = Path(out)
    teachers = Path(teachers) if teachers else out / "teachers"
    for name, seed in (("resnet20-a", 0), ("resnet20-b", 1)):
        if not (teachers / name / "summary.json").exists():
            train(CONFIGS / "kd-teacher.yaml", teachers / name, [f"seed={seed}"])
    for config in sorted(CONFIGS.glob("*.yaml")):
        doc = yaml.safe_load(config.read_text())
        sets = []
        for t, spec in (doc.get("teachers") or {}).items():
            ckpt = (spec or {}).get("checkpoint")
            if ckpt:
                teacher = Path(ckpt).parent.parent.name
                sets.append(f"teachers.{t}.checkpoint={teachers / teacher / 'checkpoints' / 'best.ckpt'}")
        train(config, out / config.stem, sets)


def lines(path):
    out = []
    for line in Path(path).read_text().splitlines():
        j = json.loads(line)
        out.append({k: v for k, v in j.items() if not TIMING.search(k)})
    return out


def compare(before, after):
    failed = 0
    for config in sorted(CONFIGS.glob("*.yaml")):
        a = Path(before, config.stem, "metrics.jsonl")
        b = Path(after, config.stem, "metrics.jsonl")
        if not a.exists() or not b.exists():
            print(f"{config.stem}: missing {a if not a.exists() else b}")
            failed += 1
            continue
        la, lb = lines(a), lines(b)
        diff = next((i for i, (x, y) in enumerate(zip(la, lb)) if x != y), None)
        if diff is None and len(la) == len(lb):
            print(f"{config.stem}: identical ({len(la)} lines)")
        else:
            failed += 1
            where = diff if diff is not None else min(len(la), len(lb))
            print(f"{config.stem}: differs at line {where + 1}")
            if diff is not None:
                print(f"  before: {la[diff]}\n  after:  {lb[diff]}")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "run":
        t = sys.argv[sys.argv.index("--teachers") + 1] if "--teachers" in sys.argv else None
        run(sys.argv[2], t)
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    else:
        print(__doc__)
        sys.exit(2)
