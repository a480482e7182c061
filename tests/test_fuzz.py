"""Property-based fuzzing (hypothesis) of the two parsers that read hostile text: the answer
evaluator and the network loader. Whatever the input: no exception but the one user-error type,
bounded work and memory per input, and a message that names the place.

Work is counted, not timed: the lines of Python each input executes (sys.settrace, tests/work.py)
and the peak of its traced allocations (numpy's arrays included), so no load on the machine
changes a verdict. Budget: a fixed number of examples, no example database (nothing written to
the checkout).
"""

from __future__ import annotations

import json
import math
import tracemalloc

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pa2cli.backprop.spec import parse_network
from pa2cli.errors import UserError
from pa2cli.expr import FUNCTIONS, MAX_LENGTH, ExprError, evaluate_number
from tests.work import lines_executed

FUZZ = settings(max_examples=200, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---- the evaluator -------------------------------------------------------------------------

atoms = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(["pi", "e", "nan", "x", "1e308", "1e-320", "0", "-0.5", "[]", "[1, 2]",
                     "[[0], [1]]", "[[[0]]]", "__import__", "os", "().__class__", "'a'",
                     "True", "None", "…", "\x00", "\ud800", "−", "×", "·", "^"]),
)


def combine(children):
    binary = st.tuples(children, st.sampled_from([" + ", " - ", "*", "/", "**", "^", "@", " < ",
                                                  " == ", "%", "//", " and ", "."]), children)
    return st.one_of(
        binary.map("".join),
        st.tuples(st.sampled_from(list(FUNCTIONS) + ["eval", "open", "lambda: 0"]),
                  st.lists(children, max_size=4)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.lists(children, min_size=1, max_size=12).map(lambda xs: f"[{', '.join(xs)}]"),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"-{c}"),
        st.tuples(children, children).map(lambda t: f"{t[0]}[{t[1]}]"),
    )


expressions = st.one_of(st.recursive(atoms, combine, max_leaves=40),
                        st.text(max_size=300),
                        st.text(alphabet="0123456789+-*/^()[],. ", max_size=MAX_LENGTH + 10))


def bounded(work, lines: int, megabytes: float):
    """Run `work`, asserting the lines of Python it executes and its peak of traced
    allocations; return its result or the exception it raised."""
    outcome = []

    def run():
        try:
            outcome.append(work())
        except Exception as error:  # noqa: BLE001 - the caller checks the type
            outcome.append(error)

    tracemalloc.start()
    try:
        executed = lines_executed(run)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert executed < lines, f"executed {executed:,} lines"
    assert peak < megabytes * 2**20, f"allocated {peak / 2**20:.1f} MiB"
    return outcome[0]


# The most any example executed, measured: 301 lines (evaluator), 763 (network loader); a
# bound 25x that fails for work that grows with the square of the input (300-1,000 characters).
LINE_LIMIT = 20_000
evaluate_number("sqrt(2) * [1, 2][0]")  # imports numpy now, not inside the first count


@FUZZ
@given(expressions)
def test_evaluator_answers_a_number_or_one_plain_reason(text):
    outcome = bounded(lambda: evaluate_number(text, {"x": 0.25}), lines=LINE_LIMIT,
                      megabytes=20)
    if isinstance(outcome, Exception):
        assert isinstance(outcome, ExprError), repr(outcome)
        message = str(outcome)
        assert message and "\n" not in message and len(message) < 400, message
        assert "Traceback" not in message and "site-packages" not in message
    else:
        assert isinstance(outcome, float) and math.isfinite(outcome)


# ---- the network loader --------------------------------------------------------------------

names = st.one_of(st.sampled_from(["i1", "i2", "h1", "h2", "o1", "w1", "w2", "b1", "loss",
                                   "exp", "1a", "", "h1 ", "é"]),
                  st.text(max_size=40))
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**400, 10**400),
                         st.floats(), st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda c: st.one_of(
    st.lists(c, max_size=4), st.dictionaries(names, c, max_size=4)), max_leaves=20)
numbers = st.one_of(st.floats(-5, 5), st.integers(-3, 3), json_values)

edge = st.fixed_dictionaries({"from": names, "to": names, "value": numbers},
                             optional={"extra": json_values})
networks = st.fixed_dictionaries(
    {"inputs": st.dictionaries(names, numbers, max_size=4),
     "targets": st.dictionaries(names, numbers, max_size=3),
     "edges": st.dictionaries(names, st.one_of(edge, json_values), max_size=8)},
    optional={"biases": st.dictionaries(names, st.fixed_dictionaries(
                  {"to": st.one_of(names, st.lists(names, max_size=3)), "value": numbers}),
                  max_size=3),
              "activation": st.one_of(st.sampled_from(["sigmoid", "tanh", "relu", "linear"]),
                                      json_values),
              "activations": st.dictionaries(names, json_values, max_size=3),
              "loss": st.one_of(st.sampled_from(["half_sse", "sse", "mse"]), json_values),
              "learning_rate": numbers,
              "surprise": json_values})
texts = st.one_of(networks.map(json.dumps), json_values.map(json.dumps), st.text(max_size=200),
                  networks.map(json.dumps).flatmap(lambda t: st.integers(0, len(t)).map(
                      lambda cut: t[:cut])))  # truncated files


@FUZZ
@given(texts)
def test_network_loader_builds_a_network_or_names_the_place(text):
    outcome = bounded(lambda: parse_network(text, "weights.json"), lines=LINE_LIMIT,
                      megabytes=20)
    if isinstance(outcome, Exception):
        assert isinstance(outcome, UserError), repr(outcome)
        assert outcome.where, f"no place named: {outcome.message}"
        assert outcome.message.startswith(f"{outcome.where}: ") or outcome.where == "weights.json"
        assert "\n" not in outcome.message and len(outcome.message) < 800
    else:
        assert outcome.nodes and set(outcome.targets) <= set(outcome.nodes)


# A handful of valid networks come out of the strategy only rarely; make sure the property is
# also exercised on files that validate, with every value mutated in turn.
BASE = {"inputs": {"i1": 0.05, "i2": 0.1}, "targets": {"o1": 0.01},
        "edges": {"w1": {"from": "i1", "to": "h1", "value": 0.15},
                  "w2": {"from": "i2", "to": "h1", "value": 0.2},
                  "w3": {"from": "h1", "to": "o1", "value": 0.4}},
        "biases": {"b1": {"to": ["h1", "o1"], "value": 0.35}}}
PATHS = [("inputs", "i1"), ("targets", "o1"), ("edges", "w1", "value"), ("edges", "w3", "to"),
         ("edges", "w2", "from"), ("biases", "b1", "to"), ("biases", "b1", "value")]


@FUZZ
@given(st.sampled_from(PATHS), json_values)
def test_one_mutated_value_in_a_valid_network_is_named_by_its_path(path, value):
    data = json.loads(json.dumps(BASE))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    outcome = bounded(lambda: parse_network(json.dumps(data), "weights.json"), lines=LINE_LIMIT,
                      megabytes=20)
    if isinstance(outcome, Exception):
        assert isinstance(outcome, UserError), repr(outcome)
        assert outcome.where, outcome.message
        assert "\n" not in outcome.message

