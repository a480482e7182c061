"""`--jobs N`: sweep runs trained in N worker processes, recorded by the parent.

`placement.place_runs` deals the runs to the workers and gives each its device (with
`--device cuda`, the visible GPUs round-robin) and its share of the sweep's --threads. Each
worker (a spawned process, so no thread pool is inherited half-initialised) loads the dataset
itself, builds each seed's model once and trains each of its runs on its own device in the
sweep's one epoch loop (`loop.train_epochs`), from the state the parent prepared (its
checkpoint read once, by the parent, and handed over as bytes), sending the typed events
(`events.py`) through a queue, batch events thinned by `events.Throttle`. The parent feeds
every event to the same `Recorder` as a sequential sweep, so results.json has one writer.
On Ctrl-C (or a failed worker) the parent sets a shared stop flag: every worker stops at its
next batch and a run still queued does not start, so the interrupt takes effect at once.
This module must not render or decide what is recorded.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import time
from concurrent.futures import ProcessPoolExecutor

from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.placement import Worker, place_runs
from pa2cli.sweep.store import RunKey, SweepFolder

_events = None  # the worker's queue, set by _start_worker
_stop = None  # the worker's stop flag, set by the parent on Ctrl-C or an error
_parent = None  # the parent's PID: a worker whose parent died stops at its next batch


class StopRequested(Exception):
    """Raised inside a worker when the parent has asked every worker to stop."""


def workers_for(keys: list[RunKey], jobs: int, device: str,
                threads: int | None = None) -> list[Worker]:
    """The workers of this machine for the runs `keys`: GPUs counted here, the sweep's threads
    (default: the available cores) shared out, placed by a pure function in placement.py."""
    from pa2cli.sweep.threads import available_cores

    from pa2cli.sweep.devices import device_count

    return place_runs(keys, jobs, device, device_count(device), threads or available_cores())


def _start_worker(events, stop, parent: int) -> None:
    global _events, _stop, _parent
    import signal

    from pa2cli.sweep.allocator import keep_large_blocks
    from pa2cli.sweep.threads import use_passive_wait_policy

    # Ctrl-C reaches every process of the terminal's group: the parent alone decides, and
    # stops the workers through `stop` (a worker killed by it mid-write would lose an epoch)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    use_passive_wait_policy()  # inherited from the parent already, unless run another way
    keep_large_blocks()
    # `parent` from the parent itself: a parent killed while this worker started would
    # already read here as PID 1 (the reaper), and the worker would watch the wrong process
    _events, _stop, _parent = events, stop, parent
    _end_with_parent(_parent)


WATCHDOG_SECONDS = 0.5


def _end_with_parent(parent: int) -> None:
    """A worker (about 700 MB) must not outlive the sweep, however the sweep ends (SIGTERM,
    SIGKILL, a crash): a daemon thread checks every WATCHDOG_SECONDS that its parent is still
    `parent` and ends the worker at once if not, even while it imports torch or loads data,
    where the per-batch check never runs. What the worker saved is whole (atomic writes), and
    the next sweep into the folder removes a half-written .tmp. With the workers gone,
    multiprocessing's resource tracker ends too (its last writer closed)."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="pa2-parent-watchdog", daemon=True).start()


def _work(config_dict: dict, folder: str, runs: tuple, device: str, threads: int) -> None:
    """A worker's runs: (key, identity, payload) each, payload the parent's restored state."""
    from pa2cli.sweep.data import load_for
    from pa2cli.sweep.runs import Models
    from pa2cli.sweep.threads import apply_threads

    apply_threads(threads)
    config = SweepConfig.from_dict(config_dict)
    dataset = load_for(config, download=False)
    models = Models(config, dataset)  # each seed's model built once in this worker
    for key, identity, payload in runs:
        if _stop.is_set():  # queued before the parent stopped: do not start
            return
        _work_one(config, dataset, models, folder, tuple(key), identity, payload, device)


def _work_one(config: SweepConfig, dataset, models, folder: str, key: RunKey, identity: dict,
              payload: bytes | None, device: str) -> None:
    import torch

    from pa2cli.sweep.events import Batch, Throttle
    from pa2cli.sweep.loop import OneModel, to_device, train_epochs
    from pa2cli.sweep.runs import decode_payload, drive, new_run, restore, started

    device = torch.device(device)
    state = new_run(config, dataset, *key, device, models)
    if payload is not None:  # checked by the parent's preflight: its checkpoint, read once
        restore(state, decode_payload(payload))
    throttle = Throttle()

    def send(event) -> None:
        if _stop.is_set() or os.getppid() != _parent:  # asked to stop, or the parent died
            raise StopRequested
        if throttle(event):
            _events.put(event.detached() if isinstance(event, Batch) else event)

    send(started(key, state))
    events = train_epochs(OneModel.of(state, config), [state], [key],
                          to_device(dataset, device), config)
    drive(events, {key: state}, {key: identity}, SweepFolder(folder), send)


class Processes:
    """--jobs N: the runs dealt to N worker processes (placement.py), recorded here."""

    def __init__(self, jobs: int, device: str, threads: int | None, console):
        self.jobs, self.device, self.threads, self.console = jobs, device, threads, console

    def run(self, prepared, recorder) -> None:
        from pa2cli.sweep.placement import placement_lines, run_label

        workers = workers_for(list(prepared.pending), self.jobs, self.device, self.threads)
        for line in placement_lines(workers, run_label):
            self.console.print(line, highlight=False)
        run_parallel(prepared, workers, recorder)


def run_parallel(prepared, workers: list[Worker], recorder) -> None:
    """Train each worker's runs in its own process; every event goes to `recorder` in order."""
    from pa2cli.sweep.events import Ended
    from pa2cli.sweep.runs import handover

    config, folder = prepared.config, prepared.folder
    shares = [tuple((key, prepared.identities[key], handover(prepared, key))
                    for key in worker.runs) for worker in workers]
    context = multiprocessing.get_context("spawn")
    events, stop = context.Queue(), context.Event()
    ended: set[RunKey] = set()
    keys = [key for worker in workers for key in worker.runs]
    with ProcessPoolExecutor(max_workers=len(workers), mp_context=context,
                             initializer=_start_worker, initargs=(events, stop, os.getpid())) as pool:
        futures = [pool.submit(_work, config.to_dict(), str(folder.path), share,
                               worker.device, worker.threads)
                   for worker, share in zip(workers, shares)]
        try:
            while len(ended) < len(keys):
                try:
                    event = events.get(timeout=0.2)
                except queue_module.Empty:
                    for future in futures:
                        if future.done() and future.exception() is not None:
                            raise future.exception()
                    continue
                recorder(event)
                if isinstance(event, Ended):
                    ended.add(event.key)
        except BaseException:  # Ctrl-C or a failed worker: stop every worker at its next batch
            stop.set()
            recorder.flush()  # save what was recorded before waiting for the workers to stop
            pool.shutdown(wait=True, cancel_futures=True)
            raise
