"""The drill's conversation: ask each question of drill.py, read and grade typed answers.

Keys as in the backprop quiz: an answer is a number or an expression (`0.25`, `1/4`,
`exp(-0.5)`), a vector is `[a, b, c]` (or `a, b, c`) or a vector expression
(`softmax([2.96, -1.08, -0.56]) - [0, 1, 0]`); the keys line's examples are chosen to equal no
answer of the drill. `?` shows the next line of the derivation as a hint, `s` reveals the answer
and moves on, `q` stops. Answers are read with pa2cli.expr (never eval) and graded per component
with backprop.grading.Tolerance. At a kink, where the derivative does not exist, `undefined` is
right and so is any subgradient the topic's subdifferential holds; the feedback says why and what
PyTorch's autograd returns there. The score is recorded in the
progress file (through the `record` callback) before it is shown, also after SIGTERM/SIGHUP.
No maths of its own; never imports torch.
"""

from __future__ import annotations

import math
import re

import numpy as np
from rich.console import Console
from rich.text import Text

from pa2cli.backprop.grading import Tolerance, gives_away, how_far_retry
from pa2cli.errors import excerpt
from pa2cli.explain.drill import Question, accepts, expected_text, is_subgradient
from pa2cli.expr import MAX_LENGTH, ExprError, evaluate
from pa2cli.stops import exit_status, signals_stop

KEYS = ("Type a number or an expression ({examples}), a vector as [a, b, c] or as an "
        "expression ({vector}).\n"
        "? next line of the derivation · s reveal and move on · q quit")
# The examples on the keys line: the first set in which no number equals an answer of the drill.
EXAMPLES = (("0.25", "1/4", "exp(-0.5)"), ("0.37", "3/8", "exp(-1.2)"),
            ("0.83", "5/16", "exp(-2.1)"), ("1.46", "7/16", "exp(-0.9)"),
            ("0.58", "9/16", "exp(-1.7)"), ("2.15", "11/16", "exp(-2.6)"))
VECTOR_EXAMPLES = ("softmax([1, 2]) - [0, 1]", "softmax([1, 3]) - [1, 0]",
                   "sigmoid([0.4, 2.2])", "tanh([1.3, -2.4])")
FIRST_TRY, LATER, REVEALED = "first try", "after a retry or hint", "revealed"
_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")
UNDEFINED = ("undefined", "undef", "does not exist", "doesn't exist", "dne", "not defined", "no derivative")


class StopDrill(Exception):
    """The student typed q."""


def _shown_numbers(text: str) -> list[float]:
    """The numbers an example shows: its literals (not 0 or 1) and each component of its value,
    each with its negative."""
    literals = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text) if float(x) not in (0, 1)]
    with np.errstate(all="ignore"):
        value = np.asarray(evaluate(text), dtype=float).reshape(-1)
    shown = [*literals, *map(float, value)]
    return [*shown, *(-x for x in shown)]


def keys_line(questions: list[Question], tolerance: Tolerance) -> str:
    """The keys line, with examples none of whose numbers is within display precision or the
    tolerance of an answer of this drill (grading.gives_away); without numbers if all are."""
    answers = [float(v) for q in questions for v in q.expected.reshape(-1) if math.isfinite(v)]

    def safe(texts) -> bool:
        return not any(gives_away(x, answers, tolerance)
                       for text in texts for x in _shown_numbers(text))

    examples = next((", ".join(e) for e in EXAMPLES if safe(e)), "fractions, exp(…), log(…)")
    vector = next((v for v in VECTOR_EXAMPLES if safe([v])), "softmax([…]) - […]")
    return KEYS.format(examples=examples, vector=vector)


def has_top_level_comma(text: str) -> bool:
    """True if a comma stands outside every bracket: `1, 2, 3` or `[1, 2], [3, 4]`, not
    `softmax([1, 2]) - [0, 1]`. Text longer than an expression may be is left as it is (the
    evaluator refuses it by its length)."""
    if len(text) > MAX_LENGTH:
        return False
    depth = 0
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            return True
    return False


def read_answer(text: str, shape: tuple[int, ...]) -> np.ndarray:
    """A typed answer as an array of `shape`; ExprError with a plain reason otherwise."""
    text = text.strip()
    if not shape and _DECIMAL_COMMA.match(text):
        raise ExprError(f"write decimals with a point: {text.replace(',', '.')}")
    if shape and has_top_level_comma(text):
        text = f"[{text}]"  # `1, 2, 3` is the list [1, 2, 3]; `softmax([…]) - [0, 1, 0]` stays
    try:
        with np.errstate(all="ignore"):
            value = np.asarray(evaluate(text), dtype=float)
    except ExprError:
        raise
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise ExprError(f"cannot be evaluated ({exc})") from None
    if value.shape != shape:
        want = "one number" if not shape else f"{math.prod(shape)} numbers as [a, b, …]"
        got = "one number" if not value.shape else "a nested list" if value.ndim > 1 else \
            f"{value.size} number{'s' if value.size != 1 else ''} in brackets"
        raise ExprError(f"expected {want}, got {got}")
    if np.any(np.isinf(value)):
        raise ExprError("the answer is infinite")
    return value


def _components_off(question: Question, value: np.ndarray, tolerance: Tolerance) -> str:
    if not question.shape:
        return how_far_retry(float(value), float(question.expected))
    pairs = list(zip(value.reshape(-1), question.expected.reshape(-1)))
    wrong = [i for i, (got, want) in enumerate(pairs) if not accepts_one(got, want, tolerance)]
    head = f"component{'s' if len(wrong) > 1 else ''} " \
           f"{', '.join(str(i + 1) for i in wrong)} of {value.size} off"
    if len(wrong) > 2 or any(math.isnan(pairs[i][0]) or math.isnan(pairs[i][1]) for i in wrong):
        return head
    return head + ": " + "; ".join(
        f"[{i + 1}] {how_far_retry(float(pairs[i][0]), float(pairs[i][1]))}" for i in wrong)


