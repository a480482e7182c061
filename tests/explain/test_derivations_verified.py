"""Every checkable line of every topic listed in content/index.toml, checked numerically.

At several seeded random points (drawn by each variable's kind) and at the sample point, every
derivation line, chain-rule line, final form, stage value, local derivative, adjoint and kink
value is evaluated with the app's numpy evaluator and compared with torch autograd (float64) on
the function's own expression, and gradients also with an independent central difference.
A topic whose file does not exist yet is skipped here (test_content.py fails for it instead).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pa2cli.content import Check, Topic, load_index, load_topic
from pa2cli.explain import checks
from pa2cli.expr import torch_backend

RANDOM_POINTS = 6
RTOL, ATOL = 1e-7, 1e-9  # against autograd
FD_STEP, FD_RTOL, FD_ATOL = 1e-5, 1e-6, 1e-7  # against the central difference

INDEX = load_index()
TOPIC_FILES = [rel for rel in INDEX.topics if rel.startswith("topics/")]
BACKEND = torch_backend()


def _topic(rel: str) -> Topic:
    path = INDEX.root / rel
    if not path.exists():
        pytest.skip(f"{rel} does not exist yet (test_content.py reports it)")
    return load_topic(path, rel)


per_topic = pytest.mark.parametrize("rel", TOPIC_FILES, ids=[r.split("/")[-1][:-5] for r in TOPIC_FILES])


# ----------------------------------------------------------------------------- oracles
def _tensors(env: dict) -> dict:
    return {k: torch.tensor(np.asarray(v, dtype=float), dtype=torch.float64) for k, v in env.items()}


def torch_value(expr, env: dict) -> np.ndarray:
    return np.asarray(expr.evaluate(_tensors(env), BACKEND).detach().numpy(), dtype=float)


def autograd(expr, env: dict, wrt: str) -> np.ndarray:
    """The Jacobian of expr with respect to env[wrt] (shape out + in), from torch autograd."""
    tensors = _tensors(env)
    leaf = tensors[wrt].clone().requires_grad_(True)
    tensors[wrt] = leaf
    out = expr.evaluate(tensors, BACKEND)
    out = out if isinstance(out, torch.Tensor) else torch.as_tensor(out, dtype=torch.float64)
    if not out.requires_grad:
        return np.zeros(tuple(out.shape) + tuple(leaf.shape))
    rows = []
    for component in out.reshape(-1):
        (grad,) = torch.autograd.grad(component, leaf, retain_graph=True, allow_unused=True)
        rows.append(np.zeros(tuple(leaf.shape)) if grad is None else grad.numpy())
    return np.asarray(rows, dtype=float).reshape(tuple(out.shape) + tuple(leaf.shape))


def central_difference(topic: Topic, check: Check, env: dict) -> np.ndarray:
    """An independent central difference of the function's numpy value."""
    expr = topic.function(check.function).expr
    base = np.asarray(env[check.wrt], dtype=float)
    grad = np.zeros(base.size)
    for i in range(base.size):
        values = []
        for sign in (1, -1):
            moved = base.reshape(-1).copy()
            moved[i] += sign * FD_STEP
            values.append(float(expr.evaluate({**env, check.wrt: moved.reshape(base.shape)})))
        grad[i] = (values[0] - values[1]) / (2 * FD_STEP)
    return grad.reshape(base.shape)


def expected(topic: Topic, check: Check, point: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """(autograd truth, central difference) for a check at a point (no difference for values)."""
    function = topic.function(check.function)
    if check.wrt is None:
        return torch_value(function.expr, point), None
    return autograd(function.expr, point, check.wrt), central_difference(topic, check, point)


def points(topic: Topic) -> list[dict]:
    rng = np.random.default_rng(20240602)
    return [checks.sample_point(topic)] + [checks.random_point(topic, rng) for _ in range(RANDOM_POINTS)]


def show(point: dict) -> str:
    return ", ".join(f"{k} = {np.round(np.asarray(v), 6).tolist()}" for k, v in point.items())


def mismatch(got, want, rtol=RTOL, atol=ATOL) -> bool:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.ndim == 0 and want.ndim > 0:  # a scalar stands for every component
        got = np.broadcast_to(got, want.shape)
    if got.shape != want.shape:
        return True
    return not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)


