"""The sweep's datasets (the entries of `datasets.DATASETS`), loaded once into memory as uint8
tensors.

Holds `load_dataset` for the vendored `digits` (pa2cli/sweep/digits.npz, see DIGITS-SOURCE.md)
and for MNIST, Fashion-MNIST and CIFAR-10 through torchvision's dataset classes, and
`load_for`, through which every loader of the sweep goes; `load_dataset` hands the student's own
split (`imagefolder`, `pth`) to userdata.py. The in-memory types (`Split`, `Dataset`) and the
seeded hold-out and subset live in splits.py (re-exported here). It must not train, print or
transform samples one by one in Python: images stay uint8 tensors of shape (N, C, H, W) until
a batch is turned into floats. Only the sweep path imports it.
"""

from __future__ import annotations

import math
import pickle
import shlex
from pathlib import Path

import numpy as np
import torch

from pa2cli.errors import UserError, first_line
from pa2cli.paths import cache_home
from pa2cli.sweep.channels import channel_stats as _channel_stats
from pa2cli.sweep.splits import (  # noqa: F401 (Dataset, Split, class_quotas: the sweep's import)
    Dataset, Split, class_quotas, hold_out, stratified_subset)
from pa2cli.sweep.datasets import BUNDLED
from pa2cli.sweep.datasets import DATASET_NAMES as DATASETS  # noqa: F401 (the registry's names)
from pa2cli.sweep.datasets import DATASETS as _REGISTRY
from pa2cli.sweep.datasets import OWN_FORMATS as USER_FORMATS  # noqa: F401

DIGITS_FILE = Path(__file__).resolve().parent / "digits.npz"



def default_data_dir() -> Path:
    """Where torchvision datasets are kept unless `--data-dir` says otherwise."""
    return cache_home() / "data"


def load_dataset(
    name: str,
    data_dir: Path | None = None,
    download: bool = False,
    val_split: float = 0.0,
    seed: int = 0,
    train_size: int | None = None,
    normalize: str = "auto",
    image_size: int | None = None,
) -> Dataset:
    """Load `name` into memory; hold out a stratified `val_split` fraction of train if > 0,
    then keep a stratified subset of `train_size` training images if given (the test split
    is never touched). Both draws are seeded by `seed`. `imagefolder` and `pth` read the
    student's own split in `data_dir` (userdata.py); `normalize` is --normalize."""
    if name not in _REGISTRY:
        raise UserError(
            f"unknown dataset {name!r}", where="--dataset", fix=f"Use one of: {', '.join(_REGISTRY)}."
        )
    val_split = _check_val_split(val_split)
    if _REGISTRY[name].own:
        from pa2cli.sweep.userdata import load_user_dataset

        return load_user_dataset(name, data_dir, normalize=normalize, image_size=image_size,
                                 val_split=val_split, seed=seed, train_size=train_size)
    if image_size is not None:
        raise UserError(f"resizes your own ImageFolder images, not {name}'s",
                        where="--image-size", fix="Leave it out, or use --dataset imagefolder.")
    if _REGISTRY[name].source == BUNDLED:  # the one bundled set: digits.npz
        train, test, classes, pixel_max = _load_digits()
    else:
        train, test, classes, pixel_max = _load_torchvision(name, data_dir, download)
    val = None
    if val_split > 0:
        train, val = hold_out(train, val_split, seed, len(classes))
    if train_size is not None:
        train = stratified_subset(train, train_size, seed, len(classes))
    mean, std = _channel_stats(train.x, pixel_max)
    if normalize in ("course", "none"):  # auto and dataset: the split's own statistics
        channels = len(mean)
        mean, std = ((0.5,) * channels, (0.5,) * channels) if normalize == "course" else \
            ((0.0,) * channels, (1.0,) * channels)
    return Dataset(
        name=name,
        train=train,
        test=test,
        val=val,
        num_classes=len(classes),
        classes=tuple(classes),
        input_shape=tuple(int(s) for s in train.x.shape[1:]),
        pixel_max=float(pixel_max),
        mean=mean,
        std=std,
    )


