"""Time the `pa2 sweep` training path against a minimal hand-written PyTorch loop.

Both train the same default CNN on the bundled digits with the same optimiser, batch size,
epochs, weight decays and seed, and both evaluate train and test accuracy and loss after every
epoch. The pa2 side is `runner.run_sweep` with everything it does for the user: the progress
bar, results.json/results.csv rewritten atomically and a checkpoint saved after every epoch.
The two alternate, so load from other processes hits both alike; the figure to quote is the
median ratio of the paired runs (goal: at most 1.10), printed with the best-of-N times.

    .venv/bin/python benchmarks/sweep_overhead.py [--epochs 15] [--repeats 7]
    .venv/bin/python benchmarks/sweep_overhead.py --train-size 150 --seeds 3 --epochs 30
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from rich.console import Console

from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.data import load_dataset
from pa2cli.sweep.models import build_model
from pa2cli.sweep.runner import run_sweep
from pa2cli.sweep.store import SweepFolder


def hand_written(config: SweepConfig, dataset) -> None:
    """The loop a student would write: tensors in memory, randperm batches, eval each epoch."""
    x_train, y_train = dataset.train.x, dataset.train.y
    x_test, y_test = dataset.test.x, dataset.test.y
    for seed, wd in ((s, wd) for s in config.seed_list for wd in config.weight_decays):
        torch.manual_seed(seed)
        model = build_model(None, dataset, seed)
        opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                              weight_decay=wd)
        gen = torch.Generator().manual_seed(seed)
        for _ in range(config.epochs):
            model.train()
            order = torch.randperm(len(y_train), generator=gen)
            for start in range(0, len(y_train), config.batch_size):
                idx = order[start:start + config.batch_size]
                loss = F.cross_entropy(model(dataset.to_float(x_train[idx])), y_train[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
            model.eval()
            with torch.no_grad():  # same evaluation batches as pa2, so only overhead differs
                for x, y in ((x_train, y_train), (x_test, y_test)):
                    loss_sum, correct = 0.0, 0
                    for start in range(0, len(y), config.eval_batch_size):
                        logits = model(dataset.to_float(x[start:start + config.eval_batch_size]))
                        target = y[start:start + config.eval_batch_size]
                        loss_sum += F.cross_entropy(logits, target, reduction="sum").item()
                        correct += int((logits.argmax(1) == target).sum().item())


def pa2_path(config: SweepConfig, dataset) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        console = Console(file=io.StringIO(), width=100, force_terminal=True)
        run_sweep(config, SweepFolder(Path(tmp) / "out"), dataset, torch.device("cpu"),
                  console=console)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--train-size", default="all",
                        help="'all' (the full split: per-epoch work dominates) or N images")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train_size = None if args.train_size == "all" else int(args.train_size)
    config = SweepConfig(epochs=args.epochs, weight_decays=(0.0, 1e-4, 1e-3), device="cpu",
                         seeds=args.seeds, train_size=train_size, batch_size=args.batch_size)
    dataset = load_dataset(config.dataset, seed=config.seed, train_size=train_size)
    times = {"pa2 sweep": [], "hand-written": []}
    hand_written(config, dataset)  # warm-up (allocator, kernels)
    for _ in range(args.repeats):
        for name, run in (("pa2 sweep", pa2_path), ("hand-written", hand_written)):
            started = time.perf_counter()
            run(config, dataset)
            times[name].append(time.perf_counter() - started)
    best = {name: min(values) for name, values in times.items()}
    ratios = sorted(p / h for p, h in zip(times["pa2 sweep"], times["hand-written"]))
    print(f"digits ({len(dataset.train)} train images), default CNN, sgd, batch "
          f"{config.batch_size}, {config.epochs} epochs x {len(config.weight_decays)} weight "
          f"decays x {config.seeds} seeds, {torch.get_num_threads()} threads, best of "
          f"{args.repeats}; load average {os.getloadavg()[0]:.2f}")
    for name, seconds in best.items():
        every = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"  {name:<13} {seconds:7.2f} s   (all: {every})")
    median = ratios[len(ratios) // 2]
    print(f"  ratio pa2 / hand-written: {median:.3f} (median of the {len(ratios)} paired runs; "
          f"best against best {best['pa2 sweep'] / best['hand-written']:.3f}; goal <= 1.10)")


if __name__ == "__main__":
    main()
