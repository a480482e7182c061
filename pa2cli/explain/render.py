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
from pa2cli.explain.checks import STEP, TOLERANCE
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


def pretty(expression: str) -> str:
    """Expression text as read on screen: powers as ^, products as ·."""
    return expression.replace("**", "^").replace(" * ", " · ").replace("*", "·")


def stage_symbol(text: str, name: str) -> str:
    """How a stage is written in its own text ("σ" for "σ = 1/w"), else its name."""
    left = text.split("=", 1)[0].strip()
    return left if "=" in text and 0 < len(left) <= 4 else name


def point_text(point) -> str:
    return ", ".join(f"{name} = {number(value)}" for name, value in point)


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


def _definition(topic: Topic) -> Block:
    items: list[RenderableType] = [Text(line) for line in topic.definition]
    for function in topic.functions:
        items.append(Text.assemble(("  ", ""), (function.text, "bold")))
    for v in topic.variables:
        shape = "scalar" if not v.shape else f"vector of {v.shape[0]}"
        items.append(Text.assemble(("  • ", "dim"), (v.name, "bold"), f" — {v.description} ",
                                   (f"({v.kind}, {shape}; sample {number(v.sample)})", "dim")))
    return Block(f"{topic.title} — definition", len(items), _lines(items))


def _decomposition(explanation: Explanation) -> Block:
    topic = explanation.topic
    d = topic.decomposition
    at = point_text(explanation.sample)
    function = topic.function(d.function)

    def draw(k: int) -> RenderableType:
        table = Table(title=f"{function.id} in primitive stages, at {at}", title_justify="left",
                      box=box.SIMPLE_HEAD, padding=(0, 1))
        table.add_column("stage (op)")
        table.add_column("value", justify="right", style="cyan")
        table.add_column("local derivative")
        table.add_column("value", justify="right", style="cyan")
        table.add_column(f"adjoint ∂{function.id}/∂stage")
        table.add_column("value", justify="right", style="cyan")
        symbols = {row.stage.name: stage_symbol(row.stage.text, row.stage.name) for row in explanation.stages}
        for row in explanation.stages[:k]:
            stage = Text(row.stage.text + "  ")
            stage.append(f"({row.stage.op})", style="dim")
            table.add_row(stage, *map(Text, (
                number(row.value),
                "\n".join(f"∂{symbols[row.stage.name]}/∂{symbols.get(src, src)} = {pretty(text)}"
                          for src, text, _ in row.local),
                "\n".join(number(value) for _, _, value in row.local),
                pretty(row.stage.adjoint.text), number(row.adjoint))))
        return table

    return Block("Decomposition into primitive operations", len(explanation.stages), draw)


def _kinks(explanation: Explanation) -> Block:
    topic = explanation.topic
    if not explanation.kinks:
        return Block("Non-differentiable points", 1, lambda k: Text(topic.smooth))
    items: list[RenderableType] = []
    for row in explanation.kinks:
        text = Text.assemble(("at ", "dim"), (point_text(row.point), "bold"), ": ", row.kink.text)
        text.append(f"\n    torch autograd returns {row.kink.check.label} = {number(row.torch_value)}")
        if row.autograd is not None:
            text.append(f"   (measured now: {number(row.autograd)})", style="green")
        items.append(text)
    if topic.smooth:
        items.append(Text(topic.smooth))
    return Block("Non-differentiable points", len(items), _lines(items))


def _checks(explanation: Explanation) -> Block:
    rows = explanation.checks

    def draw(k: int) -> RenderableType:
        caption = (f"central difference with h = {STEP:g}; ✓ = agrees within {TOLERANCE:g} (relative); "
                   "at a kink the difference averages the two one-sided slopes")
        table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), caption=caption, caption_justify="left")
        table.add_column("point")
        table.add_column("gradient")
        table.add_column("derived (final form)", justify="right")
        table.add_column("central difference", justify="right")
        table.add_column("|Δ|", justify="right")
        if explanation.verified:
            table.add_column("torch autograd", justify="right")
        table.add_column("")
        for row in rows[:k]:
            cells = [point_text(row.point), row.label, number(row.derived), number(row.difference),
                     f"{row.error:.1e}"]
            if explanation.verified:
                cells.append(number(row.autograd))
            cells.append("kink" if row.kink else ("✓" if row.agrees else "✗ differs"))
            table.add_row(*map(Text, cells), style="yellow" if row.kink else None)
        return table

    return Block("Numeric check (computed now)", len(rows), draw)


def document(parts: list[Block]) -> RenderableType:
    """Every block in full."""
    return Group(*(section(b, b.size) for b in parts))


def section(block: Block, k: int) -> RenderableType:
    return Group(Rule(Text(block.heading, style="bold"), align="left", style="blue"), block.draw(k), Text(""))
