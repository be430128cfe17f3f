"""Sums a Chrome trace (libtorch's profiler via `distill4j bench --profile DIR`, or PyTorch's via
`tools/bench_pytorch.py --profile FILE`) by operator: milliseconds and calls per step, the most expensive first.
Usage: python3 tools/trace_summary.py TRACE.json STEPS [TOP]
"""
import collections
import json
import sys


def main():
    trace, steps = sys.argv[1], int(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    data = json.load(open(trace))
    events = data["traceEvents"] if isinstance(data, dict) else data
    total, calls = collections.Counter(), collections.Counter()
    for e in events:
        if e.get("ph") == "X" and "dur" in e:
            total[e["name"]] += e["dur"]
            calls[e["name"]] += 1
    for name, us in total.most_common(top):
        print("%9.2f ms/step %7.1f calls/step  %s" % (us / 1000 / steps, calls[name] / steps, name))


if __name__ == "__main__":
    main()
