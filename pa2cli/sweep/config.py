"""Every hyperparameter of a weight-decay sweep, with its default and what it means.

`SweepConfig` is the one place a default lives (the Click options in `command.py` read theirs
from here) and the `config` object saved in `results.json`. It must not import torch or do any
work: it is plain data, validated where the values are parsed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from pa2cli.sweep.optim import OPTIMIZERS

DATASET_NAMES = ("digits", "mnist", "fashion-mnist", "cifar10")  # as data.DATASETS (tested)
OPTIMIZER_NAMES = tuple(OPTIMIZERS)
DEFAULT_LR = {name: spec.default_lr for name, spec in OPTIMIZERS.items()}  # --lr when not given
DEVICES = ("auto", "cpu", "cuda", "mps")

# What every loss in the results is; printed in the output and saved beside the config.
LOSS_NOTE = (
    "cross-entropy data loss without the weight-decay penalty; train and test metrics are "
    "measured in eval mode (no dropout, no gradient) over the whole split after each epoch"
)


@dataclass(frozen=True)
class SweepConfig:
    # --- data ---
    dataset: str = "digits"  # digits (bundled, offline) | mnist | fashion-mnist | cifar10
    data_dir: str | None = None  # torchvision root folder; None: pa2's cache folder
    download: bool = False  # fetch a torchvision dataset that is not on disk yet
    val_split: float = 0.0  # fraction of train held out; > 0: best wd chosen by val accuracy
    train_size: int | None = 150  # train on a stratified subset of this many images, drawn
    #                               once from `seed` (None: the whole split). Small on purpose:
    #                               overfitting, and so weight decay, shows (docs/sweep-defaults.md)
    # --- model ---
    model: str | None = None  # "path/to/file.py:Name" (class or factory); None: default CNN
    # --- optimiser ---
    optimizer: str = "sgd"  # sgd | adam | adamw (how each applies weight decay: see --help)
    lr: float = DEFAULT_LR["sgd"]  # learning rate (the CLI's default is DEFAULT_LR[optimizer])
    momentum: float = 0.9  # SGD momentum (ignored by adam and adamw)
    decay_bias_norm: bool = True  # True: weight decay on every parameter, like the optimiser
    #                               itself; False: biases and norm parameters (ndim < 2) exempt
    batch_size: int = 64  # training mini-batch size
    epochs: int = 15  # passes over the training set per weight decay
    # --- sweep ---
    weight_decays: tuple[float, ...] = (1e-4, 1e-3, 1e-2, 1e-1)  # one run per value and seed;
    #                                 CLI adds 0 as the baseline unless --no-baseline
    seed: int = 0  # the first seed; runs use seeds seed .. seed+seeds-1
    seeds: int = 3  # runs per weight decay; the same seed gives every weight decay the same
    #                 initial weights and batch order, so the runs are paired by seed
    device: str = "auto"  # auto (cuda, then mps, then cpu) | cpu | cuda | mps
    eval_batch_size: int = 1024  # batch size of the evaluation passes (does not change results)

    def to_dict(self) -> dict:
        """The JSON form saved as results.json's `config` (with the note on what losses are)."""
        data = asdict(self)
        data["weight_decays"] = list(self.weight_decays)
        data["loss"] = LOSS_NOTE
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "SweepConfig":
        """Inverse of `to_dict`; unknown keys (such as `loss`) are ignored, missing ones default."""
        known = {f.name for f in fields(cls)}
        values = {**LEGACY_VALUES, **{k: v for k, v in data.items() if k in known}}
        if "weight_decays" in values:
            values["weight_decays"] = tuple(float(v) for v in values["weight_decays"])
        return cls(**values)

    @property
    def seed_list(self) -> list[int]:
        """Every seed of the sweep: seed, seed+1, ..., seed+seeds-1."""
        return list(range(self.seed, self.seed + self.seeds))

    def with_changes(self, **changes) -> "SweepConfig":
        return replace(self, **changes)


# What a saved config without these fields meant (it was written before they existed).
LEGACY_VALUES = {"seeds": 1, "train_size": None}

# Fields a resumed sweep may change: they do not alter the numbers already recorded.
RESUMABLE_CHANGES = ("epochs", "seeds", "device", "data_dir", "download")


def wd_label(weight_decay: float) -> str:
    """A weight decay as people write it: 0, 1e-4, 5e-3, 0.1 -> "1e-1"."""
    if weight_decay == 0:
        return "0"
    mantissa, exponent = f"{weight_decay:.6e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"
