"""What the topics say about PyTorch, checked against PyTorch's own modules (float64).

The derivation tests compare every line with autograd of the content's own expression. These
tests close the remaining gap: that expression, its final-form gradient and the value stated
for each non-differentiable point are what the real `torch.nn` / `torch.nn.functional` code
computes, with the scaling the text states (MultiMarginLoss divides by C, L1Loss()/MSELoss()
take the mean, HuberLoss(δ) = δ · SmoothL1Loss(β = δ), …), at the check points, the kinks and
random points.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pa2cli.content import load_topic
from pa2cli.explain import checks
from pa2cli.explain.worked import derivative_step
from pa2cli.paths import content_dir

RANDOM_POINTS = 5


def topic(name: str):
    return load_topic(content_dir() / "topics" / f"{name}.toml", f"topics/{name}.toml")


def points(t, *, kinks: bool = False) -> list[dict]:
    """The sample, every check point, random points (and, if asked, every kink point)."""
    rng = np.random.default_rng(7)
    result = [checks.sample_point(t)] + [checks.point_with(t, p) for p in t.check_points]
    result += [checks.random_point(t, rng) for _ in range(RANDOM_POINTS)]
    if kinks:
        result += [checks.point_with(t, k.at) for k in t.kinks]
    return result


def tensor(value, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(value, dtype=float), dtype=torch.float64, requires_grad=grad)


def torch_value_and_grad(module_of, wrt: np.ndarray):
    """(value, gradient) of a torch computation `module_of(leaf)` with respect to the leaf."""
    leaf = tensor(wrt, grad=True)
    value = module_of(leaf)
    (grad,) = torch.autograd.grad(value, leaf)
    return float(value.detach()), grad.numpy()


def app(t, function_id: str, point: dict) -> float:
    return float(checks.value_of(t, function_id, point))


def derived(t, function_id: str, wrt: str, point: dict) -> np.ndarray:
    """The topic's own final form for d<function>/d<wrt> at the point."""
    step = derivative_step(t, function_id, wrt)
    return np.broadcast_to(checks.evaluate(step.expr, point), np.shape(point[wrt]))


def assert_same(got, want, what: str) -> None:
    assert np.allclose(got, want, rtol=1e-9, atol=1e-12), f"{what}: topic gives {got}, torch gives {want}"


def stated_kink(t, check_label: str, point: dict) -> np.ndarray:
    kink = next(k for k in t.kinks if k.check.label == check_label
                and all(np.array_equal(np.asarray(v, dtype=float), point[n]) for n, v in k.at))
    return np.asarray(checks.evaluate(kink.torch, point), dtype=float)


@pytest.mark.parametrize("name, module", [("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", F.relu)])
def test_activations_and_their_final_forms_are_torchs(name, module):
    t = topic(name)
    for point in points(t, kinks=True):
        value, grad = torch_value_and_grad(module, point["z"])
        assert_same(app(t, "f", point), value, f"{name}(z) at {point}")
        if any(np.array_equal(point["z"], np.asarray(dict(k.at)["z"])) for k in t.kinks):
            assert_same(stated_kink(t, "df/dz", point), grad, f"{name} kink at {point}")
        else:
            assert_same(derived(t, "f", "z", point), grad, f"{name}' at {point}")


def test_cross_entropy_is_torchs_cross_entropy_loss_and_nll_loss():
    t = topic("cross-entropy")
    for point in points(t):
        target = torch.tensor([int(np.argmax(point["y"]))])
        value, grad = torch_value_and_grad(lambda z: F.cross_entropy(z[None], target), point["z"])
        assert_same(app(t, "f", point), value, "CrossEntropyLoss value")
        assert_same(derived(t, "f", "z", point), grad, "CrossEntropyLoss gradient (p − y)")
        value, grad = torch_value_and_grad(lambda q: F.nll_loss(torch.log(q)[None], target), point["q"])
        assert_same(app(t, "g", point), value, "NLLLoss(log q) value")
        assert_same(derived(t, "g", "q", point), grad, "NLLLoss(log q) gradient (−y/q)")


def test_multiclass_hinge_is_multi_margin_loss_times_the_number_of_classes_even_at_the_margin():
    t = topic("hinge")
    classes = np.size(checks.sample_point(t)["s"])
    for point in points(t, kinks=True):
        target = torch.tensor([int(np.argmax(point["Y"]))])
        value, grad = torch_value_and_grad(
            lambda s: torch.nn.MultiMarginLoss(margin=float(point["margin"]))(s[None], target), point["s"])
        assert_same(app(t, "f", point) / classes, value, "MultiMarginLoss = L / C")
        at_kink = any(k.check.label == "df/ds" and np.array_equal(point["s"], np.asarray(dict(k.at)["s"]))
                      for k in t.kinks)
        stated = stated_kink(t, "df/ds", point) if at_kink else derived(t, "f", "s", point)
        assert_same(stated / classes, grad, f"MultiMarginLoss gradient × C at {point}")


