"""DEVICES: every --device choice, in one registry: whether it is there, how many of it --jobs
deals runs over, whether --vectorize auto trains the runs together on it, whether a Ray task
needs a GPU for it, and the one line of --help. A new device is one entry here.

`resolve_device` turns --device into a torch.device (auto: the first available of cuda, mps,
cpu); `wants_vectorized` is the one --vectorize decision (on, off, or auto by the device's
entry); `rng_state` / `set_rng_state` are the RNG states a run carries (every device's).
Torch is imported only inside the functions, so `pa2 sweep --help` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pa2cli.errors import UserError


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def _mps_available() -> bool:
    import torch

    return torch.backends.mps.is_available()


def _cuda_count() -> int:
    import torch

    return torch.cuda.device_count()


@dataclass(frozen=True)
class DeviceSpec:
    name: str  # torch's device type
    help: str
    available: Callable[[], bool]
    # --vectorize auto: on where vectorised training was measured to pay (docs/sweep.md,
    # benchmarks/sweep_vectorized.py); given whether the sweep trains the default model
    vectorize_pays: Callable[[bool], bool]
    count: Callable[[], int] = lambda: 0  # devices --jobs deals runs over (0: they share one)
    gpu: bool = False  # a Ray task of this device asks for a GPU (--gpus-per-run)
    numbered: bool = False  # --jobs places workers on NAME:0, NAME:1, ... (`count` of them)


DEVICES: dict[str, DeviceSpec] = {spec.name: spec for spec in (
    DeviceSpec("cpu", "the processor (every machine)", lambda: True,
               lambda default_model: default_model),
    # small models are launch-bound on a GPU: vectorised there too (expected, not measured)
    DeviceSpec("cuda", "an NVIDIA GPU (round-robin over the visible ones with --jobs)",
               _cuda_available, lambda default_model: True, _cuda_count, gpu=True,
               numbered=True),
    DeviceSpec("mps", "Apple's GPU", _mps_available, lambda default_model: False, gpu=True),
)}
AUTO_ORDER = ("cuda", "mps", "cpu")  # --device auto: the first of these that is available
DEVICE_CHOICES = ("auto", *DEVICES)


RNG_ENTRIES = ("torch_rng", "cuda_rng")  # the checkpoint entries `rng_state` fills


def rng_state() -> dict:
    """The global torch RNG states a run continues from: the CPU's, and every GPU's once this
    process uses CUDA (as checkpoint entries; `set_rng_state` puts them back). A process that
    has not started CUDA (the parent of --jobs workers, the preflight) does not start it here."""
    import torch

    state = {"torch_rng": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda_rng"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict, seed: int | None = None) -> None:
    """Put `rng_state`'s states back; GPUs without a saved state are seeded with `seed` (the
    state `torch.manual_seed(seed)` gave them when the run was built)."""
    import torch

    if "torch_rng" in state:
        torch.set_rng_state(state["torch_rng"])
    if torch.cuda.is_available():
        if "cuda_rng" in state:
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        elif seed is not None:
            torch.cuda.manual_seed_all(int(seed))


def resolve_device(name: str):
    """torch.device for --device; a requested device that is not available is a UserError."""
    import torch

    if name == "auto":
        return torch.device(next(n for n in AUTO_ORDER if DEVICES[n].available()))
    if not DEVICES[name].available():
        raise UserError(f"{name} was requested but is not available on this machine",
                        where="--device", fix="Use --device cpu or --device auto.")
    return torch.device(name)


def pays_on(device, config) -> bool:
    """`--vectorize auto` on `device`: by its registry entry (the default CNN on CPU, any
    model on CUDA)."""
    spec = DEVICES.get(device.type)
    return spec is not None and spec.vectorize_pays(config.model is None)


def wants_vectorized(choice: str, device, config) -> bool:
    """--vectorize on/off, or auto: by the device's entry (`pays_on`)."""
    if choice == "auto":
        return pays_on(device, config)
    return choice == "on"


def device_count(name: str) -> int:
    """How many devices of --device `name` this machine has for --jobs to deal runs over."""
    spec = DEVICES.get(name)
    return spec.count() if spec is not None else 0


def device_help() -> str:
    """--device's help, from the registry."""
    return ("auto: the first available of " + ", ".join(AUTO_ORDER) + "; "
            + "; ".join(f"{name}: {spec.help}" for name, spec in DEVICES.items()) + ".")
