"""The student's progress through the assignment: one small JSON file under data_home().

    {"version": 1,
     "explain":  {topic id: {"stepped": bool, "drills": int, "best": [right, asked],
                             "last": [right, asked], "updated": "…"}},
     "backprop": {quiz key: {"label": …, "command": …, "answered": int, "first_try": int,
                             "total": int, "position": int, "finished": bool, "updated": "…"}}}

Writers (the explain stepper, the drill, the backprop quiz) call `record_*`; readers (the home
screen, `pa2 progress`) call `load`. Progress is a convenience: it must never stop a command. A
file that cannot be read is reported as one line (`Progress.problem`) and treated as empty;
the next write moves it aside to `progress.json.corrupt` rather than lose it silently. Writes
are atomic (pa2cli.files), each read-modify-write holds a lock (`progress.json.lock`) so that
two pa2 processes never drop each other's entries, and a write that fails (read-only folder,
full disk, a lock held too long) is skipped.
Nothing here prints.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from pa2cli.errors import first_line, printable
from pa2cli.files import locked, write_atomically
from pa2cli.paths import data_home

VERSION = 1
PARTS = ("explain", "backprop")
# A progress file is a few kB. pa2 writes at most WRITE_LIMIT_BYTES (1,000 entries of typical
# length are 0.25 MB) and reads up to READ_LIMIT_BYTES, which covers every file any pa2 wrote
# (before entries were bounded, files stopped growing near 1 MB). Costs: benchmarks/progress_size.py.
MAX_ENTRIES = 1_000  # per part: backprop keys grow with every practice seed; topics are 9
WRITE_LIMIT_BYTES = 1_000_000
READ_LIMIT_BYTES = 8_000_000
MAX_BACKUPS = 100  # progress.json.corrupt, .corrupt.2, … .corrupt.100; then writes are skipped
MAX_BYTES = READ_LIMIT_BYTES  # the name older code and tests use


def progress_path() -> Path:
    return data_home() / "progress.json"


@dataclass
class Progress:
    explain: dict[str, dict[str, Any]] = field(default_factory=dict)
    backprop: dict[str, dict[str, Any]] = field(default_factory=dict)
    problem: str | None = None  # why the file could not be read, in one line

    def to_json_dict(self) -> dict[str, Any]:
        return {"version": VERSION, "explain": self.explain, "backprop": self.backprop}


MAX_TEXT = 1000  # a label or a command is one short line


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31


def _score(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2 and all(map(_count, value))
            and value[0] <= value[1])


def _text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT


# Every field a reader uses, with the check its value must pass (other fields are kept as is).
FIELDS = {
    "explain": {"stepped": lambda v: isinstance(v, bool), "drills": _count, "best": _score,
                "last": _score, "updated": _text},
    "backprop": {"label": _text, "command": _text, "answered": _count, "first_try": _count,
                 "total": _count, "position": _count, "finished": lambda v: isinstance(v, bool),
                 "updated": _text},
}


def _checked(data: Any) -> Progress:
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError(f"not a version-{VERSION} progress file")
    parts = {}
    for part in PARTS:
        entries = data.get(part, {})
        if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
            raise ValueError(f"'{part}' is not an object of entries")
        for entry in entries.values():
            for name, good in FIELDS[part].items():
                if name in entry and not good(entry[name]):
                    raise ValueError(f"'{part}' has a bad '{name}'")
        parts[part] = entries
    return Progress(**parts)


def _no_constant(name: str):
    """NaN and Infinity are not JSON: pa2 never writes them, and `pa2 progress --json` must
    print strict JSON, so a file holding them is not ours."""
    raise ValueError(f"{name} is not a JSON value")


def load(path: Path | None = None) -> Progress:
    """The saved progress; empty (with `problem` set) when the file is unreadable."""
    path = path or progress_path()
    try:
        if not path.is_file():
            if path.exists():
                raise ValueError("not a regular file")
            return Progress()
        if path.stat().st_size > READ_LIMIT_BYTES:
            raise ValueError(f"larger than {READ_LIMIT_BYTES // 1_000_000} MB")
        with open(path, "rb") as handle:
            return _checked(json.loads(handle.read(READ_LIMIT_BYTES + 1).decode("utf-8"),
                                       parse_constant=_no_constant))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError) as exc:
        reason = getattr(exc, "strerror", None) or first_line(exc, 80)
        return Progress(problem=f"progress file {printable(str(path))} cannot be read ({reason}); "
                                "ignoring it (`pa2 reset all --yes` starts a new one)")


def _backup_path(path: Path) -> Path:
    """The first free numbered backup beside `path`; OSError when all MAX_BACKUPS are used."""
    for number in range(1, MAX_BACKUPS + 1):
        backup = path.with_name(path.name + ".corrupt" + ("" if number == 1 else f".{number}"))
        if not backup.exists() and not backup.is_symlink():
            return backup
    raise OSError(f"{MAX_BACKUPS} backups of damaged progress files are kept already")


def _oldest_first(entries: dict[str, dict[str, Any]], keep: str | None) -> list[str]:
    return sorted((k for k in entries if k != keep), key=lambda k: str(entries[k].get("updated", "")))


def _bounded(progress: Progress, keep: tuple[str, str] | None = None) -> str:
    """The JSON text of `progress` after dropping the least recently updated entries (never
    `keep`, the (part, key) just changed) until each part holds at most MAX_ENTRIES and the
    text is at most WRITE_LIMIT_BYTES."""
    def dump() -> str:
        return json.dumps(progress.to_json_dict(), indent=1, sort_keys=True)

    for part in PARTS:
        entries = getattr(progress, part)
        keep_key = keep[1] if keep and keep[0] == part else None
        for key in _oldest_first(entries, keep_key)[:max(0, len(entries) - MAX_ENTRIES)]:
            del entries[key]
    text = dump()
    while len(text.encode("utf-8")) > WRITE_LIMIT_BYTES:
        part = max(PARTS, key=lambda name: len(getattr(progress, name)))
        entries = getattr(progress, part)
        oldest = _oldest_first(entries, keep[1] if keep and keep[0] == part else None)
        if not oldest:
            break  # one entry alone is at most a few kB (MAX_TEXT): cannot happen
        for key in oldest[:max(1, len(oldest) // 10)]:
            del entries[key]
        text = dump()
    return text


def _save(progress: Progress, path: Path, keep: tuple[str, str] | None = None) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if progress.problem is not None and (path.exists() or path.is_symlink()):
            os.replace(path, _backup_path(path))
        write_atomically(path, _bounded(progress, keep))
        return True
    except (OSError, click.ClickException):  # a full disk is a UserError from write_atomically
        return False


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


LOCK_WAIT_S = 5.0


def _locked(path: Path):
    """The flock on `progress.json.lock` for one read-modify-write (pa2cli.files.locked), so
    two pa2 processes finishing at once (a drill and a quiz in two terminals) cannot drop each
    other's entries. OSError when it cannot be had within LOCK_WAIT_S."""
    return locked(path.with_name(path.name + ".lock"), LOCK_WAIT_S)


