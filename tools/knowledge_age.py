"""How old the knowledge is that MKF distils from, per run: the `knowledge_age_epochs` diagnostics that
`method.mkf.log_knowledge_age: true` writes to metrics.jsonl (one per step that distils), summarised as the mean
over all steps, over the second half of the run, and the 90th percentile of the second half.

Usage: python3 tools/knowledge_age.py RUN_FOLDER...   (prints a Markdown table)
"""
import json
import sys


def main(runs):
    print("| run | steps distilled | mean age (epochs) | second half: mean | second half: 90th percentile |")
    print("|---|---|---|---|---|")
    for run in runs:
        ages = []
        epochs = 0
        with open(run.rstrip("/") + "/metrics.jsonl") as f:
            for line in f:
                d = json.loads(line)
                epochs = max(epochs, d.get("epoch", 0))
                if "knowledge_age_epochs" in d:
                    ages.append((d["epoch"], d["knowledge_age_epochs"]))
        if not ages:
            print("| %s | 0 | | | |" % run.rstrip("/").split("/")[-1])
            continue
        late = sorted(a for e, a in ages if e > epochs / 2)
        p90 = late[int(0.9 * (len(late) - 1))] if late else float("nan")
        print("| %s | %d | %.2f | %.2f | %.2f |" % (run.rstrip("/").split("/")[-1], len(ages),
                                                   sum(a for _, a in ages) / len(ages),
                                                   sum(late) / max(1, len(late)), p90))


if __name__ == "__main__":
    main(sys.argv[1:])
