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
import os
import secrets
import shutil
import stat
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


def _open_temporary(tmp: Path):
    """`tmp` opened for writing as a new regular file. A stale `tmp` that is a FIFO (opening it
    would wait for a reader forever), a symlink (writing would go wherever it points) or a
    device is removed and replaced, never written through; O_NONBLOCK and O_NOFOLLOW make the
    open itself refuse them instead of blocking or following."""
    flags = (os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    for attempt in range(2):
        try:
            fd = os.open(tmp, flags, 0o666)
        except OSError as exc:  # ENXIO: a FIFO without a reader; ELOOP: a symlink
            if attempt or exc.errno not in (errno.ENXIO, errno.ELOOP):
                raise
            os.unlink(tmp)
            continue
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return os.fdopen(fd, "wb")
        os.close(fd)
        if attempt:
            break
        os.unlink(tmp)
    raise OSError(errno.EEXIST, "a file that is not a regular file is in the way", str(tmp))


def temporary_name(path: Path) -> Path:
    """A temporary file beside `path` that no other writer uses (`NAME.<pid>-<random>.tmp`): two
    processes saving one file at once never truncate or rename away each other's file."""
    return path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def write_atomically(path: Path, data: str | bytes, *,
                     full_disk_fix: str = GENERIC_FIX) -> None:
    """Write `data` beside `path` under a temporary name of its own, then rename it over
    `path` (the rename is atomic).

    There is no fsync: a power cut may still lose the last write, which keeps a save at ~1 ms.
    On a full disk the temporary file is removed and a `UserError` is raised (its fix:
    `full_disk_fix`).
    """
    path = Path(path)
    tmp = temporary_name(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        with _open_temporary(tmp) as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        if isinstance(exc, OSError) and exc.errno in FULL_DISK_ERRNOS:
            raise disk_full_error(path.parent, len(data), path.name, full_disk_fix) from None
        raise


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
