"""Drill answers that are vector expressions (`softmax([2.96, -1.08, -0.56]) - [0, 1, 0]`) are
read as typed, plain `1, 2, 3` is still a list, and in a real pseudo-terminal the cross-entropy
drill accepts softmax(z) − y typed with the question's numbers; the values shown are checked
against torch autograd in float64."""

import dataclasses
import os
import re
import sys

import numpy as np
import pexpect
import pytest
import torch

from pa2cli.expr import ExprError
from pa2cli.explain import drill, topics
from pa2cli.explain.drill_quiz import has_top_level_comma, keys_line, read_answer

TOPICS = {t.id: t for t in topics.all_topics()}


def torch_ce_grad(z: list[float], label: int) -> np.ndarray:
    """∂/∂z of cross-entropy(z, label) by torch autograd, float64."""
    logits = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.cross_entropy(logits[None], torch.tensor([label])).backward()
    return logits.grad.numpy()


def test_a_vector_expression_is_read_as_typed_and_equals_torch():
    value = read_answer("softmax([2.96,-1.08,-0.56]) - [0,1,0]", (3,))
    np.testing.assert_allclose(value, torch_ce_grad([2.96, -1.08, -0.56], 1), rtol=1e-12)


@pytest.mark.parametrize("text, expected", [
    ("1, 2, 3", [1, 2, 3]), ("max(1, 2), 3, -1", [2, 3, -1]),
    ("[1, 2, 3] * 2", [2, 4, 6]), ("sigmoid([0, 0, 0]) - [0.5, 0.5, 0]", [0, 0, 0.5]),
    (" -[1, 2, 3]/2 ", [-0.5, -1, -1.5]), ("exp(0), 2^2, 1/2", [1, 4, 0.5]),
])
def test_plain_lists_and_vector_expressions_both_work(text, expected):
    np.testing.assert_allclose(read_answer(text, (3,)), expected, rtol=1e-15)


@pytest.mark.parametrize("text, reason", [
    ("[1, 2], [3, 4]", "nested list"), ("softmax([1, 2]) - [0, 1]", "got 2 numbers"),
    ("1, 2", "got 2 numbers"), ("[1, 2, 3] - [1, 2]", "cannot evaluate"),
])
def test_a_vector_of_the_wrong_shape_says_what_it_got(text, reason):
    with pytest.raises(ExprError, match=reason):
        read_answer(text, (3,))


@pytest.mark.parametrize("text, top", [
    ("1, 2", True), ("[1, 2]", False), ("f([1, 2]) - [0, 1]", False), ("max(1, 2), 3", True),
    ("((1, 2))", False), ("[1], [2]", True), ("1", False), ("x" * 2000 + ",", False),
])
def test_top_level_comma(text, top):
    assert has_top_level_comma(text) is top


def test_terminal_cross_entropy_drill_accepts_softmax_minus_the_one_hot():
    first = drill.questions(TOPICS["cross-entropy"], 1)[0]
    assert first.check.wrt == "z"  # the seed's first question is ∂L/∂z (softmax(z) − y)
    z = [float(v) for v in first.point["z"]]
    y = [float(v) for v in first.point["y"]]
    env = dict(os.environ, TERM="dumb", COLUMNS="100")
    child = pexpect.spawn(sys.executable, ["-m", "pa2cli", "explain", "cross-entropy", "--quiz",
                                           "--seed", "1"], env=env, encoding="utf-8",
                          timeout=20, dimensions=(40, 100))
    child.expect_exact(f"{first.label} at {first.shown_point()}")
    child.expect_exact(f"{first.label} = ")
    numbers = lambda values: "[" + ",".join(f"{v:g}" for v in values) + "]"  # noqa: E731
    child.sendline(f"softmax({numbers(z)}) - {numbers([v + 1 for v in y])}")  # y off by one
    child.expect_exact("not quite")
    child.expect_exact(f"{first.label} = ")
    child.sendline(f"softmax({numbers(z)}) - {numbers(y)}")
    child.expect(r"✓ correct\. \S+ = \[([^\]]+)\]")
    shown = [float(v) for v in child.match.group(1).split(",")]
    np.testing.assert_allclose(shown, torch_ce_grad(z, y.index(1.0)), rtol=1e-9)
    child.sendline("q")
    child.expect_exact("Stopped after 1 of 5: 0 of 1 right at the first try, 1 after a retry")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def keys_numbers(line: str) -> list[float]:
    """Every number the keys line's examples show, and each example's value."""
    from pa2cli.expr import evaluate

    inner = re.findall(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)", line.split("\n")[0])
    shown = []
    for group in inner:
        for text in [t for t in re.split(r",\s(?![^\[]*\])", group) if re.search(r"\d", t)]:
            shown += [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)
                      if float(x) not in (0, 1)]
            shown += list(np.asarray(evaluate(text), dtype=float).reshape(-1))
    return shown


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_the_drill_keys_line_examples_equal_no_answer(topic):
    from pa2cli.backprop.grading import DISPLAY_PRECISION, Tolerance

    for seed in range(4):
        asked = drill.questions(TOPICS[topic], seed)
        line = keys_line(asked, Tolerance())
        answers = [float(v) for q in asked for v in q.expected.reshape(-1) if np.isfinite(v)]
        numbers = keys_numbers(line)
        assert len(numbers) >= 4, line  # the examples are there to be checked
        for x in numbers:
            assert all(abs(x - a) > DISPLAY_PRECISION and abs(-x - a) > DISPLAY_PRECISION
                       for a in answers), (line, x)


def test_an_answer_of_one_quarter_moves_the_example_off_0_25():
    from pa2cli.backprop.grading import Tolerance

    question = drill.questions(TOPICS["sigmoid"], 0)[0]
    at_zero = dataclasses.replace(question, expected=np.asarray(0.25))  # σ'(0)
    line = keys_line([at_zero], Tolerance())
    assert "0.25" not in line and "1/4" not in line and "exp(" in line
    assert "0.25, 1/4" in keys_line([dataclasses.replace(question, expected=np.asarray(0.9))],
                                    Tolerance())
