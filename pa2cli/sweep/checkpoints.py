"""Checkpoints of a sweep's runs: where they live, how they are saved, and what a resume trusts.

One file per run, `checkpoints/wd_<weight decay>_seed_<seed>.pt`, replaced atomically after
every epoch. A checkpoint holds only tensors, plain containers, strings and numbers (RNG states
as uint8 tensors), so it is read with `torch.load(weights_only=True)`: a checkpoint from
anyone else can never run code, whatever its bytes. Reading is also checked before it is
trusted: a regular file (not a FIFO, device or folder), the expected structure, the identity of
the run it belongs to (weight decay, seed, dataset, the fingerprint of the data's images and
labels, model, optimiser and its settings), and the
epochs it holds against the epochs results.json records for that run. Anything else is a
`UserError` naming the file and what to do. This module must not train or print.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import stat
import warnings
from pathlib import Path

from pa2cli.errors import UserError, first_line
from pa2cli.files import write_atomically
from pa2cli.sweep.config import SweepConfig, wd_label
from pa2cli.sweep.store import CHECKPOINT_FOLDER, full_disk_fix
FORMAT = 2  # 1: pa2 0.x checkpoints (pickled, no identity): refused
IDENTITY_FIELDS = ("weight_decay", "seed", "dataset", "val_split", "model", "model_class",
                   "optimizer", "lr", "momentum", "decay_bias_norm", "batch_size",
                   "normalize", "image_size", "augment", "model_args")
# what a checkpoint written before a field existed meant by it
LEGACY_IDENTITY = {"normalize": "auto", "image_size": None, "augment": [], "model_args": None}
TENSOR_ENTRIES = ("shuffle_rng", "torch_rng")


def checkpoint_path(out: Path, weight_decay: float, seed: int) -> Path:
    """The checkpoint of the run (weight decay, seed) in the sweep folder `out`."""
    return Path(out) / CHECKPOINT_FOLDER / f"wd_{float(weight_decay)!r}_seed_{int(seed)}.pt"


def run_identity(config: SweepConfig, weight_decay: float, seed: int, model,
                 dataset=None) -> dict:
    """What a checkpoint must match to be resumed into this run (JSON-like plain values);
    with `dataset`, the fingerprint of the images and labels it trains and tests on too."""
    data = {} if dataset is None else {"data": data_fingerprint(dataset)}
    return {**data, "weight_decay": float(weight_decay), "seed": int(seed),
            "dataset": config.dataset, "val_split": float(config.val_split),
            "model": config.model or "default", "model_class": type(model).__qualname__,
            "optimizer": config.optimizer, "lr": float(config.lr),
            "momentum": float(config.momentum), "decay_bias_norm": bool(config.decay_bias_norm),
            "batch_size": int(config.batch_size), "normalize": config.normalize,
            "image_size": config.image_size, "augment": list(config.augment),
            "model_args": config.model_args}


def checkpoint_bytes(identity: dict, payload: dict) -> bytes:
    """The serialised checkpoint: format, identity and `training.checkpoint_of`'s payload."""
    import torch

    buffer = io.BytesIO()  # serialising in memory, then one write, is the fastest way
    torch.save({"format": FORMAT, "identity": dict(identity), **payload}, buffer)
    return buffer.getvalue()


def save_checkpoint(out: Path, identity: dict, payload: dict) -> Path:
    path = checkpoint_path(out, identity["weight_decay"], identity["seed"])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, checkpoint_bytes(identity, payload),
                     full_disk_fix=full_disk_fix(out))
    return path


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _what_to_do(identity: dict) -> str:
    return (f"Delete it and run --resume again to train wd {wd_label(identity['weight_decay'])} "
            "(seed {}) from epoch 1, or start a fresh sweep with another --out."
            .format(identity["seed"]))


def _refuse(path: Path, problem: str, identity: dict) -> UserError:
    return UserError(problem, where=str(path), fix=_what_to_do(identity))


def legacy_checkpoint_path(out: Path, weight_decay: float) -> Path:
    """Where sweeps written before seeds existed kept a weight decay's checkpoint."""
    return Path(out) / CHECKPOINT_FOLDER / f"wd_{float(weight_decay)!r}.pt"


