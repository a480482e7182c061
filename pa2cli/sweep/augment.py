"""`--augment flip,affine`: Assignment 1A's augmentations, on training batches only.

`augment_batch` takes a batch of images (uint8 or float, N×C×H×W, on any device) before it is
turned into model input and returns it augmented with torchvision.transforms.v2's functional
ops: `flip` is a random horizontal flip (p = 0.5, as `RandomHorizontalFlip()`), `affine` a
random affine of ±10°, translate 0.1 and scale 0.8-1.2 (as `RandomAffine(10, translate=(0.1,
0.1), scale=(0.8, 1.2))`, nearest neighbour, filled with 0). The parameters of every image are
drawn from a generator seeded by (run seed, epoch, batch) alone, so runs with the same seed see
the same augmented batches whatever their weight decay (paired seeds stay paired), and a
resumed run draws exactly what an uninterrupted one drew; the global RNG is not touched.
Validation and test images are never augmented. This module must not train or print.
"""

from __future__ import annotations

import hashlib

AUGMENTATIONS = ("flip", "affine")
DEGREES, TRANSLATE, SCALE = 10.0, 0.1, (0.8, 1.2)


def describe(names) -> str:
    parts = {"flip": "random horizontal flip",
             "affine": f"random affine ±{DEGREES:g}°, translate {TRANSLATE:g}, scale "
                       f"{SCALE[0]:g}-{SCALE[1]:g}"}
    return ("Augmentation of training batches (not val or test): "
            + ", ".join(parts[n] for n in names)
            + "; drawn from (seed, epoch, batch), so paired seeds see the same images.")


def batch_seed(seed: int, epoch: int, batch: int) -> int:
    """A 63-bit seed for one batch of one run, the same on every machine and every resume."""
    digest = hashlib.blake2b(f"pa2-augment/{seed}/{epoch}/{batch}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "little") & (2 ** 63 - 1)


def draw(n: int, height: int, width: int, names, seed: int, epoch: int, batch: int) -> dict:
    """The per-image parameters of one batch (CPU tensors), as torchvision's RandomAffine draws
    them: angle ~ U(-10, 10), tx ~ round(U(-0.1 W, 0.1 W)), ty likewise, scale ~ U(0.8, 1.2)."""
    import torch

    gen = torch.Generator().manual_seed(batch_seed(seed, epoch, batch))
    params = {}
    if "flip" in names:
        params["flip"] = torch.rand(n, generator=gen) < 0.5
    if "affine" in names:
        u = torch.rand(n, 4, generator=gen, dtype=torch.float64)
        params["angle"] = (u[:, 0] * 2 - 1) * DEGREES
        params["tx"] = ((u[:, 1] * 2 - 1) * TRANSLATE * width).round().to(torch.int64)
        params["ty"] = ((u[:, 2] * 2 - 1) * TRANSLATE * height).round().to(torch.int64)
        params["scale"] = SCALE[0] + u[:, 3] * (SCALE[1] - SCALE[0])
    return params


def augment_batch(x, names, seed: int, epoch: int, batch: int):
    """`x` augmented (a new tensor; `x` itself, unchanged, when `names` is empty)."""
    if not names:
        return x
    import torch
    from torchvision.transforms.v2 import InterpolationMode
    from torchvision.transforms.v2 import functional as TF

    n, _, height, width = x.shape
    params = draw(n, height, width, names, seed, epoch, batch)
    if "flip" in params:
        mask = params["flip"].to(x.device).view(-1, 1, 1, 1)
        x = torch.where(mask, TF.horizontal_flip(x), x)
    if "angle" in params:
        angle, tx, ty, scale = (params[k].tolist() for k in ("angle", "tx", "ty", "scale"))
        x = torch.stack([
            TF.affine(x[i], angle=angle[i], translate=[tx[i], ty[i]], scale=scale[i],
                      shear=[0.0, 0.0], interpolation=InterpolationMode.NEAREST, fill=0)
            for i in range(n)])
    return x
