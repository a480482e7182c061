"""Vectorised vs one-at-a-time training of a sweep's members: prints the time ratios.

    PYTHONPATH=. python benchmarks/sweep_vectorized.py            # CPU, default digits CNN
    PYTHONPATH=. python benchmarks/sweep_vectorized.py --device cuda --epochs 15

For 5 and 15 members (weight decays 0, 1e-4, 1e-3, 3e-3, 1e-2 times 1 and 3 seeds) it trains
every member with the sweep's own code, once one at a time (`loop.train_run`, as
`--vectorize off`) and once together (`vectorized.train_vectorized`, as `--vectorize on`),
alternating the two `--repeats` times so that a change in the machine's load hits both, and
prints the ratio vectorised / sequential of the best wall times and of the CPU times (CPU time
is the steadier figure on a shared machine), with the load average before and after. The
issue's goal: <= 0.7 for 15 members on 2 CPU cores, <= 0.3 on a GPU.
"""

from __future__ import annotations

import argparse
import os
import time

from pa2cli.sweep.threads import use_passive_wait_policy

use_passive_wait_policy()  # as `pa2 sweep` does, before torch is imported

import torch  # noqa: E402

from pa2cli.sweep.config import DEFAULT_LR, SweepConfig  # noqa: E402
from pa2cli.sweep.data import load_dataset  # noqa: E402
from pa2cli.sweep.loop import to_device, train_run  # noqa: E402
from pa2cli.sweep.runs import new_run  # noqa: E402
from pa2cli.sweep.vectorized import train_vectorized  # noqa: E402

WEIGHT_DECAYS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2)


class NoFolder:
    """A throw-away results folder: the pass saves its checkpoints under `path` (a temporary
    folder, removed at exit); checkpoint writing is not what is measured, and is small."""

    def __init__(self):
        import atexit
        import shutil
        import tempfile
        from pathlib import Path

        self.path = Path(tempfile.mkdtemp(prefix="pa2-bench-"))
        atexit.register(shutil.rmtree, self.path, True)


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(work, device) -> tuple[float, float]:
    _sync(device)
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    _sync(device)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--optimizer", default="sgd", choices=("sgd", "adam", "adamw"))
    parser.add_argument("--members", type=int, nargs="+", default=[5, 15])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--train-size", type=int, default=SweepConfig().train_size,
                        help="training images (default: the sweep's; 0: the whole split)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    train_size = args.train_size or None
    dataset = load_dataset(args.dataset, train_size=train_size)
    data = to_device(dataset, device)
    config = SweepConfig(epochs=args.epochs, optimizer=args.optimizer, train_size=train_size,
                         lr=DEFAULT_LR[args.optimizer], device=args.device)
    print(f"{args.dataset} ({len(dataset.train)} train images), default model, "
          f"{args.optimizer}, {args.epochs} epochs, {device}, "
          f"{torch.get_num_threads()} torch threads; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    for size in args.members:
        members = [(wd, seed) for seed in range(-(-size // len(WEIGHT_DECAYS)))
                   for wd in WEIGHT_DECAYS][:size]

        def sequential():
            for wd, seed in members:
                train_run(new_run(config, dataset, wd, seed, device), data, config)

        def vectorised():
            reason = train_vectorized(config, dataset, data, members, device, NoFolder(),
                                      False, lambda *event: None)
            assert reason is None, reason

        times = {"sequential": [], "vectorised": []}
        for _ in range(args.repeats):
            times["sequential"].append(_timed(sequential, device))
            times["vectorised"].append(_timed(vectorised, device))
        best = {k: min(w for w, _ in v) for k, v in times.items()}
        cpu = {k: min(c for _, c in v) for k, v in times.items()}
        print(f"{size:>2} members: sequential {best['sequential']:.1f} s, vectorised "
              f"{best['vectorised']:.1f} s -> wall ratio {best['vectorised'] / best['sequential']:.2f}, "
              f"CPU-time ratio {cpu['vectorised'] / cpu['sequential']:.2f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