def compare_lines(topic: Topic, lines, label: str, env_of) -> list[str]:
    failures = []
    for point in points(topic):
        env = env_of(point)
        for i, line in enumerate(lines):
            got = checks.evaluate(line.expr, env)
            truth, difference = expected(topic, line.check, point)
            where = f"{topic.id}: {label}[{i}] {line.text!r} ({line.check.label}) at {show(point)}"
            if mismatch(got, truth):
                failures.append(f"{where}: got {got.tolist()}, autograd {truth.tolist()}")
            elif difference is not None and mismatch(got, difference, FD_RTOL, FD_ATOL):
                failures.append(f"{where}: got {got.tolist()}, central difference {difference.tolist()}")
    return failures


def report(failures: list[str], limit: int = 6) -> str:
    more = f"\n… and {len(failures) - limit} more" if len(failures) > limit else ""
    return f"{len(failures)} mismatches:\n" + "\n".join(failures[:limit]) + more


def with_stages(topic: Topic, point: dict) -> dict:
    env = dict(point)
    for stage in topic.decomposition.stages:
        env[stage.name] = checks.evaluate(stage.expr, env)
    return env


# ----------------------------------------------------------------------------- lines
@per_topic
def test_every_derivation_line_matches_autograd_and_central_difference(rel):
    topic = _topic(rel)
    failures = compare_lines(topic, topic.derivation, "derivation", dict)
    assert not failures, report(failures)


@per_topic
def test_every_chain_rule_line_matches_autograd_and_central_difference(rel):
    topic = _topic(rel)
    failures = compare_lines(topic, topic.decomposition.chain, "decomposition.chain",
                             lambda p: with_stages(topic, p))
    assert not failures, report(failures)


@per_topic
def test_every_final_form_matches_autograd_and_central_difference(rel):
    topic = _topic(rel)
    failures = compare_lines(topic, topic.final, "final", dict)
    assert not failures, report(failures)


@per_topic
def test_derivation_ends_at_a_gradient(rel):
    topic = _topic(rel)
    assert topic.derivation[-1].check.wrt is not None, f"{topic.id}: the last derivation line is not a gradient"
    assert topic.decomposition.chain[-1].check.label == (
        f"d{topic.decomposition.function}/d{topic.decomposition.wrt}"), f"{topic.id}: the chain ends elsewhere"


# ----------------------------------------------------------------------------- stages
@per_topic
def test_stage_values_chain_forward_and_the_last_stage_is_the_function(rel):
    topic = _topic(rel)
    d = topic.decomposition
    failures = []
    for point in points(topic):
        env = with_stages(topic, point)
        for stage in d.stages:
            truth = torch_value(stage.expr, {k: env[k] for k in stage.expr.names if k in env})
            if mismatch(env[stage.name], truth):
                failures.append(f"{topic.id}: stage {stage.name} {stage.text!r} at {show(point)}: "
                                f"numpy {env[stage.name].tolist()}, torch {truth.tolist()}")
        last = d.stages[-1]
        f = torch_value(topic.function(d.function).expr, point)
        if mismatch(env[last.name], f):
            failures.append(f"{topic.id}: last stage {last.text!r} at {show(point)}: got "
                            f"{env[last.name].tolist()}, the function is {f.tolist()}")
    assert not failures, report(failures)


def _depends_on_wrt(topic: Topic) -> set[str]:
    names = {topic.decomposition.wrt}
    for stage in topic.decomposition.stages:
        if stage.expr.names & names:
            names.add(stage.name)
    return names


@per_topic
def test_each_stage_gives_a_local_derivative_for_exactly_its_inputs_that_depend_on_wrt(rel):
    topic = _topic(rel)
    depends = _depends_on_wrt(topic)
    for stage in topic.decomposition.stages:
        given = {source for source, _ in stage.local}
        needed = set(stage.expr.names) & depends
        assert given == needed, (f"{topic.id}: stage {stage.name} {stage.text!r} gives local derivatives "
                                 f"for {sorted(given)}, its inputs that depend on "
                                 f"{topic.decomposition.wrt} are {sorted(needed)}")
    assert topic.decomposition.stages[-1].name in depends