def load_for(config, download: bool | None = None) -> Dataset:
    """The dataset a sweep config names (every loader of the sweep goes through here)."""
    data_dir = Path(config.data_dir) if config.data_dir else None
    return load_dataset(config.dataset, data_dir,
                        config.download if download is None else download, config.val_split,
                        config.seed, config.train_size, normalize=config.normalize,
                        image_size=config.image_size)


def _check_val_split(val_split: float) -> float:
    try:
        value = float(val_split)
    except (TypeError, ValueError):
        value = math.nan
    if not (0.0 <= value < 1.0):
        raise UserError(
            f"{val_split!r} is not a fraction in [0, 1)",
            where="--val-split",
            fix="Give a fraction such as 0.1 (0 means no validation set).",
        )
    return value


def _load_digits():
    """The vendored UCI digits with their fixed stratified 80/20 split (stored in the file)."""
    with np.load(DIGITS_FILE) as f:
        images, labels, is_test = f["images"], f["labels"], f["is_test"].astype(bool)
    x = torch.from_numpy(images).unsqueeze(1).contiguous()
    y = torch.from_numpy(labels.astype(np.int64))
    mask = torch.from_numpy(is_test)
    train = Split(x[~mask].contiguous(), y[~mask].contiguous())
    test = Split(x[mask].contiguous(), y[mask].contiguous())
    return train, test, [str(d) for d in range(10)], 16.0


def _fetch_command(name: str, data_dir: Path | None) -> str:
    parts = ["pa2", "sweep", "--dataset", name]
    if data_dir is not None and Path(data_dir) != default_data_dir():
        parts += ["--data-dir", shlex.quote(str(data_dir))]
    return " ".join(parts + ["--download"])


def _load_torchvision(name: str, data_dir: Path | None, download: bool):
    import torchvision.datasets as tvd

    class_name, folder = _REGISTRY[name].torchvision  # (class, folder under the root)
    root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    cls = getattr(tvd, class_name)
    try:
        if download:
            root.mkdir(parents=True, exist_ok=True)
        train_ds = cls(str(root), train=True, download=download)
        test_ds = cls(str(root), train=False, download=False)
    except RuntimeError as exc:
        if download:
            raise UserError(
                f"could not download {name}: {_first_line(exc)}",
                where=str(root / folder),
                fix="Check your network connection, or copy the files there by hand.",
            ) from None
        raise UserError(
            f"{name} files not found, incomplete or corrupted",
            where=str(root / folder),
            fix=f"Fetch them with `{_fetch_command(name, data_dir)}`.",
        ) from None
    except OSError as exc:  # network failures (URLError) and unreadable files
        raise UserError(
            f"could not {'download' if download else 'read'} {name}: {_first_line(exc)}",
            where=str(root / folder),
            fix="Check the folder and your network connection, then try again.",
        ) from None
    except (ValueError, TypeError, KeyError, EOFError, AssertionError, pickle.UnpicklingError) as exc:
        raise UserError(
            f"{name} files are unreadable ({type(exc).__name__}: {_first_line(exc)})",
            where=str(root / folder),
            fix=f"Delete that folder and fetch it again with `{_fetch_command(name, data_dir)}`.",
        ) from None
    return _as_split(train_ds), _as_split(test_ds), list(train_ds.classes), 255.0


def _first_line(exc: BaseException) -> str:
    return first_line(exc) or type(exc).__name__


def _as_split(ds) -> Split:
    """torchvision dataset -> Split, without touching samples one by one."""
    data = ds.data
    x = torch.from_numpy(np.ascontiguousarray(data)) if isinstance(data, np.ndarray) else data
    if x.ndim == 3:  # MNIST-style (N, H, W)
        x = x.unsqueeze(1)
    else:  # CIFAR-style (N, H, W, C)
        x = x.permute(0, 3, 1, 2)
    y = torch.as_tensor(ds.targets, dtype=torch.int64)
    return Split(x.to(torch.uint8).contiguous(), y.contiguous())