def _update(part: str, key: str, change) -> bool:
    try:
        path = progress_path()
    except click.ClickException:  # a bad PA2_HOME: progress is skipped, the command goes on
        return False
    try:
        with _locked(path):
            progress = load(path)
            entries = getattr(progress, part)
            entry = dict(entries.get(key, {}))
            change(entry)
            entry["updated"] = _now()
            entries[key] = entry
            return _save(progress, path, keep=(part, key))
    except OSError:
        return False


def record_stepped(topic_id: str) -> bool:
    """The student stepped through a topic to its last line."""
    return _update("explain", topic_id, lambda entry: entry.update(stepped=True))


def record_drill(topic_id: str, right: int, asked: int) -> bool:
    """A drill ended with `right` of `asked` right at the first try (asked > 0)."""
    def change(entry: dict) -> None:
        entry["drills"] = int(entry.get("drills", 0)) + 1
        entry["last"] = [right, asked]
        best = entry.get("best")
        if not (isinstance(best, list) and len(best) == 2 and best[1]
                and best[0] / best[1] >= right / asked):
            entry["best"] = [right, asked]
    return _update("explain", topic_id, change)


def record_backprop(key: str, *, label: str, command: str, answered: int, first_try: int,
                    total: int, position: int, finished: bool) -> bool:
    """Where a backprop quiz on one network stands (after it stops or ends)."""
    return _update("backprop", key, lambda entry: entry.update(
        label=label, command=command, answered=answered, first_try=first_try, total=total,
        position=position, finished=finished))


def reset(part: str) -> bool:
    """Forget `part` ('explain', 'backprop' or 'all'); True if something was written."""
    path = progress_path()
    try:
        with _locked(path):
            progress = load(path)
            for name in PARTS if part == "all" else (part,):
                setattr(progress, name, {})
            return _save(progress, path)  # an unreadable file is moved aside, not kept in the way
    except OSError:
        return False
