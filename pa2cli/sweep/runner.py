"""Runs a sweep: one training run per (weight decay, seed), recorded in the sweep folder as it goes.

`run_sweep` plans which runs (and epochs) are left, runs them one after another, together in
one vectorised pass (`--vectorize`, `vectorized.py`), with `jobs > 1` in worker processes
placed on the visible GPUs (`parallel.py`, `placement.py`), or as Ray tasks (`ray_backend.py`),
and is the only writer of results.json. Each
run's checkpoint (which holds its epoch rows) is saved after every epoch; results.json and
results.csv are rewritten when a run starts or ends, at most every SAVE_SECONDS in between,
and once more when the sweep stops for any reason (Ctrl-C included), so their cost does not
grow with runs x epochs, while a resume still loses no finished epoch. The work of one run is
`point.execute_point`, the same in both modes. Runs go seed by seed (every weight decay of the
first seed, then of the next), so an interrupted sweep has complete pairs to compare. A diverged
run is recorded as such and the sweep goes on. This module must not render plots or findings.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from contextlib import contextmanager
from typing import Callable

from pa2cli.sweep.config import SweepConfig, wd_label
from pa2cli.sweep.point import execute_point, resolve_device  # noqa: F401 (resolve_device: API)
from pa2cli.sweep.store import EpochRow, RunKey, SweepFolder, SweepResults

AfterEpoch = Callable[[RunKey, EpochRow], None]
SAVE_SECONDS = 0.5  # results.json is rewritten at most this often while a run trains


@contextmanager
def _sigint_held():
    """Ignore Ctrl-C inside the block (main thread only), restoring the handler after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Recorder:
    """Turns run events into results.json updates (saved at once) and progress updates."""

    def __init__(self, results: SweepResults, folder: SweepFolder, progress, epochs: int,
                 after_epoch: AfterEpoch | None = None):
        self.results, self.folder, self.progress = results, folder, progress
        self.epochs, self.after_epoch = epochs, after_epoch
        self.messages: list[str] = []
        self._saved_at = 0.0
        self._unsaved = False

    def save(self, force: bool = True) -> None:
        """Rewrite results.json/csv now (force) or if SAVE_SECONDS have passed since the last."""
        now = time.monotonic()
        if force or now - self._saved_at >= SAVE_SECONDS:
            self.folder.save(self.results)
            self._saved_at, self._unsaved = now, False
        else:
            self._unsaved = True

    def flush(self) -> None:
        """The final save; a Ctrl-C during its few milliseconds waits until it is written
        (a second Ctrl-C otherwise ends the process at once, see interrupts.py)."""
        if self._unsaved:
            with _sigint_held():
                self.save()

    def __call__(self, kind: str, key: RunKey, *args) -> None:
        if kind == "batch":
            self.progress.batch(key, *args)
            return
        run = self.results.run(*key)
        if kind == "start":
            run.epochs = list(args[0])
            run.status = "partial"
            self.save()
        elif kind == "epoch":
            row = args[0]
            run.epochs.append(row)
            run.status = "done" if row.epoch >= self.epochs else "partial"
            self.save(force=False)
            self.progress.epoch_done(key, row)
            if self.after_epoch is not None:
                self.after_epoch(key, row)
        elif kind == "end":
            status, message = args
            run.status = status
            if message:
                self.messages.append(message)
            self.save()
            self.progress.point_done(key, status, message)


def wants_vectorized(choice: str, device, config: SweepConfig) -> bool:
    """--vectorize on/off, or auto: on where it was measured to pay (see vectorized.py)."""
    if choice == "auto":
        from pa2cli.sweep.vectorized import pays_on

        return pays_on(device, config)
    return choice == "on"


def _train_together(prepared, data, pending, device, recorder, console) -> list[RunKey]:
    """Train the pending runs in one vectorised pass; the runs left to train one at a time."""
    from pa2cli.sweep.vectorized import train_vectorized

    reason = train_vectorized(
        prepared.config, prepared.dataset, data, pending, device, prepared.folder, True,
        recorder, prepared=prepared,
        on_ready=lambda: console.print(
            f"Training the {len(pending)} runs together in one vectorised pass "
            "(--vectorize off trains them one at a time).", highlight=False))
    if reason is None:
        for key in pending:
            prepared.states.pop(key)
        return []
    console.print(f"Training one run at a time, not vectorised: {reason}.", highlight=False)
    return pending


def _run_label(key: RunKey) -> str:
    return f"wd {wd_label(key[0])} seed {key[1]}"


def run_sweep(config: SweepConfig, folder: SweepFolder, dataset, device, *, resume: bool = False,
              jobs: int = 1, console=None, show_progress: bool = True,
              after_epoch: AfterEpoch | None = None, threads: int | None = None,
              vectorize: str = "off", ray_options=None,
              prepared=None) -> tuple[SweepResults, list[str]]:
    """Run (or continue) the sweep; return its results (as saved) and the divergence messages.

    `prepared` (`runs.Prepared`, from the preflight): the results and run states to continue,
    so nothing is read or built again; without it they are prepared here."""
    from rich.console import Console

    from pa2cli.sweep.progress import SweepProgress
    from pa2cli.sweep.runs import prepare

    console = console or Console()
    if prepared is None:
        prepared = prepare(config, folder, dataset, folder.load() if resume else None)
    results, pending = prepared.results, list(prepared.pending)
    folder.save(results)
    n_batches = math.ceil(len(dataset.train) / config.batch_size)
    totals = {key: (config.epochs - len(results.run(*key).epochs)) * n_batches
              for key in pending}
    with SweepProgress(console, totals, config.epochs, enabled=show_progress) as progress:
        recorder = Recorder(results, folder, progress, config.epochs, after_epoch)
        try:
            if ray_options is not None:
                from pa2cli.sweep.ray_backend import run_on_ray

                run_on_ray(prepared, recorder, ray_options, console)
            elif jobs > 1 and len(pending) > 1:
                from pa2cli.sweep.parallel import run_parallel, workers_for
                from pa2cli.sweep.placement import placement_lines

                workers = workers_for(pending, jobs, str(device), threads)
                for line in placement_lines(workers, _run_label):
                    console.print(line, highlight=False)
                run_parallel(prepared, workers, recorder)
            else:
                from pa2cli.sweep.training import to_device

                data = to_device(dataset, device)
                if len(pending) > 1 and wants_vectorized(vectorize, device, config):
                    pending = _train_together(prepared, data, pending, device, recorder,
                                              console)
                for key in pending:
                    execute_point(config, data, key, prepared.take(key, device),
                                  prepared.identities[key], folder, recorder)
        finally:
            recorder.flush()  # the epochs recorded since the last save, even on Ctrl-C
    return results, recorder.messages
