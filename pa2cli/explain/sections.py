"""One section model for a topic: what `pa2 explain` shows, built once from an Explanation and
walked by every writer (terminal: render.py; Markdown and LaTeX: formats.py).

Every label is made here once, in both forms a writer needs (`Maths.text` in Unicode for the
terminal, `Maths.latex` for Markdown and LaTeX): the symbols of variables, functions and stages,
gradient labels (∂L/∂ŷ), local derivatives and adjoints. Writers only lay these out. Nothing here
evaluates maths (the numbers come from worked.py) or prints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pa2cli.content import Check, Step, Topic
from pa2cli.explain.checks import NOISE, STEP, TOLERANCE
from pa2cli.explain.prose import maths_latex, unicode_maths
from pa2cli.explain.symbols import check_label, function_symbols, variable_symbols
from pa2cli.explain.worked import Explanation


@dataclass(frozen=True)
class Maths:
    """One formula or symbol: `text` for the terminal (Unicode), `latex` for documents."""

    text: str
    latex: str


Point = tuple[tuple[Maths, np.ndarray], ...]  # (symbol, value) per variable


@dataclass(frozen=True)
class Line:
    """A numbered line of a derivation: the formula, why it holds, a remark, its value."""

    maths: Maths
    rule: str
    note: str
    value: np.ndarray | None = None


@dataclass(frozen=True)
class VariableLine:
    symbol: Maths
    name: str  # the name expressions use (`yhat`)
    description: str
    detail: str  # "real, vector of 4"
    sample: np.ndarray


@dataclass(frozen=True)
class Definition:
    heading: str
    paragraphs: tuple[str, ...]
    formulas: tuple[Maths, ...]
    variables: tuple[VariableLine, ...]


@dataclass(frozen=True)
class Lines:
    heading: str
    lines: tuple[Line, ...]
    numbered: bool = True


@dataclass(frozen=True)
class Derivative:
    """`label = expression = value`, e.g. ∂σ/∂w = −1/w² = −0.19."""

    label: Maths
    expression: Maths
    value: np.ndarray


@dataclass(frozen=True)
class StageLine:
    definition: Maths
    op: str
    value: np.ndarray
    local: tuple[Derivative, ...]
    adjoint: Derivative


@dataclass(frozen=True)
class Stages:
    heading: str
    function: Maths  # the decomposed function's symbol
    point: Point
    rows: tuple[StageLine, ...]


@dataclass(frozen=True)
class KinkLine:
    point: Point
    text: str
    formula: str  # LaTeX, may be empty
    gradient: Maths
    torch_value: np.ndarray
    autograd: np.ndarray | None


@dataclass(frozen=True)
class Kinks:
    heading: str
    rows: tuple[KinkLine, ...]
    smooth: str


@dataclass(frozen=True)
class CheckLine:
    point: Point
    gradient: Maths
    derived: np.ndarray  # the final form's value; torch's at a kink or singularity (status says which)
    difference: np.ndarray  # rounding noise already shown as 0
    error: float
    autograd: np.ndarray | None
    status: str  # "ok", "differs", "kink" or "singular" (the function is undefined there)


@dataclass(frozen=True)
class Checks:
    heading: str
    rows: tuple[CheckLine, ...]
    verified: bool
    caption: str


Section = Definition | Lines | Stages | Kinks | Checks


# ----------------------------------------------------------------------------- text helpers
def pretty(expression: str) -> str:
    """Expression text as read on screen: powers as ^, products as ·."""
    return expression.replace("**", "^").replace(" * ", " · ").replace("*", "·")


def denoised(difference) -> np.ndarray:
    """A central difference for display: entries smaller than NOISE (rounding) as exact zeros."""
    array = np.asarray(difference, dtype=float)
    return np.where(np.abs(array) < NOISE, 0.0, array)


def left_side(latex: str) -> str:
    """The LaTeX before the first top-level `=` or `(` (`L(\\hat{y}, y) = …` -> `L`)."""
    depth = 0
    for i, c in enumerate(latex):
        depth += c == "{"
        depth -= c == "}"
        if depth == 0 and (c in "=(" or latex.startswith(r"\left", i) or latex.startswith(r"\begin", i)):
            return latex[:i].strip()
    return latex.strip()


def stage_symbol(text: str, name: str) -> str:
    """How a stage is written in its own text ("σ" for "σ = 1/w"), else its name."""
    left = text.split("=", 1)[0].strip()
    return left if "=" in text and 0 < len(left) <= 4 else name


class Labels:
    """Every symbol of one topic, in Unicode and LaTeX, built once."""

    def __init__(self, topic: Topic):
        self.topic = topic
        self.variables = {v.name: Maths(s, maths_latex(s)) for v in topic.variables
                          for s in [variable_symbols(topic)[v.name]]}
        symbols = function_symbols(topic)
        self.functions = {f.id: Maths(symbols[f.id], left_side(f.latex) or maths_latex(symbols[f.id]))
                          for f in topic.functions}
        self.stages = {}
        for stage in topic.decomposition.stages:
            text = stage_symbol(stage.text, stage.name)
            latex = left_side(stage.latex)
            self.stages[stage.name] = Maths(text, latex if 0 < len(latex) <= 16 else maths_latex(text))

    def of(self, name: str) -> Maths:
        """A stage's or variable's symbol."""
        return self.stages.get(name) or self.variables.get(name) or Maths(name, maths_latex(name))

    def gradient(self, check: Check) -> Maths:
        """∂L/∂ŷ (d… for a scalar variable), or the function's symbol for a value."""
        function = self.functions[check.function]
        if check.wrt is None:
            return function
        d = r"\partial " if self.topic.variable(check.wrt).shape else "d"
        return Maths(check_label(self.topic, check),
                     f"{d}{function.latex}/{d}{self.variables[check.wrt].latex}")

    def point(self, assignments) -> Point:
        return tuple((self.variables[name], np.asarray(value)) for name, value in assignments)


