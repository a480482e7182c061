"""Is a typed number right? Tolerances, how far off a wrong answer is, and grading answer sheets.

A `Tolerance` accepts |given − expected| ≤ atol + rtol·|expected| (default rtol 1e-3, atol 1e-6),
or, with `sigfig` N, an answer within half a unit of the N-th significant figure of the
expected value. Answers are read with pa2cli.expr (numbers, fractions, arithmetic; never eval).
`load_sheet`/`check_sheet` read and grade a `{quantity: value}` sheet for `--check` (a wrong
value with how far off it is, an unknown name with the closest real one). Unknown names cost
little however many there are: their values are not evaluated, and only the first
`SHOWN_UNKNOWN` are listed (with a suggestion each) and the rest counted.
Nothing here prints; the tables are drawn by report.py.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pa2cli.backprop.jsonfile import describe, duplicates_of, read_json
from pa2cli.errors import UserError, excerpt, shown_name
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


DISPLAY_PRECISION = 0.005  # a number in an example this close to an answer would show it


def gives_away(number: float, answers, tolerance: Tolerance) -> bool:
    """True if `number` (one shown in an example answer) is within display precision or the
    tolerance of one of `answers`: the example would hand that answer over."""
    return any(abs(number - answer) <= DISPLAY_PRECISION or tolerance.accepts(number, answer)
               for answer in answers)


_DECIMAL_COMMA = re.compile(r"\s*-?\d+,\d+\s*")


def read_answer(text: str, names: Mapping[str, float] | None = None) -> float:
    """A typed answer as a number: `0.3775`, `3/8`, `1/(1+exp(-0.3775))`, or with `names`
    standing for their values (`w1*i1 + b1`); ExprError (UnknownName for a name without a
    value) if not."""
    if _DECIMAL_COMMA.fullmatch(text):
        raise ExprError(f"write decimals with a point: {text.strip().replace(',', '.')}")
    return evaluate_number(text, names)


def percent_off(given: float, expected: float) -> str:
    """How far off in percent, as every report writes it (`--check`, `--hide-answers`, the quiz,
    the drill): one significant figure (`3%`, `20%`, `200%`), and `under 1%` below 1%. One
    figure and the floor keep the answer from being worked back from a hidden report: `0.7%`
    would pin the correct value within 0.05%, inside the default tolerance. `expected` ≠ 0."""
    percent = abs((given - expected) / expected) * 100
    if percent < 1:
        return "under 1%"
    return f"{float(f'{percent:.1g}'):g}%"


def how_far(given: float, expected: float) -> str:
    """`0.3 is 0.0775 too low (20% off)`: restates the answer and the size of the error."""
    difference = given - expected
    direction = "too high" if difference > 0 else "too low"
    text = f"{given:.10g} is {abs(difference):.3g} {direction}"
    if expected != 0:
        percent = abs(difference / expected) * 100
        if percent < 1000:
            text += f" ({percent_off(given, expected)} off)"
        else:
            text += f" (off by {percent / 100:.3g} times the correct value)"
    if expected != 0 and given != 0 and math.isclose(given, -expected, rel_tol=1e-3):
        text += "; check the sign"
    return text


def how_far_hidden(given: float, expected: float) -> str:
    """`too high by about 3%`: how far off, without any number the correct value follows from
    (percent_off's rounding, or 'by far' beyond 100%; no 'check the sign', which would give the
    correct value away as minus the answer)."""
    direction = "too high" if given > expected else "too low"
    if expected == 0:
        return direction
    if abs((given - expected) / expected) > 1:
        return f"{direction} by far (more than 100% off)"
    percent = percent_off(given, expected)
    return f"{direction} by {percent}" if percent.startswith("under") else \
        f"{direction} by about {percent}"


def how_far_retry(given: float, expected: float) -> str:
    """`0.6 is too high by about 1%`: the quiz's and the drill's word on a wrong try. It never
    states the difference (`0.6 is 0.00673 too high` gave the answer away by one subtraction,
    so a retry tested nothing); how_far_hidden's rounding says only how far, in words."""
    return f"{given:.10g} is {how_far_hidden(given, expected)}"


@dataclass(frozen=True)
class Graded:
    name: str
    given: float
    expected: float
    correct: bool
    how_far: str = ""  # for a wrong value: how_far(given, expected)


SHOWN_UNKNOWN = 5  # unknown names listed (with a suggestion) in a --check report


@dataclass(frozen=True)
class SheetReport:
    graded: list[Graded]
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    suggestions: dict[str, str] = field(default_factory=dict)  # unknown name -> a close known one

    @property
    def all_correct(self) -> bool:
        return not self.unknown and all(g.correct for g in self.graded)


SHEET_FIX = 'Write {"z_h1": 0.3775, ...}; `pa2 backprop --json` lists every quantity name.'


def load_sheet(path: str | Path, known: Collection[str] | None = None,
               names: Mapping[str, float] | None = None) -> dict[str, float | None]:
    """Read `{quantity: number or expression}`; a malformed sheet is a UserError (exit 2).
    An expression may use `names` (the network's given values: `"w1*i1 + w2*i2 + b1"`).

    With `known` (the quantity names), a value under another name is checked for its type but
    not evaluated (it is reported as unknown, not graded) and comes back as None."""
    label = str(path)
    data = read_json(path, SHEET_FIX)
    if not isinstance(data, dict):
        raise UserError(f"the answer sheet must be a JSON object {{quantity: value}}, got "
                        f"{describe(data)}", where=label, fix=SHEET_FIX)
    if not data:
        raise UserError("the answer sheet gives no values", where=label, fix=SHEET_FIX)
    for name in duplicates_of(data):
        raise UserError("the name is given twice", where=f"{label}: {shown_name(name)}",
                        fix="Keep one value per quantity.")
    sheet: dict[str, float | None] = {}
    for name, value in data.items():
        where = f"{label}: {shown_name(name)}"
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise UserError(f"expected a number or an expression, got {describe(value)}",
                            where=where, fix='Write e.g. 0.3775 or "3/8".')
        if known is not None and name not in known:
            sheet[name] = None
            continue
        try:
            sheet[name] = read_answer(value, names) if isinstance(value, str) else float(value)
        except (ExprError, OverflowError) as exc:
            raise UserError(str(exc) or "too large", where=where,
                            fix="Write a number or an arithmetic expression.") from None
        if not math.isfinite(sheet[name]):
            raise UserError(f"expected a finite number, got {excerpt(value)}", where=where,
                            fix="Write a number such as 0.3775.")
    return sheet


def check_sheet(sheet: dict[str, float | None], expected: dict[str, float],
                tolerance: Tolerance) -> SheetReport:
    """Grade every known name in `sheet` against `expected` (in `expected`'s order); suggest a
    close known name for the first SHOWN_UNKNOWN unknown ones."""
    graded = []
    for name, value in expected.items():
        if name in sheet:
            correct = tolerance.accepts(sheet[name], value)
            graded.append(Graded(name, sheet[name], value, correct,
                                 "" if correct else how_far(sheet[name], value)))
    unknown = [name for name in sheet if name not in expected]
    missing = [name for name in expected if name not in sheet]
    suggestions = {}
    for name in unknown[:SHOWN_UNKNOWN]:
        if len(name) > 64:
            continue  # longer than any quantity name: no suggestion (difflib's cost grows)
        close = difflib.get_close_matches(name, missing or list(expected), n=1, cutoff=0.6)
        if close:
            suggestions[name] = close[0]
    return SheetReport(graded, unknown, missing, suggestions)