def _local_mismatch(local: np.ndarray, jacobian: np.ndarray, out_shape, in_shape) -> bool:
    """Compare a local derivative in the format's shape conventions with the full Jacobian."""
    local = np.asarray(local, dtype=float)
    if local.shape == jacobian.shape:
        return mismatch(local, jacobian)
    if len(out_shape) == 1 and tuple(out_shape) == tuple(in_shape):  # elementwise: the diagonal
        off_diagonal = jacobian - np.diag(np.diag(jacobian))
        return bool(np.any(np.abs(off_diagonal) > ATOL)) or mismatch(local, np.diag(jacobian))
    return mismatch(local, jacobian)


@per_topic
def test_every_local_derivative_matches_autograd_of_its_stage(rel):
    topic = _topic(rel)
    failures = []
    for point in points(topic):
        env = with_stages(topic, point)
        for stage in topic.decomposition.stages:
            for source, expr in stage.local:
                got = checks.evaluate(expr, env)
                jacobian = autograd(stage.expr, env, source)
                if _local_mismatch(got, jacobian, np.shape(env[stage.name]), np.shape(env[source])):
                    failures.append(f"{topic.id}: stage {stage.name} {stage.text!r}, local d{stage.name}/d{source} "
                                    f"= {expr.text!r} at {show(point)}: got {got.tolist()}, "
                                    f"autograd Jacobian {jacobian.tolist()}")
    assert not failures, report(failures)


def _autograd_adjoint(topic: Topic, env: dict, index: int) -> np.ndarray:
    """∂f/∂(stage index): the stage as a leaf, the later stages recomputed, everything else fixed."""
    stages = topic.decomposition.stages
    tensors = _tensors(env)
    leaf = tensors[stages[index].name].clone().requires_grad_(True)
    tensors[stages[index].name] = leaf
    for stage in stages[index + 1:]:
        tensors[stage.name] = stage.expr.evaluate(tensors, BACKEND)
    out = tensors[stages[-1].name]
    if not out.requires_grad:
        return np.zeros(tuple(leaf.shape))
    (grad,) = torch.autograd.grad(out, leaf, allow_unused=True)
    return np.zeros(tuple(leaf.shape)) if grad is None else grad.numpy()


@per_topic
def test_every_adjoint_matches_autograd_from_the_stage_to_the_output(rel):
    topic = _topic(rel)
    failures = []
    for point in points(topic):
        env = with_stages(topic, point)
        for i, stage in enumerate(topic.decomposition.stages):
            got = checks.evaluate(stage.adjoint, env)
            truth = _autograd_adjoint(topic, env, i)
            if mismatch(got, truth):
                failures.append(f"{topic.id}: adjoint of stage {stage.name} {stage.adjoint.text!r} at "
                                f"{show(point)}: got {got.tolist()}, autograd {truth.tolist()}")
    assert not failures, report(failures)


@per_topic
def test_the_last_stage_has_adjoint_one(rel):
    topic = _topic(rel)
    last = topic.decomposition.stages[-1]
    value = checks.evaluate(last.adjoint, with_stages(topic, checks.sample_point(topic)))
    assert np.all(value == 1.0), f"{topic.id}: the last stage's adjoint is {last.adjoint.text!r}, not 1"


# ----------------------------------------------------------------------------- kinks and checks
@per_topic
def test_kink_torch_values_match_autograd_at_the_kink(rel):
    topic = _topic(rel)
    failures = []
    for kink in topic.kinks:
        point = checks.point_with(topic, kink.at)
        got = checks.evaluate(kink.torch, point)
        truth = autograd(topic.function(kink.check.function).expr, point, kink.check.wrt)
        if mismatch(got, truth):
            failures.append(f"{topic.id}: kink at {show(dict(kink.at))}: content says torch returns "
                            f"{got.tolist()} for {kink.check.label}, autograd gives {truth.tolist()}")
    assert not failures, report(failures)


