"""Fixtures of the own-data tests: small generated Assignment-1A splits in both formats, an
ImageFolder tree of Pillow PNGs and the course's torch.save'd train/val/test.pth dicts (3 classes ×
6 images of 16×16 by default, so every test is fast), and a Colab-style model file."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

CLASSES = ("cat", "Dog", "bird")  # not in sorted order, and mixed case: ImageFolder sorts


def make_tree(root: Path, per_class=(6, 3, 3), size=(16, 16), classes=CLASSES,
              seed: int = 0, ext: str = "png") -> Path:
    """root/train, root/val, root/test (val left out when its count is 0) of random images,
    each class a little brighter than the last so that a model can learn something."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    for split, n in zip(("train", "val", "test"), per_class):
        if n == 0:
            continue
        for c, name in enumerate(classes):
            folder = root / split / name
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                pixels = rng.integers(0, 128, (size[1], size[0], 3)) + 60 * c
                Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(
                    folder / f"img{i:03d}.{ext}")
    return root


def make_pth(root: Path, per_split=(18, 9, 9), shape=(3, 16, 16), classes=("a", "b", "c"),
             seed: int = 0, as_float: bool = True) -> Path:
    """root/train.pth, val.pth, test.pth (val left out when its count is 0), as the course
    saved them: x float in [0, 1] (ToTensor()'s k/255) or uint8, y int64, classes, split."""
    import torch

    root.mkdir(parents=True, exist_ok=True)
    gen = torch.Generator().manual_seed(seed)
    for split, n in zip(("train", "val", "test"), per_split):
        if n == 0:
            continue
        y = torch.arange(n) % len(classes)
        x = torch.randint(0, 128, (n, *shape), generator=gen, dtype=torch.int64)
        x = (x + 60 * y.view(-1, 1, 1, 1)).clamp(0, 255).to(torch.uint8)
        torch.save({"x": x.float() / 255 if as_float else x, "y": y, "classes": list(classes),
                    "split": split}, root / f"{split}.pth")
    return root


NET = '''\
from google.colab import drive
drive.mount('/content/drive')
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self, num_classes=10, in_channels=3):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 8, 3, padding=1)
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))

model = Net()
for epoch in range(25):
    raise SystemExit("the script would train here")
'''


def make_net(folder: Path) -> Path:
    path = folder / "assignment1a.py"
    path.write_text(NET)
    return path


@pytest.fixture
def own():
    """This module: make_tree, make_pth, make_net and the constants."""
    return sys.modules[__name__]


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    from pa2cli.sweep import modelfile

    modelfile.clear_cache()
    yield
    modelfile.clear_cache()
