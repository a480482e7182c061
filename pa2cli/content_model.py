"""The typed model of `pa2 explain` content: frozen dataclasses the loader (pa2cli.content)
fills from the TOML topic files. Plain data: no I/O, no validation, no maths, no imports beyond
the standard library and the parsed `Expression` type.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pa2cli.expr import Expression

Value = float | tuple[float, ...]


@dataclass(frozen=True)
class Check:
    """What a line's expression must equal: function `function`'s value (wrt None) or its
    gradient with respect to variable `wrt`."""

    function: str
    wrt: str | None

    @property
    def label(self) -> str:
        return self.function if self.wrt is None else f"d{self.function}/d{self.wrt}"


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    kind: str
    shape: tuple[int, ...]
    range: tuple[float, float]
    sample: Value
    symbol: str = ""  # how the text writes it (ŷ for yhat); the name if empty
    choices: tuple[float, ...] = ()  # a constant's other values, drawn at random points (drills)


@dataclass(frozen=True)
class Function:
    id: str
    text: str
    latex: str
    expr: Expression
    wrt: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One line of a derivation or of the chain-rule product (`rule` justifies it) or a final
    form (`rule` is empty there)."""

    text: str
    latex: str
    rule: str
    check: Check
    expr: Expression
    note: str = ""


@dataclass(frozen=True)
class Stage:
    name: str
    op: str
    text: str
    latex: str
    expr: Expression
    local: tuple[tuple[str, Expression], ...]
    adjoint: Expression
    local_latex: tuple[tuple[str, str], ...] = ()  # each local derivative as LaTeX maths, by input
    adjoint_latex: str = ""  # the adjoint as LaTeX maths (its right-hand side)


@dataclass(frozen=True)
class Decomposition:
    function: str
    wrt: str
    stages: tuple[Stage, ...]
    chain: tuple[Step, ...]


@dataclass(frozen=True)
class Kink:
    at: tuple[tuple[str, Value], ...]
    text: str
    latex: str
    check: Check
    torch: Expression
    # The subdifferential, where the function is convex there: the set {base + Σₖ tₖ·alongₖ : tₖ ∈
    # [0, 1]} (one segment per margin term at 0). Empty where no subgradient exists (a singularity).
    subgradient_base: Expression | None = None
    subgradient_along: tuple[Expression, ...] = ()


@dataclass(frozen=True)
class Plot:
    param: str
    range: tuple[float, float]
    function: str
    wrt: str
    bind: tuple[tuple[str, Expression], ...] = ()
    component: int | None = None
    xlabel: str = ""


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    group: str
    summary: str
    aliases: tuple[str, ...]
    definition: tuple[str, ...]
    variables: tuple[Variable, ...]
    functions: tuple[Function, ...]
    derivation: tuple[Step, ...]
    decomposition: Decomposition
    final: tuple[Step, ...]
    kinks: tuple[Kink, ...]
    smooth: str
    check_points: tuple[tuple[tuple[str, Value], ...], ...]
    plot: Plot | None
    path: str
    drill_points: tuple[tuple[tuple[str, Value], ...], ...] = ()  # points every drill may ask at

    def variable(self, name: str) -> Variable:
        return next(v for v in self.variables if v.name == name)

    def function(self, function_id: str) -> Function:
        return next(f for f in self.functions if f.id == function_id)


@dataclass(frozen=True)
class ContentIndex:
    topics: tuple[str, ...]
    networks: tuple[tuple[str, str], ...]
    root: Path
    notation: tuple[str, ...] = ()  # the conventions every topic follows, stated once
    beyond: tuple[str, ...] = ()  # listed topics beyond the assignment's list (e.g. topics/bce.toml)

    @property
    def assignment_topics(self) -> tuple[str, ...]:
        return tuple(rel for rel in self.topics if rel not in self.beyond)
