"""Gradient drills (`pa2 explain TOPIC --quiz`): the questions, drawn from the topic's data.

A question asks for one gradient the topic derives (each `[[final]]` with a `wrt`) at a point:
random points (seeded, numpy's PCG64, rounded to two decimals so they can be typed; a constant
with `choices`, such as Huber's δ or the hinge's Δ, drawn from them), the topic's `drill_points`
(e.g. Huber at |r| = δ), and, when the topic has kinks, the kink's own point. There the
derivative does not exist: "undefined" is right, and so is any subgradient where the topic gives
the subdifferential; the expected answer shown is what PyTorch's autograd returns (the kink's
`torch` value).

Every expected answer comes from the topic's verified final form; at a random point it must also
agree with a central difference of the function (explain/checks.py), or the point is redrawn: a
point that falls on a kink by chance is never asked as if it were smooth. The hints are the
topic's own derivation lines for that gradient, in order. Nothing here is topic-specific, it
never prints and never imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pa2cli.content import Check, Kink, Step, Topic
from pa2cli.explain import checks, symbols

DEFAULT_QUESTIONS = 5
MAX_TRIES = 200  # redraws of a point that lands on a kink or out of a function's domain


@dataclass(frozen=True)
class Question:
    topic: Topic
    check: Check
    point: dict[str, np.ndarray]  # every variable of the topic
    expected: np.ndarray  # the final form's value (or torch's at a kink), shaped like wrt
    hints: tuple[Step, ...]  # the derivation lines for this gradient, the final form last
    kink: Kink | None = None

    @property
    def label(self) -> str:
        return symbols.check_label(self.topic, self.check)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.expected.shape)

    def shown_point(self) -> str:
        """`x = 0.37` or `ŷ = [0.25, -1.3], y = [0, 1], δ = 1`: the variables the function uses."""
        used = self.topic.function(self.check.function).expr.names
        names = symbols.variable_symbols(self.topic)
        parts = [f"{names[v.name]} = {_number_text(self.point[v.name])}"
                 for v in self.topic.variables if v.name in used]
        return ", ".join(parts)

    def answer_form(self) -> str:
        """`a number`, `4 numbers as […, …, …, …]`; at a kink, what autograd computes."""
        if not self.shape:
            form = "a number"
        else:
            blanks = ", ".join("…" for _ in range(self.shape[0])) if len(self.shape) == 1 else "…"
            form = f"{self.expected.size} numbers as [{blanks}]"
        if self.kink is None:
            return form
        other = ", or any subgradient" if self.kink.subgradient_base is not None else ""
        return form + f", as PyTorch's autograd computes it, or undefined{other}"


def _number_text(value: np.ndarray) -> str:
    value = np.asarray(value, dtype=float)
    if value.shape:
        return "[" + ", ".join(_number_text(v) for v in value) + "]"
    text = f"{float(value):.10g}"
    return "0" if text == "-0" else text


def gradient_finals(topic: Topic) -> list[Step]:
    """The final forms that give a gradient: what a drill asks for."""
    return [step for step in topic.final if step.check.wrt is not None]


def hint_lines(topic: Topic, check: Check) -> tuple[Step, ...]:
    """The derivation lines that give this gradient, in order, then its final form."""
    lines = [s for s in topic.derivation if s.check == check]
    lines += [s for s in topic.final if s.check == check]
    return tuple(lines)


def rounded_point(topic: Topic, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A random point with every real value to two decimals (a simplex still sums to 1)."""
    point = checks.random_point(topic, rng)
    for v in topic.variables:
        value = point[v.name]
        if v.kind in ("real", "positive"):
            value = np.round(value, 2)
            if v.kind == "positive":
                value = np.maximum(value, 0.01)
        elif v.kind == "simplex":
            value = np.maximum(np.round(value, 2), 0.01)
            value[-1] = round(1.0 - float(value[:-1].sum()), 2)
        point[v.name] = np.asarray(value, dtype=float)
    return point


def _smooth_question(topic: Topic, final: Step, rng: np.random.Generator) -> Question:
    for _ in range(MAX_TRIES):
        point = rounded_point(topic, rng)
        if any(v.kind == "simplex" and point[v.name].min() <= 0 for v in topic.variables):
            continue
        with np.errstate(all="ignore"):
            expected = np.broadcast_to(checks.evaluate(final.expr, point),
                                       point[final.check.wrt].shape).astype(float)
            if not np.all(np.isfinite(expected)):
                continue
            difference = checks.central_difference(topic, final.check, point)
        if checks.close(expected, difference):  # the verified final holds here: no kink
            return Question(topic, final.check, point, expected, hint_lines(topic, final.check))
    raise LookupError(f"{topic.path}: no smooth point found for {final.check.label}")


