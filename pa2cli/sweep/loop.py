"""The one epoch loop and the one evaluation of the sweep, over one model or stacked members.

`train_epochs` trains `members` (one run's own model, `OneModel`, or several runs stacked
under vmap, `stacked.StackedMembers`) from their finished epochs to `config.epochs` and yields
what happens as events (`events.py`): a `Batch` after every step, an `EpochDone` after every
epoch, an `Ended` when a run is done or diverged. Every backend (one at a time, vectorised,
--jobs, Ray) consumes these same events. The data are tensors moved to the device once; each
epoch every member shuffles with its own seeded `torch.Generator` (`randperm`), mini-batches
are sliced from the tensors and turned into floats with `Dataset.to_float` (after the
training-only augmentation, drawn from seed, epoch and batch). After each epoch every member
is evaluated under `model.eval()` and `torch.no_grad()` on the whole train and test splits
(and validation, if held out), by `evaluate_members`; the losses are the cross-entropy data
loss, without the weight-decay penalty. A non-finite loss ends that run as "diverged" and the
others go on. Nothing is read back from the device per batch: the running loss is summed there
and read by whoever shows it. A run's state (`runs.RunState`) carries everything the next
epoch depends on, so a resumed run repeats an uninterrupted one exactly on CPU.
This module must not print, write files or know about the other runs of the sweep.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import torch
import torch.nn.functional as F

from pa2cli.sweep.augment import augment_batch
from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.eval_batch import eval_batch_size
from pa2cli.sweep.events import Batch, EpochDone, Ended, Event
from pa2cli.sweep.failures import diverged_message, evaluation_failed, training_failed
from pa2cli.sweep.precision import autocast, batch_input
from pa2cli.sweep.devices import rng_state
from pa2cli.sweep.runs import RunState, resume_rng
from pa2cli.sweep.store import EpochRow, RunKey


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


NORM_BLOCK = 4096  # squares per float64 partial sum in `norms_of_squares`


def norms_of_squares(squares: torch.Tensor) -> list[float]:
    """sqrt of each row's sum of the float64 `squares` (M, N): summed in fixed blocks of
    NORM_BLOCK by torch, then the block sums exactly (`math.fsum`). The blocks are the same on
    every path and thread count (a block is one reduction output, never split between
    threads), so the number is too; summing every square in Python instead cost 0.15 s per
    epoch of the 24-run default sweep (1.7 M floats), a quarter of its run time."""
    rows, n = squares.shape
    padded = torch.nn.functional.pad(squares, (0, (-n) % NORM_BLOCK))
    blocks = padded.reshape(rows, -1, NORM_BLOCK).sum(dim=2)
    return [math.sqrt(math.fsum(row)) for row in blocks.tolist()]


@torch.no_grad()
def decayed_norm(model: torch.nn.Module, decay_bias_norm: bool) -> float:
    """‖w‖₂ of the parameters weight decay acts on (every trainable one, or those with 2+
    dimensions under --no-decay-bias-norm), by `norms_of_squares`, so the number does not
    depend on the thread count or on the path (sequential, vectorised)."""
    squares = [p.detach().double().pow(2).reshape(-1) for p in model.parameters()
               if p.requires_grad and (decay_bias_norm or p.ndim >= 2)]
    return norms_of_squares(torch.cat(squares).unsqueeze(0))[0] if squares else 0.0


class OneModel:
    """One run's own model and optimiser, as the loop's members (a stack of one)."""

    input_dtype = None  # the batch as `to_float` makes it

    def __init__(self, model: torch.nn.Module, optimizer=None, decay_bias_norm: bool = True,
                 precision: str = "fp32", channels_last: bool = False):
        self.model, self.optimizer, self.decay_bias_norm = model, optimizer, decay_bias_norm
        self.precision, self.channels_last = precision, channels_last  # --precision, --channels-last

    @classmethod
    def of(cls, state: RunState, config: SweepConfig) -> "OneModel":
        resume_rng(state)  # dropout continues the run's own stream, whichever run came before
        return cls(state.model, state.optimizer, config.decay_bias_norm, config.precision,
                   config.channels_last)

    def eval_batch(self, data: "DeviceData", config: SweepConfig) -> int:
        """Images per evaluation batch: sized from the model's activations and a memory budget
        (eval_batch.py), between the training batch and config.eval_batch_size."""
        x_train = data.train[0]
        return eval_batch_size(self.model, x_train, data.to_float, config, x_train.device)

    def begin_epoch(self, lr: float) -> None:
        for group in self.optimizer.param_groups:  # --lr-schedule: set per epoch
            group["lr"] = lr
        self.model.train()

    def step(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """One optimiser step on the batch x (1, B, ...), y (1, B); returns the loss (1,)."""
        with autocast(x.device, self.precision):
            loss = F.cross_entropy(self.model(batch_input(x[0], self.channels_last)), y[0])
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.detach().reshape(1)

    def begin_eval(self) -> None:
        self.model.eval()

    def eval_sums(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(summed cross-entropy (1,), correct predictions (1,)) on the batch x (B, ...)."""
        with autocast(x.device, self.precision):
            logits = self.model(batch_input(x, self.channels_last))
        if logits.dtype in (torch.bfloat16, torch.float16):  # autocast's: the loss in float32
            logits = logits.float()
        return (F.cross_entropy(logits, y, reduction="sum").reshape(1),
                (logits.argmax(dim=1) == y).sum().reshape(1))

    def decayed_norms(self) -> list[float]:
        return [decayed_norm(self.model, self.decay_bias_norm)]

    def finish(self, index: int, state: RunState) -> None:
        """After an epoch: the run's RNG state is the one its next epoch continues from."""
        state.rng = rng_state()

    def restack(self, states: list[RunState]) -> "OneModel":
        return self