def read_checkpoint(path: Path, identity: dict, legacy: bool = False) -> dict:
    """Load `path` safely (regular file, weights_only) and check its structure; else UserError.

    `legacy`: a checkpoint of a sweep saved before seeds existed (no format marker and no
    identity, only its weight decay), accepted for the sweep's first seed."""
    import torch

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({exc.strerror or exc})", identity) from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise _refuse(path, f"is {kind}, not a checkpoint", identity)
        try:
            with warnings.catch_warnings():  # e.g. "Detected pickle protocol 90" on garbage
                warnings.simplefilter("ignore")
                checkpoint = torch.load(handle, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - truncated, garbage, or objects that could run code
            reason = _short(first_line(exc), 120)
            raise _refuse(path, "is not a pa2 checkpoint that can be read safely ("
                          f"{type(exc).__name__}{': ' + reason if reason else ''})",
                          identity) from None
    if legacy and isinstance(checkpoint, dict) and "format" not in checkpoint:
        if checkpoint.get("weight_decay") != identity["weight_decay"]:
            raise _refuse(path, "belongs to another run: its weight_decay is "
                          f"{_show('weight_decay', checkpoint.get('weight_decay'))}, this run's "
                          f"is {_show('weight_decay', identity['weight_decay'])}", identity)
        # what the old file can say about its run; the rest is checked when it is restored
        checkpoint = {**checkpoint, "format": FORMAT,
                      "identity": {**identity, "weight_decay": checkpoint["weight_decay"]}}
    _check_structure(checkpoint, path, identity)
    return checkpoint


def _check_structure(checkpoint, path: Path, identity: dict) -> None:
    import torch

    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        raise _refuse(path, "is not a checkpoint of this pa2 version (no format "
                      f"{FORMAT} marker)", identity)
    saved_identity = checkpoint.get("identity")
    rows = checkpoint.get("rows")
    if (not isinstance(saved_identity, dict) or not isinstance(rows, list)
            or not all(isinstance(row, dict) for row in rows)
            or not isinstance(checkpoint.get("model"), dict)
            or not all(isinstance(v, torch.Tensor) for v in checkpoint["model"].values())
            or not isinstance(checkpoint.get("optimizer"), dict)
            or not all(isinstance(checkpoint.get(k), torch.Tensor) and
                       checkpoint[k].dtype == torch.uint8 for k in TENSOR_ENTRIES)):
        raise _refuse(path, "is damaged (an entry is missing or of the wrong type)", identity)


def _show(field: str, value) -> str:
    return wd_label(value) if field == "weight_decay" and isinstance(value, float) else repr(value)


def check_against(checkpoint: dict, path: Path, identity: dict, saved_rows: list[dict]) -> None:
    """The checkpoint belongs to this run and continues the epochs results.json records.

    The checkpoint may hold more epochs than results.json, which is rewritten less often than
    every epoch (a sweep killed in between); the epochs results.json does record must be the
    checkpoint's first ones, exactly (their wall seconds make each run's rows its own).
    Anything else is refused.
    """
    saved_identity = checkpoint["identity"]
    if "data" in saved_identity and "data" in identity \
            and saved_identity["data"] != identity["data"]:  # older checkpoints have none
        raise _refuse(path, "was trained on other data: the images and labels of this "
                      f"--dataset/--data-dir differ from its own (fingerprint "
                      f"{identity['data'][:12]}, the checkpoint's "
                      f"{_short(str(saved_identity['data']), 12)})", identity)
    for field in IDENTITY_FIELDS:
        if saved_identity.get(field, LEGACY_IDENTITY.get(field)) != identity[field]:
            raise _refuse(path, f"belongs to another run: its {field} is "
                          f"{_show(field, saved_identity.get(field))}, this run's is "
                          f"{_show(field, identity[field])}", identity)
    rows = checkpoint["rows"]
    if rows[:len(saved_rows)] != saved_rows:
        raise _refuse(path, f"holds {len(rows)} epochs that do not continue the "
                      f"{len(saved_rows)} results.json records for wd "
                      f"{wd_label(identity['weight_decay'])} (seed {identity['seed']})", identity)
    if [row.get("epoch") for row in rows] != list(range(1, len(rows) + 1)):
        raise _refuse(path, "is damaged (its epochs are not numbered 1, 2, ...)", identity)


def load_checkpoint(out: Path, identity: dict, saved_rows: list[dict],
                    legacy_seed: int | None = None) -> dict | None:
    """The checked checkpoint of the run `identity` in `out`, or None when there is none.

    `legacy_seed`: the seed of a sweep saved before seeds existed (`config.seed`); its run
    of that seed may continue from the old `wd_<value>.pt` file."""
    path = checkpoint_path(out, identity["weight_decay"], identity["seed"])
    legacy = False
    if not os.path.lexists(path) and legacy_seed is not None and identity["seed"] == legacy_seed:
        path, legacy = legacy_checkpoint_path(out, identity["weight_decay"]), True
    if not os.path.lexists(path):
        return None
    checkpoint = read_checkpoint(path, identity, legacy)
    check_against(checkpoint, path, identity, saved_rows)
    checkpoint["source"] = str(path)  # named if it does not fit when restored
    return checkpoint


def data_fingerprint(dataset) -> str:
    """SHA-256 of every split's images and labels as trained on (after --val-split and
    --train-size): the identity of the data, whichever folder it was read from."""
    return _fingerprint(dataset)


@functools.lru_cache(maxsize=8)  # a Dataset hashes by identity (eq=False): one hash per load
def _fingerprint(dataset) -> str:
    digest = hashlib.sha256()
    for split in (dataset.train, dataset.test, dataset.val):
        if split is None:
            digest.update(b"none")
            continue
        for tensor in (split.x, split.y):
            tensor = tensor.contiguous().cpu()
            digest.update(f"{tuple(tensor.shape)}{tensor.dtype}".encode())
            digest.update(tensor.numpy().tobytes())
    return digest.hexdigest()
