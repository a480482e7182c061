"""The course's tensor files: DIR/train.pth, DIR/test.pth and optionally DIR/val.pth.

Each is a `torch.save`d dict with `x` (N×C×H×W, uint8 or float), `y` (N integer labels),
`classes` (the names) and `split`. `load_files` reads each only with
`torch.load(weights_only=True)`, so a file holding pickled code runs nothing and is refused,
then validates it: a dict of tensors, the shapes and dtypes, finite values, labels in range,
the same class names and image shape in every split. Float images in [0, 1] that hold whole
multiples of 1/255 (what `ToTensor()` makes) become uint8, the same values in a quarter of the
memory; other float images stay float32, and float images outside [0, 1] are taken as already
normalised and used as they are. Every problem is a one-line `UserError` naming the file.
This module must not normalise, split or train.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

from pa2cli.errors import UserError, excerpt

SPLITS = ("train", "val", "test")  # val optional
SAVE_FIX = ("Save each split as torch.save({'x': images N×C×H×W, 'y': labels, 'classes': "
            "[names], 'split': 'train'}, 'train.pth').")
MAX_CLASSES = 100_000


def has_files(folder: Path) -> bool:
    return (folder / "train.pth").is_file() and (folder / "test.pth").is_file()


def _read(path: Path) -> dict:
    import torch

    try:
        data = torch.load(path, weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as exc:
        found = re.search(r"GLOBAL ([\w.]+)", str(exc))
        if found is None:  # not a pickle of objects at all: garbage or another format
            raise UserError("is not a readable torch.save file (UnpicklingError)",
                            where=str(path), fix=SAVE_FIX) from None
        raise UserError(f"holds pickled Python objects that are not tensors, lists or numbers "
                        f"(it names {found.group(1)[:80]}); pa2 ran none of it (it reads .pth "
                        "files only with torch.load(weights_only=True))",
                        where=str(path), fix=SAVE_FIX) from None
    except (RuntimeError, EOFError, ValueError, OSError, TypeError, KeyError,
            AttributeError, IndexError, MemoryError) as exc:
        text = str(exc).strip().splitlines()
        raise UserError(f"is not a readable torch.save file ({type(exc).__name__}"
                        f"{': ' + text[0][:120] if text else ''})", where=str(path),
                        fix=SAVE_FIX) from None
    return data


def _check(path: Path, data, split: str):
    """(x, y, classes) of one split file, validated; UserError naming the file otherwise."""
    import torch

    where = str(path)
    if not isinstance(data, dict):
        raise UserError(f"holds a {type(data).__name__}, not a dict of tensors", where=where,
                        fix=SAVE_FIX)
    missing = [k for k in ("x", "y", "classes") if k not in data]
    if missing:
        raise UserError(f"has no {missing[0]!r} entry (it has: "
                        f"{', '.join(excerpt(str(k)) for k in list(data)[:8]) or 'none'})",
                        where=where, fix=SAVE_FIX)
    x, y, classes = data["x"], data["y"], data["classes"]
    if "split" in data and data["split"] != split:
        raise UserError(f"says its split is {excerpt(data['split'])}, but it is {split}.pth",
                        where=where, fix=f"Rename the file, or save it with 'split': '{split}'.")
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or min(x.shape) < 1:
        got = (f"a tensor of shape {tuple(x.shape)}" if isinstance(x, torch.Tensor)
               else f"a {type(x).__name__}")
        raise UserError(f"x is {got}, not N×C×H×W images", where=where, fix=SAVE_FIX)
    if not (x.dtype == torch.uint8 or x.is_floating_point()):
        raise UserError(f"x has dtype {x.dtype}, not uint8 or float", where=where, fix=SAVE_FIX)
    if x.shape[1] > 4:
        raise UserError(f"x has {x.shape[1]} channels (shape {tuple(x.shape)}); images are "
                        "N×C×H×W with C of 1 to 4", where=where,
                        fix="Permute the images to N×C×H×W (x.permute(0, 3, 1, 2)).")
    if not isinstance(y, torch.Tensor) or y.ndim != 1 or y.is_floating_point() or \
            y.is_complex() or y.dtype == torch.bool:
        got = (f"a {y.dtype} tensor of shape {tuple(y.shape)}" if isinstance(y, torch.Tensor)
               else f"a {type(y).__name__}")
        raise UserError(f"y is {got}, not a 1-D tensor of integer labels", where=where,
                        fix=SAVE_FIX)
    if len(y) != len(x):
        raise UserError(f"has {len(x)} images but {len(y)} labels", where=where,
                        fix="Give one label per image.")
    if not isinstance(classes, (list, tuple)) or not classes or len(classes) > MAX_CLASSES \
            or not all(isinstance(c, str) for c in classes):
        raise UserError("classes is not a list of class names (strings)", where=where,
                        fix=SAVE_FIX)
    if len(set(classes)) != len(classes):
        raise UserError("classes holds a name twice", where=where, fix="Give each class once.")
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= len(classes):
        bad = low if low < 0 else high
        raise UserError(f"label {bad} is out of range: {len(classes)} classes take labels 0 to "
                        f"{len(classes) - 1}", where=where,
                        fix="Give labels that index the classes list.")
    if x.is_floating_point() and not bool(torch.isfinite(x).all()):
        raise UserError("x holds NaN or infinite values", where=where,
                        fix="Recreate the file from the images.")
    return x, y.to(torch.int64).contiguous(), tuple(classes)


def _compact(x):
    """(images, kind): uint8 as is; float k/255 in [0, 1] -> uint8; other floats float32."""
    import torch

    if x.dtype == torch.uint8:
        return x.contiguous(), "uint8"
    low, high = float(x.min()), float(x.max())
    if low < 0.0 or high > 1.0:
        return x.to(torch.float32).contiguous(), "normalised"
    scaled = x.to(torch.float32) * 255.0
    rounded = scaled.round()
    if float((scaled - rounded).abs().max()) < 1e-3:
        return rounded.to(torch.uint8).contiguous(), "float255"
    return x.to(torch.float32).contiguous(), "float01"


def load_files(folder: Path):
    """(classes, {split: (x, y)}, kind, notes) of the folder's .pth files, validated."""
    for required in ("train", "test"):
        if not (folder / f"{required}.pth").is_file():
            raise UserError(f"has no {required}.pth", where=str(folder),
                            fix="The course's split is train.pth and test.pth (val.pth "
                                "optional) in one folder.")
    splits, classes, kinds = {}, None, set()
    for split in SPLITS:
        path = folder / f"{split}.pth"
        if not path.is_file():
            continue
        x, y, names = _check(path, _read(path), split)
        if classes is None:
            classes, shape = names, tuple(x.shape[1:])
        else:
            if names != classes:
                raise UserError(f"its classes differ from train.pth's "
                                f"({excerpt(', '.join(names))} against "
                                f"{excerpt(', '.join(classes))})", where=str(path),
                                fix="Save every split with the same classes list.")
            if tuple(x.shape[1:]) != shape:
                raise UserError(f"its images are {tuple(x.shape[1:])}, train.pth's "
                                f"{shape}", where=str(path),
                                fix="Save every split with images of the same size.")
        x, kind = _compact(x)
        kinds.add(kind)
        splits[split] = (x, y)
    if len({"uint8", "float255"} & kinds) and len({"normalised", "float01"} & kinds):
        raise UserError("the splits are scaled differently (some 0-255 images, some "
                        "normalised floats)", where=str(folder),
                        fix="Save every split the same way.")
    kind = "normalised" if "normalised" in kinds else "float01" if "float01" in kinds else \
        "uint8"
    notes = []
    counts = ", ".join(f"{len(splits[s][1]):,} {s}" for s in SPLITS if s in splits)
    c, h, w = splits["train"][0].shape[1:]
    notes.append(f"Tensors: {counts}, {h}×{w}, {c} channel{'s' if c != 1 else ''}.")
    if "float255" in kinds:
        notes.append("x is float in [0, 1] holding whole multiples of 1/255 (as ToTensor() "
                     "makes): kept as uint8, the same values in a quarter of the memory.")
    if kind == "normalised":
        notes.append("x is float with values outside [0, 1], so it is already normalised: "
                     "used as it is (--normalize does not apply).")
    return list(classes), splits, kind, notes
