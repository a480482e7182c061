"""The student's own image split as a torchvision `ImageFolder` tree: DIR/train, DIR/test, DIR/val.

`load_tree` lists each split with torchvision's own `find_classes` and `make_dataset`, so the
classes are the sorted folder names and the images come in exactly `ImageFolder`'s order; every
split must have the same classes, each with at least one image. The images are decoded once, in
parallel threads (Pillow releases the GIL while it decodes), with a progress bar, into one uint8
tensor per split, converted to RGB as `ImageFolder`'s loader does; `--image-size N` resizes to
N×N, and images of different sizes without it are one line saying so. The tensors are cached
under pa2's cache folder (`images/`), keyed by every file's name, size and modification time,
so a second run starts in seconds and an edited folder is decoded again. Every bad file is a
one-line `UserError` naming it. This module must not normalise, split or train.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pa2cli.errors import UserError

SPLITS = ("train", "val", "test")  # val optional
CACHE_FORMAT = 1
TREE_FIX = ("An ImageFolder split is DIR/train/<class>/<images>, DIR/test/<class>/<images> "
            "and optionally DIR/val/<class>/<images>, with the same class folders in each.")


@dataclass
class Listed:
    """One split's image files (ImageFolder order) and their labels."""

    files: list[str]
    labels: list[int]


def has_tree(folder: Path) -> bool:
    return (folder / "train").is_dir() and (folder / "test").is_dir()


def list_tree(folder: Path) -> tuple[list[str], dict[str, Listed]]:
    """(classes, {split: Listed}) exactly as torchvision's ImageFolder would list them."""
    from torchvision.datasets.folder import IMG_EXTENSIONS, find_classes, make_dataset

    for required in ("train", "test"):
        if not (folder / required).is_dir():
            raise UserError(f"has no {required}/ folder", where=str(folder), fix=TREE_FIX)
    listed, classes = {}, None
    for split in SPLITS:
        root = folder / split
        if not root.is_dir():
            continue
        try:
            names, class_to_idx = find_classes(str(root))
        except FileNotFoundError:
            raise UserError("has no class folders", where=str(root), fix=TREE_FIX) from None
        except OSError as exc:
            raise UserError(f"cannot be read ({exc.strerror or exc})", where=str(root),
                            fix="Check the folder's permissions.") from None
        if classes is None:
            classes = names
        else:
            _same_classes(folder, split, classes, names)
        samples = make_dataset(str(root), class_to_idx, extensions=IMG_EXTENSIONS,
                               allow_empty=True)
        counts = [0] * len(names)
        for _, label in samples:
            counts[label] += 1
        for name, count in zip(names, counts):
            if count == 0:
                raise UserError(f"class {name!r} has no image files", where=str(root / name),
                                fix="Add its images (PNG, JPEG, anything Pillow reads), or "
                                    "remove that class folder from every split.")
        listed[split] = Listed([p for p, _ in samples], [label for _, label in samples])
    return list(classes), listed


def _same_classes(folder: Path, split: str, train: list[str], names: list[str]) -> None:
    extra = [n for n in names if n not in train]
    if extra:
        raise UserError(f"class {extra[0]!r} is not in train/", where=str(folder / split / extra[0]),
                        fix="Every split needs the same class folders: add it to train/, or "
                            f"remove it from {split}/.")
    lacking = [n for n in train if n not in names]
    if lacking:
        raise UserError(f"has no folder for class {lacking[0]!r}, which train/ has",
                        where=str(folder / split),
                        fix=f"Every split needs the same class folders: add {split}/"
                            f"{lacking[0]}/ with its images.")


