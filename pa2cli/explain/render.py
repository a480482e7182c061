"""The terminal writer of a `pa2 explain` topic: each section of the section model
(sections.py) as a Rich block, revealable one line (or table row) at a time.

It only lays out what sections.py built (labels and worked numbers); it never evaluates an
expression, never computes a number, and never prints (the caller prints the renderables).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from rich import box
from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from pa2cli.explain import sections as model
from pa2cli.explain.worked import Explanation


@dataclass(frozen=True)
class Block:
    """A section: `draw(k)` shows its first k lines (1 <= k <= size)."""

    heading: str
    size: int
    draw: Callable[[int], RenderableType]


# ----------------------------------------------------------------------------- text helpers
def number(value) -> str:
    """A scalar, vector or matrix in compact, copyable text."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        x = float(array)
        return "0" if x == 0 else f"{x:.6g}"
    inner = ", ".join(_short(v) if array.ndim == 1 else number(v) for v in array)
    return f"[{inner}]"


def _short(value) -> str:
    x = float(value)
    return "0" if x == 0 else f"{x:.4g}"


def point_text(point: model.Point) -> str:
    """`ŷ = [2.5, 0], y = …` for a point of the section model."""
    return ", ".join(f"{symbol.text} = {number(value)}" for symbol, value in point)


def _lines(items: list[RenderableType]) -> Callable[[int], RenderableType]:
    return lambda k: Group(*items[:k])


def _line_body(line: model.Line) -> Text:
    body = Text(line.maths.text, style="bold")
    if line.rule:
        body.append("\n↳ ", style="dim")
        body.append(line.rule, style="italic")
    if line.value is not None:
        body.append(f"\n= {number(line.value)} at the sample", style="cyan")
    if line.note:
        body.append("\n")
        body.append(line.note, style="dim")
    return body


def _hanging(marker: str, body: Text) -> RenderableType:
    """`body` after `marker`, with wrapped lines indented under the body, not under the marker."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=len(marker), justify="right", style="dim")
    grid.add_column(ratio=1)
    grid.add_row(marker, body)
    return grid


def _with_value(expression: str, value) -> Text:
    """`expression = value`, the value in colour (a vector on its own line); just the expression
    when it is its own value."""
    text = Text(expression)
    shown = number(value)
    if expression.rsplit("= ", 1)[-1].replace("−", "-") != shown:
        text.append("\n  = " if np.ndim(value) else " = ")
        text.append(shown, style="cyan")
    return text


# ----------------------------------------------------------------------------- one block per section
def blocks(explanation: Explanation, plot: RenderableType | None = None) -> list[Block]:
    result = [WRITERS[type(section)](section) for section in model.sections(explanation)]
    if plot is not None:
        result.append(Block("Plot", 1, lambda k: plot))
    return result


def _definition(section: model.Definition) -> Block:
    items: list[RenderableType] = [Text(line) for line in section.paragraphs]
    for formula in section.formulas:
        items.append(_hanging("  ", Text(formula.text, style="bold")))
    for v in section.variables:
        named = f" (`{v.name}` in expressions)" if v.symbol.text != v.name else ""
        items.append(_hanging("  •", Text.assemble((v.symbol.text, "bold"), f" — {v.description} ",
                                                    (f"({v.detail}; sample {number(v.sample)}){named}", "dim"))))
    return Block(section.heading, len(items), _lines(items))


def _steps(section: model.Lines) -> Block:
    """Numbered lines with their rules, in one grid (wrapped text stays indented)."""
    bodies = [_line_body(line) for line in section.lines]

    def draw(k: int) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=3, justify="right", style="dim")
        grid.add_column(ratio=1)
        for i, body in enumerate(bodies[:k], 1):
            grid.add_row(str(i), body)
        return grid

    return Block(section.heading, len(bodies), draw)


def _stages(section: model.Stages) -> Block:
    function = section.function.text

    def draw(k: int) -> RenderableType:
        table = Table(title=f"{function} in primitive stages, at {point_text(section.point)}", title_justify="left",
                      box=box.SIMPLE_HEAD, padding=(0, 1))
        table.add_column("stage (op)", max_width=24)
        table.add_column("value", justify="right", style="cyan")
        table.add_column("local derivative = value")
        table.add_column(f"adjoint ∂{function}/∂stage = value")
        for row in section.rows[:k]:
            stage = Text(row.definition.text + "  ", style="bold")
            stage.append(f"({row.op})", style="dim")
            local = Text("\n").join(_with_value(f"{d.label.text} = {d.expression.text}", d.value) for d in row.local)
            table.add_row(stage, Text(number(row.value)), local,
                          _with_value(row.adjoint.expression.text, row.adjoint.value))
        return table

    return Block(section.heading, len(section.rows), draw)


def _kinks(section: model.Kinks) -> Block:
    if not section.rows:
        return Block(section.heading, 1, lambda k: Text(section.smooth))
    items: list[RenderableType] = []
    for row in section.rows:
        text = Text.assemble(("at ", "dim"), (point_text(row.point), "bold"), ": ", row.text)
        text.append(f"\n    torch autograd returns {row.gradient.text} = {number(row.torch_value)}")
        if row.autograd is not None:
            text.append(f"   (measured now: {number(row.autograd)})", style="green")
        items.append(text)
    if section.smooth:
        items.append(Text(section.smooth))
    return Block(section.heading, len(items), _lines(items))


_STATUS = {"ok": "✓", "kink": "kink", "differs": "✗ differs", "singular": "undefined"}


def _checks(section: model.Checks) -> Block:
    rows = section.rows

    def draw(k: int) -> RenderableType:
        caption = section.caption.replace("agreement within", "✓ = agrees within")
        table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), caption=caption, caption_justify="left")
        table.add_column("point")
        table.add_column("gradient")
        table.add_column("derived (final form)", justify="right")
        table.add_column("central difference", justify="right")
        table.add_column("|error|", justify="right")
        if section.verified:
            table.add_column("torch autograd", justify="right")
        table.add_column("")
        points = [point_text(row.point) for row in rows]
        for i, row in enumerate(rows[:k]):
            same_point = i > 0 and points[i] == points[i - 1]  # the point once per group of rows
            smooth = row.status in ("ok", "differs")
            cells = ["" if same_point else points[i], row.gradient.text,
                     number(row.derived) if smooth else f"torch: {number(row.derived)}",
                     number(row.difference), f"{row.error:.1e}" if smooth else "—"]
            if section.verified:
                cells.append(number(row.autograd))
            cells.append(_STATUS[row.status])
            last_of_point = i + 1 < len(rows) and points[i + 1] != points[i]
            table.add_row(*map(Text, cells), style="yellow" if row.status in ("kink", "singular") else None,
                          end_section=last_of_point)
        return table

    return Block(section.heading, len(rows), draw)


WRITERS: dict[type, Callable[..., Block]] = {
    model.Definition: _definition, model.Lines: _steps, model.Stages: _stages,
    model.Kinks: _kinks, model.Checks: _checks,
}


def document(parts: list[Block]) -> RenderableType:
    """Every block in full."""
    return Group(*(section(b, b.size) for b in parts))


def section(block: Block, k: int) -> RenderableType:
    return Group(Rule(Text(block.heading, style="bold"), align="left", style="blue"), block.draw(k), Text(""))
