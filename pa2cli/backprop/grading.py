"""Is a typed number right? Tolerances, how far off a wrong answer is, and grading answer sheets.

A `Tolerance` accepts |given − expected| ≤ atol + rtol·|expected| (default rtol 1e-3, atol 1e-6),
or, with `sigfig` N, an answer within half a unit of the N-th significant figure of the
expected value. Answers are read with pa2cli.expr (numbers, fractions, arithmetic; never eval).
`load_sheet`/`check_sheet` read and grade a `{quantity: value}` sheet for `--check`.
Nothing here prints; the tables are drawn by report.py.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from pa2cli.errors import UserError
from pa2cli.expr import ExprError, evaluate_number


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-3
    atol: float = 1e-6
    sigfig: int | None = None

    def accepts(self, given: float, expected: float) -> bool:
        return abs(given - expected) <= self.allowed(expected)

    def allowed(self, expected: float) -> float:
        """The largest accepted |given − expected|."""
        if self.sigfig is None or expected == 0:
            return self.atol + self.rtol * abs(expected)
        place = math.floor(math.log10(abs(expected))) - self.sigfig + 1
        return 0.5 * 10.0**place * (1 + 1e-9)  # the 1e-9 forgives binary rounding of the answer

    def describe(self) -> str:
        if self.sigfig is not None:
            return f"{self.sigfig} significant figures"
        return f"relative {self.rtol:g}, absolute {self.atol:g}"


def read_answer(text: str) -> float:
    """A typed answer as a number: `0.3775`, `3/8`, `1/(1+exp(-0.3775))`; ExprError if not."""
    return evaluate_number(text)


def how_far(given: float, expected: float) -> str:
    """`0.38 is 0.0025 too high (0.66% off)`: restates the answer and the size of the error."""
    difference = given - expected
    direction = "too high" if difference > 0 else "too low"
    text = f"{given:.10g} is {abs(difference):.3g} {direction}"
    if expected != 0:
        ratio = abs(difference / expected)
        text += f" ({100 * ratio:.2g}% off)" if ratio < 1 else f" ({ratio:.3g}× the answer's size)"
    if expected != 0 and given != 0 and math.isclose(given, -expected, rel_tol=1e-3):
        text += "; check the sign"
    return text


@dataclass(frozen=True)
class Graded:
    name: str
    given: float
    expected: float
    correct: bool


@dataclass(frozen=True)
class SheetReport:
    graded: list[Graded]
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def all_correct(self) -> bool:
        return not self.unknown and all(g.correct for g in self.graded)


def load_sheet(path: str | Path) -> dict[str, float]:
    """Read `{quantity: number or expression}`; a malformed sheet is a UserError (exit 2)."""
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the file ({exc.__class__.__name__})", where=label) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                        where=label, fix='Write {"z_h1": 0.3775, ...}.') from None
    if not isinstance(data, dict):
        raise UserError("the answer sheet must be a JSON object {quantity: value}", where=label,
                        fix="Run `pa2 backprop --json` to see every quantity name.")
    sheet = {}
    for name, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise UserError(f"expected a number or an expression, got {json.dumps(value)}",
                            where=f"{label}: {name}", fix="Write e.g. 0.3775 or \"3/8\".")
        try:
            sheet[name] = read_answer(str(value))
        except ExprError as exc:
            raise UserError(str(exc), where=f"{label}: {name}",
                            fix="Write a number or an arithmetic expression.") from None
    return sheet


def check_sheet(sheet: dict[str, float], expected: dict[str, float],
                tolerance: Tolerance) -> SheetReport:
    """Grade every known name in `sheet` against `expected` (in `expected`'s order)."""
    graded = [Graded(name, sheet[name], value, tolerance.accepts(sheet[name], value))
              for name, value in expected.items() if name in sheet]
    unknown = [name for name in sheet if name not in expected]
    missing = [name for name in expected if name not in sheet]
    return SheetReport(graded, unknown, missing)
