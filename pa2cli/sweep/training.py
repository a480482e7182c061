"""One training run of the sweep (one weight decay): the training loop and the evaluation pass.

The data are tensors moved to the device once; each epoch shuffles with a seeded
`torch.Generator` (`randperm`), slices mini-batches from the tensors and turns each batch into
floats with `Dataset.to_float`. After each epoch the model is evaluated under `model.eval()`
and `torch.no_grad()` on the whole train and test splits (and validation, if held out); the
losses are the cross-entropy data loss, without the weight-decay penalty. A non-finite loss
ends the run as "diverged". Nothing is read back from the device per batch: the running
loss is summed there and read by the progress display a few times a second. A run's state
(`runs.RunState`, re-exported here) carries everything the next epoch depends on (weights,
optimiser, shuffling and dropout RNG), so a resumed run repeats an uninterrupted one exactly
on CPU. This module must not print, write files or know about the other runs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from pa2cli.errors import UserError, first_line
from pa2cli.sweep.augment import augment_batch
from pa2cli.sweep.config import SweepConfig, wd_label
from pa2cli.sweep.runs import (RunState, checkpoint_of, new_run, restore,  # noqa: F401
                               resume_rng, rng_state)
from pa2cli.sweep.store import EpochRow

# on_batch(epoch, batch, n_batches, loss_sum): loss_sum is a 0-d tensor on the device holding
# the sum of this epoch's batch losses so far (read it only when needed: reading syncs).
BatchCallback = Callable[[int, int, int, torch.Tensor], None]
# on_epoch(row, state): called after the epoch's row was appended to state.rows.
EpochCallback = Callable[[EpochRow, "RunState"], None]


@dataclass
class DeviceData:
    """The dataset's splits as tensors on the training device, and its per-batch conversion."""

    train: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]
    val: tuple[torch.Tensor, torch.Tensor] | None
    to_float: Callable[[torch.Tensor], torch.Tensor]


def to_device(dataset, device: torch.device) -> DeviceData:
    """Move every split to `device` once (images stay uint8 until a batch is used)."""

    def move(split):
        return None if split is None else (split.x.to(device), split.y.to(device))

    return DeviceData(move(dataset.train), move(dataset.test), move(dataset.val), dataset.to_float)


@dataclass(frozen=True)
class RunOutcome:
    status: str  # "done" | "diverged"
    message: str = ""


@torch.no_grad()
def evaluate(model, x: torch.Tensor, y: torch.Tensor, to_float,
             batch_size: int) -> tuple[float, float]:
    """(mean cross-entropy, accuracy in [0, 1]) of `model` on all of (x, y), in eval mode.

    The per-batch sums stay on the device and are read once at the end (one sync per split,
    not one per batch), then added exactly in double precision (`math.fsum`; MPS has no float64).
    """
    model.eval()
    loss_sums, corrects = [], []
    for start in range(0, len(y), batch_size):
        logits = model(to_float(x[start:start + batch_size]))
        target = y[start:start + batch_size]
        loss_sums.append(F.cross_entropy(logits, target, reduction="sum"))
        corrects.append((logits.argmax(dim=1) == target).sum())
    loss_sum = math.fsum(torch.stack(loss_sums).tolist())
    correct = int(torch.stack(corrects).sum())
    return loss_sum / len(y), correct / len(y)


def train_run(state: RunState, data: DeviceData, config: SweepConfig,
              on_batch: BatchCallback | None = None,
              on_epoch: EpochCallback | None = None) -> RunOutcome:
    """Train from epoch len(state.rows) + 1 to config.epochs, recording one row per epoch."""
    model, optimizer = state.model, state.optimizer
    x_train, y_train = data.train
    n = len(y_train)
    n_batches = math.ceil(n / config.batch_size)
    resume_rng(state)  # dropout continues the run's own stream, whichever run came before
    for epoch in range(len(state.rows) + 1, config.epochs + 1):
        started = time.perf_counter()
        for group in optimizer.param_groups:  # --lr-schedule: set per epoch (config.lr_at)
            group["lr"] = config.lr_at(epoch)
        model.train()
        # shuffled on the CPU (the generator's state is what a checkpoint saves); the copy to
        # an accelerator need not block the host, the indexing below waits for it on-stream
        order = torch.randperm(n, generator=state.generator).to(y_train.device,
                                                                 non_blocking=True)
        loss_sum = torch.zeros((), device=y_train.device)
        for batch, start in enumerate(range(0, n, config.batch_size), start=1):
            index = order[start:start + config.batch_size]
            try:
                images = x_train[index]
                if config.augment:  # training batches only, drawn from (seed, epoch, batch)
                    images = augment_batch(images, config.augment, state.seed, epoch, batch)
                loss = F.cross_entropy(model(data.to_float(images)), y_train[index])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - the student's model failed
                raise training_failed(config, state, epoch, batch, n_batches, len(index),
                                      n, exc) from None
            if on_batch is not None:
                loss_sum += loss.detach()
                on_batch(epoch, batch, n_batches, loss_sum)
        row: dict = {"epoch": epoch}
        for name, split in (("train", data.train), ("test", data.test), ("val", data.val)):
            if split is not None:
                try:
                    loss_value, accuracy = evaluate(model, *split, data.to_float,
                                                    config.eval_batch_size)
                except (Exception, SystemExit) as exc:  # noqa: BLE001 - the model failed
                    raise evaluation_failed(config, state, epoch, name, exc) from None
                if not math.isfinite(loss_value):
                    return RunOutcome("diverged", _diverged_message(state, epoch, name, loss_value))
                row[f"{name}_loss"], row[f"{name}_acc"] = loss_value, accuracy
        row["weight_norm"] = decayed_norm(model, config.decay_bias_norm)
        row["seconds"] = time.perf_counter() - started
        row = EpochRow.from_dict(row)
        state.rows.append(row)
        state.rng = rng_state()
        if on_epoch is not None:
            on_epoch(row, state)
    return RunOutcome("done")


