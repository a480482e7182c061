"""`--verify`: torch autograd (float64) as the oracle for a topic's gradients.

torch is imported inside the function, never at module import, so `pa2 explain` without
`--verify` never loads it. Computes only; never renders or prints.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from pa2cli.content import Check, Topic
from pa2cli.expr import torch_backend


def autograd_gradient(topic: Topic, check: Check, point: Mapping[str, np.ndarray]) -> np.ndarray:
    """d(function)/d(wrt) at `point` from torch.autograd, as a float64 numpy array."""
    import torch

    env = {name: torch.tensor(np.asarray(value, dtype=float), dtype=torch.float64)
           for name, value in point.items()}
    env[check.wrt] = env[check.wrt].clone().requires_grad_(True)
    value = topic.function(check.function).expr.evaluate(env, torch_backend())
    if not isinstance(value, torch.Tensor) or not value.requires_grad:
        return np.zeros(np.shape(point[check.wrt]))
    (gradient,) = torch.autograd.grad(value, env[check.wrt], allow_unused=True)
    if gradient is None:
        return np.zeros(np.shape(point[check.wrt]))
    return gradient.detach().numpy().astype(float)