def content_key(folder: Path, listed: dict[str, Listed], image_size: int | None) -> str:
    """A hash of every file's path, size and modification time (and the resize)."""
    digest = hashlib.sha256(json.dumps([CACHE_FORMAT, image_size]).encode())
    for split in SPLITS:
        if split not in listed:
            continue
        for path in listed[split].files:
            try:
                stat = os.stat(path)
            except OSError as exc:
                raise UserError(f"cannot be read ({exc.strerror or exc})", where=path,
                                fix="Check the file, or remove it.") from None
            digest.update(f"{os.path.relpath(path, folder)}\0{stat.st_size}\0"
                          f"{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def cache_file(folder: Path, key: str) -> Path:
    from pa2cli.paths import cache_home

    where = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return cache_home() / "images" / f"{where}-{key[:24]}.pt"


def _read_cache(path: Path, classes: list[str], listed: dict[str, Listed]):
    import torch

    try:
        data = torch.load(path, weights_only=True, map_location="cpu")
        if data.get("format") != CACHE_FORMAT or list(data["classes"]) != classes:
            return None
        out = {}
        for split, entry in listed.items():
            x, y = data[f"{split}_x"], data[f"{split}_y"]
            if x.dtype != torch.uint8 or x.ndim != 4 or len(x) != len(entry.files) or \
                    y.tolist() != entry.labels:
                return None
            out[split] = (x, y)
        return out
    except Exception:  # noqa: BLE001 - an unreadable cache is decoded again, never fatal
        return None


def _write_cache(path: Path, classes: list[str], splits: dict) -> None:
    """Best effort: a cache folder that cannot be written costs a decode next time, no more."""
    import torch

    payload = {"format": CACHE_FORMAT, "classes": list(classes)}
    for split, (x, y) in splits.items():
        payload[f"{split}_x"], payload[f"{split}_y"] = x, y
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(path.name.split("-")[0] + "-*.pt"):
            old.unlink(missing_ok=True)  # an earlier version of this folder
        temporary = path.with_suffix(f".tmp{os.getpid()}")
        torch.save(payload, temporary)
        os.replace(temporary, path)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except (OSError, UnboundLocalError):
            pass


def _image_error(path: str, exc: BaseException) -> UserError:
    text = str(exc).strip().splitlines()
    what = f"{type(exc).__name__}: {text[0][:120]}" if text else type(exc).__name__
    return UserError(f"cannot be read as an image ({what})", where=path,
                     fix="Replace or delete that file (pa2 reads PNG, JPEG and anything Pillow "
                         "opens).")


def _size_of(path: str) -> tuple[int, int]:
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.size  # (width, height); reads the header only
    except Exception as exc:  # noqa: BLE001 - any unreadable file is named
        raise _image_error(path, exc) from None


def _decode(path: str, size: tuple[int, int] | None):
    """The image as an H×W×3 uint8 array (RGB, as ImageFolder's loader converts it)."""
    import numpy as np
    from PIL import Image

    try:
        with Image.open(path) as image:
            image = image.convert("RGB")
            if size is not None and image.size != size:
                image = image.resize(size, Image.BILINEAR)
            return np.asarray(image, dtype=np.uint8)
    except Exception as exc:  # noqa: BLE001 - truncated or corrupt data is found here
        raise _image_error(path, exc) from None


def _workers() -> int:
    return max(1, min(16, os.cpu_count() or 1))


def _check_memory(n_images: int, height: int, width: int, folder: Path) -> None:
    needed = n_images * 3 * height * width
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return
    if needed > 0.75 * physical:
        from pa2cli.files import human_size

        raise UserError(f"{n_images:,} images of {height}×{width} need {human_size(needed)} as "
                        f"uint8, more than this machine's memory allows "
                        f"({human_size(physical)})", where=str(folder),
                        fix="Give a smaller --image-size, or use fewer images.")


def decode_tree(folder: Path, listed: dict[str, Listed], image_size: int | None):
    """{split: (x uint8 N×3×H×W, y int64)}, decoded in parallel with a progress bar."""
    import numpy as np
    import torch
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    every = [path for entry in listed.values() for path in entry.files]
    if image_size is not None:
        width = height = int(image_size)
        target = (width, height)
    else:
        with ThreadPoolExecutor(_workers()) as pool:
            sizes = list(pool.map(_size_of, every, chunksize=64))
        first = sizes[0]
        for path, size in zip(every, sizes):
            if size != first:
                raise UserError(f"images differ in size: {os.path.relpath(every[0], folder)} is "
                                f"{first[0]}×{first[1]}, {os.path.relpath(path, folder)} is "
                                f"{size[0]}×{size[1]}", where=str(folder),
                                fix="Give --image-size N to resize every image to N×N "
                                    f"(for example --image-size {min(first)}).")
        (width, height), target = first, None
    _check_memory(len(every), height, width, folder)
    out = {}
    console = Console(stderr=True)
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), console=console,
                  transient=True) as progress, ThreadPoolExecutor(_workers()) as pool:
        task = progress.add_task(f"Decoding {len(every):,} images (once; cached)",
                                 total=len(every))
        for split, entry in listed.items():
            x = np.empty((len(entry.files), height, width, 3), dtype=np.uint8)
            for i, array in enumerate(pool.map(lambda p: _decode(p, target), entry.files,
                                               chunksize=32)):
                if array.shape != x.shape[1:]:  # the header lied about the size
                    raise UserError(f"decodes to {array.shape[1]}×{array.shape[0]}, not "
                                    f"{width}×{height}", where=entry.files[i],
                                    fix="Give --image-size N to resize every image.")
                x[i] = array
                progress.advance(task)
            tensor = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
            out[split] = (tensor, torch.tensor(entry.labels, dtype=torch.int64))
    return out


def load_tree(folder: Path, image_size: int | None = None):
    """(classes, {split: (x, y)}, notes): the tree decoded, or read back from the cache."""
    classes, listed = list_tree(folder)
    key = content_key(folder, listed, image_size)
    cached_at = cache_file(folder, key)
    splits = _read_cache(cached_at, classes, listed) if cached_at.is_file() else None
    counts = ", ".join(f"{len(listed[s].files):,} {s}" for s in SPLITS if s in listed)
    if splits is not None:
        how = f"read from the cache ({cached_at})"
    else:
        splits = decode_tree(folder, listed, image_size)
        _write_cache(cached_at, classes, splits)
        how = f"decoded once and cached in {cached_at.parent}"
    x = splits["train"][0]
    resized = f", resized to {image_size}×{image_size}" if image_size else ""
    notes = [f"Images: {counts}, {x.shape[2]}×{x.shape[3]} RGB{resized}; {how}."]
    return classes, splits, notes
