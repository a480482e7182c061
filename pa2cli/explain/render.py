"""Rich renderables for a `pa2 explain` topic: the explanation as a sequence
of blocks (definition, derivation, decomposition, chain rule, final form, non-differentiable
points, numeric check, optional plot), each revealable one line (or table row) at a time.

It only formats values that worked.py computed; it never evaluates an expression, never
computes a number, and never prints (the caller prints the renderables).
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

from pa2cli.content import Step, Topic
from pa2cli.explain.checks import NOISE, STEP, TOLERANCE
from pa2cli.explain.symbols import check_label, function_symbols, variable_symbols
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


def denoised(difference) -> np.ndarray:
    """A central difference for display: entries smaller than NOISE (rounding) as exact zeros."""
    array = np.asarray(difference, dtype=float)
    return np.where(np.abs(array) < NOISE, 0.0, array)


def pretty(expression: str) -> str:
    """Expression text as read on screen: powers as ^, products as ·."""
    return expression.replace("**", "^").replace(" * ", " · ").replace("*", "·")


def stage_symbol(text: str, name: str) -> str:
    """How a stage is written in its own text ("σ" for "σ = 1/w"), else its name."""
    left = text.split("=", 1)[0].strip()
    return left if "=" in text and 0 < len(left) <= 4 else name


def point_text(point, symbols: dict[str, str] | None = None) -> str:
    """`name = value, …`, each name written as its symbol when `symbols` gives one."""
    symbols = symbols or {}
    return ", ".join(f"{symbols.get(name, name)} = {number(value)}" for name, value in point)


def _lines(items: list[RenderableType]) -> Callable[[int], RenderableType]:
    return lambda k: Group(*items[:k])


def _step_body(step: Step, value=None) -> Text:
    body = Text(step.text, style="bold")
    if step.rule:
        body.append("\n↳ ", style="dim")
        body.append(step.rule, style="italic")
    if value is not None:
        body.append(f"\n= {number(value)} at the sample", style="cyan")
    if step.note:
        body.append("\n")
        body.append(step.note, style="dim")
    return body


def _steps(steps: tuple[Step, ...], values=None) -> Callable[[int], RenderableType]:
    """Numbered lines with their rules, in one grid (wrapped text stays indented)."""
    bodies = [_step_body(step, None if values is None else values[i]) for i, step in enumerate(steps)]

    def draw(k: int) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=3, justify="right", style="dim")
        grid.add_column(ratio=1)
        for i, body in enumerate(bodies[:k], 1):
            grid.add_row(str(i), body)
        return grid

    return draw


# ----------------------------------------------------------------------------- blocks
def blocks(explanation: Explanation, plot: RenderableType | None = None) -> list[Block]:
    topic = explanation.topic
    result = [
        _definition(topic),
        Block("Direct derivation", len(topic.derivation), _steps(topic.derivation)),
        _decomposition(explanation),
        Block("Chain rule through the stages", len(topic.decomposition.chain),
              _steps(topic.decomposition.chain, explanation.chain_values)),
        Block("Final form", len(topic.final), _steps(topic.final)),
        _kinks(explanation),
        _checks(explanation),
    ]
    if plot is not None:
        result.append(Block("Plot", 1, lambda k: plot))
    return result


def _hanging(marker: str, body: Text) -> RenderableType:
    """`body` after `marker`, with wrapped lines indented under the body, not under the marker."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=len(marker), justify="right", style="dim")
    grid.add_column(ratio=1)
    grid.add_row(marker, body)
    return grid


def _definition(topic: Topic) -> Block:
    items: list[RenderableType] = [Text(line) for line in topic.definition]
    for function in topic.functions:
        items.append(_hanging("  ", Text(function.text, style="bold")))
    for v in topic.variables:
        shape = "scalar" if not v.shape else f"vector of {v.shape[0]}"
        named = f" (`{v.name}` in expressions)" if v.symbol and v.symbol != v.name else ""
        items.append(_hanging("  •", Text.assemble((v.symbol or v.name, "bold"), f" — {v.description} ",
                                                    (f"({v.kind}, {shape}; sample {number(v.sample)}){named}", "dim"))))
    return Block(f"{topic.title} — definition", len(items), _lines(items))


