"""Reading a student's JSON file (a network or an answer sheet) without ever showing a traceback.

`read_json`/`decode_json` turn every way a file can fail to be JSON (unreadable, empty, a syntax
error, nesting too deep for the parser, an integer too long to convert) into one UserError naming
the file. Objects come back as `JsonObject`, a dict that remembers keys given twice (plain json
keeps only the last), so the validators can report them with their JSON path. A UTF-8 byte-order
mark (Windows Notepad writes one) is accepted. `describe` words a value for error messages.
This module knows nothing about networks or quantities.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pa2cli.errors import UserError


class JsonObject(dict):
    """A JSON object that remembers the keys given twice."""

    duplicates: tuple[str, ...] = ()


def _object_pairs(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject(pairs)
    seen: set[str] = set()
    obj.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))
    return obj


def _integer(text: str) -> int | float:
    # A float for very long integers: float() gives inf for them (which the validators reject)
    # where int() would refuse beyond 4300 digits and float(int) would overflow.
    return int(text) if len(text) < 300 else float(text)


def read_json(path: str | Path, fix: str) -> Any:
    """The decoded contents of the file at `path`; `fix` says how to write a good file."""
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the file ({exc.__class__.__name__})", where=label) from None
    return decode_json(text, label, fix)


def decode_json(text: str, label: str, fix: str) -> Any:
    """The decoded JSON `text`; every failure is a UserError naming `label`."""
    if not text.strip():
        raise UserError("the file is empty", where=label, fix=fix)
    try:
        return json.loads(text, object_pairs_hook=_object_pairs, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise UserError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                        where=label, fix=fix) from None
    except RecursionError:
        raise UserError("cannot be read: lists or objects are nested too deeply", where=label,
                        fix=fix) from None


def describe(value: Any) -> str:
    """A value as an error message names it: `null`, `true (a boolean)`, `a string ("0.5")`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"a string ({json.dumps(value)})"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def duplicates_of(value: Any) -> tuple[str, ...]:
    """The keys given twice in a decoded JSON object (none for anything else)."""
    return getattr(value, "duplicates", ())