def test_binary_hinge_is_relu_of_one_minus_t_x_even_at_the_margin():
    t = topic("hinge")
    for point in points(t, kinks=True):
        value, grad = torch_value_and_grad(lambda x: F.relu(1 - tensor(point["t"]) * x), point["x"])
        assert_same(app(t, "g", point), value, "binary hinge value")
        at_kink = float(point["t"] * point["x"]) == 1.0
        stated = stated_kink(t, "dg/dx", point) if at_kink else derived(t, "g", "x", point)
        assert_same(stated, grad, f"binary hinge gradient at {point}")


@pytest.mark.parametrize("name, module_mean, module_sum", [
    ("l1", torch.nn.L1Loss(), torch.nn.L1Loss(reduction="sum")),
    ("l2", torch.nn.MSELoss(), torch.nn.MSELoss(reduction="sum")),
])
def test_mean_and_sum_forms_are_torchs_reductions_even_at_the_kinks(name, module_mean, module_sum):
    t = topic(name)
    for point in points(t, kinks=True):
        y = tensor(point["y"])
        for function_id, module in (("f", module_mean), ("g", module_sum)):
            value, grad = torch_value_and_grad(lambda yhat: module(yhat, y), point["yhat"])
            assert_same(app(t, function_id, point), value, f"{name} {function_id} value")
            kink = [k for k in t.kinks if k.check.label == f"d{function_id}/dyhat"
                    and all(np.array_equal(point[n], np.asarray(v, dtype=float)) for n, v in k.at)]
            stated = (checks.evaluate(kink[0].torch, point) if kink
                      else derived(t, function_id, "yhat", point))
            assert_same(stated, grad, f"{name} d{function_id}/dyhat at {point}")


def test_half_sum_of_squares_is_half_of_mse_sum():
    t = topic("l2")
    for point in points(t):
        value, grad = torch_value_and_grad(lambda yhat: 0.5 * F.mse_loss(yhat, tensor(point["y"]), reduction="sum"),
                                           point["yhat"])
        assert_same(app(t, "h", point), value, "½ Σ r²")
        assert_same(derived(t, "h", "yhat", point), grad, "∂(½ Σ r²)/∂ŷ = r")


def test_huber_is_huber_loss_and_smooth_l1_with_beta_delta_including_at_the_junction():
    t = topic("huber")
    for point in points(t):
        y, delta = tensor(point["y"]), float(point["delta"])
        value, grad = torch_value_and_grad(lambda yhat: F.huber_loss(yhat, y, reduction="sum", delta=delta),
                                           point["yhat"])
        assert_same(app(t, "f", point), value, "HuberLoss(sum)")
        assert_same(derived(t, "f", "yhat", point), grad, "HuberLoss gradient clip(r, −δ, δ)")
        value, grad = torch_value_and_grad(lambda yhat: F.smooth_l1_loss(yhat, y, reduction="sum", beta=delta),
                                           point["yhat"])
        assert_same(app(t, "g", point), value, "SmoothL1Loss(β = δ)")
        assert_same(derived(t, "g", "yhat", point), grad, "SmoothL1Loss gradient clip(r, −β, β)/β")
    residuals = [np.asarray(p["yhat"]) - np.asarray(p["y"]) for p in points(t)]
    assert any(np.any(np.abs(np.abs(r) - 1.0) < 1e-12) for r in residuals), "no check point at |r| = δ"


def test_cosine_is_torchs_cosine_similarity_away_from_zero():
    t = topic("cosine")
    for point in points(t):
        for wrt, other in (("a", "b"), ("b", "a")):
            def cos(leaf):
                pair = {wrt: leaf, other: tensor(point[other])}
                return F.cosine_similarity(pair["a"], pair["b"], dim=0, eps=0.0)

            value, grad = torch_value_and_grad(cos, point[wrt])
            assert_same(app(t, "f", point), value, "cosine_similarity")
            assert_same(derived(t, "f", wrt, point), grad, f"∂cos/∂{wrt}")
            value, grad = torch_value_and_grad(lambda leaf: 1 - cos(leaf), point[wrt])
            assert_same(derived(t, "g", wrt, point), grad, f"∂(1 − cos)/∂{wrt}")