@torch.no_grad()
def evaluate_members(members, x: torch.Tensor, y: torch.Tensor, to_float,
                     batch_size: int) -> tuple[list[float], list[float]]:
    """Per member (mean cross-entropy, accuracy in [0, 1]) on all of (x, y), in eval mode.

    The per-batch sums stay on the device and are read once at the end (one sync per split,
    not one per batch), then added exactly in double precision (`math.fsum`; MPS has no float64).
    """
    members.begin_eval()
    loss_sums, corrects = [], []
    for start in range(0, len(y), batch_size):
        inputs = to_float(x[start:start + batch_size])
        if members.input_dtype is not None:
            inputs = inputs.to(members.input_dtype)
        loss_sum, correct = members.eval_sums(inputs, y[start:start + batch_size])
        loss_sums.append(loss_sum)
        corrects.append(correct)
    sums = torch.stack(loss_sums, dim=1).tolist()  # (members, chunks): one read for all
    right = torch.stack(corrects).sum(dim=0).tolist()
    return [math.fsum(s) / len(y) for s in sums], [r / len(y) for r in right]


def evaluate(model, x: torch.Tensor, y: torch.Tensor, to_float, batch_size: int,
             precision: str = "fp32", channels_last: bool = False) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of one model on all of (x, y): `evaluate_members`
    (forward passes under --precision and --channels-last, the loss in float32)."""
    members = OneModel(model, precision=precision, channels_last=channels_last)
    losses, accuracies = evaluate_members(members, x, y, to_float, batch_size)
    return losses[0], accuracies[0]


def _batch_inputs(data: DeviceData, members, index: torch.Tensor, states, config, epoch: int,
                  batch: int) -> torch.Tensor:
    """Every member's own batch, (members, B, ...): its rows of `index`, augmented from its
    own seed, as floats."""
    width = index.shape[1]
    images = data.train[0][index.reshape(-1)]
    if config.augment:  # training batches only, each member its own (seed, epoch, batch)
        parts = [augment_batch(images[i * width:(i + 1) * width], config.augment, state.seed,
                               epoch, batch) for i, state in enumerate(states)]
        images = parts[0] if len(parts) == 1 else torch.cat(parts)
    inputs = data.to_float(images)
    if members.input_dtype is not None:
        inputs = inputs.to(members.input_dtype)
    return inputs.reshape(len(states), width, *inputs.shape[1:])


def train_epochs(members, states: list[RunState], keys: list[RunKey], data: DeviceData,
                 config: SweepConfig) -> Iterator[Event]:
    """Train `members` (the runs `states`, named `keys`, all at the same epoch) to
    config.epochs, yielding a Batch per step and member, an EpochDone per epoch and member
    (its row appended to its state first) and an Ended per member."""
    x_train, y_train = data.train
    n = len(y_train)
    n_batches = math.ceil(n / config.batch_size)
    active = list(zip(states, keys))
    eval_batch = members.eval_batch(data, config)
    while active and len(active[0][0].rows) < config.epochs:
        epoch = len(active[0][0].rows) + 1
        started = time.perf_counter()
        members.begin_epoch(config.lr_at(epoch))
        # shuffled on the CPU (the generators' states are what a checkpoint saves); the copy
        # to an accelerator need not block the host, the indexing waits for it on-stream
        orders = torch.stack([torch.randperm(n, generator=s.generator) for s, _ in active])
        orders = orders.to(y_train.device, non_blocking=True)
        loss_sums = torch.zeros(len(active), device=y_train.device)
        running = [s for s, _ in active]
        for batch, start in enumerate(range(0, n, config.batch_size), start=1):
            index = orders[:, start:start + config.batch_size]
            try:
                inputs = _batch_inputs(data, members, index, running, config, epoch, batch)
                loss_sums += members.step(inputs, y_train[index])
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - the student's model failed
                # stacked members fail together: name the first, as a sequential sweep would
                raise training_failed(config, active[0][0], epoch, batch, n_batches,
                                      index.shape[1], n, exc) from None
            for i, (_, key) in enumerate(active):
                yield Batch(key, epoch, batch, n_batches, loss_sums[i])
        metrics = {}
        for name, split in (("train", data.train), ("test", data.test), ("val", data.val)):
            if split is not None:
                try:
                    metrics[name] = evaluate_members(members, *split, data.to_float,
                                                     eval_batch)
                except (Exception, SystemExit) as exc:  # noqa: BLE001 - the model failed
                    raise evaluation_failed(config, active[0][0], epoch, name, exc,
                                            eval_batch) from None
        norms = members.decayed_norms()
        seconds = (time.perf_counter() - started) / len(active)
        survivors = []
        for i, (state, key) in enumerate(active):
            row, diverged = {"epoch": epoch}, None
            for name, (losses, accuracies) in metrics.items():
                if not math.isfinite(losses[i]):
                    diverged = diverged_message(state, epoch, name, losses[i])
                    break
                row[f"{name}_loss"], row[f"{name}_acc"] = losses[i], accuracies[i]
            if diverged:
                yield Ended(key, "diverged", diverged)
                continue
            row["weight_norm"], row["seconds"] = norms[i], seconds
            row = EpochRow.from_dict(row)
            members.finish(i, state)
            state.rows.append(row)
            yield EpochDone(key, row)
            survivors.append((state, key))
        if len(survivors) < len(active):  # go on without the diverged members
            active = survivors
            if active:
                members = members.restack([s for s, _ in active])
    for _, key in active:
        yield Ended(key, "done")


@dataclass(frozen=True)
class RunOutcome:
    status: str  # "done" | "diverged"
    message: str = ""


def train_run(state: RunState, data: DeviceData, config: SweepConfig,
              on_epoch: Callable[[EpochRow, RunState], None] | None = None) -> RunOutcome:
    """Train one run to config.epochs through `train_epochs`, without events (the tests' and
    benchmarks' way to train a single model)."""
    outcome = RunOutcome("done")
    for event in train_epochs(OneModel.of(state, config), [state], [(state.weight_decay,
                              state.seed)], data, config):
        if isinstance(event, EpochDone) and on_epoch is not None:
            on_epoch(event.row, state)
        elif isinstance(event, Ended):
            outcome = RunOutcome(event.status, event.message)
    return outcome
