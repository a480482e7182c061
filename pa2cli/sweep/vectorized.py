"""`--vectorize`: every (weight decay, seed) member of a sweep trained in one vectorised pass.

`train_vectorized` builds each member's run (a `RunKey`: weight decay, seed) exactly as a
sequential sweep does (`new_run`: the member's own initial weights, optimiser and seeded batch
order; restored from its checkpoint on --resume), stacks them (`stacked.StackedMembers`) and
trains them together in the sweep's one epoch loop (`loop.train_epochs`): each
epoch every member shuffles with its own generator, each step feeds every member its own
batch, and after each epoch every member is evaluated, its slice written back to its own model
and optimiser, its checkpoint saved and its row reported, through the same events as a
sequential run (`events.py`), so results.json, the CSV, the plots, the findings and --resume
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

from typing import Callable

import torch

from pa2cli.errors import first_line
from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.store import RunKey

VECTORIZE_CHOICES = ("auto", "on", "off")  # auto: by the device (devices.wants_vectorized)


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


def _group_by_progress(members: list[RunKey], states: dict) -> list[list[RunKey]]:
    """Members that have finished the same number of epochs, trained in one pass each."""
    groups: dict[int, list] = {}
    for member in members:
        groups.setdefault(len(states[member].rows), []).append(member)
    return [groups[k] for k in sorted(groups)]


def train_vectorized(config: SweepConfig, dataset, data, members: list[RunKey], device, folder,
                     resume: bool, emit: Callable, *, on_ready: Callable | None = None,
                     dtype: torch.dtype | None = None, prepared=None) -> str | None:
    """Train the runs `members` (RunKeys: weight decay, seed) together to config.epochs; None
    when done, else why they could not be (nothing was reported or changed then, and the
    caller trains them one at a time). Events go to `emit`, as from any backend.

    `prepared` (`runs.Prepared`): the members' states as built and restored by the preflight
    (left in it; the caller drops them once trained); without it (a new sweep only) they are
    built here. `on_ready()` is called once the dry check has passed; `dtype=torch.float64`
    is the internal switch the tests use to compare with a float64 sequential run to 1e-9.
    """
    from pa2cli.sweep.checkpoints import run_identity
    from pa2cli.sweep.loop import train_epochs
    from pa2cli.sweep.runs import drive, move_run, new_run, started
    from pa2cli.sweep.stacked import StackedMembers

    if config.precision != "fp32" or config.channels_last:
        return "the vectorised pass has no --precision bf16 or --channels-last"
    states, identities = {}, {}
    for member in members:
        if prepared is not None:  # built, and restored on --resume, by runs.prepare
            state = move_run(prepared.states[member], device)
            identity = prepared.identities[member]
        else:
            if resume:
                raise ValueError("a resumed vectorised pass needs the prepared runs")
            state = new_run(config, dataset, *member, device)
            identity = run_identity(config, *member, state.model, dataset)
        if dtype is not None:
            state.model.to(dtype)  # the same Parameter objects: the optimiser still holds them
            for entry in state.optimizer.state.values():
                for name, value in entry.items():
                    if name != "step" and torch.is_tensor(value):
                        entry[name] = value.to(dtype)
        states[member], identities[member] = state, identity
    wanted = dtype or torch.float32
    try:
        dry_check(list(states.values()), data, config,
                  lambda x: data.to_float(x).to(wanted))
    except NotVectorizable as exc:
        return str(exc)
    if on_ready is not None:
        on_ready()
    for member in members:
        emit(started(member, states[member]))
    for group in _group_by_progress(members, states):
        group_states = [states[m] for m in group]
        events = train_epochs(StackedMembers(group_states, config), group_states, group, data,
                              config)
        drive(events, states, identities, folder, emit)
    return None
