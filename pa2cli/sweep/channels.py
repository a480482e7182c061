"""Per-channel pixel statistics of uint8 images, for the normalisation of every dataset (the
bundled and torchvision ones in data.py, the student's own in userdata.py). It must not load
or change images; it only counts them.
"""

from __future__ import annotations

import torch


def channel_stats(x: torch.Tensor, pixel_max: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and std of uint8 images after dividing by `pixel_max`.

    Counts each pixel value per channel (exact, in chunks so CIFAR needs little memory), then
    takes the moments of that histogram in float64.
    """
    channels = x.shape[1]
    offsets = (torch.arange(channels, dtype=torch.int64) * 256).view(1, -1, 1)
    counts = torch.zeros(channels * 256, dtype=torch.int64)
    for chunk in x.split(1024):
        values = chunk.reshape(chunk.shape[0], channels, -1).to(torch.int64) + offsets
        counts += torch.bincount(values.reshape(-1), minlength=channels * 256)
    counts = counts.view(channels, 256).to(torch.float64)
    levels = torch.arange(256, dtype=torch.float64) / pixel_max
    n = counts.sum(dim=1)
    mean = (counts * levels).sum(dim=1) / n
    var = (counts * (levels - mean.view(-1, 1)) ** 2).sum(dim=1) / n
    std = var.sqrt()
    std = torch.where(std > 0, std, torch.ones_like(std))
    return tuple(mean.tolist()), tuple(std.tolist())
