"""The safe evaluator: what it accepts, what it refuses, and that numpy and torch agree."""

import math

import numpy as np
import pytest
import torch

from pa2cli.expr import ExprError, evaluate, evaluate_number, parse, torch_backend


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/(1+exp(-0.3775))", 1 / (1 + math.exp(-0.3775))),
        ("3/4", 0.75),
        ("2^3", 8.0),
        ("2**-1", 0.5),
        ("−0.5 × 2", -1.0),
        ("0.5·4 ÷ 2", 1.0),
        ("1.5e-3", 0.0015),
        ("ln(e)", 1.0),
        ("max(0, -2)", 0.0),
        ("sqrt(2)*sqrt(2)", 2.0),
        ("tanh(0.3)", math.tanh(0.3)),
        ("sigmoid(0.3775)", 1 / (1 + math.exp(-0.3775))),
    ],
)
def test_typed_answers_evaluate_to_the_number_meant(text, expected):
    assert evaluate_number(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("__import__('os')", "unknown function"),
        ("x.real", "not allowed"),
        ("open('f')", "unknown function"),
        ("'text'", "only numbers"),
        ("True", "only numbers"),
        ("lambda: 1", "not allowed"),
        ("[i for i in y]", "not allowed"),
        ("1 +", "not a valid expression"),
        ("", "empty"),
        ("exp(x=1)", "keyword"),
        ("1 < 2 < 3", "not allowed"),
    ],
)
def test_disallowed_input_is_refused_with_a_reason(text, reason):
    with pytest.raises(ExprError, match=reason):
        parse(text)


def test_huge_powers_fail_cleanly_instead_of_hanging():
    with pytest.raises(ExprError, match="cannot evaluate '10\\*\\*10\\*\\*10': the result is too large"):
        evaluate("10**10**10")


def test_division_by_zero_is_an_expression_error():
    with pytest.raises(ExprError, match="division by zero"):
        evaluate_number("1/0")


def test_unknown_variable_is_named():
    with pytest.raises(ExprError, match="'w9'"):
        evaluate("w9 * 2", {"w1": 1.0})


def test_vector_answer_is_not_a_single_number():
    with pytest.raises(ExprError, match="not a single number"):
        evaluate_number("[1, 2]")


def test_free_names_are_reported():
    assert parse("w1*i1 + b1 + pi").names == {"w1", "i1", "b1", "pi"}


VECTOR_CASES = [
    "sum(maximum(0, s - dot(y, s) + 1) * (1 - y))",
    "-sum(y * log(softmax(s)))",
    "dot(s, y) / (norm(s) * norm(y + 1))",
    "where(s > 0, s, 0.1 * s)",
    "step(s) + relu(s) + sign(s) + abs(s)",
    "max(s) - min(s) + mean(s) + s[1]",
    "clip(s, -0.5, 0.5)",
]


@pytest.mark.parametrize("text", VECTOR_CASES)
def test_numpy_and_torch_backends_agree(text):
    rng = np.random.default_rng(0)
    s = rng.normal(size=4)
    y = np.eye(4)[2]
    got_numpy = evaluate(text, {"s": s, "y": y})
    got_torch = evaluate(
        text, {"s": torch.tensor(s), "y": torch.tensor(y)}, torch_backend()
    )
    np.testing.assert_allclose(got_numpy, got_torch.numpy(), rtol=1e-14, atol=1e-15)


def test_torch_backend_is_differentiable():
    s = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
    value = evaluate("sum(sigmoid(s) * s)", {"s": s}, torch_backend())
    value.backward()
    expected = torch.sigmoid(s) * (1 + s * (1 - torch.sigmoid(s)))
    torch.testing.assert_close(s.grad, expected.detach(), rtol=1e-14, atol=1e-15)
