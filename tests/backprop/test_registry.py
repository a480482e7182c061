"""The activation and loss registry: every entry's maths against torch autograd (float64), a
central difference and its own formulas; a new entry flows through validation and the engine."""

import math

import numpy as np
import pytest
import torch

from pa2cli.backprop import derivation, registry
from pa2cli.backprop.engine import solve
from pa2cli.backprop.solution import to_latex_document
from pa2cli.backprop.spec import validate
from pa2cli.expr import evaluate_number

POINTS = (-2.3, -0.7, -0.01, 0.01, 0.4, 1.9)


@pytest.mark.parametrize("name", list(registry.ACTIVATIONS))
@pytest.mark.parametrize("z", POINTS)
def test_activation_value_and_slope_match_torch_autograd(name, z):
    entry = registry.ACTIVATIONS[name]
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    at = entry.torch(zt)
    (slope,) = torch.autograd.grad(at, zt)
    a = entry.forward(np.float64(z))
    assert math.isclose(a, at.item(), rel_tol=1e-14, abs_tol=1e-15)
    assert math.isclose(entry.local_grad(np.float64(z), a), slope.item(), rel_tol=1e-12,
                        abs_tol=1e-14)
    h = 1e-6
    central = (entry.forward(np.float64(z + h)) - entry.forward(np.float64(z - h))) / (2 * h)
    assert math.isclose(entry.local_grad(np.float64(z), a), central, rel_tol=1e-6, abs_tol=1e-8)


@pytest.mark.parametrize("name", list(registry.ACTIVATIONS))
@pytest.mark.parametrize("z", POINTS)
def test_activation_formulas_are_the_maths_the_engine_uses(name, z):
    """The text the quiz shows evaluates (with pa2cli.expr) to what the engine computes."""
    entry = registry.ACTIVATIONS[name]
    a = float(entry.forward(np.float64(z)))
    assert evaluate_number(entry.formula.format(z=repr(z))) == pytest.approx(a, rel=1e-14)
    grad_text = entry.grad_formula.format(z=f"({z!r})", a=f"({a!r})")
    assert evaluate_number(grad_text) == pytest.approx(entry.local_grad(np.float64(z), a),
                                                       rel=1e-14)


@pytest.mark.parametrize("name", list(registry.LOSSES))
@pytest.mark.parametrize("t, a, n", [(0.01, 0.75, 2), (0.99, 0.77, 2), (-1.5, 0.3, 3), (0.2, 0.2, 1)])
def test_loss_term_and_slope_match_torch_autograd_and_formulas(name, t, a, n):
    entry = registry.LOSSES[name]
    at = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    value = entry.torch(torch.tensor(t, dtype=torch.float64), at, n)
    (slope,) = torch.autograd.grad(value, at)
    ours = entry.term(np.float64(t), np.float64(a), n)
    assert math.isclose(ours, value.item(), rel_tol=1e-14, abs_tol=1e-16)
    grad = entry.local_grad(np.float64(t), np.float64(a), n)
    assert math.isclose(grad, slope.item(), rel_tol=1e-13, abs_tol=1e-16)
    filled = {"t": f"({t!r})", "a": f"({a!r})", "n": str(n)}
    assert evaluate_number(entry.formula.format(**filled)) == pytest.approx(ours, rel=1e-14,
                                                                          abs=1e-16)
    assert evaluate_number(entry.grad_formula.format(**filled)) == pytest.approx(grad, rel=1e-14,
                                                                               abs=1e-16)


def test_the_torch_oracles_import_torch_only_when_called():
    import subprocess
    import sys

    code = ("import sys, pa2cli.backprop.registry as r, pa2cli.backprop.engine; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_new_activation_is_one_entry(monkeypatch):
    """An entry added to the registry is accepted by validation and computed by the engine."""
    softsign = registry.Activation(
        "softsign", lambda z: z / (1 + abs(z)), lambda z, a: 1 / (1 + abs(z)) ** 2,
        "{z}/(1 + abs({z}))", "1/(1 + abs({z}))^2", r"a = \frac{z}{1 + |z|}",
        lambda z: torch.nn.functional.softsign(z), slope_text="1/(1 + |z|)²")
    monkeypatch.setitem(registry.ACTIVATIONS, "softsign", softsign)
    data = {"inputs": {"x": 0.5}, "targets": {"y": 0.2},
            "edges": {"w": {"from": "x", "to": "y", "value": 0.8}}, "activation": "softsign"}
    solution = solve(validate(data))
    values = solution.values()
    assert values["a_y"] == pytest.approx(0.4 / 1.4, rel=1e-15)
    assert values["delta_y"] == pytest.approx(-(0.2 - 0.4 / 1.4) / 1.4 ** 2, rel=1e-14)
    latex = to_latex_document(solution)  # the writer takes the definition from the entry
    assert r"a = \frac{z}{1 + |z|}" in latex and r"\operatorname{abs}\left(z_{y}\right)" in latex
    prose = " ".join(line.text for _, line in derivation.preamble(solution.network))
    assert "1/(1 + |z|)² for softsign" in prose  # the worked solution's words, from the entry


def test_choices_help_names_every_entry_with_its_formula():
    text = registry.choices_help()
    for name in (*registry.ACTIVATIONS, *registry.LOSSES):
        assert f"{name}: " in text
    assert "1/(1 + exp(-z))" in text and "1/2*(t_o - a_o)^2" in text
