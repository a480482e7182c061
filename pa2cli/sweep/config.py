"""Every hyperparameter of a weight-decay sweep, with its default and what it means.

`SweepConfig` is the one place a default lives (the Click options in `command.py` read theirs
from here) and the `config` object saved in `results.json`. It must not import torch or do any
work: it is plain data, validated where the values are parsed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from pa2cli.numbers import is_number, wd_label  # noqa: F401 (wd_label: the sweep's import)
from pa2cli.sweep.datasets import DATASETS
from pa2cli.sweep.devices import DEVICE_CHOICES
from pa2cli.sweep.optim import OPTIMIZERS

DATASET_NAMES = tuple(DATASETS)  # the registry's (datasets.py); a new dataset is one entry
NORMALIZE_CHOICES = ("auto", "course", "dataset", "none")  # userdata.NORMALIZATIONS
AUGMENT_CHOICES = ("flip", "affine")  # augment.AUGMENTATIONS
OPTIMIZER_NAMES = tuple(OPTIMIZERS)
DEFAULT_LR = {name: spec.default_lr for name, spec in OPTIMIZERS.items()}  # --lr when not given
DEFAULT_WDS = {name: spec.default_wds for name, spec in OPTIMIZERS.items()}  # --wd when not given
DEFAULT_OPTIMIZER = "adamw"  # its weight decays underfit steadily (docs/sweep-defaults.md)
DEVICES = DEVICE_CHOICES  # auto and every entry of devices.DEVICES
PRECISION_CHOICES = ("fp32", "bf16")  # precision.PRECISIONS
LR_SCHEDULES = ("constant", "cosine")

# What every loss in the results is; printed in the output and saved beside the config.
LOSS_NOTE = (
    "cross-entropy data loss without the weight-decay penalty; train and test metrics are "
    "measured in eval mode (no dropout, no gradient) over the whole split after each epoch"
)


@dataclass(frozen=True)
class SweepConfig:
    # --- data ---
    dataset: str = "digits"  # digits (bundled, offline) | mnist | fashion-mnist | cifar10
    data_dir: str | None = None  # torchvision root folder, or the student's split (an
    #                              ImageFolder tree or train/test/val.pth); None: pa2's cache
    download: bool = False  # fetch a torchvision dataset that is not on disk yet
    val_split: float = 0.0  # fraction of train held out; > 0: best wd chosen by val accuracy
    train_size: int | None = 150  # train on a stratified subset of this many images, drawn
    #                               once from `seed` (None: the whole split). Small on purpose:
    #                               overfitting, and so weight decay, shows (docs/sweep-defaults.md)
    normalize: str = "auto"  # auto: course for imagefolder/pth (mean 0.5, std 0.5, as the
    #                          course's starter code), dataset (train's mean/std) otherwise
    image_size: int | None = None  # resize every image to N×N (imagefolder); None: as stored
    augment: tuple[str, ...] = ()  # training-batch augmentations: flip, affine (Assignment 1A)
    # --- model ---
    model: str | None = None  # "path/to/file.py:Name" (class or factory); None: default CNN
    model_args: str | None = None  # JSON object of extra constructor arguments (--model-args)
    # --- optimiser ---
    optimizer: str = DEFAULT_OPTIMIZER  # sgd | adam | adamw (how each applies weight decay:
    #                                     see --help)
    lr: float = DEFAULT_LR[DEFAULT_OPTIMIZER]  # learning rate (the CLI's default is
    #                                            DEFAULT_LR[optimizer])
    momentum: float = 0.9  # SGD momentum (ignored by adam and adamw)
    decay_bias_norm: bool = True  # True: weight decay on every parameter, like the optimiser
    #                               itself; False: biases and norm parameters (ndim < 2) exempt
    batch_size: int = 32  # training mini-batch size
    lr_schedule: str = "constant"  # constant | cosine (per epoch, from lr down towards 0:
    #                                lr_at(epoch) below; lets the final weights settle)
    epochs: int = 50  # passes over the training set per run (train size, batch size, epochs,
    #                   seeds and weight decays: chosen by measurement, docs/sweep-defaults.md)
    # --- sweep ---
    weight_decays: tuple[float, ...] = DEFAULT_WDS[DEFAULT_OPTIMIZER]  # one run per value and
    #                     seed (the CLI's default is DEFAULT_WDS[optimizer]); the CLI adds 0 as
    #                     the baseline unless --no-baseline
    seed: int = 0  # the first seed; runs use seeds seed .. seed+seeds-1
    seeds: int = 6  # runs per weight decay; the same seed gives every weight decay the same
    #                 initial weights and batch order, so the runs are paired by seed
    device: str = "auto"  # auto (cuda, then mps, then cpu) | cpu | cuda | mps
    precision: str = "fp32"  # fp32 | bf16 (forward passes under autocast; precision.py)
    channels_last: bool = False  # conv weights and image batches stored NHWC (precision.py)
    eval_batch_size: int = 1024  # batch size of the evaluation passes (does not change results)

    def to_dict(self) -> dict:
        """The JSON form saved as results.json's `config` (with the note on what losses are)."""
        data = asdict(self)
        data["weight_decays"] = list(self.weight_decays)
        data["augment"] = list(self.augment)
        data["loss"] = LOSS_NOTE
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "SweepConfig":
        """Inverse of `to_dict`; unknown keys (such as `loss`) are ignored, missing ones default."""
        known = {f.name for f in fields(cls)}
        values = {**LEGACY_VALUES, **{k: v for k, v in data.items() if k in known}}
        if "weight_decays" in values:
            values["weight_decays"] = tuple(float(v) for v in values["weight_decays"])
        if "augment" in values:
            values["augment"] = tuple(values["augment"])
        return cls(**values)

    @property
    def seed_list(self) -> list[int]:
        """Every seed of the sweep: seed, seed+1, ..., seed+seeds-1."""
        return list(range(self.seed, self.seed + self.seeds))

    def with_changes(self, **changes) -> "SweepConfig":
        return replace(self, **changes)

    def lr_at(self, epoch: int) -> float:
        """The learning rate of epoch `epoch` (1-based): `lr` throughout for "constant";
        for "cosine", lr · (1 + cos(π (epoch − 1) / epochs)) / 2, from lr at the first epoch
        down to nearly 0 at the last. A pure function of the epoch, so a resumed run repeats
        an uninterrupted one without saving a scheduler."""
        import math

        if self.lr_schedule == "constant":
            return self.lr
        return self.lr * (1 + math.cos(math.pi * (epoch - 1) / self.epochs)) / 2


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and INT_MIN <= value <= INT_MAX


INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1  # what torch's seeds and sizes accept
# The largest weight decay: float32's largest number. A larger one cannot even be added to a
# float32 gradient (torch.optim raises), so it is refused; up to it, a run just diverges.
WD_MAX = 3.4028234663852886e38
# The rules of the options (command.py), for a config read back from results.json: field ->
# (check, what a valid value is). A test checks that the options' Click types agree.
SAVED_CONFIG_RULES = {
    "dataset": (lambda v: v in DATASET_NAMES, "one of " + ", ".join(DATASET_NAMES)),
    "data_dir": (lambda v: v is None or (isinstance(v, str) and v != ""), "null or a folder"),
    "download": (lambda v: isinstance(v, bool), "true or false"),
    "val_split": (lambda v: is_number(v) and 0 <= v < 1, "a number in [0, 1)"),
    "model": (lambda v: v is None or (isinstance(v, str) and ":" in v),
              'null or "path/to/file.py:Name"'),
    "model_args": (lambda v: v is None or (isinstance(v, str) and v.startswith("{")),
                   "null or a JSON object as text"),
    "normalize": (lambda v: v in NORMALIZE_CHOICES, "one of " + ", ".join(NORMALIZE_CHOICES)),
    "image_size": (lambda v: v is None or (_is_int(v) and 1 <= v <= 4096),
                   "null or a whole number from 1 to 4096"),
    "augment": (lambda v: isinstance(v, list) and all(x in AUGMENT_CHOICES for x in v),
                "a list of " + ", ".join(AUGMENT_CHOICES)),
    "optimizer": (lambda v: v in OPTIMIZER_NAMES, "one of " + ", ".join(OPTIMIZER_NAMES)),
    "lr": (lambda v: is_number(v) and v > 0, "a number > 0"),
    "momentum": (lambda v: is_number(v) and 0 <= v <= 1, "a number in [0, 1]"),
    "decay_bias_norm": (lambda v: isinstance(v, bool), "true or false"),
    "batch_size": (lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
    "lr_schedule": (lambda v: v in LR_SCHEDULES, "one of " + ", ".join(LR_SCHEDULES)),
    "epochs": (lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
    "weight_decays": (lambda v: isinstance(v, list) and len(v) > 0
                      and all(is_number(x) and 0 <= x <= WD_MAX for x in v),
                      "a non-empty list of numbers from 0 to 3.4e38"),
    "seed": (lambda v: _is_int(v) and v >= 0, "a whole number >= 0"),
    "seeds": (lambda v: _is_int(v) and 1 <= v <= 100, "a whole number from 1 to 100"),
    "train_size": (lambda v: v is None or (_is_int(v) and v >= 1),
                   'null (the whole split) or a whole number >= 1'),
    "device": (lambda v: v in DEVICES, "one of " + ", ".join(DEVICES)),
    "eval_batch_size": (lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
    "precision": (lambda v: v in PRECISION_CHOICES, "one of " + ", ".join(PRECISION_CHOICES)),
    "channels_last": (lambda v: isinstance(v, bool), "true or false"),
}
SAVED_CONFIG_FIX = "Restore the file, or start a fresh sweep with another --out."


def _excerpt(value) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int with more digits than Python prints
        return "a huge integer"
    return text if len(text) <= 40 else text[:37] + "..."


def config_from_saved(data, where: str) -> SweepConfig:
    """The config saved in results.json, each key checked by the options' rules (UserError
    naming the key); a missing key takes its default, an unknown one (such as `loss`) is
    ignored."""
    from pa2cli.errors import UserError

    if not isinstance(data, dict):
        raise UserError("is not an object", where=f"{where}: config", fix=SAVED_CONFIG_FIX)
    for name, (check, wanted) in SAVED_CONFIG_RULES.items():
        if name in data and not _safe_check(check, data[name]):
            raise UserError(f"{_excerpt(data[name])} is not {wanted}",
                            where=f"{where}: config.{name}", fix=SAVED_CONFIG_FIX)
    config = SweepConfig.from_dict(data)
    if config.seed + config.seeds - 1 > INT_MAX:
        raise UserError(f"{config.seed} + {config.seeds} seeds goes past {INT_MAX}, the largest "
                        "seed torch accepts", where=f"{where}: config.seed",
                        fix=SAVED_CONFIG_FIX)
    return config


def _safe_check(check, value) -> bool:
    try:
        return bool(check(value))
    except TypeError:  # e.g. an unhashable value for `in`
        return False

# What a saved config without these fields meant (it was written before they existed).
LEGACY_VALUES = {"seeds": 1, "train_size": None, "lr_schedule": "constant"}

# Fields a resumed sweep may change: they do not alter the numbers already recorded.
RESUMABLE_CHANGES = ("epochs", "seeds", "device", "data_dir", "download")