def _lines(steps: tuple[Step, ...], values=None) -> tuple[Line, ...]:
    return tuple(Line(Maths(s.text, s.latex), s.rule, s.note, None if values is None else values[i])
                 for i, s in enumerate(steps))


# ----------------------------------------------------------------------------- the sections
def sections(explanation: Explanation) -> tuple[Section, ...]:
    """The seven sections of a topic, in reading order."""
    topic = explanation.topic
    labels = Labels(topic)
    return (
        _definition(topic, labels),
        Lines("Direct derivation", _lines(topic.derivation)),
        _stages(explanation, labels),
        Lines("Chain rule through the stages", _lines(topic.decomposition.chain, explanation.chain_values)),
        Lines("Final form", _lines(topic.final), numbered=False),
        _kinks(explanation, labels),
        _checks(explanation, labels),
    )


def _definition(topic: Topic, labels: Labels) -> Definition:
    rows = []
    for v in topic.variables:
        shape = "scalar" if not v.shape else f"vector of {v.shape[0]}"
        rows.append(VariableLine(labels.variables[v.name], v.name, v.description, f"{v.kind}, {shape}",
                                 np.asarray(v.sample, dtype=float)))
    return Definition(f"{topic.title} — definition", topic.definition,
                      tuple(Maths(f.text, f.latex) for f in topic.functions), tuple(rows))


def _stages(explanation: Explanation, labels: Labels) -> Stages:
    d = explanation.topic.decomposition
    function = labels.functions[d.function]
    rows = []
    for row in explanation.stages:
        stage = row.stage
        own = labels.of(stage.name)
        written = dict(stage.local_latex)
        local = tuple(Derivative(Maths(f"∂{own.text}/∂{labels.of(src).text}",
                                       rf"\partial {own.latex}/\partial {labels.of(src).latex}"),
                                 _expression(text, written.get(src, "")), value)
                      for src, text, value in row.local)
        adjoint = Derivative(Maths(f"∂{function.text}/∂{own.text}",
                                   rf"\partial {function.latex}/\partial {own.latex}"),
                             _expression(stage.adjoint.text, stage.adjoint_latex), row.adjoint)
        rows.append(StageLine(Maths(stage.text, stage.latex), stage.op, row.value, local, adjoint))
    return Stages("Decomposition into primitive operations", function, labels.point(explanation.sample), tuple(rows))


def _expression(expression: str, latex: str) -> Maths:
    """A local derivative or adjoint: typeset from the content's LaTeX (Unicode for the terminal),
    else (content without `latex`, the test fixtures) the checked expression as it is."""
    if not latex:
        return Maths(pretty(expression), r"\mathtt{" + pretty(expression).replace("_", r"\_").replace("^", r"\hat{}") + "}")
    return Maths(unicode_maths(latex) or pretty(expression), latex)


def _kinks(explanation: Explanation, labels: Labels) -> Kinks:
    rows = tuple(KinkLine(labels.point(row.point), row.kink.text, row.kink.latex, labels.gradient(row.kink.check),
                          row.torch_value, row.autograd) for row in explanation.kinks)
    return Kinks("Non-differentiable points", rows, explanation.topic.smooth)


def _checks(explanation: Explanation, labels: Labels) -> Checks:
    rows = tuple(CheckLine(labels.point(row.point), labels.gradient(row.check), row.derived,
                           denoised(row.difference), row.error, row.autograd,
                           "singular" if row.singular else "kink" if row.kink else ("ok" if row.agrees else "differs"))
                 for row in explanation.checks)
    caption = (f"central difference with h = {STEP:g} (sizes below {NOISE:g} are rounding, shown as 0); "
               f"|error| = largest |derived − difference|; agreement within {TOLERANCE:g} (relative); "
               "at a kink there is no derivative: the derived column shows what torch's autograd returns "
               "there (marked torch:) and the difference averages the two one-sided slopes"
               + ("; where the function itself is undefined (a singularity) the difference straddles it "
                  "and its value is an artefact, not a derivative" if any(r.singular for r in explanation.checks) else ""))
    return Checks("Numeric check (computed now)", rows, explanation.verified, caption)
