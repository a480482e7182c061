"""Do `--jobs N` and `--jobs 1` record the same numbers? (issue 7, item 16)

Runs the sweep of the report (`--wd 1e-3 --train-size all --seeds 1 --batch-size 16
--epochs 15`, SGD lr 0.05, momentum 0.9, one run at a time: `--vectorize off`) four ways: --jobs 1 and --jobs 2, each with one and
with two torch threads per process, and prints each run's final train loss and test accuracy
and the largest difference between the ways. Run from the repository root:

    python benchmarks/jobs_numbers.py

Measured (shared 1-core container under load, torch 2.14.1 CPU; see docs/sweep.md):

    jobs 1, 1 thread/process   wd 0: train loss 1.1532, test acc 0.7911   wd 1e-3: 0.02118, 0.9889
    jobs 2, 1 thread/process   identical to the bit
    jobs 1, 2 threads/process  wd 0: train loss 2.3095, test acc 0.1031   wd 1e-3: 0.00694, 0.9889
    jobs 2, 2 threads/process  identical to the bit to "jobs 1, 2 threads"
    1 vs 2 threads per process: first difference 6.9e-08 (epoch 1 train loss of wd 0); after 15
    epochs the wd 0 run has collapsed to chance with 2 threads and not with 1.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ARGS = ["--wd", "1e-3", "--train-size", "all", "--seeds", "1", "--batch-size", "16",
        "--vectorize", "off", "--epochs", "15", "--device", "cpu", "--no-plot"]
WAYS = {"jobs 1, 1 thread/process": (1, 1), "jobs 2, 1 thread/process": (2, 2),
        "jobs 1, 2 threads/process": (1, 2), "jobs 2, 2 threads/process": (2, 4)}


def main() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (jobs, threads) in WAYS.items():
            out = Path(tmp) / f"j{jobs}t{threads}"
            subprocess.run([sys.executable, "-m", "pa2cli", "sweep", *ARGS, "--jobs", str(jobs),
                            "--threads", str(threads), "--out", str(out)], check=True, env=env,
                           stdout=subprocess.DEVNULL)
            data = json.loads((out / "results.json").read_text())
            results[name] = {(r["weight_decay"], r["seed"]): r["epochs"] for r in data["runs"]}
            finals = {k: (round(v[-1]["train_loss"], 5), round(v[-1]["test_acc"], 4))
                      for k, v in results[name].items()}
            print(f"{name:28} {finals}")
    for a, b in itertools.combinations(results, 2):
        diff = max(abs(x[key] - y[key]) for k in results[a]
                   for x, y in zip(results[a][k], results[b][k])
                   for key in ("train_loss", "test_loss", "train_acc", "test_acc"))
        print(f"{a} vs {b}: largest difference {diff:.3g}")


if __name__ == "__main__":
    main()
