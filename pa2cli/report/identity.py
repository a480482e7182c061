"""Who the report is by: --author, --roll and --title, remembered under PA2_HOME.

`resolve(author, roll, title)` fills what was not given from `report.json` in PA2_HOME (what the
last report used) and saves what was given, so the next `pa2 report` puts the same name on the
title page. The file is small, read with a size limit, and written atomically; failing to save it
is harmless (the report is written either way). This module prints nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pa2cli.errors import UserError, printable

FILE_NAME = "report.json"
MAX_BYTES = 16_384
MAX_FIELD = 200  # a name, a roll number or a title; longer is a mistake
DEFAULT_TITLE = "Programming Assignment 2: report"


@dataclass(frozen=True)
class Identity:
    author: str | None
    roll: str | None
    title: str


def _path():
    from pa2cli.paths import data_home

    return data_home() / FILE_NAME


def _check(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    if len(value) > MAX_FIELD:
        raise UserError(f"is {len(value):,} characters; at most {MAX_FIELD} are accepted", where=option,
                        fix=f"Give a shorter {option[2:]}")
    if any(not c.isprintable() for c in value):
        raise UserError(f"holds a control character ({printable(value)[:60]})", where=option,
                        fix="Type it with printable characters only")
    return value or None


def remembered() -> dict:
    """What the last report used ({} when nothing, or the file is unreadable or odd)."""
    try:
        path = _path()
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return {}
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UserError):
        return {}
    if not isinstance(saved, dict):
        return {}
    return {k: v for k, v in saved.items() if k in ("author", "roll", "title") and isinstance(v, str)
            and len(v) <= MAX_FIELD and v.isprintable()}


def resolve(author: str | None, roll: str | None, title: str | None) -> Identity:
    """The given values, else the remembered ones; the given ones are saved for next time."""
    given = {"author": _check(author, "--author"), "roll": _check(roll, "--roll"),
             "title": _check(title, "--title")}
    saved = remembered()
    merged = {key: given[key] or saved.get(key) for key in given}
    if any(given.values()) and merged != saved:
        from pa2cli.files import write_atomically

        try:
            path = _path()
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, json.dumps({k: v for k, v in merged.items() if v}, indent=1) + "\n")
        except (OSError, UserError):
            pass  # the report does not depend on remembering it
    return Identity(merged["author"], merged["roll"], merged["title"] or DEFAULT_TITLE)
