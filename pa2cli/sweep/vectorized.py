"""`--vectorize`: every (weight decay, seed) member of a sweep trained in one vectorised pass.

`train_vectorized` builds each member's run (a `RunKey`: weight decay, seed) exactly as a
sequential sweep does (`new_run`: the member's own initial weights, optimiser and seeded batch
order; restored from its checkpoint on --resume), stacks them (`stacked.StackedMembers`) and trains them together: each
epoch every member shuffles with its own generator, each step feeds every member its own
batch, and after each epoch every member is evaluated, its slice written back to its own model
and optimiser, its checkpoint saved and its row reported, through the same events as a
sequential run (`point.Emit`), so results.json, the CSV, the plots, the findings and --resume
are the same. A member whose loss becomes non-finite is reported diverged and dropped.

Before anything is reported, `dry_check` tries one vectorised step on a copy of the members
and compares its outputs with the model's own; what `vmap` cannot do (BatchNorm running
statistics, dropout or other random operations, data-dependent control flow, unsupported
in-place operations) makes `train_vectorized` hand every member back with one line saying why,
and the runner trains them one at a time. Members resumed at different epochs are trained in
one pass per epoch count. `seconds` of a row is the epoch's wall time divided by the number of
members trained in it. This module must not print or decide what is recorded.
"""

from __future__ import annotations

import math
import time
from typing import Callable

import torch

from pa2cli.errors import first_line
from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.store import EpochRow, RunKey

VECTORIZE_CHOICES = ("auto", "on", "off")


def pays_on(device, config: SweepConfig) -> bool:
    """`--vectorize auto`: on where vectorised training was measured to be faster (figures
    in docs/sweep.md, from benchmarks/sweep_vectorized.py): the default model on CPU; on a
    GPU, where small models are launch-bound, it is on too (expected, not yet measured)."""
    return device.type == "cuda" or (device.type == "cpu" and config.model is None)


class NotVectorizable(Exception):
    """The model cannot be trained under vmap; the message says why, in a few words."""


def static_reason(model: torch.nn.Module) -> str | None:
    """What the model holds that vmap cannot train identically, seen without running it."""
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm) and \
                module.track_running_stats:
            return f"it updates BatchNorm running statistics ({name or 'the model'})"
    return None


def _reason_of(exc: BaseException) -> str:
    """A few words on why vmap failed, from the error torch raised."""
    text = str(exc)
    lowered = text.lower()
    if "random" in lowered:
        return "it uses dropout or another random operation"
    if "data-dependent" in lowered or "data dependent" in lowered or ".item()" in lowered:
        return "it has data-dependent control flow (a Python branch on a tensor's value)"
    if "inplace" in lowered or "in-place" in lowered or "match the broadcast shape" in lowered:
        # an in-place write of a per-member result into a tensor shared by the members
        return "it uses an in-place operation vmap cannot batch"
    return f"vmap failed ({type(exc).__name__}: {first_line(exc, 120)})"


def dry_check(states, data, config: SweepConfig, to_input) -> None:
    """One vectorised forward and backward on the first batch, without changing any member;
    raises `NotVectorizable` saying why the members cannot be trained together."""
    from pa2cli.sweep.optim import NotStackable, stacked_rule
    from pa2cli.sweep.stacked import StackedMembers

    try:
        stacked_rule(config.optimizer)
    except NotStackable as exc:
        raise NotVectorizable(str(exc)) from None
    reason = static_reason(states[0].model)
    if reason:
        raise NotVectorizable(reason)
    x_train, y_train = data.train
    size = min(config.batch_size, len(y_train))
    inputs = to_input(x_train[:size])
    try:
        stack = StackedMembers(states, config)
        losses = stack.losses(inputs.expand(stack.size, *inputs.shape),
                              y_train[:size].expand(stack.size, -1))
        losses.sum().backward()
        with torch.no_grad():
            vectorised = stack.logits(inputs, train=False)[0]
    except Exception as exc:  # noqa: BLE001 - whatever vmap rejects is reported, then run alone
        raise NotVectorizable(_reason_of(exc)) from None
    model = states[0].model
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            own = model(inputs)
    finally:
        model.train(was_training)
    tolerance = 1e-9 if own.dtype == torch.float64 else 1e-4
    if own.shape != vectorised.shape or not torch.allclose(own, vectorised, rtol=tolerance,
                                                          atol=tolerance):
        raise NotVectorizable("its vectorised outputs differ from the model's own "
                              "(it may keep state between calls)")


def _group_by_progress(states) -> list[list]:
    """Members that have finished the same number of epochs, trained in one pass each."""
    groups: dict[int, list] = {}
    for state in states:
        groups.setdefault(len(state.rows), []).append(state)
    return [groups[k] for k in sorted(groups)]


