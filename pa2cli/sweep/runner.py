"""Runs a sweep: one training run per weight decay, recorded in the sweep folder as it goes.

`run_sweep` plans which runs (and epochs) are left, runs them one after another or, with
`jobs > 1`, in worker processes (`parallel.py`), and is the only writer of results.json: every
finished epoch is recorded and saved before the next one starts. `execute_point` is the work of
one weight decay, the same in both modes: restore its checkpoint if resuming, train, save a
checkpoint after each epoch, and report what happens as events. A diverged run is recorded as
such and the sweep goes on. This module must not render plots or findings.
"""

from __future__ import annotations

import math
from typing import Callable

from pa2cli.errors import UserError
from pa2cli.sweep.config import SweepConfig, wd_label
from pa2cli.sweep.store import SweepFolder, find_run, new_results

# Events a run reports: ("start", wd, rows), ("batch", wd, epoch, batch, n_batches, loss_sum),
# ("epoch", wd, row), ("end", wd, status, message).
Emit = Callable[..., None]


def resolve_device(name: str):
    """torch.device for --device; a requested device that is not available is a UserError."""
    import torch

    cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
    if name == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (name == "cuda" and not cuda) or (name == "mps" and not mps):
        raise UserError(f"{name} was requested but is not available on this machine",
                        where="--device", fix="Use --device cpu or --device auto.")
    return torch.device(name)


def execute_point(config: SweepConfig, dataset, data, weight_decay: float, device,
                  folder: SweepFolder, resume: bool, emit: Emit) -> None:
    """Train one weight decay to config.epochs, checkpointing and reporting each epoch."""
    from pa2cli.sweep.training import checkpoint_of, new_run, restore, train_run

    state = new_run(config, dataset, weight_decay, device)
    checkpoint = folder.load_checkpoint(weight_decay) if resume else None
    if checkpoint is not None:
        restore(state, checkpoint)
    emit("start", weight_decay, [dict(row) for row in state.rows])

    def on_epoch(row: dict, run_state) -> None:
        folder.save_checkpoint(weight_decay, checkpoint_of(run_state))
        emit("epoch", weight_decay, dict(row))

    def on_batch(epoch: int, batch: int, n_batches: int, loss_sum) -> None:
        emit("batch", weight_decay, epoch, batch, n_batches, loss_sum)

    outcome = train_run(state, data, config, on_batch=on_batch, on_epoch=on_epoch)
    emit("end", weight_decay, outcome.status, outcome.message)


class Recorder:
    """Turns run events into results.json updates (saved at once) and progress updates."""

    def __init__(self, results: dict, folder: SweepFolder, progress, epochs: int,
                 after_epoch: Callable[[float, dict], None] | None = None):
        self.results, self.folder, self.progress = results, folder, progress
        self.epochs, self.after_epoch = epochs, after_epoch
        self.messages: list[str] = []

    def __call__(self, kind: str, weight_decay: float, *args) -> None:
        if kind == "batch":
            self.progress.batch(weight_decay, *args)
            return
        run = find_run(self.results, weight_decay)
        if kind == "start":
            run["epochs"] = list(args[0])
            run["status"] = "partial"
            self.folder.save(self.results)
        elif kind == "epoch":
            row = args[0]
            run["epochs"].append(row)
            run["status"] = "done" if row["epoch"] >= self.epochs else "partial"
            self.folder.save(self.results)
            self.progress.epoch_done(weight_decay, row)
            if self.after_epoch is not None:
                self.after_epoch(weight_decay, row)
        elif kind == "end":
            status, message = args
            run["status"] = status
            if message:
                self.messages.append(message)
            self.folder.save(self.results)
            self.progress.point_done(weight_decay, status, message)


def wants_vectorized(choice: str, device, config: SweepConfig) -> bool:
    """--vectorize on/off, or auto: on where it was measured to pay (see vectorized.py)."""
    if choice == "auto":
        from pa2cli.sweep.vectorized import pays_on

        return pays_on(device, config)
    return choice == "on"


def _train_together(config, dataset, data, pending, device, folder, resume, recorder,
                    console) -> list:
    """Train the pending runs in one vectorised pass; the runs left to train one at a time."""
    from pa2cli.sweep.training import new_run
    from pa2cli.sweep.vectorized import Member, train_vectorized

    members = [Member(wd, config.seed) for wd in pending]
    reason = train_vectorized(
        config, dataset, data, members, device, folder, resume, recorder,
        new_state=lambda m: new_run(config, dataset, m.weight_decay, device),
        on_ready=lambda: console.print(
            f"Training the {len(members)} runs together in one vectorised pass "
            "(--vectorize off trains them one at a time).", highlight=False))
    if reason is None:
        return []
    console.print(f"Training one run at a time, not vectorised: {reason}.", highlight=False)
    return pending


def plan(results: dict, config: SweepConfig) -> list[float]:
    """Weight decays that still need epochs; runs already long enough are marked done."""
    pending = []
    for run in results["runs"]:
        if run["status"] == "diverged":
            continue
        if len(run["epochs"]) >= config.epochs:
            run["status"] = "done"
        else:
            run["status"] = "partial"
            pending.append(run["weight_decay"])
    return pending


def run_sweep(config: SweepConfig, folder: SweepFolder, dataset, device, *, resume: bool = False,
              jobs: int = 1, console=None, show_progress: bool = True,
              after_epoch: Callable[[float, dict], None] | None = None,
              vectorize: str = "off", ray_options=None) -> tuple[dict, list[str]]:
    """Run (or continue) the sweep; return its results (as saved) and the divergence messages."""
    from rich.console import Console

    from pa2cli.sweep.progress import SweepProgress

    console = console or Console()
    if resume:
        results = folder.load()
        results["config"] = config.to_dict()
    else:
        results = new_results(config.to_dict(), config.weight_decays)
    pending = plan(results, config)
    folder.save(results)
    n_batches = math.ceil(len(dataset.train) / config.batch_size)
    totals = {wd: (config.epochs - len(find_run(results, wd)["epochs"])) * n_batches
              for wd in pending}
    with SweepProgress(console, totals, config.epochs, enabled=show_progress) as progress:
        recorder = Recorder(results, folder, progress, config.epochs, after_epoch)
        if ray_options is not None:
            from pa2cli.sweep.ray_backend import run_on_ray

            run_on_ray(config, folder, pending, resume, recorder, ray_options, console)
        elif jobs > 1 and len(pending) > 1:
            from pa2cli.sweep.parallel import run_parallel, workers_for
            from pa2cli.sweep.placement import placement_lines

            workers = workers_for(pending, jobs, str(device))
            for line in placement_lines(workers, lambda wd: f"wd {wd_label(wd)}"):
                console.print(line, highlight=False)
            run_parallel(config, folder, workers, resume, recorder)
        else:
            from pa2cli.sweep.training import to_device

            data = to_device(dataset, device)
            if len(pending) > 1 and wants_vectorized(vectorize, device, config):
                pending = _train_together(config, dataset, data, pending, device, folder,
                                          resume, recorder, console)
            for wd in pending:
                execute_point(config, dataset, data, wd, device, folder, resume, recorder)
    return results, recorder.messages
