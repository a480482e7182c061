"""Thread count and OpenMP wait policy for `pa2 sweep`, on an idle machine and with a core busy.

Runs the same small sweep as a fresh `pa2 sweep` process (so torch starts with the
environment under test) for each setting: `--threads` 1, 2, ... up to the core count, each with
OMP_WAIT_POLICY=PASSIVE (what `pa2 sweep` sets unless the variable is already set) and ACTIVE
(threads spin while waiting: the behaviour before). Each setting runs once per round, in a
rotating order, so slow spells from other programs hit every setting alike; the figure to
quote is the median wall time and its ratio to the best setting in the same condition. The
"busy" condition starts one process spinning on a core (`while True: pass`) for its runs.

    .venv/bin/python benchmarks/threads.py [--rounds 3] [--epochs 10] [--conditions idle busy]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(threads: int, policy: str, epochs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `pa2 sweep` process with these settings."""
    env = {**os.environ, "OMP_WAIT_POLICY": policy, "PYTHONPATH": str(ROOT)}
    env.pop("OMP_NUM_THREADS", None)
    with tempfile.TemporaryDirectory() as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pa2cli", "sweep", "--wd", "1e-3", "--seeds", "2",
                        "--epochs", str(epochs), "--threads", str(threads), "--no-plot",
                        "--device", "cpu", "--out", str(Path(out) / "s")],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--conditions", nargs="+", default=["idle", "busy"],
                        choices=["idle", "busy"])
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    thread_counts = sorted({1, 2, cores} & set(range(1, cores + 1)))
    settings = [(t, p) for t in thread_counts for p in ("PASSIVE", "ACTIVE")]
    print(f"{cores} cores; load average at start {os.getloadavg()[0]:.2f}; "
          f"{args.rounds} rounds; sweep: wd 0 and 1e-3, 2 seeds, {args.epochs} epochs")
    for condition in args.conditions:
        spinner = None
        if condition == "busy":
            spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            walls: dict = {s: [] for s in settings}
            cpus: dict = {s: [] for s in settings}
            for r in range(args.rounds):
                order = settings[r % len(settings):] + settings[:r % len(settings)]
                for setting in order:
                    wall, cpu = run_once(*setting, args.epochs)
                    walls[setting].append(wall)
                    cpus[setting].append(cpu)
        finally:
            if spinner is not None:
                spinner.kill()
                spinner.wait()
        medians = {s: statistics.median(v) for s, v in walls.items()}
        best = min(medians.values())
        print(f"\n{condition} (load average now {os.getloadavg()[0]:.2f}):")
        for (threads, policy), wall in sorted(medians.items()):
            print(f"  --threads {threads} OMP_WAIT_POLICY={policy:<7}  median wall {wall:6.2f} s"
                  f"  ({wall / best:4.2f}x best)  median CPU "
                  f"{statistics.median(cpus[(threads, policy)]):6.2f} s"
                  f"  walls {' '.join(f'{w:.1f}' for w in walls[(threads, policy)])}")


if __name__ == "__main__":
    main()
