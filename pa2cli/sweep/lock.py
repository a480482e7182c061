"""An exclusive lock on a sweep's results folder, held for the sweep's whole lifetime.

Two sweeps writing one `--out` at once would overwrite each other's results.json and
checkpoints, so a sweep locks `<out>/.pa2-sweep.lock` before it writes anything and keeps it
until it ends. The lock is an OS advisory lock on the open file (`fcntl.flock` on Unix,
`msvcrt.locking` on Windows): the operating system drops it when the process ends in any way
(crash, kill -9, power of the terminal), so a dead sweep never leaves a folder stuck. The file
is left in place (deleting a lock file races with the next locker); its text is the holder's
PID, read only to name the other process in the message. This module must not write results.
"""

from __future__ import annotations

import os
from pathlib import Path

from pa2cli.errors import UserError

LOCK_FILE = ".pa2-sweep.lock"

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows: lock one byte far past the PID text
            os.lseek(fd, 1 << 20, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _holder(fd: int) -> str:
    """The other sweep as the message names it: 'process 1234', or 'another pa2 sweep'."""
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except (OSError, AttributeError):  # AttributeError: no pread on Windows
        text = ""
    return f"process {int(text)}" if text.isdigit() else "another pa2 sweep"


class SweepLock:
    """`with SweepLock(folder):` the folder is this process's until the block ends.

    Entering raises `UserError` (exit 2) naming the folder and the PID of the sweep that holds
    it. The folder must exist. Re-entrant use is not supported (one lock per sweep).
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise UserError(f"cannot create its lock file {LOCK_FILE} ({exc.strerror or exc})",
                            where=f"--out {self.folder}",
                            fix="Give a folder you can write to.") from None
        if not _try_lock(fd):
            holder = _holder(fd)
            os.close(fd)
            raise UserError(f"another sweep ({holder}) is writing to this folder",
                            where=f"--out {self.folder}",
                            fix="Wait for it to finish (then add --resume to continue it), or "
                                "give another --out.")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None

    def __enter__(self) -> "SweepLock":
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()
