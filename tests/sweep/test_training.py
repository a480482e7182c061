"""The training loop's numbers, checked against an independent computation, and what weight
decay touches in each optimiser."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from pa2cli.sweep.optim import build_optimizer, parameter_groups
from pa2cli.sweep.training import new_run, to_device, train_run


def _by_hand(model, dataset, split):
    """Cross-entropy and accuracy over the whole split at once, in float64, in eval mode."""
    model.eval()
    with torch.no_grad():
        x = dataset.to_float(split.x)
        logits = model(x).double()
        loss = F.cross_entropy(logits, split.y).item()
        accuracy = (logits.argmax(dim=1) == split.y).double().mean().item()
    return loss, accuracy


def test_recorded_losses_and_accuracies_match_an_independent_evaluation(digits, tiny_config):
    config = tiny_config.with_changes(weight_decays=(1e-3,))
    state = new_run(config, digits, 1e-3, 0, torch.device("cpu"))
    outcome = train_run(state, to_device(digits, torch.device("cpu")), config)
    assert outcome.status == "done"
    last = state.rows[-1]
    for name in ("train", "test"):
        loss, accuracy = _by_hand(state.model, digits, getattr(digits, name))
        assert getattr(last, f"{name}_loss") == pytest.approx(loss, rel=1e-5)
        assert getattr(last, f"{name}_acc") == pytest.approx(accuracy, abs=1e-12)
    assert last.test_acc > 0.5  # two epochs already learn the digits


def test_recorded_loss_is_the_data_loss_without_the_penalty(digits, tiny_config):
    config = tiny_config.with_changes(epochs=1)
    wd = 0.5  # large, so that the penalty would be visible
    state = new_run(config, digits, wd, 0, torch.device("cpu"))
    train_run(state, to_device(digits, torch.device("cpu")), config)
    data_loss, _ = _by_hand(state.model, digits, digits.train)
    penalty = wd / 2 * sum((p.double() ** 2).sum().item() for p in state.model.parameters())
    assert state.rows[0].train_loss == pytest.approx(data_loss, rel=1e-5)
    assert abs(state.rows[0].train_loss - (data_loss + penalty)) > penalty / 2


def test_same_seed_gives_every_weight_decay_the_same_initial_weights(digits, tiny_config):
    a = new_run(tiny_config, digits, 0.0, 3, torch.device("cpu")).model.state_dict()
    b = new_run(tiny_config, digits, 1e-2, 3, torch.device("cpu")).model.state_dict()
    c = new_run(tiny_config, digits, 0.0, 4, torch.device("cpu")).model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)  # another seed, another start


def test_same_seed_gives_every_weight_decay_the_same_batch_order(digits, tiny_config):
    a = new_run(tiny_config, digits, 0.0, 3, torch.device("cpu")).generator
    b = new_run(tiny_config, digits, 1e-2, 3, torch.device("cpu")).generator
    c = new_run(tiny_config, digits, 0.0, 4, torch.device("cpu")).generator
    first, second, other = (torch.randperm(50, generator=g) for g in (a, b, c))
    assert torch.equal(first, second) and not torch.equal(first, other)


def _one_step_with_zero_gradient(name, decay_bias_norm, lr=0.1, wd=0.5):
    """Weights after one step whose data gradient is exactly zero: only decay moves them."""
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    opt = build_optimizer(model, name, lr, 0.0, wd, decay_bias_norm)
    (0.0 * sum(p.sum() for p in model.parameters())).backward()
    opt.step()
    return before, model.state_dict()


@pytest.mark.parametrize("name", ["sgd", "adamw"])
def test_default_decays_every_parameter_biases_and_norms_included(name):
    before, after = _one_step_with_zero_gradient(name, decay_bias_norm=True)
    # SGD: w - lr*wd*w (coupled, gradient of wd/2 w^2); AdamW: w - lr*wd*w (decoupled)
    for key in before:
        assert torch.allclose(after[key], before[key] * (1 - 0.1 * 0.5)), key


def test_no_decay_bias_norm_exempts_parameters_with_fewer_than_two_dimensions():
    before, after = _one_step_with_zero_gradient("sgd", decay_bias_norm=False)
    assert torch.allclose(after["0.weight"], before["0.weight"] * 0.95)
    for key in ("0.bias", "1.weight", "1.bias"):
        assert torch.equal(after[key], before[key]), key


def test_parameter_groups_split_by_dimension():
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
    groups = parameter_groups(model, 1e-3, decay_bias_norm=False)
    assert [len(g["params"]) for g in groups] == [1, 3]
    assert [g["weight_decay"] for g in groups] == [1e-3, 0.0]


def test_adam_couples_decay_through_the_adaptive_step():
    # Adam turns the decay term wd*w into a gradient and normalises it: the first step moves
    # every weight by lr*sign(w), whatever wd is; AdamW moves it by lr*wd*w instead.
    before, after = _one_step_with_zero_gradient("adam", decay_bias_norm=True)
    for key in before:
        assert torch.allclose(after[key], before[key] - 0.1 * torch.sign(before[key]),
                              atol=1e-6), key