def accepts_one(got: float, want: float, tolerance: Tolerance) -> bool:
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    return tolerance.accepts(float(got), float(want))


class Drill:
    def __init__(self, questions: list[Question], tolerance: Tolerance, console: Console,
                 reader, again: str, record=None):
        self.questions, self.tolerance, self.console = questions, tolerance, console
        self.reader, self.again = reader, again
        self.record = record  # record(right first try, asked) when it ends, before the score
        self.outcomes: list[str] = []

    def run(self) -> int:
        """Ask every question; returns 0 (finished or q or end of input), 130 (Ctrl-C) or
        128 + N (signal N: SIGTERM, SIGHUP, pa2cli.stops)."""
        with signals_stop():
            self.console.print(Text(keys_line(self.questions, self.tolerance), style="dim"))
            try:
                for number, question in enumerate(self.questions, start=1):
                    self.outcomes.append(self._ask(number, question))
            except (StopDrill, EOFError, KeyboardInterrupt) as stop:
                self._record()  # first: after SIGHUP the terminal may be gone
                self.console.print()
                self._score(finished=False)
                return exit_status(stop) if isinstance(stop, KeyboardInterrupt) else 0
            self._record()
            self._score(finished=True)
            return 0

    def _record(self) -> None:
        if self.record is not None and self.outcomes:
            self.record(self.right_first_try, len(self.outcomes))

    @property
    def right_first_try(self) -> int:
        return sum(outcome == FIRST_TRY for outcome in self.outcomes)

    def _score(self, finished: bool) -> None:
        asked = len(self.outcomes)
        later = sum(o == LATER for o in self.outcomes)
        revealed = sum(o == REVEALED for o in self.outcomes)
        head = "Done" if finished else f"Stopped after {asked} of {len(self.questions)}"
        self.console.print(Text(f"{head}: {self.right_first_try} of {asked} right at the first "
                                f"try, {later} after a retry or hint, {revealed} revealed.",
                                style="bold"))
        self.console.print(f"Same questions again: {self.again}", soft_wrap=True)

    def _ask(self, number: int, question: Question) -> str:
        label = question.label
        self.console.print(Text.assemble(
            (f"[{number}/{len(self.questions)}] ", "dim"), (label, "bold cyan"),
            f" at {question.shown_point()}", (f"   ({question.answer_form()})", "dim")))
        hints_shown, tries = 0, 0
        self.reader.new_question()  # bounds the tries one question takes from a pipe
        while True:
            answer = self.reader.ask(f"{label} = ").strip()
            command = answer.lower()
            if command in ("?", "hint"):
                hints_shown = self._hint(question, hints_shown)
                continue
            if command == "s":
                self.console.print(f"  answer: {label} = {expected_text(question)}",
                                   style="yellow", highlight=False)
                self._why(question)
                return REVEALED
            if command == "q":
                raise StopDrill
            if not answer:
                self.console.print("  Type a number or an expression (? hint, s reveal, q quit).")
                continue
            if command.rstrip(".!") in UNDEFINED:
                if question.kink is not None:
                    self.console.print(Text("  ✓ correct: the derivative does not exist here. ", style="green")
                                       + Text(f"PyTorch's autograd returns {label} = {expected_text(question)}."))
                    self._why(question)
                    return FIRST_TRY if tries == 0 and hints_shown == 0 else LATER
                tries += 1
                self.console.print("  ✗ not quite: the derivative exists here; type its value "
                                   "(? for the next line of the derivation).", style="red", highlight=False)
                continue
            try:
                value = read_answer(answer, question.shape)
            except ExprError as exc:
                self.console.print(f"  Could not read {excerpt(answer)}: {exc}. Try again.",
                                   style="red", highlight=False, markup=False)
                continue
            if accepts(question, value, self.tolerance):
                self.console.print(Text("  ✓ correct. ", style="green")
                                   + Text(f"{label} = {expected_text(question)}"))
                self._why(question)
                return FIRST_TRY if tries == 0 and hints_shown == 0 else LATER
            if is_subgradient(question, value, self.tolerance):
                self.console.print(Text("  ✓ accepted: a subgradient (the derivative does not exist here). ",
                                        style="green")
                                   + Text(f"PyTorch's autograd returns {label} = {expected_text(question)}."))
                self._why(question)
                return FIRST_TRY if tries == 0 and hints_shown == 0 else LATER
            tries += 1
            self.console.print(f"  ✗ not quite: {_components_off(question, value, self.tolerance)}.",
                               style="red", highlight=False)
            if question.kink is not None:
                self.console.print(f"  This point is a kink: {question.kink.text} Type undefined, "
                                   "a subgradient, or the value PyTorch's autograd returns here.",
                                   highlight=False)
            self.console.print("  Type ? for the next line of the derivation, s to reveal, "
                               "or try again.")

    def _hint(self, question: Question, shown: int) -> int:
        if shown >= len(question.hints):
            self.console.print("  No more hints: that was the final form. s reveals the answer.")
            return shown
        step = question.hints[shown]
        rule = f"   ({step.rule})" if step.rule else ""
        self.console.print(f"  hint {shown + 1}/{len(question.hints)}: {step.text}{rule}",
                           style="yellow", highlight=False)
        return shown + 1

    def _why(self, question: Question) -> None:
        """At a kink: why the answer is what it is (the derivative does not exist there)."""
        if question.kink is None:
            return
        self.console.print(f"  Why: {question.kink.text} PyTorch's autograd returns "
                           f"{expected_text(question)} here.", style="dim", highlight=False)
