"""Startup time of `pa2 explain TOPIC --all` against a minimal baseline, printed as a ratio.

The baseline is the imports any Rich + Click tool pays for:
    python -c "import click, rich.console, rich.markdown, rich.table"
The target (issue 2) is a ratio of medians of at most 2.5. Usage:
    python benchmarks/startup.py [TOPIC] [--runs N]
Exit status 1 when the ratio is above the target. Output goes to /dev/null (a pipe, so the
whole explanation is rendered, as with --all).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

TARGET = 2.5
BASELINE = [sys.executable, "-c", "import click, rich.console, rich.markdown, rich.table"]


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def medians(first: list[str], second: list[str], runs: int) -> tuple[float, float]:
    """Median wall times, the two commands alternating so that load from other processes
    affects both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        times[0].append(seconds(first))
        times[1].append(seconds(second))
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topic", nargs="?", default="huber")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    target = [sys.executable, "-m", "pa2cli", "explain", args.topic, "--all"]
    medians(BASELINE, target, 2)  # warm the file cache
    baseline, explain = medians(BASELINE, target, args.runs)
    ratio = explain / baseline
    print(f"baseline (import click, rich.console, rich.markdown, rich.table): {baseline * 1000:.0f} ms")
    print(f"pa2 explain {args.topic} --all: {explain * 1000:.0f} ms")
    print(f"ratio: {ratio:.2f} (target <= {TARGET}; medians of {args.runs} runs)")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
