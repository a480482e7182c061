"""The sweep's data in memory (`Split`, `Dataset`) and the seeded ways to split it.

`Split` holds one split's uint8 images and labels; `Dataset` holds the splits with what turns a
uint8 batch into model input (`Dataset.to_float`, the one normalisation, applied per batch).
`hold_out` draws the stratified validation set from train (`--val-split`) and
`stratified_subset` the training subset (`--train-size`), both seeded. Every loader builds on
this module (data.py for the built-in datasets, userdata.py for the student's own split), so
neither loader imports the other's insides. It must not read files, train or print.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import torch

from pa2cli.errors import UserError


@dataclass(frozen=True, eq=False)
class Split:
    """Images `x` (uint8, N×C×H×W) and labels `y` (int64, N)."""

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.y.shape[0])


@dataclass(frozen=True, eq=False)
class Dataset:
    """A dataset in memory, with what is needed to turn a uint8 batch into model input.

    `pixel_max` is the largest possible pixel value (16 for digits, 255 otherwise); `mean` and
    `std` are per-channel statistics of `train` after scaling by `pixel_max`.
    """

    name: str
    train: Split
    test: Split
    val: Split | None
    num_classes: int
    classes: tuple[str, ...]
    input_shape: tuple[int, int, int]
    pixel_max: float = 255.0
    mean: tuple[float, ...] = ()
    std: tuple[float, ...] = ()
    notes: tuple[str, ...] = ()  # lines for the header: what was found and how it is used

    def to_float(self, x: torch.Tensor) -> torch.Tensor:
        """uint8 batch (any device) -> float32 `(x / pixel_max - mean) / std`, per channel."""
        scale, shift = _affine(self.pixel_max, self.mean, self.std, str(x.device))
        return torch.addcmul(shift, x.to(torch.float32), scale)


@lru_cache(maxsize=32)
def _affine(pixel_max: float, mean: tuple, std: tuple, device: str):
    """(scale, shift) shaped (1, C, 1, 1) on `device` so that x*scale + shift normalises."""
    std_t = torch.tensor(std, dtype=torch.float64)
    mean_t = torch.tensor(mean, dtype=torch.float64)
    scale = (1.0 / (pixel_max * std_t)).to(torch.float32).view(1, -1, 1, 1)
    shift = (-mean_t / std_t).to(torch.float32).view(1, -1, 1, 1)
    return scale.to(device), shift.to(device)


def hold_out(train: Split, fraction: float, seed: int, num_classes: int) -> tuple[Split, Split]:
    """Stratified, seeded split of `train` into (train, val); each keeps its original order."""
    gen = torch.Generator().manual_seed(int(seed))
    val_parts = []
    for c in range(num_classes):
        idx = torch.nonzero(train.y == c, as_tuple=True)[0]
        n_val = min(int(round(len(idx) * fraction)), max(len(idx) - 1, 0))
        val_parts.append(idx[torch.randperm(len(idx), generator=gen)[:n_val]])
    val_idx = torch.cat(val_parts).sort().values
    if len(val_idx) == 0:
        raise UserError(
            f"a fraction of {fraction} holds out no training sample",
            where="--val-split",
            fix="Give a larger fraction, such as 0.1.",
        )
    is_val = torch.zeros(len(train), dtype=torch.bool)
    is_val[val_idx] = True
    keep = Split(train.x[~is_val].contiguous(), train.y[~is_val].contiguous())
    val = Split(train.x[is_val].contiguous(), train.y[is_val].contiguous())
    return keep, val


def class_quotas(counts: list[int], size: int) -> list[int]:
    """How many images of each class a stratified subset of `size` takes: proportional to the
    class counts by largest remainder (ties to the lower class), then at least one per class
    present (taken from the largest quota)."""
    total = sum(counts)
    exact = [size * c / total for c in counts]
    quotas = [math.floor(q) for q in exact]
    by_remainder = sorted(range(len(counts)), key=lambda c: (-(exact[c] - quotas[c]), c))
    for c in by_remainder[:size - sum(quotas)]:
        quotas[c] += 1
    for c, count in enumerate(counts):
        if count > 0 and quotas[c] == 0:
            donor = max(range(len(quotas)), key=lambda d: (quotas[d], -d))
            quotas[donor] -= 1
            quotas[c] = 1
    return quotas


def stratified_subset(train: Split, size: int, seed: int, num_classes: int) -> Split:
    """`size` images of `train`, each class in proportion, drawn with `seed`; original order."""
    present = int((torch.bincount(train.y, minlength=num_classes) > 0).sum())
    if not isinstance(size, int) or isinstance(size, bool) or size < present:
        raise UserError(f"{size!r} is too small: a stratified subset needs one image of each "
                        f"of the {present} classes", where="--train-size",
                        fix=f"Give a whole number from {present} to {len(train)}, or 'all'.")
    if size > len(train):
        raise UserError(f"{size} is more than the {len(train)} training images there are",
                        where="--train-size",
                        fix=f"Give at most {len(train)}, or 'all' for the whole split.")
    if size == len(train):
        return train
    gen = torch.Generator().manual_seed(int(seed))
    counts = torch.bincount(train.y, minlength=num_classes).tolist()
    parts = []
    for c, quota in enumerate(class_quotas(counts, size)):
        idx = torch.nonzero(train.y == c, as_tuple=True)[0]
        parts.append(idx[torch.randperm(len(idx), generator=gen)[:quota]])
    keep = torch.cat(parts).sort().values
    return Split(train.x[keep].contiguous(), train.y[keep].contiguous())
