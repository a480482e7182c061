"""`--jobs N`: sweep points trained in N worker processes, recorded by the parent.

Each worker (a spawned process, so no thread pool is inherited half-initialised) limits torch
to `max(1, cores // N)` threads, loads the dataset itself and runs `runner.execute_point`,
sending its events through a queue; batch events are thinned to a few per second. The parent
feeds every event to the same `Recorder` as a sequential sweep, so results.json has one writer.
On Ctrl-C (or a failed worker) the parent sets a shared stop flag: every worker stops at its
next batch and a weight decay still queued does not start, so the interrupt takes effect at once.
This module must not render or decide what is recorded.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import time
from concurrent.futures import ProcessPoolExecutor

from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.store import SweepFolder

BATCH_EVENT_SECONDS = 0.2
_events = None  # the worker's queue, set by _start_worker
_stop = None  # the worker's stop flag, set by the parent on Ctrl-C or an error
_parent = None  # the parent's PID: a worker whose parent died stops at its next batch


class StopRequested(Exception):
    """Raised inside a worker when the parent has asked every worker to stop."""


def threads_per_job(jobs: int, cores: int | None = None) -> int:
    return max(1, (cores or os.cpu_count() or 1) // jobs)


def _start_worker(events, stop, threads: int) -> None:
    global _events, _stop, _parent
    import signal

    import torch

    # Ctrl-C reaches every process of the terminal's group: the parent alone decides, and
    # stops the workers through `stop` (a worker killed by it mid-write would lose an epoch)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _events, _stop, _parent = events, stop, os.getppid()
    torch.set_num_threads(threads)


def _work(config_dict: dict, folder: str, weight_decay: float, device: str,
          resume_from: list[dict] | None) -> None:
    import torch

    from pa2cli.sweep.data import load_dataset
    from pa2cli.sweep.runner import execute_point
    from pa2cli.sweep.training import to_device

    if _stop.is_set():  # queued before the parent stopped: do not start
        return
    config = SweepConfig.from_dict(config_dict)
    dataset = load_dataset(config.dataset, config.data_dir, False, config.val_split, config.seed)
    device = torch.device(device)
    last_batch_event = 0.0

    def emit(kind, wd, *args):
        nonlocal last_batch_event
        if _stop.is_set() or os.getppid() != _parent:  # asked to stop, or the parent died
            raise StopRequested
        if kind == "batch":
            epoch, batch, n_batches, loss_sum = args
            now = time.monotonic()
            if now - last_batch_event < BATCH_EVENT_SECONDS and batch < n_batches:
                return
            last_batch_event = now
            args = (epoch, batch, n_batches, float(loss_sum))
        _events.put((kind, wd, *args))

    execute_point(config, dataset, to_device(dataset, device), weight_decay, device,
                  SweepFolder(folder), resume_from, emit)


def run_parallel(config: SweepConfig, folder: SweepFolder, weight_decays: list[float],
                 device: str, saved_rows: dict, jobs: int, recorder) -> None:
    """Train `weight_decays` in `jobs` processes; every event goes to `recorder` in order."""
    context = multiprocessing.get_context("spawn")
    events, stop = context.Queue(), context.Event()
    ended: set[float] = set()
    with ProcessPoolExecutor(max_workers=min(jobs, len(weight_decays)), mp_context=context,
                             initializer=_start_worker,
                             initargs=(events, stop, threads_per_job(jobs))) as pool:
        futures = [pool.submit(_work, config.to_dict(), str(folder.path), wd, device,
                               saved_rows[wd])
                   for wd in weight_decays]
        try:
            while len(ended) < len(weight_decays):
                try:
                    kind, wd, *args = events.get(timeout=0.2)
                except queue_module.Empty:
                    for future in futures:
                        if future.done() and future.exception() is not None:
                            raise future.exception()
                    continue
                recorder(kind, wd, *args)
                if kind == "end":
                    ended.add(wd)
        except BaseException:  # Ctrl-C or a failed worker: stop every worker at its next batch
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
