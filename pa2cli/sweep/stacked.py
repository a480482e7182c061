"""Several sweep members (weight decay, seed) held as one stacked model, for `--vectorize`.

`StackedMembers` stacks the parameters and buffers of the members' own models along a new
leading dimension, runs the model on every member's own batch at
once (`torch.func.functional_call` under `torch.func.vmap`), and applies the optimiser's
update with a per-member weight decay tensor, by the rule the optimiser's registry entry states
(`optim.OPTIMIZERS[name].decay`): coupled (wd*w added to the gradient, as SGD and Adam do) or
decoupled (the weight shrunk by `1 - lr*wd` before the step, as AdamW does), exactly as
`torch.optim` does for one member. The update itself is the entry's own optimiser, built over
the stacked tensors with weight decay 0, so momentum and Adam's moments are torch's own code.
An entry without a rule the pass knows raises `optim.NotStackable`: it is never trained as
another optimiser.
Members exempt parameters with fewer than 2 dimensions when `decay_bias_norm` is off.

`write_back` copies one member's slice into that member's own model and optimiser, so the
checkpoints of a vectorised sweep are the same files a sequential sweep writes (and either can
resume the other). The loop (`loop.train_epochs`) drives it as it drives one model
(`loop.OneModel`): begin_epoch, step, begin_eval/eval_sums, decayed_norms, finish, restack.
This module must not print, write files or know about events.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch.func import functional_call, vmap

from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.eval_batch import eval_batch_size
from pa2cli.sweep.loop import norms_of_squares
from pa2cli.sweep.optim import DECOUPLED, stacked_rule


def _stack_optimizer_state(params: list[torch.Tensor], member_optimizers, orders) -> dict:
    """The stacked optimiser's state for `params` from each member optimiser's own state."""
    state = {}
    for index, stacked in enumerate(params):
        per_member = [optimizer.state.get(order[index], {})
                      for optimizer, order in zip(member_optimizers, orders)]
        if not per_member[0]:
            continue  # not stepped yet
        state[stacked] = {
            key: (value.clone() if key == "step"  # every member took the same number of steps
                  else torch.stack([s[key] for s in per_member]).to(stacked))
            for key, value in per_member[0].items()}
    return state


def _stack(models, name: str, kind: str) -> torch.Tensor:
    """Member models' tensor `name` stacked along a new first dimension (a copy)."""
    tensors = [dict(getattr(model, kind)())[name].detach() for model in models]
    if any(t.shape != tensors[0].shape or t.dtype != tensors[0].dtype for t in tensors):
        raise ValueError(f"the members' models differ in {name}")
    return torch.stack(tensors)


