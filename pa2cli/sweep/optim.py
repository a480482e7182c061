"""The optimiser of a sweep run, and which parameters its weight decay touches.

`WEIGHT_DECAY_HELP` is the explanation shown in `pa2 sweep --help`. By default weight decay
applies to every parameter, exactly as `torch.optim.SGD(model.parameters(), weight_decay=wd)`
does (and as the assignment's optimiser does); with `decay_bias_norm=False` biases and norm
parameters (every parameter with fewer than 2 dimensions) are put in a group with weight
decay 0. This module must not train, print or read files.
"""

from __future__ import annotations

WEIGHT_DECAY_HELP = """\
What weight_decay does in each optimiser:
  sgd    adds wd*w to every gradient: coupled L2, the same as adding
         (wd/2)*||w||^2 to the loss.
  adam   adds wd*w to the gradient too (coupled), but then divides it by the
         adaptive step size, so weights with large gradients are decayed less.
  adamw  shrinks each weight directly, w <- w - lr*wd*w, apart from the
         gradient step (decoupled decay); its useful values are larger (1e-2+).
Which parameters: every one by default, biases and norm parameters included,
as the optimiser does when given model.parameters(); --no-decay-bias-norm
exempts the parameters with fewer than 2 dimensions (biases, norm scales)."""


def parameter_groups(model, weight_decay: float, decay_bias_norm: bool = True) -> list[dict]:
    """Optimiser parameter groups: one decayed group, plus an undecayed one if exempting."""
    params = [p for p in model.parameters() if p.requires_grad]
    if decay_bias_norm:
        return [{"params": params, "weight_decay": weight_decay}]
    decayed = [p for p in params if p.ndim >= 2]
    exempt = [p for p in params if p.ndim < 2]
    groups = [{"params": decayed, "weight_decay": weight_decay}]
    if exempt:
        groups.append({"params": exempt, "weight_decay": 0.0})
    return groups


def build_optimizer(model, name: str, lr: float, momentum: float, weight_decay: float,
                    decay_bias_norm: bool = True):
    """`torch.optim` optimiser `name` (sgd | adam | adamw) over `model`'s trainable parameters."""
    import torch

    groups = parameter_groups(model, weight_decay, decay_bias_norm)
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=momentum)
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr)
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}")  # the CLI's Choice prevents this
