"""How many images one evaluation batch holds: as many as fit a memory budget, at most a cap.

The evaluation passes (train, test and val after every epoch) need no gradient, so their batch
size changes no number, only speed and memory. A fixed 1,024 images was fine for small models,
but a student's 64×64 CNN (benchmarks/student_scale.py) has 2.7 MB of layer outputs per image:
with 1,024-image batches a run peaked 1.25 GB above the interpreter, more than three times the
course's whole uint8 split, and was no faster on a CPU than with 32 (docs/student-scale.md). `eval_batch_size` measures the
activations of one image in one forward pass (the outputs of every leaf module, summed: more than
a no-gradient pass keeps at once) and takes as many images as fit `memory_budget(device)`, never
fewer than the training batch (whose step keeps all its activations for backward, so an
evaluation batch of that size needs less than training already did) and never more than
`config.eval_batch_size`. The vectorised pass divides the budget by its member count: with a
fixed 1,024 images its 24-member default sweep made blocks past glibc's 32 MiB mmap ceiling on
every evaluation, and page faults were a quarter of its CPU time (`pa2 sweep --epochs 10`, idle
2 cores: 4.1 s of system time and 1.1 M minor faults at 1,024 images; 1.5-2.0 s and 0.27 M at
64). This module must not train or print.
"""

from __future__ import annotations

import torch

CPU_BUDGET_BYTES = 64 * 2**20  # CPU and MPS: a few training batches' worth, far below the data
CUDA_BUDGET_FRACTION = 8  # CUDA: an eighth of the device memory free when the run starts ...
CUDA_BUDGET_MAX_BYTES = 2 * 2**30  # ... but at most 2 GiB (batches past that gain nothing)


def memory_budget(device: torch.device) -> int:
    """Bytes of activations one evaluation batch may hold on `device`."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return max(CPU_BUDGET_BYTES, min(CUDA_BUDGET_MAX_BYTES, free // CUDA_BUDGET_FRACTION))
    return CPU_BUDGET_BYTES


@torch.no_grad()
def activation_bytes_per_image(model: torch.nn.Module, x: torch.Tensor, to_float) -> int | None:
    """Bytes of leaf-module outputs per image in one eval-mode forward of the uint8 batch `x`
    (None if the forward fails: evaluation then reports the failure in its own words). The
    model is left in the mode it was in and the random streams as they were (a model may draw
    numbers even in eval mode), so the training run, and its resume, are unchanged."""
    if len(x) == 0:
        return None
    sizes: list[int] = []

    def count(_module, _inputs, output) -> None:
        for tensor in output if isinstance(output, (tuple, list)) else (output,):
            if isinstance(tensor, torch.Tensor):
                sizes.append(tensor.numel() * tensor.element_size())

    handles, training = [], model.training
    with torch.random.fork_rng(devices=[x.device] if x.device.type == "cuda" else []):
        try:
            for module in model.modules():
                if not any(True for _ in module.children()):  # leaves: containers repeat them
                    handles.append(module.register_forward_hook(count))
            model.eval()
            model(to_float(x))
        except Exception:  # noqa: BLE001 - the evaluation pass words the model's failure
            return None
        finally:
            for handle in handles:
                handle.remove()
            model.train(training)
    return max(1, sum(sizes) // len(x))


def eval_batch_size(model: torch.nn.Module, x_train: torch.Tensor, to_float, config,
                    device: torch.device, members: int = 1) -> int:
    """Images per evaluation batch for this run, or for `members` stacked copies of `model`
    evaluated together (the vectorised pass: each image costs `members` times as much)."""
    cap = int(config.eval_batch_size)
    floor = min(cap, int(config.batch_size))
    per_image = activation_bytes_per_image(model, x_train[:2], to_float)
    if per_image is None:
        return floor
    return max(floor, min(cap, memory_budget(device) // (per_image * max(1, members))))
