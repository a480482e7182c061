"""Gradient drills: every expected answer against torch autograd (float64) and a central
difference, kink questions with PyTorch's convention, and the drill through a pipe."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from pa2cli.backprop.grading import Tolerance
from pa2cli.cli import cli
from pa2cli.explain import checks, drill, topics, verify
from pa2cli.explain.drill_quiz import read_answer
from pa2cli.expr import ExprError

TOPICS = topics.all_topics()
SEEDS = range(12)


def by_id(topic_id):
    return next(t for t in TOPICS if t.id == topic_id)


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_every_expected_answer_is_torch_autograds_gradient(topic):
    """Smooth points: the final form, which must equal autograd and a central difference.
    Kinks: the value the drill expects is what autograd returns there (PyTorch's convention)."""
    for seed in SEEDS:
        for question in drill.questions(topic, seed):
            autograd = verify.autograd_gradient(topic, question.check, question.point)
            assert np.allclose(question.expected, autograd, rtol=1e-10, atol=1e-12,
                               equal_nan=True), (topic.id, seed, question.label)
            if question.kink is None:
                central = checks.central_difference(topic, question.check, question.point)
                assert np.allclose(question.expected, central, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("topic", [t for t in TOPICS if t.kinks], ids=lambda t: t.id)
def test_a_topic_with_kinks_asks_at_a_kink_and_at_each_in_a_longer_drill(topic):
    default = drill.questions(topic, 3)
    assert len(default) == drill.DEFAULT_QUESTIONS
    assert sum(q.kink is not None for q in default) >= 1
    longer = drill.questions(topic, 3, count=3 * len(topic.kinks))
    assert {q.kink for q in longer if q.kink is not None} == set(topic.kinks)
    assert all("PyTorch" in q.answer_form() for q in longer if q.kink is not None)


@pytest.mark.parametrize("count", [1, 2, 7, 20])
def test_the_drill_asks_exactly_the_number_of_questions_asked_for(count):
    for topic in TOPICS:
        assert len(drill.questions(topic, 0, count)) == count


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_points_can_be_typed_two_decimals_and_the_same_seed_asks_the_same(topic):
    first, again = drill.questions(topic, 5), drill.questions(topic, 5)
    assert [q.shown_point() for q in first] == [q.shown_point() for q in again]
    for question in first:
        for variable in topic.variables:
            value = question.point[variable.name]
            assert np.allclose(value * 100, np.round(value * 100), atol=1e-9)
    labels = {q.check for q in first}
    assert labels >= {f.check for f in drill.gradient_finals(topic)}  # every final form asked


def test_hints_are_the_derivation_lines_of_that_gradient_then_the_final_form():
    topic = by_id("huber")
    question = drill.questions(topic, 0)[0]
    assert question.hints[-1].text.startswith("∂L/∂ŷ = clip(ŷ − y, −δ, δ)")
    assert all(step.check == question.check for step in question.hints)
    assert len(question.hints) >= 3


@pytest.mark.parametrize("text, shape, expected", [
    ("0.25", (), 0.25), ("1/4", (), 0.25), ("exp(0)/(1+exp(0))^2", (), 0.25),
    ("[0.1, -0.2, 0.3]", (3,), [0.1, -0.2, 0.3]), ("0.1, -0.2, 0.3", (3,), [0.1, -0.2, 0.3]),
    ("[nan, nan]", (2,), [math.nan, math.nan]), ("[1/2, 2^-1]", (2,), [0.5, 0.5]),
])
def test_answers_are_read_with_the_safe_evaluator(text, shape, expected):
    np.testing.assert_allclose(read_answer(text, shape), expected, equal_nan=True)


@pytest.mark.parametrize("text, shape, reason", [
    ("[1, 2]", (3,), "expected 3 numbers"), ("0,25", (), "write decimals with a point: 0.25"),
    ("[1, 2, 3]", (), "expected one number"), ("__import__('os')", (), "unknown function '__import__'"),
    ("1/0", (), "division by zero"),
])
def test_unreadable_answers_say_why(text, shape, reason):
    with pytest.raises(ExprError, match=reason):
        read_answer(text, shape)


def test_nan_is_right_only_where_torch_says_nan():
    cosine = by_id("cosine")
    kink = next(q for q in drill.questions(cosine, 0) if q.kink is not None)
    tol = Tolerance()
    assert drill.accepts(kink, np.full(kink.shape, np.nan), tol)
    assert not drill.accepts(kink, np.zeros(kink.shape), tol)
    smooth = next(q for q in drill.questions(cosine, 0) if q.kink is None)
    assert not drill.accepts(smooth, np.full(smooth.shape, np.nan), tol)


def run_drill(topic, *lines, args=("--seed", "0")):
    return CliRunner().invoke(cli, ["explain", topic, "--quiz", *args],
                              input="".join(f"{line}\n" for line in lines))


def answer_text(question) -> str:
    value = question.expected
    return f"{float(value):.8g}" if not value.shape else \
        "[" + ", ".join(f"{v:.8g}" for v in value) + "]"


def test_pipe_right_answers_score_full_marks_and_record_progress(pa2_home):
    asked = drill.questions(by_id("sigmoid"), 0)
    result = run_drill("sigmoid", *map(answer_text, asked))
    assert result.exit_code == 0, result.output
    assert result.output.count("✓ correct") == len(asked)
    assert f"Done: {len(asked)} of {len(asked)} right at the first try" in result.output
    saved = json.loads((pa2_home / "progress.json").read_text())
    assert saved["explain"]["sigmoid"]["last"] == [len(asked), len(asked)]


def test_pipe_wrong_scalar_says_how_far_then_hint_then_reveal():
    first = drill.questions(by_id("sigmoid"), 0)[0]
    wrong = float(first.expected) * 1.5
    out = run_drill("sigmoid", f"{wrong:.6g}", "?", "s", "q").output
    assert "✗ not quite:" in out and "too high by about 50%" in out
    assert f"hint 1/{len(first.hints)}: {first.hints[0].text}" in out
    assert f"answer: dσ/dz = {drill.expected_text(first)}" in out
    assert "Stopped after 1 of 5: 0 of 1 right at the first try, 0 after a retry or hint, 1 " \
           "revealed" in " ".join(out.split())


def test_pipe_vector_answers_name_the_components_off():
    first = drill.questions(by_id("l2"), 0)[0]
    off = first.expected.copy()
    off[1] += 1.0
    out = run_drill("l2", "[1, 2]", "[" + ", ".join(f"{v:.8g}" for v in off) + "]",
                    answer_text(first), "q").output
    assert "expected 4 numbers as [a, b, …], got 2" in out
    assert "✗ not quite: component 2 of 4 off" in out
    assert "✓ correct" in out and "1 after a retry or hint" in " ".join(out.split())


def test_pipe_kink_feedback_says_why_pytorch_returns_its_value():
    asked = drill.questions(by_id("relu"), 0)
    at = next(i for i, q in enumerate(asked) if q.kink is not None)
    lines = [answer_text(q) for q in asked[:at]] + ["2", "0", "q"]
    out = " ".join(run_drill("relu", *lines).output.split())
    assert "as PyTorch's autograd computes it" in out
    assert "This point is a kink: the left derivative is 0 and the right derivative is 1" in out
    assert "Why: the left derivative is 0" in out and "PyTorch's autograd returns 0 here" in out
    assert "convention" not in out


def kink_drill(topic_id, answer):
    """Right answers up to the first kink question, then `answer` there; the output, spaces joined."""
    asked = drill.questions(by_id(topic_id), 0)
    at = next(i for i, q in enumerate(asked) if q.kink is not None)
    lines = [answer_text(q) for q in asked[:at]] + [answer, "q"]
    return " ".join(run_drill(topic_id, *lines).output.split()), asked[at]


@pytest.mark.parametrize("topic_id", ["relu", "cosine", "hinge", "l1"])
@pytest.mark.parametrize("typed", ["undefined", "Undefined.", "does not exist", "dne"])
def test_undefined_is_right_at_a_kink_and_pytorchs_value_is_still_shown(topic_id, typed):
    out, question = kink_drill(topic_id, typed)
    assert "✓ correct: the derivative does not exist here" in out
    assert f"PyTorch's autograd returns {question.label} = {drill.expected_text(question)}" in out


def test_undefined_is_wrong_where_the_derivative_exists():
    first = drill.questions(by_id("sigmoid"), 0)[0]
    out = " ".join(run_drill("sigmoid", "undefined", answer_text(first), "q").output.split())
    assert "✗ not quite: the derivative exists here" in out
    assert "0 of 1 right at the first try, 1 after a retry or hint" in out


@pytest.mark.parametrize("topic_id, typed", [("relu", "0.5"), ("relu", "1"), ("relu", "0.25")])
def test_any_subgradient_is_accepted_at_a_kink_saying_so(topic_id, typed):
    out, question = kink_drill(topic_id, typed)
    assert "✓ accepted: a subgradient (the derivative does not exist here)" in out
    assert f"PyTorch's autograd returns {question.label} = 0" in out


def test_the_hinge_subgradients_are_one_joint_set_not_a_box():
    hinge = by_id("hinge")
    multi = next(drill._kink_question(hinge, k) for k in hinge.kinks if k.check.wrt == "s")
    tol = Tolerance()
    assert drill.is_subgradient(multi, np.array([0.5, -1.5, 1.0, 0.0]), tol)  # θ = 0.5
    assert drill.is_subgradient(multi, np.array([1.0, -2.0, 1.0, 0.0]), tol)  # θ = 1, the right side
    assert not drill.is_subgradient(multi, np.array([0.5, -1.0, 1.0, 0.0]), tol)  # g₀ and g_y not joint
    assert not drill.is_subgradient(multi, np.array([1.5, -2.5, 1.0, 0.0]), tol)  # θ = 1.5 > 1
    cosine = by_id("cosine")
    singular = drill._kink_question(cosine, cosine.kinks[0])
    assert not drill.is_subgradient(singular, np.zeros(3), tol)  # a singularity has none


def test_huber_drills_vary_delta_and_ask_at_the_junction_and_hinge_drills_vary_the_margin():
    huber, hinge = by_id("huber"), by_id("hinge")
    deltas, junction = set(), False
    for seed in SEEDS:
        for q in drill.questions(huber, seed):
            deltas.add(float(q.point["delta"]))
            r = np.abs(q.point["yhat"] - q.point["y"])
            junction |= bool(np.any(np.isclose(r, q.point["delta"])) and q.point["delta"] != 1.0)
    assert len(deltas) >= 3 and junction
    margins = {float(q.point["margin"]) for seed in SEEDS for q in drill.questions(hinge, seed) if q.check.wrt == "s"}
    assert len(margins) >= 3


def test_same_seed_same_questions_and_the_command_to_repeat_is_printed():
    first, second = run_drill("huber", "q").output, run_drill("huber", "q").output
    assert first == second
    assert "pa2 explain huber --quiz --seed 0" in first


@pytest.mark.parametrize("args, message", [
    (["--seed", "3"], "--seed: only applies to --quiz"),
    (["--quiz", "--all"], "--quiz cannot be combined"),
    (["--quiz", "--sigfig", "2", "--rtol", "0.1"], "--sigfig replaces --rtol/--atol"),
    (["--quiz", "--questions", "0"], "Invalid value for '--questions'"),
])
def test_bad_drill_options_exit_2(args, message):
    result = CliRunner().invoke(cli, ["explain", "relu", *args])
    assert result.exit_code == 2 and message in result.output


def test_a_drill_needs_a_topic():
    result = CliRunner().invoke(cli, ["explain", "--quiz"])
    assert result.exit_code == 2 and "no topic given" in result.output


def test_sigfig_tolerance_applies_to_drills():
    first = drill.questions(by_id("tanh"), 0)[0]
    two_figures = f"{float(first.expected):.2g}"
    out = run_drill("tanh", two_figures, "q", args=("--seed", "0", "--sigfig", "2")).output
    assert "✓ correct" in out


def test_the_drill_never_imports_torch():
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "pa2cli", "explain", "cosine",
                          "--quiz", "--seed", "1"], input="q\n", capture_output=True, text=True)
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                for line in run.stderr.splitlines() if "|" in line}
    assert run.returncode == 0 and "numpy" in imported
    assert not {"torch", "matplotlib", "ray"} & imported
