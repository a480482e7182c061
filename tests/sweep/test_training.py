"""The training loop's numbers, checked against an independent computation, and what weight
decay touches in each optimiser."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from pa2cli.sweep.optim import build_optimizer, parameter_groups
from pa2cli.sweep.loop import to_device, train_run
from pa2cli.sweep.runs import new_run


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


def test_cosine_schedule_by_hand_and_constant_by_default():
    import math

    from pa2cli.sweep.config import SweepConfig

    constant = SweepConfig(lr=0.05, epochs=4)
    assert [constant.lr_at(e) for e in (1, 2, 3, 4)] == [0.05] * 4
    cosine = SweepConfig(lr=0.05, epochs=4, lr_schedule="cosine")
    # 0.05 (1 + cos(pi k / 4)) / 2 for k = 0..3: 0.05, 0.04268, 0.025, 0.00732
    assert [round(cosine.lr_at(e), 5) for e in (1, 2, 3, 4)] == [0.05, 0.04268, 0.025, 0.00732]
    assert cosine.lr_at(2) == pytest.approx(0.025 * (1 + math.sqrt(0.5)))


def test_the_training_loop_uses_the_schedule_and_an_old_config_loads_as_constant(digits):
    import torch

    from pa2cli.sweep.config import SweepConfig, config_from_saved
    from pa2cli.sweep.loop import to_device, train_run
    from pa2cli.sweep.runs import new_run

    config = SweepConfig(epochs=3, lr=0.05, lr_schedule="cosine", train_size=None, seeds=1)
    state = new_run(config, digits, 1e-3, 0, torch.device("cpu"))
    seen = []
    train_run(state, to_device(digits, torch.device("cpu")), config,
              on_epoch=lambda row, s: seen.append(s.optimizer.param_groups[0]["lr"]))
    assert seen == pytest.approx([config.lr_at(e) for e in (1, 2, 3)])
    old = {k: v for k, v in config.to_dict().items() if k != "lr_schedule"}
    assert config_from_saved(old, "results.json").lr_schedule == "constant"
    assert config.to_dict()["lr_schedule"] == "cosine"