@torch.no_grad()
def decayed_norm(model: torch.nn.Module, decay_bias_norm: bool) -> float:
    """‖w‖₂ of the parameters weight decay acts on (every trainable one, or those with 2+
    dimensions under --no-decay-bias-norm). The squares are summed exactly (`math.fsum`), so
    the number does not depend on the thread count or on the path (sequential, vectorised)."""
    squares = [p.detach().double().pow(2).reshape(-1) for p in model.parameters()
               if p.requires_grad and (decay_bias_norm or p.ndim >= 2)]
    return math.sqrt(math.fsum(torch.cat(squares).tolist())) if squares else 0.0


def _diverged_message(state: RunState, epoch: int, split: str, value: float) -> str:
    return (f"wd {wd_label(state.weight_decay)} seed {state.seed}: the {split} loss became "
            f"{value} in epoch "
            f"{epoch}, so the run is marked diverged (its finished epochs are kept) and the "
            "sweep goes on; a smaller --lr or weight decay usually avoids this")


def model_name(config: SweepConfig) -> str:
    return f"--model {config.model}" if config.model else "the default model"


def _likely_fix(exc: BaseException, batch_len: int, n: int, batch_size: int) -> str:
    text = str(exc)
    if "more than 1 value per channel" in text:
        return (f"The batch held {batch_len} image and batch norm needs 2 or more in "
                f"training: choose a --batch-size that does not leave 1 of the {n} training "
                f"images over (for example {batch_size + 1}).")
    if "does not require grad" in text:
        return ("The loss does not depend on any trainable parameter: give the model "
                "parameters with requires_grad=True and use them in forward.")
    return ("Make forward and backward work in training mode (model.train()), on a batch of "
            f"{batch_len} images.")


def _what_failed(exc: BaseException) -> str:
    """The exception in a few words: its type and first line, or that the model file exited."""
    if isinstance(exc, SystemExit):
        return f"the model file exited (sys.exit({exc.code!r}))"
    first = first_line(exc, 200)
    return f"{type(exc).__name__}{': ' + first if first else ''}"


def training_failed(config: SweepConfig, state: RunState, epoch: int, batch: int,
                    n_batches: int, batch_len: int, n: int, exc: BaseException) -> UserError:
    """One line for a model that fails only in training: which model, run, epoch and batch."""
    if config.model:
        from pa2cli.sweep.modelfile import explain_failure

        line = explain_failure(config.model, exc, "its training step")
        if line is not None:
            return line
    what = _what_failed(exc)
    return UserError(
        f"training failed at wd {wd_label(state.weight_decay)} seed {state.seed}, epoch "
        f"{epoch}, batch "
        f"{batch}/{n_batches} ({batch_len} image{'' if batch_len == 1 else 's'}): {what}",
        where=model_name(config),
        fix=_likely_fix(exc, batch_len, n, config.batch_size)
        + " The finished epochs of every run are saved; --resume continues after the fix.")


def evaluation_failed(config: SweepConfig, state: RunState, epoch: int, split: str,
                      exc: BaseException) -> UserError:
    """One line for a model that fails only when evaluated (eval mode, no gradient)."""
    what = _what_failed(exc)
    return UserError(
        f"evaluation failed at wd {wd_label(state.weight_decay)} seed {state.seed}, epoch "
        f"{epoch}, on the {split} split (eval mode, batches of up to {config.eval_batch_size} "
        f"images): {what}", where=model_name(config),
        fix="Make forward work in eval mode (model.eval()) and under torch.no_grad(), on any "
            "batch size. The finished epochs of every run are saved; --resume continues after "
            "the fix.")


def check_trainable(model: torch.nn.Module, config: SweepConfig, n_train: int) -> None:
    """Refuse, before any training, a model the optimiser cannot train or whose batch norm
    would get a last batch of a single image."""
    if not any(p.requires_grad for p in model.parameters()):
        raise UserError("has no trainable parameters (none with requires_grad=True), so "
                        "there is nothing for the optimiser to train", where=model_name(config),
                        fix="Give the model layers with parameters, such as nn.Linear.")
    norms = (torch.nn.modules.batchnorm._BatchNorm,)
    if n_train % config.batch_size == 1 and any(isinstance(m, norms) for m in model.modules()):
        raise UserError(f"the last batch of each epoch would hold 1 image ({n_train} training "
                        f"images, --batch-size {config.batch_size}) and batch norm needs 2 or "
                        "more in training", where=model_name(config),
                        fix=f"Choose another --batch-size, for example {config.batch_size + 1}.")
