"""Choose `pa2 sweep`'s default set-up by measurement: does it show weight decay's effect?

For each candidate set-up (training size, epochs, batch size, learning rate, seeds) this trains
the default value list (wd 0 plus the candidate's list) on the bundled digits, once per seed
window (`--seed` 0 and 10 by default, so a set-up is not chosen for one lucky draw), and
reports what the sweep's own findings (`findings.analyse`) say for

  * the default list: which weight decays help / hurt beyond seed noise (paired 95 % t
    interval, test loss or accuracy) and which underfit;
  * `--wd 1e-4 1e-3` with its automatic baseline 0 (the same runs: runs are paired by seed
    and independent of the other weight decays, so the subset is exactly that sweep);

with the CPU seconds and wall seconds it took (CPU time is robust to other load; wall time
is what a student waits). A set-up qualifies when every window shows a helping weight decay
in both lists and an underfitting one in the default list. Since issue 16 the default's
robustness (seed windows x threads x paths) and the tests' saved run
(tests/sweep/fixtures/default) come from benchmarks/default_robustness.py instead.

    .venv/bin/python benchmarks/default_setup.py                # the built-in candidates
    .venv/bin/python benchmarks/default_setup.py --defaults     # only SweepConfig()'s
    .venv/bin/python benchmarks/default_setup.py --defaults --windows 0 --save-fixture DIR
    .venv/bin/python benchmarks/default_setup.py --train-size 150 --epochs 30 40 --lr 0.05
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import tempfile
import time
from pathlib import Path

import torch
from rich.console import Console

from pa2cli.sweep.config import SweepConfig, wd_label
from pa2cli.sweep.data import load_dataset
from pa2cli.sweep.findings import analyse
from pa2cli.sweep.runner import run_sweep
from pa2cli.sweep.store import Run, SweepFolder, SweepResults, json_text

README_LIST = (1e-4, 1e-3)  # the README's first command until issue 16: pa2 sweep --wd 1e-4 1e-3


def subset(results: SweepResults, decays) -> SweepResults:
    keep = set(decays)
    return SweepResults(results.config, [r for r in results.runs if r.weight_decay in keep],
                        results.data)


def verdicts(results: SweepResults) -> tuple[list[str], list[str]]:
    """(weight decays that help or hurt beyond noise, with the metric; underfitting ones)."""
    found = analyse(results)
    effects = [f"{c.verdict} {wd_label(c.weight_decay)} {c.metric}" for c in found.comparisons
               if c.metric in ("test_loss", "test_acc") and c.verdict in ("helps", "hurts")]
    return effects, [wd_label(wd) for wd in found.underfitting]


def truncated(results: SweepResults, epochs: int) -> SweepResults:
    """The results as a sweep of `epochs` epochs would have saved them: training is the same
    up to there (the same seed, batches and arithmetic), so one long sweep measures them all."""
    return SweepResults(results.config, [Run(r.weight_decay, r.seed, r.status, r.epochs[:epochs])
                                         for r in results.runs], results.data)


def train(config: SweepConfig) -> tuple[SweepResults, float, float]:
    """(results, wall seconds, CPU seconds of this process) of one sweep, no progress shown."""
    dataset = load_dataset(config.dataset, seed=config.seed, train_size=config.train_size)
    with tempfile.TemporaryDirectory() as folder:
        wall, cpu = time.perf_counter(), time.process_time()
        results, _ = run_sweep(config, SweepFolder(Path(folder)), dataset, torch.device("cpu"),
                               console=Console(file=io.StringIO()), show_progress=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return results, wall, cpu


def judge(results: SweepResults, wall: float, cpu: float) -> dict:
    default_effects, underfit = verdicts(results)
    readme_effects, _ = verdicts(subset(results, (0.0, *README_LIST)))
    found = analyse(results)
    losses = " ".join(f"{wd_label(s.weight_decay)}:{s.final_test_loss.mean:.3f}"
                      for s in found.summaries)
    accs = " ".join(f"{wd_label(s.weight_decay)}:{s.final_test_acc.mean:.1%}"
                    for s in found.summaries)
    return {"wall": wall, "cpu": cpu, "default": default_effects, "underfit": underfit,
            "readme": readme_effects, "losses": losses, "accs": accs,
            "ok": (any(e.startswith("helps") for e in default_effects) and bool(underfit)
                   and any(e.startswith("helps") for e in readme_effects))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--defaults", action="store_true", help="measure SweepConfig() only")
    parser.add_argument("--train-size", type=int, nargs="+", default=[150])
    parser.add_argument("--epochs", type=int, nargs="+", default=[20, 30, 40])
    parser.add_argument("--batch-size", type=int, nargs="+", default=[32])
    parser.add_argument("--lr", type=float, nargs="+", default=[0.05])
    parser.add_argument("--seeds", type=int, nargs="+", default=[3])
    parser.add_argument("--windows", type=int, nargs="+", default=[0, 10],
                        help="first seeds (--seed) to try each set-up with")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--save-fixture", metavar="DIR",
                        help="with --defaults: save the first window's results.json in DIR "
                             "(not tests/sweep/fixtures/default: default_robustness.py --keep writes that)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    base = SweepConfig(device="cpu")
    if args.defaults:
        grid = [(base.train_size, base.epochs, base.batch_size, base.lr, base.seeds)]
        args.epochs = [base.epochs]
    else:
        grid = list(itertools.product(args.train_size, args.epochs, args.batch_size, args.lr,
                                      args.seeds))
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"torch threads {args.threads}; default list: 0 "
          + " ".join(wd_label(wd) for wd in base.weight_decays))
    longest = max(args.epochs)
    for size, batch, lr, seeds in sorted({(g[0], g[2], g[3], g[4]) for g in grid}):
        for first in args.windows:
            config = base.with_changes(train_size=size, epochs=longest, batch_size=batch, lr=lr,
                                       seeds=seeds, seed=first,
                                       weight_decays=tuple(sorted({0.0, *base.weight_decays})))
            results, wall, cpu = train(config)
            if args.save_fixture and args.defaults and first == args.windows[0]:
                fixture = SweepFolder(Path(args.save_fixture))
                fixture.path.mkdir(parents=True, exist_ok=True)
                (fixture.path / "results.json").write_text(json_text(results), encoding="utf-8")
            for epochs in sorted(set(args.epochs)):
                share = epochs / longest  # training time is the same every epoch
                m = judge(truncated(results, epochs), wall * share, cpu * share)
                _print(size, epochs, batch, lr, first, seeds, m)


def _print(size, epochs, batch, lr, first, seeds, m) -> None:
    print(f"train {size} epochs {epochs} batch {batch} lr {lr:g} seeds {first}.."
          f"{first + seeds - 1}: {'OK ' if m['ok'] else 'no '} cpu {m['cpu']:.1f} s "
          f"wall {m['wall']:.1f} s (load {os.getloadavg()[0]:.2f})\n"
          f"    default list: {', '.join(m['default']) or 'nothing beyond noise'}; "
          f"underfits: {', '.join(m['underfit']) or 'none'}\n"
          f"    --wd 1e-4 1e-3: {', '.join(m['readme']) or 'nothing beyond noise'}\n"
          f"    test loss {m['losses']}\n    test acc  {m['accs']}", flush=True)


if __name__ == "__main__":
    main()
