"""The worked numbers of one topic, computed once before rendering: stage values, local
derivatives and adjoints at the sample point, the value torch's autograd is stated to return at
each kink, the numeric check table, and the series for `--plot`.

This is the "compute" step between loading (pa2cli.content) and rendering (render.py,
formats.py): it returns plain dataclasses of numpy values and never renders or prints. torch is
touched only through verify.py, and only when `verify=True`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from pa2cli.content import Kink, Stage, Step, Topic
from pa2cli.explain import checks, symbols


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    value: np.ndarray
    local: tuple[tuple[str, str, np.ndarray], ...]  # (input, expression text, value)
    adjoint: np.ndarray


@dataclass(frozen=True)
class KinkRow:
    kink: Kink
    point: tuple[tuple[str, np.ndarray], ...]
    torch_value: np.ndarray  # the content's statement of what autograd returns there
    autograd: np.ndarray | None = None  # measured with --verify


@dataclass(frozen=True)
class Explanation:
    topic: "Topic"
    sample: tuple[tuple[str, np.ndarray], ...]  # the decomposition's point (the variables it uses)
    stages: tuple[StageRow, ...]
    chain_values: tuple[np.ndarray, ...]  # each chain line's value at the sample
    kinks: tuple[KinkRow, ...]
    checks: tuple[checks.CheckRow, ...]
    verified: bool = False


@dataclass(frozen=True)
class PlotSeries:
    xs: np.ndarray
    values: np.ndarray
    derivative: np.ndarray
    xlabel: str
    function_label: str
    derivative_label: str


def stage_rows(topic: Topic, point: dict[str, np.ndarray]) -> tuple[tuple[StageRow, ...], dict]:
    """Run the stages forward at `point`; returns the rows and the environment with stages."""
    env = dict(point)
    for stage in topic.decomposition.stages:
        env[stage.name] = checks.evaluate(stage.expr, env)
    rows = []
    for stage in topic.decomposition.stages:
        local = tuple((source, expr.text, checks.evaluate(expr, env)) for source, expr in stage.local)
        rows.append(StageRow(stage, env[stage.name], local, checks.evaluate(stage.adjoint, env)))
    return tuple(rows), env


def explain(topic: Topic, *, verify: bool = False) -> Explanation:
    """Everything the renderers show, at the topic's sample point."""
    point = checks.sample_point(topic)
    rows, env = stage_rows(topic, point)
    chain_values = tuple(checks.evaluate(step.expr, env) for step in topic.decomposition.chain)
    kinks = []
    for kink in topic.kinks:
        at = checks.point_with(topic, kink.at)
        shown = tuple((name, at[name]) for name, _ in kink.at)
        kinks.append(KinkRow(kink, shown, checks.evaluate(kink.torch, at)))
    table = checks.check_rows(topic)
    used = topic.function(topic.decomposition.function).expr.names.union(
        *(stage.expr.names for stage in topic.decomposition.stages))
    sample = tuple((v.name, point[v.name]) for v in topic.variables if v.name in used)
    explanation = Explanation(topic, sample, rows, chain_values, tuple(kinks), tuple(table))
    if verify:
        explanation = with_autograd(explanation)
    return explanation


def with_autograd(explanation: Explanation) -> Explanation:
    """Add torch autograd's gradient to every check row and kink (imports torch)."""
    from pa2cli.explain import verify

    topic = explanation.topic
    rows = [replace(row, autograd=verify.autograd_gradient(topic, row.check, checks.point_with(topic, row.assignments)))
            for row in explanation.checks]
    kinks = []
    for row in explanation.kinks:
        point = checks.point_with(topic, row.kink.at)
        kinks.append(replace(row, autograd=verify.autograd_gradient(topic, row.kink.check, point)))
    return replace(explanation, checks=tuple(rows), kinks=tuple(kinks), verified=True)


def derivative_step(topic: Topic, function_id: str, wrt: str) -> Step:
    """The final form (or else the last derivation line) giving d<function>/d<wrt>."""
    label = f"d{function_id}/d{wrt}"
    for step in (*topic.final, *reversed(topic.derivation), *reversed(topic.decomposition.chain)):
        if step.check.label == label:
            return step
    raise LookupError(f"{topic.path}: no line gives {label}")


def plot_series(topic: Topic, points: int = 241) -> PlotSeries:
    """The function and its derived gradient (the final form) along the plot parameter."""
    plot = topic.plot
    assert plot is not None
    derivative = derivative_step(topic, plot.function, plot.wrt)
    xs = np.linspace(plot.range[0], plot.range[1], points)
    values, slopes = [], []
    for x in xs:
        env = checks.sample_point(topic)
        env[plot.param] = np.asarray(x)
        for name, expr in plot.bind:
            env[name] = checks.evaluate(expr, env)
        values.append(float(checks.value_of(topic, plot.function, env)))
        slope = np.broadcast_to(checks.evaluate(derivative.expr, env), env[plot.wrt].shape)
        slopes.append(float(slope if plot.component is None else slope[plot.component]))
    gradient = symbols.check_label(topic, derivative.check)
    if plot.component is not None:
        gradient += f"[{plot.component}]"
    return PlotSeries(xs, np.array(values), np.array(slopes), plot.xlabel or plot.param,
                      symbols.function_symbols(topic)[plot.function], gradient)
