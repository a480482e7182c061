"""How a run computes on its device: `--precision fp32|bf16` and `--channels-last`.

Both are for convolutional nets on a CUDA GPU, where recent cards run bfloat16 convolutions and
matrix products on their tensor cores and prefer channels-last (NHWC) images:

- `--precision bf16` runs forward passes (training and evaluation) under
  `torch.autocast(device, dtype=torch.bfloat16)`: convolutions and linear layers compute in
  bfloat16, while the weights, the optimiser, the loss (autocast keeps cross-entropy in float32)
  and every recorded number stay float32. bfloat16 has float32's exponent range, so no loss
  scaling is needed (unlike float16). It runs on a CPU too (the tests use it there), where it is
  usually slower unless the CPU has bfloat16 instructions.
- `--channels-last` stores the model's 4-D weights and each image batch as NHWC
  (`torch.channels_last`); the numbers are the same up to rounding.

The default is fp32 and contiguous, what every figure in docs/ was measured with; the GPU gains
are unmeasured (no GPU was available to this project: docs/student-scale.md). The data are moved
to the device once, before training (loop.to_device), so pinned host memory would speed up
one copy per sweep and is not used; the per-epoch shuffle is copied with non_blocking=True.
This module must not train or print.
"""

from __future__ import annotations

import contextlib

import torch

PRECISIONS = ("fp32", "bf16")  # as config.PRECISION_CHOICES (tested)


def autocast(device: torch.device, precision: str):
    """The context a forward pass runs in: autocast to bfloat16, or nothing for fp32."""
    if precision == "bf16":
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def prepare_model(model: torch.nn.Module, channels_last: bool) -> torch.nn.Module:
    """The model in the memory format of the run (in place, as nn.Module.to is)."""
    return model.to(memory_format=torch.channels_last) if channels_last else model


def batch_input(x: torch.Tensor, channels_last: bool) -> torch.Tensor:
    """A float batch in the memory format of the run (only 4-D image batches change)."""
    if channels_last and x.dim() == 4:
        return x.contiguous(memory_format=torch.channels_last)
    return x
