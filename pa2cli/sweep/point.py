"""The work of one run (one weight decay, one seed), the same in a sequential or parallel sweep.

`execute_point` trains a run's prepared state (`runs.prepare`: built, and restored from its
checked checkpoint on --resume) to `config.epochs`, saves a
checkpoint after each epoch and reports what happens as events through `emit`:

    ("start", key, rows)                             rows: the EpochRows already done
    ("batch", key, epoch, batch, n_batches, loss_sum)
    ("epoch", key, row)                              row: the EpochRow just finished
    ("end", key, status, message)                    status: "done" | "diverged"

where `key = run_key(weight_decay, seed)`. Both `runner.py` (sequential) and `parallel.py`
(worker processes) call it; neither imports the other. `resolve_device` turns --device into a
torch.device. This module must not record results or render anything.
"""

from __future__ import annotations

from typing import Callable

from pa2cli.errors import UserError
from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.store import RunKey, SweepFolder

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


def execute_point(config: SweepConfig, data, key: RunKey, state, identity: dict,
                  folder: SweepFolder, emit: Emit) -> None:
    """Train run `key` = (weight decay, seed) from `state` (built, and restored on --resume,
    by `runs.prepare`, on its device) to config.epochs, checkpointing each epoch."""
    from pa2cli.sweep.checkpoints import save_checkpoint
    from pa2cli.sweep.runs import checkpoint_of
    from pa2cli.sweep.training import train_run

    emit("start", key, list(state.rows))

    def on_epoch(row, run_state) -> None:
        save_checkpoint(folder.path, identity, checkpoint_of(run_state))
        emit("epoch", key, row)

    def on_batch(epoch: int, batch: int, n_batches: int, loss_sum) -> None:
        emit("batch", key, epoch, batch, n_batches, loss_sum)

    outcome = train_run(state, data, config, on_batch=on_batch, on_epoch=on_epoch)
    emit("end", key, outcome.status, outcome.message)