def test_cosine_similarity_at_a_zero_vector_is_0_with_the_huge_gradient_the_text_states():
    t = topic("cosine")
    kink = t.kinks[0]
    point = checks.point_with(t, kink.at)
    b = point["b"]
    a_leaf, b_leaf = tensor(point["a"], grad=True), tensor(b, grad=True)
    value = F.cosine_similarity(a_leaf, b_leaf, dim=0)
    value.backward()
    stated_da = b / np.linalg.norm(b) * 1e8  # "∂/∂a = b/(ε‖b‖) = b̂ · 10⁸", "∂/∂b = 0"
    assert float(value.detach()) == 0.0
    assert np.allclose(a_leaf.grad.numpy(), stated_da, rtol=1e-9)
    assert np.all(b_leaf.grad.numpy() == 0)
    assert "[6.7e7, −3.3e7, 6.7e7]" in kink.text and np.allclose(stated_da, [6.7e7, -3.3e7, 6.7e7], rtol=0.02)


def test_huber_through_abs_at_r_zero_gives_slope_zero_whatever_subgradient_of_abs_is_taken():
    """The decomposition goes through a = |r|, which has no derivative at r = 0; the chain-rule
    line must still equal autograd of H_δ there, and ∂h/∂a = min(a, δ) = 0 makes any ∂a/∂r in
    [−1, 1] give the same 0."""
    from pa2cli.explain import worked

    t = topic("huber")
    point = checks.point_with(t, t.check_points[1])  # r₀ = 0
    assert float(point["yhat"][0] - point["y"][0]) == 0.0
    _, env = worked.stage_rows(t, point)
    chain = checks.evaluate(t.decomposition.chain[0].expr, env)
    _, grad = torch_value_and_grad(lambda yhat: F.huber_loss(yhat, tensor(point["y"]), reduction="sum",
                                                              delta=float(point["delta"])), point["yhat"])
    assert_same(chain, grad, "chain rule through |r| at r = 0")
    stage_h = next(s for s in t.decomposition.stages if s.name == "h")
    dh_da = checks.evaluate(dict(stage_h.local)["a"], env)
    for subgradient in (-1.0, -0.3, 0.0, 1.0):
        assert dh_da[0] * subgradient == 0.0
    assert "min(0, δ) = 0" in t.decomposition.chain[0].rule


def test_bce_is_bce_loss_on_a_and_bce_with_logits_loss_on_z():
    t = topic("bce")
    for point in points(t):
        target = tensor(point["t"])
        value, grad = torch_value_and_grad(lambda a: F.binary_cross_entropy(a, target), point["a"])
        assert_same(app(t, "f", point), value, "BCELoss value")
        assert_same(derived(t, "f", "a", point), grad, "BCELoss gradient (a − t)/(a(1 − a))")
        value, grad = torch_value_and_grad(lambda z: F.binary_cross_entropy_with_logits(z, target), point["z"])
        assert_same(app(t, "g", point), value, "BCEWithLogitsLoss value")
        assert_same(derived(t, "g", "z", point), grad, "BCEWithLogitsLoss gradient σ(z) − t")
        stable = next(f for f in t.final if f.check.wrt is None)
        assert_same(checks.evaluate(stable.expr, point), value, "max(z, 0) − z·t + log(1 + e^(−|z|))")


def test_bce_loss_clamps_each_log_at_minus_100_as_the_text_says():
    t = topic("bce")
    assert "clamps each log at −100" in t.smooth
    at_zero = F.binary_cross_entropy(tensor(0.0), tensor(1.0))  # −1 · max(log 0, −100)
    at_one = F.binary_cross_entropy(tensor(1.0), tensor(0.0))
    assert float(at_zero) == 100.0 and float(at_one) == 100.0
    with np.errstate(divide="ignore"):
        assert not np.isfinite(app(t, "f", {**checks.sample_point(t), "a": np.array(0.0)}))


def test_bce_error_signal_stays_large_where_half_sse_vanishes_as_the_note_says():
    """At a saturated wrong output (a ≈ 0, t = 1) BCE's δ = a − t ≈ −1 while ½(a − t)² gives
    (a − t)·a(1 − a) ≈ 0: both from torch autograd."""
    z = tensor(-8.0, grad=True)
    F.binary_cross_entropy_with_logits(z, tensor(1.0)).backward()
    bce = float(z.grad)
    z2 = tensor(-8.0, grad=True)
    (0.5 * (torch.sigmoid(z2) - 1.0) ** 2).backward()
    assert bce < -0.99 and abs(float(z2.grad)) < 1e-3
