"""Where the runs of a `--jobs N` sweep go: which worker, which device, how many threads.

`place_runs` is a pure function (no torch, no processes), so it is tested without a GPU:
with `--device cuda` the N workers are spread round-robin over the visible GPUs (worker k on
`cuda:(k mod GPUs)`); every worker gets an equal share of the sweep's threads (`--threads`,
the host's cores being shared by all workers, on a GPU machine too); the runs are dealt
round-robin to the workers, each worker training its runs one after another on its own device.
`placement_lines` is what the sweep prints under its header. This module must not start work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass(frozen=True)
class Worker:
    """One worker process: its device ("cpu", "cuda:1", ...), torch threads and runs."""

    device: str
    threads: int
    runs: tuple


def place_runs(runs: Sequence, jobs: int, device: str, gpus: int = 0,
               threads: int = 1) -> list[Worker]:
    """Deal `runs` to min(jobs, len(runs)) workers; `device` is "cuda", "cpu", "mps" or an
    explicit "cuda:K"; `gpus` is how many CUDA devices are visible; `threads` is the sweep's
    total, shared out."""
    from pa2cli.sweep.threads import threads_per_job

    from pa2cli.sweep.devices import DEVICES

    count = max(1, min(jobs, len(runs)))
    if device in DEVICES and DEVICES[device].numbered:  # cuda: cuda:0, cuda:1, ...
        if gpus < 1:
            raise ValueError(f"--device {device} with no visible GPU")  # resolve_device first
        devices = [f"{device}:{k % gpus}" for k in range(count)]
    else:
        devices = [device] * count
    share = threads_per_job(threads, count)
    return [Worker(devices[k], share, tuple(runs[k::count])) for k in range(count)]


def placement_lines(workers: list[Worker], label: Callable[[object], str]) -> list[str]:
    """`worker 1 on cuda:0 (8 threads): wd 0, wd 1e-3` for each worker."""
    return [f"worker {k} on {w.device} ({w.threads} thread{'s' if w.threads > 1 else ''}): "
            + ", ".join(label(run) for run in w.runs)
            for k, w in enumerate(workers, start=1)]


def run_label(key) -> str:
    """`wd 1e-3 seed 2`: a run (weight decay, seed) as the placement lines name it."""
    from pa2cli.numbers import wd_label

    return f"wd {wd_label(key[0])} seed {key[1]}"