def train_vectorized(config: SweepConfig, dataset, data, members: list[RunKey], device, folder,
                     resume: bool, emit: Callable, *, on_ready: Callable | None = None,
                     dtype: torch.dtype | None = None, prepared=None) -> str | None:
    """Train the runs `members` (RunKeys: weight decay, seed) together to config.epochs; None
    when done, else why they could not be (nothing was reported or changed then, and the
    caller trains them one at a time).

    `prepared` (`runs.Prepared`): the members' states as built and restored by the preflight
    (left in it; the caller drops them once trained); without it (a new sweep only) they are
    built here. `on_ready()` is called once the dry check has passed; `dtype=torch.float64`
    is the internal switch the tests use to compare with a float64 sequential run to 1e-9.
    """
    from pa2cli.sweep.checkpoints import run_identity, save_checkpoint
    from pa2cli.sweep.runs import checkpoint_of, move_run, new_run

    states, identities = [], {}
    for member in members:
        if prepared is not None:  # built, and restored on --resume, by runs.prepare
            state = move_run(prepared.states[member], device)
            identity = prepared.identities[member]
        else:
            if resume:
                raise ValueError("a resumed vectorised pass needs the prepared runs")
            state = new_run(config, dataset, *member, device)
            identity = run_identity(config, *member, state.model, dataset)
        identities[id(state)] = identity
        if dtype is not None:
            state.model.to(dtype)  # the same Parameter objects: the optimiser still holds them
            for entry in state.optimizer.state.values():
                for name, value in entry.items():
                    if name != "step" and torch.is_tensor(value):
                        entry[name] = value.to(dtype)
        states.append(state)
    wanted = dtype or torch.float32

    def to_input(x):
        return data.to_float(x).to(wanted)

    try:
        dry_check(states, data, config, to_input)
    except NotVectorizable as exc:
        return str(exc)
    if on_ready is not None:
        on_ready()
    by_state = {id(state): member for state, member in zip(states, members)}
    for state, member in zip(states, members):
        emit("start", member, list(state.rows))
    for group in _group_by_progress(states):
        _train_group(group, [by_state[id(s)] for s in group], data, config, emit, to_input,
                     lambda state: save_checkpoint(folder.path, identities[id(state)],
                                                   checkpoint_of(state)))
    return None


def _train_group(states, members, data, config, emit, to_input, save) -> None:
    """Train members that finished the same epochs together; drop each that diverges."""
    from pa2cli.sweep.stacked import StackedMembers
    from pa2cli.sweep.training import _diverged_message as diverged_message
    from pa2cli.sweep.training import evaluation_failed, training_failed

    x_train, y_train = data.train
    n = len(y_train)
    n_batches = math.ceil(n / config.batch_size)
    active = list(zip(states, members))
    stack = StackedMembers([s for s, _ in active], config)
    while active and len(active[0][0].rows) < config.epochs:
        epoch = len(active[0][0].rows) + 1
        started = time.perf_counter()
        stack.set_lr(config.lr_at(epoch))
        orders = torch.stack([torch.randperm(n, generator=s.generator) for s, _ in active])
        orders = orders.to(y_train.device, non_blocking=True)
        loss_sums = torch.zeros(len(active), device=y_train.device)
        for batch, start in enumerate(range(0, n, config.batch_size), start=1):
            index = orders[:, start:start + config.batch_size]
            images = x_train[index.reshape(-1)]
            if config.augment:  # each member its own (seed, epoch, batch) draw
                from pa2cli.sweep.augment import augment_batch

                width = index.shape[1]
                images = torch.cat([augment_batch(images[i * width:(i + 1) * width],
                                                  config.augment, state.seed, epoch, batch)
                                    for i, (state, _) in enumerate(active)])
            inputs = to_input(images)
            inputs = inputs.view(len(active), index.shape[1], *inputs.shape[1:])
            try:
                loss_sums += stack.step(inputs, y_train[index])
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - the student's model failed
                # the members fail together: name the first, as a sequential sweep would
                raise training_failed(config, active[0][0], epoch, batch, n_batches,
                                      index.shape[1], n, exc) from None
            for i, (_, member) in enumerate(active):
                emit("batch", member, epoch, batch, n_batches, loss_sums[i])
        metrics = {}
        for name, split in (("train", data.train), ("test", data.test), ("val", data.val)):
            if split is not None:
                try:
                    metrics[name] = stack.evaluate(*split, data.to_float, config.eval_batch_size)
                except (Exception, SystemExit) as exc:  # noqa: BLE001 - the model failed
                    raise evaluation_failed(config, active[0][0], epoch, name, exc) from None
        norms = stack.decayed_norms()
        seconds = (time.perf_counter() - started) / len(active)
        survivors = []
        for i, (state, member) in enumerate(active):
            row = {"epoch": epoch}
            diverged = None
            for name, (losses, accuracies) in metrics.items():
                if not math.isfinite(losses[i]):
                    diverged = diverged_message(state, epoch, name, losses[i])
                    break
                row[f"{name}_loss"], row[f"{name}_acc"] = losses[i], accuracies[i]
            if diverged:
                emit("end", member, "diverged", diverged)
                continue
            row["weight_norm"] = norms[i]
            row["seconds"] = seconds
            row = EpochRow.from_dict(row)
            stack.write_back(i, state)
            state.rows.append(row)
            save(state)
            emit("epoch", member, row)
            survivors.append((state, member))
        if len(survivors) < len(active):  # restack without the diverged members
            active = survivors
            if active:
                stack = StackedMembers([s for s, _ in active], config)
    for _, member in active:
        emit("end", member, "done", "")