class StackedMembers:
    """The members' models as one stacked set of tensors, trained and evaluated together."""

    def __init__(self, states, config: SweepConfig):
        self.config = config
        spec = stacked_rule(config.optimizer)  # NotStackable before anything is built
        self.decoupled = spec.decay == DECOUPLED
        self.template = copy.deepcopy(states[0].model)
        models = [state.model for state in states]
        self.size = len(states)
        self.names = [n for n, p in models[0].named_parameters() if p.requires_grad]
        self.orders = []  # each member optimiser's parameters, in the order of `names`
        for state in states:
            named = dict(state.model.named_parameters())
            self.orders.append([named[n] for n in self.names])
        self.params = {n: _stack(models, n, "named_parameters").requires_grad_(True)
                       for n in self.names}
        # frozen parameters travel with the buffers: stacked, never updated
        self.fixed = {n: _stack(models, n, "named_parameters") for n, p in
                      models[0].named_parameters() if not p.requires_grad}
        self.fixed.update({n: _stack(models, n, "named_buffers")
                           for n, _ in models[0].named_buffers()})
        floating = [p for p in self.params.values() if p.is_floating_point()]
        self.input_dtype = floating[0].dtype if floating else torch.float32
        decays = torch.tensor([state.weight_decay for state in states], dtype=torch.float64)
        self.decay = {}
        for n, p in self.params.items():
            exempt = not config.decay_bias_norm and p.ndim - 1 < 2
            value = torch.zeros_like(decays) if exempt else decays
            shape = (self.size,) + (1,) * (p.ndim - 1)
            self.decay[n] = value.to(p.dtype).to(p.device).view(shape)
        tensors = [self.params[n] for n in self.names]
        # the entry's own optimiser; weight decay is applied by `step`, per member
        self.optimizer = spec.build([{"params": tensors, "weight_decay": 0.0}], config.lr,
                                    config.momentum)
        self.optimizer.state.update(_stack_optimizer_state(
            tensors, [state.optimizer for state in states], self.orders))

    def set_lr(self, lr: float) -> None:
        """The learning rate of the next steps (--lr-schedule). `step` reads it from the group,
        so decoupled decay shrinks by 1 - lr*wd with the current lr, as torch.optim does."""
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def _logits(self, params, fixed, x):
        return functional_call(self.template, (params, fixed), (x,))

    def losses(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Each member's mean cross-entropy on its own batch: x (M, B, ...), y (M, B) -> (M,)."""
        self.template.train()

        def member_loss(params, fixed, xb, yb):
            return F.cross_entropy(self._logits(params, fixed, xb), yb)

        return vmap(member_loss, randomness="error")(self.params, self.fixed, x, y)

    def logits(self, x: torch.Tensor, train: bool) -> torch.Tensor:
        """Every member's logits for the same inputs x (B, ...) -> (M, B, classes)."""
        self.template.train(train)
        return vmap(self._logits, in_dims=(0, 0, None), randomness="error")(
            self.params, self.fixed, x)

    def step(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """One optimiser step of every member on its own batch; returns the losses (M,)."""
        losses = self.losses(x, y)
        self.optimizer.zero_grad(set_to_none=True)
        losses.sum().backward()  # members are independent: each gets its own gradient
        with torch.no_grad():
            # the group's lr now (a schedule may have changed it), as torch.optim reads it
            lr = self.optimizer.param_groups[0]["lr"]
            for n, p in self.params.items():
                if self.decoupled:  # w <- w * (1 - lr*wd), as torch.optim's decoupled decay
                    p.mul_(1 - lr * self.decay[n])
                else:  # grad <- grad + wd*w
                    p.grad.addcmul_(p, self.decay[n])
        self.optimizer.step()
        return losses.detach()

    def begin_epoch(self, lr: float) -> None:
        """The loop's start of an epoch: its learning rate, and training mode."""
        self.set_lr(lr)
        self.template.train()

    def begin_eval(self) -> None:
        self.template.eval()

    def eval_batch(self, data, config: SweepConfig) -> int:
        """Images per evaluation batch: the memory budget shared by every member (eval_batch.py)."""
        x_train = data.train[0]
        return eval_batch_size(self.template, x_train, data.to_float, config, x_train.device,
                               members=self.size)

    @torch.no_grad()
    def eval_sums(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per member (summed cross-entropy, correct predictions) on the same batch x (B, ...),
        each of shape (M,), in eval mode (`loop.evaluate_members` adds them up)."""
        logits = self.logits(x, train=False)
        per_image = F.cross_entropy(logits.transpose(1, 2), y.expand(self.size, -1),
                                    reduction="none")
        return per_image.sum(dim=1), (logits.argmax(dim=2) == y).sum(dim=1)

    def finish(self, index: int, state) -> None:
        """After an epoch: member `index`'s slice written back into its own run."""
        self.write_back(index, state)

    def restack(self, states) -> "StackedMembers":
        """The members `states` (written back) stacked anew, e.g. without diverged ones."""
        return StackedMembers(states, self.config)

    @torch.no_grad()
    def decayed_norms(self) -> list[float]:
        """Per member ‖w‖₂ of the parameters weight decay acts on (as
        `loop.decayed_norm` for one member), by the same `loop.norms_of_squares`."""
        squares = [p.detach().double().pow(2).flatten(1) for p in self.params.values()
                   if self.config.decay_bias_norm or p.ndim - 1 >= 2]
        if not squares:
            return [0.0] * self.size
        return norms_of_squares(torch.cat(squares, dim=1))

    @torch.no_grad()
    def write_back(self, index: int, state) -> None:
        """Copy member `index`'s weights and optimiser state into its own model and optimiser."""
        named = dict(state.model.named_parameters())
        named_buffers = dict(state.model.named_buffers())
        for n in self.names:
            named[n].copy_(self.params[n][index])
        for n, t in self.fixed.items():
            target = named.get(n, named_buffers.get(n))
            target.copy_(t[index])
        for n, member_param in zip(self.names, self.orders[index]):
            stacked = self.params[n]
            entry = self.optimizer.state.get(stacked)
            if not entry:
                continue
            state.optimizer.state[member_param] = {
                key: value.clone() if key == "step" else value[index].clone()
                for key, value in entry.items()}
