"""The student's own Assignment-1A split (`--data-dir DIR`): find its format, load, normalise.

`detect_format` tells an ImageFolder tree (DIR/train/, DIR/test/) from the course's tensor
files (DIR/train.pth, DIR/test.pth) without importing torch, for `pa2 sweep --data-dir DIR`
without `--dataset`. `load_user_dataset` reads the split with `imagedata` or `pthdata`, takes
its val/ (or val.pth) as the validation set when there is one (else `--val-split` holds one
out of train), draws `--train-size`, and sets the per-batch normalisation of `--normalize`:

- course (the default for this data, `auto`): mean 0.5 and std 0.5 per channel, what the
  course's starter code applied (`Normalize(mean 0.5, std 0.5)`), so a model from Assignment 1A
  sees the inputs it was trained on there;
- dataset: the training split's own per-channel mean and std;
- none: pixels scaled to [0, 1] only.

Float .pth images that are already normalised (values outside [0, 1]) are used as they are.
Images stay uint8 (or the file's float32) in memory; floats are made per batch only.
"""

from __future__ import annotations

from pathlib import Path

from pa2cli.errors import UserError
from pa2cli.sweep.datasets import OWN_FORMATS as FORMATS  # the registry's own-data entries

NORMALIZATIONS = ("auto", "course", "dataset", "none")
FORMAT_NAMES = {"imagefolder": "an ImageFolder tree", "pth": "the course's .pth tensor files"}
DETECT_FIX = ("Give a folder holding train/ and test/ (an ImageFolder tree, val/ optional) or "
              "train.pth and test.pth (val.pth optional), or name a built-in --dataset.")


def detect_format(data_dir: str | Path) -> str:
    """"imagefolder" or "pth" for the folder; UserError when it holds neither (or both)."""
    folder = Path(data_dir).expanduser()
    if not folder.is_dir():
        raise UserError("is not a folder", where=f"--data-dir {data_dir}", fix=DETECT_FIX)
    tree = (folder / "train").is_dir() and (folder / "test").is_dir()
    files = (folder / "train.pth").is_file() and (folder / "test.pth").is_file()
    if tree and files:
        raise UserError("holds both an ImageFolder tree and .pth files", where=str(folder),
                        fix="Name the one to use with --dataset imagefolder or --dataset pth.")
    if tree:
        return "imagefolder"
    if files:
        return "pth"
    raise UserError("holds neither train/ and test/ folders nor train.pth and test.pth",
                    where=f"--data-dir {data_dir}", fix=DETECT_FIX)


def resolve_normalize(normalize: str, dataset: str) -> str:
    """`auto` -> course for the student's own data, dataset for the built-in datasets."""
    if normalize == "auto":
        return "course" if dataset in FORMATS else "dataset"
    return normalize


def load_user_dataset(name: str, data_dir, *, normalize: str = "auto",
                      image_size: int | None = None, val_split: float = 0.0, seed: int = 0,
                      train_size: int | None = None):
    """The split in `data_dir` as a `data.Dataset` (see the module docstring)."""
    from pa2cli.sweep.splits import Dataset, Split, hold_out, stratified_subset

    if data_dir is None:
        raise UserError(f"--dataset {name} reads your own split", where="--data-dir",
                        fix="Add --data-dir DIR, the folder that holds it.")
    folder = Path(data_dir).expanduser()
    if not folder.is_dir():
        raise UserError("is not a folder", where=f"--data-dir {data_dir}", fix=DETECT_FIX)
    if name == "imagefolder":
        from pa2cli.sweep.imagedata import load_tree

        classes, splits, notes = load_tree(folder, image_size)
        kind = "uint8"
    else:
        from pa2cli.sweep.pthdata import load_files

        if image_size is not None:
            raise UserError("resizes the images of an ImageFolder tree; .pth tensors are used "
                            "at their saved size", where="--image-size",
                            fix="Leave out --image-size with --dataset pth.")
        classes, splits, kind, notes = load_files(folder)
    notes.insert(0, f"Data: {FORMAT_NAMES[name]} in {folder} ({len(classes)} classes: "
                    f"{_names(classes)}).")
    train = Split(*splits["train"])
    test = Split(*splits["test"])
    val = Split(*splits["val"]) if "val" in splits else None
    if val is not None and val_split > 0:
        raise UserError(f"the split in {folder} has its own validation set (val)",
                        where=f"--val-split {val_split:g}",
                        fix="Leave out --val-split: the best weight decay is chosen on val.")
    if val is not None:
        notes.append(f"Validation: the split's own val ({len(val):,} images) is measured "
                     "every epoch and chooses the best weight decay; test is reported for it.")
    elif val_split > 0:
        train, val = hold_out(train, val_split, seed, len(classes))
    if train_size is not None:
        train = stratified_subset(train, train_size, seed, len(classes))
    pixel_max, mean, std, note = _normalisation(train.x, kind, normalize, name)
    notes.append(note)
    return Dataset(
        name=name, train=train, test=test, val=val, num_classes=len(classes),
        classes=tuple(classes), input_shape=tuple(int(s) for s in train.x.shape[1:]),
        pixel_max=pixel_max, mean=mean, std=std, notes=tuple(notes))


def _names(classes) -> str:
    shown = ", ".join(classes[:6])
    return shown + (f", … ({len(classes) - 6} more)" if len(classes) > 6 else "")


def _normalisation(x, kind: str, normalize: str, dataset: str):
    """(pixel_max, mean, std, the header's sentence) for --normalize on these images."""
    from pa2cli.sweep.channels import channel_stats as _channel_stats

    channels = int(x.shape[1])
    pixel_max = 255.0 if kind == "uint8" else 1.0
    if kind == "normalised":
        return 1.0, (0.0,) * channels, (1.0,) * channels, \
            "Normalisation: none by pa2 (the .pth images are already normalised)."
    chosen = resolve_normalize(normalize, dataset)
    default = " (the default for your own data)" if normalize == "auto" else ""
    if chosen == "course":
        return pixel_max, (0.5,) * channels, (0.5,) * channels, (
            f"Normalisation: course{default}, mean 0.5 and std 0.5 per channel as the course's "
            "starter code (Normalize(0.5, 0.5)), so the model sees the inputs of Assignment 1A; "
            "--normalize dataset uses the training split's own mean and std.")
    if chosen == "none":
        return pixel_max, (0.0,) * channels, (1.0,) * channels, \
            "Normalisation: none (pixels scaled to [0, 1] only)."
    if kind == "uint8":
        mean, std = _channel_stats(x, pixel_max)
    else:
        mean, std = _float_stats(x)
    shown = ", ".join(f"{m:.3f}/{s:.3f}" for m, s in zip(mean, std))
    return pixel_max, mean, std, (f"Normalisation: dataset, the training split's per-channel "
                                  f"mean/std {shown}.")


def _float_stats(x):
    """Per-channel mean and std of float images, summed in float64 chunk by chunk."""
    import torch

    channels = x.shape[1]
    total = torch.zeros(channels, dtype=torch.float64)
    squares = torch.zeros(channels, dtype=torch.float64)
    for chunk in x.split(1024):
        flat = chunk.transpose(0, 1).reshape(channels, -1).to(torch.float64)
        total += flat.sum(dim=1)
        squares += (flat * flat).sum(dim=1)
    n = x.numel() // channels
    mean = total / n
    std = (squares / n - mean * mean).clamp_min(0).sqrt()
    std = torch.where(std > 0, std, torch.ones_like(std))
    return tuple(mean.tolist()), tuple(std.tolist())
