"""Field readers shared by the content loader (pa2cli.content): an expression checked against the
names a topic defines, a [lo, hi] range, a number or vector of a given shape, a value valid for a
variable's kind, unique names. Each raises a one-line `UserError` naming the file and key; no
maths, no printing.
"""

from __future__ import annotations

from typing import Any

from pa2cli.content_model import Value
from pa2cli.errors import UserError
from pa2cli.expr import CONSTANTS, ExprError, Expression, parse
from pa2cli.strict_toml import Table, type_name


def unique(items: list[str], where: str, what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise UserError(f"duplicate {what} {item!r}", where=where)
        seen.add(item)


def expr_field(table: Table, key: str, allowed: set[str], text: str | None = None) -> Expression:
    source = table.string(key) if text is None else text
    try:
        parsed = parse(source)
    except ExprError as exc:
        raise UserError(f"bad expression {source!r}: {exc}", where=table.at(key)) from None
    unknown = sorted(parsed.names - allowed - set(CONSTANTS))
    if unknown:
        raise UserError(f"expression {source!r} uses undefined name {unknown[0]!r}", where=table.at(key),
                        fix=f"Known names: {', '.join(sorted(allowed))}")
    return parsed


def range_field(table: Table, key: str) -> tuple[float, float]:
    value = table.raw(key)
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            or not value[0] < value[1]):
        raise UserError("range must be [lo, hi] with lo < hi", where=table.at(key))
    return float(value[0]), float(value[1])


def value_field(raw: Any, shape: tuple[int, ...], where: str) -> Value:
    if not shape:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise UserError(f"expected a number, got {type_name(raw)}", where=where)
        return float(raw)
    if (not isinstance(raw, list) or len(raw) != shape[0]
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw)):
        raise UserError(f"expected a list of {shape[0]} numbers", where=where)
    return tuple(float(v) for v in raw)


def check_kind_value(kind: str, value: Value, where: str) -> None:
    items = value if isinstance(value, tuple) else (value,)
    if kind == "onehot" and sorted(items) != [0.0] * (len(items) - 1) + [1.0]:
        raise UserError("a onehot value has one 1 and zeros elsewhere", where=where)
    if kind == "simplex" and (min(items) < 0 or abs(sum(items) - 1) > 1e-9):
        raise UserError("a simplex value is non-negative and sums to 1", where=where)
    if kind == "sign" and any(v not in (-1.0, 1.0) for v in items):
        raise UserError("a sign value is 1 or -1", where=where)
    if kind == "positive" and min(items) <= 0:
        raise UserError("a positive value must be > 0", where=where)
