"""Numbers for checking a topic with numpy: variable values (the sample, given points, random
points drawn by each variable's kind), expression evaluation, central finite differences, and
the live check table (derived gradient beside a central difference at each check point).

Pure computation on plain data: it never imports torch (see verify.py), never renders, never
prints. Everything is float64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from pa2cli.content import Check, Kink, Topic, Value
from pa2cli.expr import Expression

Point = dict[str, np.ndarray]
STEP = 1e-6  # central-difference step: truncation ~h², rounding ~1e-16/h, both far below 1e-6
TOLERANCE = 1e-6  # relative (with an absolute floor of the same size) for the check table
NOISE = 1e-8  # a central difference below this in size is rounding (~1e-16·|f|/STEP): shown as 0


def as_array(value: Value | np.ndarray) -> np.ndarray:
    return np.asarray(value, dtype=float)


def sample_point(topic: Topic) -> Point:
    """Every variable at its `sample` value."""
    return {v.name: as_array(v.sample) for v in topic.variables}


def point_with(topic: Topic, assignments: tuple[tuple[str, Value], ...]) -> Point:
    """The sample point with the given variables overridden."""
    point = sample_point(topic)
    point.update({name: as_array(value) for name, value in assignments})
    return point


def random_point(topic: Topic, rng: np.random.Generator) -> Point:
    """A random value for every variable, drawn according to its kind and range."""
    point: Point = {}
    for v in topic.variables:
        lo, hi = v.range
        if v.kind in ("real", "positive"):
            value = rng.uniform(lo, hi, size=v.shape)
        elif v.kind == "onehot":
            value = np.zeros(v.shape)
            value[rng.integers(v.shape[0])] = 1.0
        elif v.kind == "simplex":
            logits = rng.normal(size=v.shape)
            value = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        elif v.kind == "sign":
            value = rng.choice([-1.0, 1.0], size=v.shape)
        elif v.choices:  # a constant the drills vary: one of its listed values
            value = as_array(v.choices[int(rng.integers(len(v.choices)))])
        else:  # constant
            value = as_array(v.sample)
        point[v.name] = as_array(value)
    return point


def evaluate(expr: Expression, env: Mapping[str, np.ndarray]) -> np.ndarray:
    return as_array(expr.evaluate(env))


def value_of(topic: Topic, function_id: str, point: Mapping[str, np.ndarray]) -> np.ndarray:
    return evaluate(topic.function(function_id).expr, point)


def central_difference(topic: Topic, check: Check, point: Mapping[str, np.ndarray],
                       step: float = STEP) -> np.ndarray:
    """(f(x + h e_i) − f(x − h e_i)) / 2h for each component i of the variable `check.wrt`."""
    base = as_array(point[check.wrt])
    flat = base.reshape(-1)
    gradient = np.zeros_like(flat)
    for i in range(flat.size):
        values = []
        for sign in (1.0, -1.0):
            moved = flat.copy()
            moved[i] += sign * step
            env = dict(point)
            env[check.wrt] = moved.reshape(base.shape)
            values.append(float(value_of(topic, check.function, env)))
        gradient[i] = (values[0] - values[1]) / (2 * step)
    return gradient.reshape(base.shape)


def close(got: np.ndarray, expected: np.ndarray, tolerance: float = TOLERANCE) -> bool:
    got, expected = as_array(got), as_array(expected)
    if got.shape != expected.shape:
        return False
    return bool(np.all(np.abs(got - expected) <= tolerance * np.maximum(1.0, np.abs(expected))))


@dataclass(frozen=True)
class CheckRow:
    """One row of the numeric check table."""

    check: Check  # the gradient compared, e.g. df/dx
    assignments: tuple[tuple[str, Value], ...]  # the check point as written in the content
    point: tuple[tuple[str, np.ndarray], ...]  # the variables of the point the function uses
    derived: np.ndarray  # the final form's value; at a kink, torch's (the kink's `torch`): no derivative there
    difference: np.ndarray  # the central finite difference
    error: float  # max |derived − difference|
    agrees: bool
    kink: bool  # a non-differentiable point: the central difference averages the two sides
    autograd: np.ndarray | None = None  # torch's value (with --verify)
    singular: bool = False  # the function itself is undefined here: the difference is an artefact

    @property
    def label(self) -> str:
        return self.check.label


def check_points(topic: Topic) -> list[tuple[tuple[tuple[str, Value], ...], Kink | None]]:
    """The topic's check points (None), then each kink's point with the kink."""
    return [(p, None) for p in topic.check_points] + [(k.at, k) for k in topic.kinks]


def check_rows(topic: Topic) -> list[CheckRow]:
    """Each gradient final form at each check point, and at each kink the value torch's autograd
    returns for the kink's gradient (the final form does not hold there), beside its central
    difference."""
    rows = []
    finals = [f for f in topic.final if f.check.wrt is not None]
    for assignments, kink in check_points(topic):
        point = point_with(topic, assignments)
        for final in finals:
            if kink is not None and final.check != kink.check:
                continue
            with np.errstate(all="ignore"):
                derived = evaluate(final.expr if kink is None else kink.torch, point)
            derived = np.broadcast_to(derived, point[final.check.wrt].shape).copy()
            difference = central_difference(topic, final.check, point)
            error = float(np.max(np.abs(derived - difference))) if derived.size else 0.0
            used = topic.function(final.check.function).expr.names
            shown = tuple((name, point[name]) for name, _ in assignments if name in used)
            with np.errstate(all="ignore"):
                value = value_of(topic, final.check.function, point)
            singular = kink is not None and not np.all(np.isfinite(value))
            rows.append(CheckRow(final.check, assignments, shown, derived, difference, error,
                                 close(derived, difference), kink is not None, singular=singular))
    return rows
