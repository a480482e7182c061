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


def write_text(path: str | Path, text: str, fix: str = "Choose a writable path.",
               follow_links: bool = True) -> None:
    """Write `text` (UTF-8) to `path` atomically, or raise one UserError naming `path`."""
    write_bytes(path, text.encode("utf-8"), fix, follow_links)


def write_bytes(path: str | Path, data: bytes, fix: str = "Choose a writable path.",
                follow_links: bool = True) -> None:
    """Write `data` to `path` atomically (a temporary file with a unique name, then a rename),
    or raise one UserError naming `path`; the old file stays whole on any failure. With
    `follow_links=False` (files pa2 names itself, such as a report's figures) a symlink at `path`
    is replaced by the new file, and what it pointed at is left untouched."""
    if follow_links:
        check_target(path, fix)
    else:
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            mode = None
        except OSError as exc:
            raise UserError(f"cannot write here ({exc.strerror or exc})", where=str(path), fix=fix) from None
        if mode is not None and not stat.S_ISLNK(mode) and kind_of(mode) is not None:
            raise UserError(f"is {kind_of(mode)}, not a regular file", where=str(path), fix=fix)
    tmp = None
    try:
        # realpath raises when the current folder was deleted
        target = Path(os.path.realpath(path)) if follow_links else \
            Path(os.path.realpath(Path(path).parent)) / Path(path).name
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if target.exists() and not target.is_symlink():
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


def keep_if_edited(path: Path, max_backups: int = 1000) -> Path | None:
    """Before pa2 regenerates `path` (a report the student may have edited by hand): if it is
    not byte for byte what pa2 last wrote there (recorded as a SHA-256 in `.NAME.pa2-sha256`
    beside it), rename it to `NAME.~N~` (the first free N) and return that path; else None.
    Call `record_written(path)` after writing, so an unedited file is replaced silently."""
    import hashlib

    try:
        current = path.read_bytes() if path.is_file() else None
    except OSError:
        return None
    if current is None:
        return None
    try:
        recorded = _stamp(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        recorded = ""
    if hashlib.sha256(current).hexdigest() == recorded:
        return None
    for number in range(1, max_backups + 1):
        backup = path.with_name(f"{path.name}.~{number}~")
        try:  # link(2) fails when the name is taken: two reports never pick the same backup
            os.link(path, backup)
        except FileExistsError:
            continue
        except OSError:
            if os.path.lexists(backup):
                continue
            os.replace(path, backup)
            return backup
        os.unlink(path)
        return backup
    raise UserError(f"{max_backups} backups of it already exist", where=str(path),
                    fix="Delete the old NAME.~N~ backups or choose another --out.")


def record_written(path: Path) -> None:
    """Remember what pa2 wrote at `path` (see keep_if_edited); failing to is harmless."""
    import hashlib

    try:
        write_text(_stamp(path), hashlib.sha256(path.read_bytes()).hexdigest(), follow_links=False)
    except (OSError, UserError):
        pass


def _stamp(path: Path) -> Path:
    return path.with_name(f".{path.name}.pa2-sha256")
