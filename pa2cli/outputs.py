"""Writing a file the user named (`pa2 explain -o`, `pa2 report --out`), safely.

`check_target(path)` refuses, in one line naming the path, a target that exists and is not a
regular file: a folder, a FIFO (writing would wait for a reader forever), a device such as
/dev/zero or /dev/full (a symlink to one included: the output would vanish while pa2 says
"wrote"). `write_text(path, text)` checks the target, writes a temporary file beside it with a
name no one else uses, and renames it over the target, so an interrupted or failed write (a full
disk, Ctrl-C) leaves the old file whole and no temporary file behind. A symlink to a regular file
is followed: the file it points at is replaced, the link stays.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from pa2cli.errors import UserError


def kind_of(mode: int) -> str | None:
    """None for a regular file, else what it is in words (for `is …, not a regular file`)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    return "a device or other special file"


def check_target(path: str | Path, fix: str = "Choose the path of a new or regular file.") -> None:
    """A UserError unless `path` is absent or a regular file (symlinks followed)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UserError(f"cannot write here ({exc.strerror or exc})", where=str(path), fix=fix) from None
    what = kind_of(mode)
    if what is not None:
        raise UserError(f"is {what}, not a regular file", where=str(path), fix=fix)


def write_text(path: str | Path, text: str, fix: str = "Choose a writable path.") -> None:
    """Write `text` (UTF-8) to `path` atomically, or raise one UserError naming `path`."""
    check_target(path, fix)
    target = Path(os.path.realpath(path))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        if target.exists():
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise UserError(f"cannot write ({exc.strerror or exc})", where=str(path), fix=fix) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
