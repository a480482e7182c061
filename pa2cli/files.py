"""Writing a file so that readers see the old or the new one, never half of one.

Used for everything pa2 saves as it goes (quiz progress, sweep results and checkpoints), so a
crash or Ctrl-C never leaves a truncated file. A full disk (or a file-size limit) is a user's
problem to fix, not a crash: the half-written temporary file is removed, the old file is left
as it was, and a `UserError` names the folder and the space needed. Each write uses a temporary
name of its own, and `locked` is the one flock for a read-modify-write (progress, quiz state),
so concurrent pa2 processes never interleave. This module only writes; it decides nothing.
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from pa2cli.errors import UserError

# "no space left", "disk quota exceeded", "file too large" (RLIMIT_FSIZE, FAT32's 4 GiB)
FULL_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def human_size(n_bytes: float) -> str:
    """1234567 -> '1.2 MB' (decimal units, as disk tools show free space)."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if n_bytes < 1000 or unit == "GB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    raise AssertionError  # unreachable


def free_space(folder: Path) -> int | None:
    """Bytes free for this user in `folder`'s file system (None when it cannot be read)."""
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


GENERIC_FIX = ("Free some space there (or use a folder on another disk) and run the command "
               "again; what was saved before is intact.")


def disk_full_error(folder: Path, needed: int, what: str, fix: str = GENERIC_FIX) -> UserError:
    """The one-line message for a write of `needed` bytes that did not fit in `folder`."""
    free = free_space(folder)
    free_text = "" if free is None else f", {human_size(free)} free"
    return UserError(f"not enough space to save {what} ({human_size(needed)} needed"
                     f"{free_text})", where=str(folder), fix=fix)


def _open_temporary(path: Path):
    """(handle, name) of a new temporary file beside `path` that no other writer uses
    (`.NAME.<random>.tmp`, made by tempfile.mkstemp: O_CREAT | O_EXCL, so a FIFO, symlink or
    file already at a chosen name is never opened, only stepped around)."""
    import tempfile

    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    return os.fdopen(fd, "wb"), Path(name)


def _sync_folder(folder: Path) -> None:
    """fsync a folder, so a rename in it survives a power cut (not possible everywhere)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(path: Path, data: str | bytes, *,
                     full_disk_fix: str = GENERIC_FIX) -> None:
    """Write `data` to a temporary file of its own beside `path`, fsync it, rename it over
    `path` (atomic) and fsync the folder: readers, a crash and even a power cut see the old file
    or the new one, never a truncated one, and two writers at once never share a temporary file
    (the last rename wins whole).

    The two fsyncs cost about 8 ms a save on an ext4 disk (benchmarks/atomic_write.py); pa2
    saves at most once per answer or epoch. On a full disk the temporary file is removed and a
    `UserError` is raised (its fix: `full_disk_fix`). The file is created 0600 by mkstemp and
    given the usual 0666 & ~umask before the rename.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = None
    try:
        handle, tmp = _open_temporary(path)
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
        os.replace(tmp, path)
        tmp = None
        _sync_folder(path.parent)
    except BaseException as exc:
        if tmp is not None:
            try:
                tmp.unlink()
            except OSError:
                pass
        if isinstance(exc, OSError) and exc.errno in FULL_DISK_ERRNOS:
            raise disk_full_error(path.parent, len(data), path.name, full_disk_fix) from None
        raise


@functools.cache
def _umask() -> int:
    """The process's umask, read once (reading it means setting it for a moment)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


class LockBusy(OSError):
    """The lock could not be had within the wait (another pa2 holds it)."""


@contextmanager
def locked(lock_path: Path, wait_s: float = 5.0):
    """Hold an exclusive flock on `lock_path` (created if absent) for one read-modify-write, so
    two pa2 processes never interleave theirs. The OS releases it if the process dies. Raises
    LockBusy when it cannot be had within `wait_s`; without fcntl (Windows) it is a no-op."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_NONBLOCK", 0), 0o644)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockBusy(errno.EAGAIN, f"{lock_path.name} is held by another pa2") \
                        from None
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)
