"""The numpy engine against torch autograd (float64) and a central difference, on random DAGs.

The oracle (conftest.py) builds each network in torch straight from the raw JSON dict (not from
the engine's graph), so the engine, the validator's ordering and the oracle are independent
witnesses.
"""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pa2cli.backprop.engine import solve, substitute
from pa2cli.backprop.registry import ACTIVATIONS, LOSSES
from pa2cli.backprop.spec import validate
from pa2cli.expr import evaluate, evaluate_number

ACTS = tuple(ACTIVATIONS)
SMOOTH = tuple(name for name, entry in ACTIVATIONS.items() if entry.smooth)
VALUE = st.floats(-2.0, 2.0, allow_nan=False).map(lambda v: round(v, 6))


@st.composite
def networks(draw, activations=ACTS):
    """A random DAG: computed node k reads from inputs and earlier nodes; every sink is a target."""
    n_inputs = draw(st.integers(1, 3))
    n_nodes = draw(st.integers(1, 6))
    inputs = {f"i{k}": draw(VALUE) for k in range(1, n_inputs + 1)}
    nodes = [f"n{k}" for k in range(1, n_nodes + 1)]
    edges, count = {}, 0
    for k, node in enumerate(nodes):
        sources = list(inputs) + nodes[:k]
        chosen = draw(st.lists(st.sampled_from(sources), min_size=1, max_size=3, unique=True))
        for source in chosen:
            count += 1
            edges[f"w{count}"] = {"from": source, "to": node, "value": draw(VALUE)}
    used = {e["from"] for e in edges.values()}
    for name in [i for i in inputs if i not in used]:  # every input must feed an edge
        count += 1
        edges[f"w{count}"] = {"from": name, "to": nodes[-1], "value": draw(VALUE)}
    sinks = [n for n in nodes if n not in {e["from"] for e in edges.values()}]
    extra = draw(st.lists(st.sampled_from(nodes), max_size=2, unique=True))
    targets = {n: draw(VALUE) for n in nodes if n in sinks or n in extra}
    biases = {}
    for b in range(draw(st.integers(0, 3))):
        fed = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3, unique=True))
        biases[f"b{b + 1}"] = {"to": fed, "value": draw(VALUE)}
    return {
        "inputs": inputs, "targets": targets, "edges": edges, "biases": biases,
        "activation": draw(st.sampled_from(activations)),
        "activations": {n: draw(st.sampled_from(activations))
                        for n in draw(st.lists(st.sampled_from(nodes), unique=True))},
        "loss": draw(st.sampled_from(tuple(LOSSES))),
        "learning_rate": draw(st.floats(0.01, 2.0)),
    }


def assert_close(name, ours, expected, rel, abs_):
    assert math.isclose(ours, expected, rel_tol=rel, abs_tol=abs_), \
        f"{name}: engine {ours!r}, expected {expected!r}"


ORACLE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ORACLE
@given(data=networks())
def test_every_quantity_matches_torch_autograd(oracle, data):
    ours = solve(validate(data)).values()
    theirs = oracle(data)
    assert set(ours) == set(theirs)
    for name, value in theirs.items():
        assert_close(name, ours[name], value, 1e-12, 1e-12)


@settings(max_examples=30, deadline=None)
@given(networks(activations=SMOOTH))
def test_gradients_match_a_central_difference_of_the_loss(data):
    solution = solve(validate(data))
    h = 1e-6
    for kind in ("edges", "biases"):
        for name, spec in data[kind].items():
            shifted = []
            for sign in (1, -1):
                moved = {**spec, "value": spec["value"] + sign * h}
                copy = {**data, kind: {**data[kind], name: moved}}
                shifted.append(solve(validate(copy)).values()["loss"])
            numeric = (shifted[0] - shifted[1]) / (2 * h)
            assert_close(f"grad_{name}", solution.values()[f"grad_{name}"], numeric, 1e-5, 1e-7)


@settings(max_examples=30, deadline=None)
@given(networks())
def test_each_formula_evaluates_to_its_value(data):
    """The symbolic formula the quiz shows, evaluated on the exact values, gives the value."""
    solution = solve(validate(data))
    for step in solution.steps.values():
        value = float(evaluate(step.formula, solution.variables))
        assert_close(step.name, value, step.value, 1e-12, 1e-12)


@settings(max_examples=30, deadline=None)
@given(networks())
def test_each_hint_is_a_typeable_expression_of_the_value(data):
    """The hint (numbers substituted, 10 significant figures) evaluates to the value."""
    solution = solve(validate(data))
    for step in solution.steps.values():
        typed = step.substituted.replace("*", "·")  # as shown on screen
        assert_close(step.name, evaluate_number(typed), step.value, 1e-6, 1e-8)


def test_relu_at_exactly_zero_follows_torch_and_has_zero_slope(oracle):
    data = {"inputs": {"x": 0.0}, "targets": {"y": 1.0},
            "edges": {"w": {"from": "x", "to": "h", "value": 0.7},
                      "v": {"from": "h", "to": "y", "value": 0.3}},
            "activations": {"h": "relu"}, "activation": "linear"}
    ours = solve(validate(data)).values()
    theirs = oracle(data)
    assert ours["z_h"] == 0.0 and ours["delta_h"] == theirs["delta_h"] == 0.0
    for name, value in theirs.items():
        assert_close(name, ours[name], value, 1e-12, 1e-12)


@pytest.mark.parametrize("formula,values,shown", [
    ("a*b + c", {"a": -0.5, "b": 2, "c": -1}, "-0.5*2 + (-1)"),  # opens the formula: bare
    ("tanh(z)", {"z": -0.5}, "tanh(-0.5)"),                        # opens a bracket: bare
    ("(t - a)^2", {"t": -0.25, "a": -1}, "(-0.25 - (-1))^2"),
    ("(1 - a^2)", {"a": -0.4}, "(1 - (-0.4)^2)"),                  # raised to a power
    ("a^2", {"a": -0.4}, "(-0.4)^2"),
    ("1/(1 + exp(-z))", {"z": -0.5}, "1/(1 + exp(-(-0.5)))"),
])
def test_substitute_brackets_a_negative_number_only_where_needed(formula, values, shown):
    assert substitute(formula, values) == shown
    assert evaluate_number(shown) == pytest.approx(float(evaluate(formula, values)), rel=1e-15)
