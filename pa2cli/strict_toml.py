"""Strict reading of TOML tables: every key a reader asks for is remembered, and `done()`
rejects the rest; missing, empty and mistyped values are `UserError`s naming the file and the
key path. Generic (knows nothing about topics); never evaluates or prints.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pa2cli.errors import UserError

# Keys of a topic's top level: written after a [table] header they land inside that table.
TOP_LEVEL_KEYS = ("format_version", "id", "title", "group", "summary", "aliases", "definition",
                  "kinks", "smooth", "check_points")


class Table:
    """Reads one TOML table, remembers which keys were read, and rejects the rest."""

    def __init__(self, data: Any, where: str, file: str):
        if not isinstance(data, dict):
            raise UserError(f"expected a table, got {type_name(data)}", where=f"{file}: {where}")
        self.data, self.where, self.file, self.seen = data, where, file, set()

    def at(self, key: str) -> str:
        path = f"{self.where}.{key}" if self.where else key
        return f"{self.file}: {path}"

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, *, required: bool = True, default: Any = None) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if required:
                raise UserError("missing field", where=self.at(key), fix=f"Add `{key} = ...`")
            return default
        return self.data[key]

    def string(self, key: str, *, required: bool = True) -> str:
        value = self.raw(key, required=required, default="")
        if not isinstance(value, str):
            raise UserError(f"expected a string, got {type_name(value)}", where=self.at(key))
        if required and not value.strip():
            raise UserError("empty text", where=self.at(key), fix="Write the text or remove the entry")
        if not required and key in self.data and not value.strip():
            raise UserError("empty text", where=self.at(key), fix="Write the text or leave the key out")
        return value.strip()

    def strings(self, key: str, *, allow_empty: bool = False) -> tuple[str, ...]:
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UserError("expected a list of strings", where=self.at(key))
        if not value and not allow_empty:
            raise UserError("empty list", where=self.at(key), fix="Give at least one entry")
        for i, item in enumerate(value):
            if not item.strip():
                raise UserError("empty text", where=f"{self.at(key)}[{i}]")
        return tuple(v.strip() for v in value)

    def number(self, key: str) -> float:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(f"expected a number, got {type_name(value)}", where=self.at(key))
        return float(value)

    def tables(self, key: str, *, allow_empty: bool = False) -> list["Table"]:
        value = self.raw(key, required=not allow_empty, default=[])
        if not isinstance(value, list):
            raise UserError(f"expected a list of tables ([[{key}]]), got {type_name(value)}", where=self.at(key))
        if not value and not allow_empty:
            raise UserError("empty list", where=self.at(key), fix=f"Give at least one [[{key}]] entry")
        prefix = f"{self.where}.{key}" if self.where else key
        return [Table(item, f"{prefix}[{i}]", self.file) for i, item in enumerate(value)]

    def table(self, key: str, *, required: bool = True) -> "Table | None":
        if not required and key not in self.data:
            self.seen.add(key)
            return None
        return Table(self.raw(key), f"{self.where}.{key}" if self.where else key, self.file)

    def loc(self) -> str:
        return f"{self.file}: {self.where}" if self.where else self.file

    def done(self) -> None:
        unknown = [k for k in self.data if k not in self.seen]
        if unknown:
            key = unknown[0]
            fix = f"allowed keys here: {', '.join(sorted(self.seen))}"
            if self.where and key in TOP_LEVEL_KEYS:
                fix = (f"TOML puts every key after a [table] header into that table: move `{key}` "
                       "above the first [table] or [[table]] header")
            raise UserError(f"unknown key {key!r}", where=self.loc(), fix=fix)


def type_name(value: Any) -> str:
    return {str: "a string", bool: "a boolean", int: "a number", float: "a number", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def read_toml(path: Path, shown: str) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise UserError("file not found", where=shown, fix="Create it or remove it from content/index.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"not valid TOML ({exc})", where=shown) from None
