"""What a training run reports, as typed events, and the one `Recorder` that writes them down.

Every backend (one at a time, vectorised, --jobs, Ray) produces the same events from the same
epoch loop (`loop.train_epochs`):

    Started(key, rows)          the run begins; rows: the EpochRows already done (a resume)
    Batch(key, epoch, batch, n_batches, loss_sum)
                                loss_sum: this epoch's summed batch losses so far, a 0-d tensor
                                in-process (read only when shown), a float once sent elsewhere
    EpochDone(key, row)         an epoch finished; its checkpoint is saved before this is recorded
    Ended(key, status, message) status "done" | "diverged"
    CheckpointReady(key, payload)
                                Ray only: an epoch's checkpoint payload, saved by the driver

`key` is `store.run_key(weight_decay, seed)`. The events are plain dataclasses, so the worker
processes' queue and Ray's object store carry them as they are (one wire format). `Throttle` is
the one place batch events are thinned (a process or a cluster sends a few per second).
`Recorder` is the only writer of results.json and results.csv: it saves at once when a run
starts or ends, at most every SAVE_SECONDS in between, and once more when the sweep stops for
any reason (Ctrl-C included). This module must not train, render or import torch.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Callable, Union

from pa2cli.sweep.store import EpochRow, RunKey, SweepFolder, SweepResults

SAVE_SECONDS = 0.5  # results.json is rewritten at most this often while a run trains
BATCH_EVENT_SECONDS = 0.2  # a batch event at most this often from another process


@dataclass(frozen=True)
class Started:
    key: RunKey
    rows: tuple[EpochRow, ...] = ()


@dataclass(frozen=True)
class Batch:
    key: RunKey
    epoch: int
    batch: int
    n_batches: int
    loss_sum: Any  # a 0-d tensor on the device, or a float

    def detached(self) -> "Batch":
        """The event with its loss read (a float), to send to another process."""
        return replace(self, loss_sum=float(self.loss_sum))


@dataclass(frozen=True)
class EpochDone:
    key: RunKey
    row: EpochRow


@dataclass(frozen=True)
class Ended:
    key: RunKey
    status: str  # "done" | "diverged"
    message: str = ""


@dataclass(frozen=True)
class CheckpointReady:
    key: RunKey
    payload: bytes  # runs.encode_payload(runs.checkpoint_of(state))


Event = Union[Started, Batch, EpochDone, Ended, CheckpointReady]
AfterEpoch = Callable[[RunKey, EpochRow], None]


class Throttle:
    """Passes a run's batch events at most every `seconds`, and always an epoch's last batch;
    every other event passes."""

    def __init__(self, seconds: float = BATCH_EVENT_SECONDS):
        self.seconds = seconds
        self._last: dict[RunKey, float] = {}

    def __call__(self, event: Event) -> bool:
        if not isinstance(event, Batch):
            return True
        now = time.monotonic()
        if now - self._last.get(event.key, 0.0) < self.seconds and \
                event.batch < event.n_batches:
            return False
        self._last[event.key] = now
        return True


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

    def __call__(self, event: Event) -> None:
        if isinstance(event, Batch):
            self.progress.batch(event.key, event.epoch, event.batch, event.n_batches,
                                event.loss_sum)
            return
        run = self.results.run(*event.key)
        if isinstance(event, Started):
            run.epochs = list(event.rows)
            run.status = "partial"
            self.save()
        elif isinstance(event, EpochDone):
            run.epochs.append(event.row)
            run.status = "done" if event.row.epoch >= self.epochs else "partial"
            self.save(force=False)
            self.progress.epoch_done(event.key, event.row)
            if self.after_epoch is not None:
                self.after_epoch(event.key, event.row)
        elif isinstance(event, Ended):
            run.status = event.status
            if event.message:
                self.messages.append(event.message)
            self.save()
            self.progress.point_done(event.key, event.status, event.message)
        else:
            raise TypeError(f"not an event the recorder writes: {event!r}")
