"""Checks of a sweep's results folder made under its lock, before anything is trained.

`check_folder` refuses, with one line each: a file where the sweep keeps a folder or the
reverse (`checkpoints` as a file, `results.json` as a folder, a FIFO as a checkpoint); a new
sweep into a folder that already holds one; a checkpoint that is damaged, unsafe or belongs to
another run (`runs.prepare`: each pending run is built and its checkpoint read once, checked
and restored, and the run then trains from that state); and a disk without room for the
checkpoints the sweep will write. It removes the `.tmp` files a killed sweep may have left (the lock says no one else is writing) and returns the prepared sweep, with the notes a resume must print (a run whose checkpoint is
missing starts again).
This module must not train or print.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pa2cli.errors import UserError
from pa2cli.files import free_space, human_size
from pa2cli.sweep.checkpoints import CHECKPOINT_FOLDER, checkpoint_bytes, checkpoint_path
from pa2cli.sweep.config import SweepConfig, wd_label
from pa2cli.sweep.runs import Models, Prepared, fresh_payload, prepare
from pa2cli.sweep.store import CSV_FILE, RESULTS_FILE, SweepFolder, SweepResults

RESULTS_BYTES_PER_ROW = 4 * 400  # one epoch row in results.json and .csv, each with its .tmp
LAYOUT_FIX = "Move it out of the way, or give another --out."


def _kind(path: Path) -> str | None:
    """None if nothing is there; else 'file', 'folder' or 'special file' (symlinks followed)."""
    if not os.path.lexists(path):
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError:  # a dangling symlink: the atomic rename will replace the link itself
        return "file"
    return "file" if stat.S_ISREG(mode) else "folder" if stat.S_ISDIR(mode) else "special file"


def _expect(folder: Path, relative: str, wanted: str, fix: str = LAYOUT_FIX) -> None:
    found = _kind(folder / relative)
    if found is not None and found != wanted:
        raise UserError(f"is a {found}, where the sweep keeps a {wanted}",
                        where=str(folder / relative), fix=fix)


def check_layout(folder: Path, config: SweepConfig) -> None:
    """Every path the sweep will write is absent or of the right kind; stale .tmp removed."""
    for name in (RESULTS_FILE, CSV_FILE):
        _expect(folder, name, "file")
    _expect(folder, CHECKPOINT_FOLDER, "folder")
    for seed in config.seed_list:
        for wd in config.weight_decays:
            _expect(folder, str(checkpoint_path(Path(), wd, seed)), "file",
                    fix=f"Move it away and run --resume again (wd {wd_label(wd)} seed {seed} "
                        "is trained from epoch 1), or start a fresh sweep with another --out.")
    for parent in (folder, folder / CHECKPOINT_FOLDER):
        if parent.is_dir():
            for tmp in parent.glob("*.tmp"):
                if _kind(tmp) != "file":
                    raise UserError(f"is a {_kind(tmp)}, where the sweep writes a temporary "
                                    "file", where=str(tmp), fix=LAYOUT_FIX)
                tmp.unlink()


def space_needed(prepared: Prepared, jobs: int) -> int:
    """Bytes the rest of the sweep writes beyond what is on disk now (an upper estimate)."""
    config, folder = prepared.config, prepared.folder
    pending = [prepared.results.run(*key) for key in prepared.pending]
    rows = sum(config.epochs - len(run.epochs) for run in pending)
    if not pending:
        return rows * RESULTS_BYTES_PER_ROW
    first = pending[0].key
    state = prepared.states[first]
    # the optimiser's state (momentum, Adam's two moments) appears after the first step
    parameter_bytes = sum(p.numel() * p.element_size() for p in state.model.parameters())
    one = len(checkpoint_bytes(prepared.identities[first], fresh_payload(state))) \
        + 2 * parameter_bytes
    new = sum(1 for run in pending
              if not checkpoint_path(folder.path, run.weight_decay, run.seed).exists())
    temporary = min(jobs, len(pending))  # one .tmp per run being written at a time
    return (new + temporary) * one + rows * RESULTS_BYTES_PER_ROW


def check_space(folder: SweepFolder, needed: int) -> None:
    free = free_space(folder.path)
    if free is not None and free < needed:
        raise UserError(f"the sweep needs about {human_size(needed)} free for its checkpoints "
                        f"and results, and {human_size(free)} is free",
                        where=f"--out {folder.path}",
                        fix="Free some space there, or give --out a folder on another disk.")


def check_folder(folder: SweepFolder, config: SweepConfig, dataset, *, resume: bool,
                 jobs: int, saved: SweepResults | None = None,
                 models: Models | None = None) -> Prepared:
    """All of the above, in order; returns the prepared sweep (its notes: what a resume
    prints before training). `saved`: results.json as already read (read here if None)."""
    check_layout(folder.path, config)
    if resume:
        saved = saved if saved is not None else folder.load()
    else:
        if folder.exists():  # another sweep finished here since the options were checked
            raise UserError("already holds a sweep", where=str(folder.path),
                            fix="Add --resume to continue it, or choose another --out.")
        if any((folder.path / CHECKPOINT_FOLDER).glob("*.pt")):
            raise UserError(f"{CHECKPOINT_FOLDER}/ holds checkpoints of another sweep",
                            where=f"--out {folder.path}",
                            fix="Give another --out (or move that folder away).")
        saved = None
    # each pending run built, and its checkpoint read, checked and restored, as it will train
    prepared = prepare(config, folder, dataset, saved, models)
    check_space(folder, space_needed(prepared, jobs))
    return prepared