@per_topic
def test_kink_points_really_are_kinks_where_one_sided_slopes_differ(rel):
    topic = _topic(rel)
    for kink in topic.kinks:
        point = checks.point_with(topic, kink.at)
        f = topic.function(kink.check.function).expr
        base = np.asarray(point[kink.check.wrt], dtype=float).reshape(-1)
        differs = False
        for i in range(base.size):
            slopes = []
            for sign in (1, -1):
                moved = base.copy()
                moved[i] += sign * 1e-6
                value = float(f.evaluate({**point, kink.check.wrt: moved.reshape(np.shape(point[kink.check.wrt]))}))
                slopes.append(sign * (value - float(f.evaluate(point))) / 1e-6)
            differs |= abs(slopes[0] - slopes[1]) > 1e-3 or not np.isfinite(slopes).all()
        assert differs, f"{topic.id}: at {show(dict(kink.at))} the one-sided slopes agree: not a kink"


@per_topic
def test_live_check_table_agrees_with_the_central_difference_away_from_kinks(rel):
    topic = _topic(rel)
    rows = checks.check_rows(topic)
    assert rows, f"{topic.id}: empty check table"
    bad = [r for r in rows if not r.kink and not r.agrees]
    assert not bad, f"{topic.id}: check rows that disagree: {bad}"
    kink_rows = [r for r in rows if r.kink]
    assert len(kink_rows) == sum(1 for k in topic.kinks for f in topic.final if f.check == k.check)


# ----------------------------------------------------------------------------- subdifferentials
@per_topic
def test_a_kink_of_a_finite_function_gives_its_subdifferential_and_a_singularity_none(rel):
    topic = _topic(rel)
    for kink in topic.kinks:
        point = checks.point_with(topic, kink.at)
        with np.errstate(all="ignore"):
            finite = bool(np.all(np.isfinite(checks.value_of(topic, kink.check.function, point))))
        assert (kink.subgradient_base is not None) == finite, (
            f"{topic.id}: kink at {show(dict(kink.at))}: a finite function needs `subgradients`, a singularity none")


@per_topic
def test_the_subdifferential_holds_torchs_value_and_every_nearby_gradient_and_no_more(rel):
    """Each kink here is piecewise linear, so the gradient at a nearby point is exactly a vertex
    of the subdifferential base + Σ tₖ alongₖ (tₖ ∈ {0, 1}): every nearby gradient (autograd)
    must lie in the set, every vertex must be reached, and torch's own value must be in it."""
    from pa2cli.backprop.grading import Tolerance
    from pa2cli.explain import drill

    topic = _topic(rel)
    tight = Tolerance(rtol=1e-9, atol=1e-12)
    rng = np.random.default_rng(3)
    for kink in (k for k in topic.kinks if k.subgradient_base is not None):
        question = drill._kink_question(topic, kink)
        f = topic.function(kink.check.function).expr
        at_kink = autograd(f, question.point, kink.check.wrt)
        assert drill.is_subgradient(question, at_kink, tight), f"{topic.id}: torch's {at_kink} not in the set"
        vertices = set()
        base = np.asarray(question.point[kink.check.wrt], dtype=float)
        for _ in range(300):
            near = dict(question.point)
            near[kink.check.wrt] = base + 1e-7 * rng.normal(size=base.shape)
            grad = autograd(f, near, kink.check.wrt)
            assert drill.is_subgradient(question, grad, tight), f"{topic.id}: nearby gradient {grad} not in the set"
            along = np.array([np.broadcast_to(checks.evaluate(e, question.point), base.shape).reshape(-1)
                              for e in kink.subgradient_along])
            start = np.broadcast_to(checks.evaluate(kink.subgradient_base, question.point), base.shape).reshape(-1)
            t = np.linalg.lstsq(along.T, grad.reshape(-1) - start, rcond=None)[0]
            vertices.add(tuple(np.round(t, 9)))
        assert vertices == {tuple(float(b) for b in bits) for bits in np.ndindex(*(2,) * len(kink.subgradient_along))}, (
            f"{topic.id}: kink at {show(dict(kink.at))}: nearby gradients reach {sorted(vertices)}")