def _decomposition(explanation: Explanation) -> Block:
    topic = explanation.topic
    d = topic.decomposition
    variables = variable_symbols(topic)
    at = point_text(explanation.sample, variables)
    function = function_symbols(topic)[d.function]

    def draw(k: int) -> RenderableType:
        table = Table(title=f"{function} in primitive stages, at {at}", title_justify="left",
                      box=box.SIMPLE_HEAD, padding=(0, 1))
        table.add_column("stage (op)", max_width=24)
        table.add_column("value", justify="right", style="cyan")
        table.add_column("local derivative = value")
        table.add_column(f"adjoint ∂{function}/∂stage = value")
        symbols = {row.stage.name: stage_symbol(row.stage.text, row.stage.name) for row in explanation.stages}
        for row in explanation.stages[:k]:
            stage = Text(row.stage.text + "  ", style="bold")
            stage.append(f"({row.stage.op})", style="dim")
            local = Text("\n").join(
                _with_value(f"∂{symbols[row.stage.name]}/∂{symbols.get(src, variables.get(src, src))} = "
                            f"{pretty(text)}", value)
                for src, text, value in row.local)
            table.add_row(stage, Text(number(row.value)), local,
                          _with_value(pretty(row.stage.adjoint.text), row.adjoint))
        return table

    return Block("Decomposition into primitive operations", len(explanation.stages), draw)


def _with_value(expression: str, value) -> Text:
    """`expression = value`, the value in colour (a vector on its own line); just the expression
    when it is its own value."""
    text = Text(expression)
    shown = number(value)
    if expression.rsplit("= ", 1)[-1] != shown:
        text.append("\n  = " if np.ndim(value) else " = ")
        text.append(shown, style="cyan")
    return text


def _kinks(explanation: Explanation) -> Block:
    topic = explanation.topic
    if not explanation.kinks:
        return Block("Non-differentiable points", 1, lambda k: Text(topic.smooth))
    items: list[RenderableType] = []
    for row in explanation.kinks:
        text = Text.assemble(("at ", "dim"), (point_text(row.point, variable_symbols(topic)), "bold"), ": ",
                             row.kink.text)
        text.append(f"\n    torch autograd returns {check_label(topic, row.kink.check)} = {number(row.torch_value)}")
        if row.autograd is not None:
            text.append(f"   (measured now: {number(row.autograd)})", style="green")
        items.append(text)
    if topic.smooth:
        items.append(Text(topic.smooth))
    return Block("Non-differentiable points", len(items), _lines(items))


def _checks(explanation: Explanation) -> Block:
    rows = explanation.checks
    topic = explanation.topic
    variables = variable_symbols(topic)

    def draw(k: int) -> RenderableType:
        caption = (f"central difference with h = {STEP:g} (sizes below {NOISE:g} are rounding, shown as 0); "
                   f"|error| = largest |derived − difference|; ✓ = agrees within {TOLERANCE:g} (relative); "
                   "at a kink the difference averages the two one-sided slopes")
        table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), caption=caption, caption_justify="left")
        table.add_column("point")
        table.add_column("gradient")
        table.add_column("derived (final form)", justify="right")
        table.add_column("central difference", justify="right")
        table.add_column("|error|", justify="right")
        if explanation.verified:
            table.add_column("torch autograd", justify="right")
        table.add_column("")
        points = [point_text(row.point, variables) for row in rows]
        for i, row in enumerate(rows[:k]):
            same_point = i > 0 and points[i] == points[i - 1]  # the point once per group of rows
            cells = ["" if same_point else points[i], check_label(topic, row.check), number(row.derived),
                     number(denoised(row.difference)), f"{row.error:.1e}"]
            if explanation.verified:
                cells.append(number(row.autograd))
            cells.append("kink" if row.kink else ("✓" if row.agrees else "✗ differs"))
            last_of_point = i + 1 < len(rows) and points[i + 1] != points[i]
            table.add_row(*map(Text, cells), style="yellow" if row.kink else None, end_section=last_of_point)
        return table

    return Block("Numeric check (computed now)", len(rows), draw)


def document(parts: list[Block]) -> RenderableType:
    """Every block in full."""
    return Group(*(section(b, b.size) for b in parts))


def section(block: Block, k: int) -> RenderableType:
    return Group(Rule(Text(block.heading, style="bold"), align="left", style="blue"), block.draw(k), Text(""))