def _fixed_question(topic: Topic, assignments, final: Step) -> Question:
    """A question at one of the topic's `drill_points`, where the final form holds."""
    point = checks.point_with(topic, assignments)
    expected = np.broadcast_to(checks.evaluate(final.expr, point), point[final.check.wrt].shape).astype(float)
    if not checks.close(expected, checks.central_difference(topic, final.check, point)):
        raise LookupError(f"{topic.path}: drill point {dict(assignments)} is not smooth for {final.check.label}")
    return Question(topic, final.check, point, expected, hint_lines(topic, final.check))


def _kink_question(topic: Topic, kink: Kink) -> Question:
    point = checks.point_with(topic, kink.at)
    with np.errstate(all="ignore"):
        expected = np.broadcast_to(checks.evaluate(kink.torch, point),
                                   point[kink.check.wrt].shape).astype(float)
    return Question(topic, kink.check, point, expected, hint_lines(topic, kink.check), kink)


def questions(topic: Topic, seed: int, count: int = DEFAULT_QUESTIONS) -> list[Question]:
    """Exactly `count` questions, seeded. A topic with kinks gets about a third of them at its
    kinks (at least one from two questions on, each kink once, chosen and placed by the seed);
    a topic with `drill_points` gets one there from three questions on (about a third in a longer
    drill); the others go round the final forms in order, each at a new random point."""
    rng = np.random.default_rng(seed)
    finals = gradient_finals(topic)
    n_kinks = min(len(topic.kinks), max(1, count // 3)) if count >= 2 else 0
    chosen = sorted(rng.choice(len(topic.kinks), size=n_kinks, replace=False)) if n_kinks else []
    n_fixed = min(len(topic.drill_points), max(1, (count - n_kinks) // 3)) if count - n_kinks >= 3 else 0
    fixed = sorted(rng.choice(len(topic.drill_points), size=n_fixed, replace=False)) if n_fixed else []
    asked = [_smooth_question(topic, finals[k % len(finals)], rng) for k in range(count - n_kinks - n_fixed)]
    for index in fixed:
        final = finals[int(rng.integers(len(finals)))]
        asked.insert(int(rng.integers(1, len(asked) + 1)), _fixed_question(topic, topic.drill_points[index], final))
    for index in chosen:
        asked.insert(int(rng.integers(1, len(asked) + 1)), _kink_question(topic, topic.kinks[index]))
    return asked


def accepts(question: Question, answer: np.ndarray, tolerance) -> bool:
    """Every component within `tolerance` (grading.Tolerance); nan is right where torch says
    nan (a 0/0 at a kink), and only there."""
    answer = np.broadcast_to(np.asarray(answer, dtype=float), question.shape)
    for got, want in zip(answer.reshape(-1), question.expected.reshape(-1)):
        if np.isnan(want) or np.isnan(got):
            if not (np.isnan(want) and np.isnan(got)):
                return False
        elif not tolerance.accepts(float(got), float(want)):
            return False
    return True


def nearest_subgradient(question: Question, answer: np.ndarray) -> np.ndarray | None:
    """The member of the kink's subdifferential {base + Σₖ tₖ·alongₖ, tₖ ∈ [0, 1]} nearest to
    `answer` (least squares in t, then clipped: exact for an answer inside the set); None where
    the topic gives no subdifferential (not a kink, or a singularity)."""
    kink = question.kink
    if kink is None or kink.subgradient_base is None:
        return None
    with np.errstate(all="ignore"):
        base = np.broadcast_to(checks.evaluate(kink.subgradient_base, question.point), question.shape).reshape(-1)
        along = np.array([np.broadcast_to(checks.evaluate(e, question.point), question.shape).reshape(-1)
                          for e in kink.subgradient_along]).reshape(len(kink.subgradient_along), base.size)
    offset = np.broadcast_to(np.asarray(answer, dtype=float), question.shape).reshape(-1) - base
    if not along.size or not np.all(np.isfinite(offset)):
        return base.reshape(question.shape)
    t = np.clip(np.linalg.lstsq(along.T, offset, rcond=None)[0], 0.0, 1.0)
    return (base + along.T @ t).reshape(question.shape)


def is_subgradient(question: Question, answer: np.ndarray, tolerance) -> bool:
    """At a kink with a known subdifferential: `answer` is one of its members (within tolerance)."""
    nearest = nearest_subgradient(question, answer)
    if nearest is None:
        return False
    answer = np.broadcast_to(np.asarray(answer, dtype=float), question.shape)
    return all(np.isfinite(got) and tolerance.accepts(float(got), float(want))
               for got, want in zip(answer.reshape(-1), nearest.reshape(-1)))


def expected_text(question: Question) -> str:
    return _number_text(question.expected)
