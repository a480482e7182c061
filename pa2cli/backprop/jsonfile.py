"""Reading a student's JSON file (a network or an answer sheet) without ever showing a traceback.

`read_json`/`decode_json` turn every way a file can fail to be JSON (unreadable, empty, a syntax
error, nesting too deep for the parser, an integer too long to convert) into one UserError naming
the file. Objects come back as `JsonObject`, a dict that remembers keys given twice (plain json
keeps only the last), so the validators can report them with their JSON path. A UTF-8 byte-order
mark (Windows Notepad writes one) is accepted. `describe` words a value for error messages.

Work is bounded before it is done: only a regular file is opened (a FIFO, a device such as
/dev/zero or a folder is refused in one line, never waited on or read), at most
`MAX_FILE_BYTES` are read, and nesting deeper than `MAX_DEPTH` is refused after parsing.
This module knows nothing about networks or quantities.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from pa2cli.errors import UserError, excerpt

MAX_FILE_BYTES = 5_000_000  # a 20,000-edge network is about 1.3 MB
MAX_DEPTH = 20  # a network file nests 4 deep, an answer sheet 1


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
    return decode_json(_decode(read_bytes(path), label), label, fix)


def read_bytes(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them, or one UserError."""
    label = str(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UserError(f"cannot read the file ({exc.strerror or exc.__class__.__name__})",
                        where=label) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "a pipe (FIFO)" \
                if stat.S_ISFIFO(info.st_mode) else "a device or other special file"
            raise UserError(f"is {what}, not a regular file", where=label,
                            fix="Give the path of a JSON file.")
        if info.st_size > limit:
            raise UserError(f"the file is larger than the limit of {limit:,} bytes", where=label,
                            fix="A network or answer file is a few kB; check that it is the "
                                "right file.")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)  # the file may have grown since fstat
    except OSError as exc:
        raise UserError(f"cannot read the file ({exc.strerror or exc})", where=label) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UserError(f"the file is larger than the limit of {limit:,} bytes", where=label)
    return data


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
        raise UserError("is not UTF-8 text" + (" (it is UTF-16)" if utf16 else ""), where=label,
                        fix="Save it as UTF-8 (in Notepad: Save as, Encoding UTF-8).") from None


def decode_json(text: str, label: str, fix: str) -> Any:
    """The decoded JSON `text`; every failure is a UserError naming `label`."""
    if not text.strip():
        raise UserError("the file is empty", where=label, fix=fix)
    try:
        data = json.loads(text, object_pairs_hook=_object_pairs, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise UserError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                        where=label, fix=fix) from None
    except RecursionError:
        data = None
    if data is None or _too_deep(data):
        raise UserError(f"cannot be read: lists or objects are nested too deeply (the limit is "
                        f"{MAX_DEPTH} levels)",
                        where=label, fix=fix) from None
    return data


def _too_deep(data: Any) -> bool:
    """Whether lists/objects nest more than MAX_DEPTH deep (an explicit stack: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def describe(value: Any) -> str:
    """A value as an error message names it: `null`, `true (a boolean)`, `a string ("0.5")`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"a string ({excerpt(value, as_json=True)})"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def duplicates_of(value: Any) -> tuple[str, ...]:
    """The keys given twice in a decoded JSON object (none for anything else)."""
    return getattr(value, "duplicates", ())
