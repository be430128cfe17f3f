"""Aggregates `distill4j eval --split train --json` outputs into a Markdown table (mean ± std over seeds).

Usage: python3 tools/fit_table.py FILE...   where each FILE is named like [fit-]NAME-seedN[.fit].json
Prints, per NAME and output network: n, train top-1 (%) and train cross-entropy.
"""
import collections
import json
import re
import statistics
import sys


def main(files):
    groups = collections.OrderedDict()
    for f in files:
        base = f.rsplit("/", 1)[-1]
        m = re.match(r"(?:fit-)?(.+)-seed\d+(?:\.fit)?\.json$", base)
        if not m:
            sys.exit("%s: not named NAME-seedN.json" % f)
        for net, score in json.load(open(f)).items():
            groups.setdefault((m.group(1), net), []).append(score)
    print("| runs | network | n | train top-1 (%) | train CE |")
    print("|---|---|---|---|---|")
    for (name, net), scores in groups.items():
        top1 = [100 * s["top1"] for s in scores]
        ce = [s["loss"] for s in scores]
        sd = statistics.stdev(top1) if len(top1) > 1 else 0.0
        print("| %s | %s | %d | %.2f ± %.2f | %.3f |" % (name, net, len(scores), statistics.mean(top1), sd,
                                                        statistics.mean(ce)))


if __name__ == "__main__":
    main(sys.argv[1:])
