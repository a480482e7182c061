"""The section model: labels in both forms built once, check rows classified (agrees, kink,
singularity), and the Huber check at δ ≠ 1 against torch's own HuberLoss and SmoothL1Loss."""

from __future__ import annotations

import numpy as np
import torch

from pa2cli.content import load_topic
from pa2cli.explain import sections, worked
from pa2cli.explain.formats import to_latex
from pa2cli.paths import content_dir


def topic(name: str):
    return load_topic(content_dir() / "topics" / f"{name}.toml", f"topics/{name}.toml")


def model(name: str) -> dict:
    return {type(s).__name__: s for s in sections.sections(worked.explain(topic(name)))}


def test_a_point_where_the_function_is_undefined_is_a_singularity_not_a_kink():
    checks = model("cosine")["Checks"]
    at_zero = [row for row in checks.rows if all(np.all(v == 0) for s, v in row.point if s.text == "a")]
    assert at_zero and {row.status for row in at_zero} == {"singular"}
    assert "artefact" in checks.caption
    relu = model("relu")["Checks"]  # relu is defined at 0, only not differentiable there
    assert [row.status for row in relu.rows if float(row.point[0][1]) == 0] == ["kink"]
    assert "artefact" not in relu.caption


def test_gradient_labels_come_in_terminal_and_latex_form():
    labels = sections.Labels(topic("l2"))
    check = topic("l2").final[0].check
    label = labels.gradient(check)
    assert label.text.startswith("∂") and "/∂ŷ" in label.text
    assert label.latex.startswith(r"\partial ") and label.latex.endswith(r"/\partial \hat{y}")


def test_local_derivatives_and_adjoints_are_typeset_from_the_content_latex():
    stages = model("huber")["Stages"]
    a = next(row for row in stages.rows if row.definition.text.startswith("aᵢ"))
    assert a.local[0].label.latex == r"\partial a_i/\partial r"
    assert a.local[0].expression.latex == r"\operatorname{sign}(r_i)"
    assert a.adjoint.expression.latex == r"\min(a_i, \delta)"
    assert a.local[0].expression.text == "sign(rᵢ)"  # the terminal reads the same formula in Unicode
    r = np.array([2.5, 0.0, 4.0, -1.0]) - np.array([3.0, -0.5, 2.0, 1.0])
    assert np.array_equal(a.local[0].value, np.sign(r))  # the value comes from the checked expression
    assert np.array_equal(a.adjoint.value, np.minimum(np.abs(r), 1.0))


def test_huber_is_checked_at_a_delta_other_than_one_against_torch_huber_and_smooth_l1():
    explanation = worked.explain(topic("huber"))
    rows = [r for r in explanation.checks if dict(r.assignments).get("delta") == 1.5]
    assert {r.check.label for r in rows} == {"df/dyhat", "dg/dyhat"}
    point = dict(rows[0].assignments)
    yhat = torch.tensor(point["yhat"], dtype=torch.float64, requires_grad=True)
    y = torch.tensor(point["y"], dtype=torch.float64)
    huber, = torch.autograd.grad(torch.nn.functional.huber_loss(yhat, y, delta=1.5, reduction="sum"), yhat)
    smooth, = torch.autograd.grad(torch.nn.functional.smooth_l1_loss(yhat, y, beta=1.5, reduction="sum"), yhat)
    derived = {r.check.label: r.derived for r in rows}
    assert np.allclose(derived["df/dyhat"], huber.numpy(), rtol=1e-12, atol=1e-12)
    assert np.allclose(derived["dg/dyhat"], smooth.numpy(), rtol=1e-12, atol=1e-12)
    assert not np.allclose(huber.numpy(), smooth.numpy())  # at δ = 1.5 the two differ


def test_cross_entropy_stage_is_not_named_like_eulers_e():
    latex = to_latex(worked.explain(topic("cross-entropy")))
    assert r"v_j = e^{u_j}" in latex and r"e_j = e^{u_j}" not in latex
