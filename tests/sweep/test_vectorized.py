"""`--vectorize`: members trained together give the numbers of members trained one at a time
(float64: to 1e-9 at every epoch; float32: close after 2 epochs), models vmap cannot train
fall back with one line saying why, and an interrupted vectorised sweep resumes exactly."""

from __future__ import annotations

import io
import json
import tempfile
import textwrap
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from rich.console import Console

from pa2cli.cli import cli
from pa2cli.sweep.checkpoints import checkpoint_path
from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.optim import OPTIMIZERS, NotStackable, OptimizerSpec, stacked_rule
from pa2cli.sweep.stacked import StackedMembers
from pa2cli.sweep.store import SweepFolder
from pa2cli.sweep.events import EpochDone
from pa2cli.sweep.loop import DeviceData, train_run
from pa2cli.sweep.runs import new_run
from pa2cli.sweep.devices import pays_on
from pa2cli.sweep.vectorized import static_reason, train_vectorized

CPU = torch.device("cpu")
MEMBERS = [(0.0, 0), (1e-2, 0), (1e-2, 1), (5e-2, 2)]  # (weight decay, seed)


def scratch_folder() -> SweepFolder:
    """A sweep folder of its own for the checkpoints a vectorised run writes."""
    return SweepFolder(Path(tempfile.mkdtemp(prefix="pa2-vec-")))


def saved_checkpoint(folder: SweepFolder, member) -> dict:
    return torch.load(checkpoint_path(folder.path, *member), weights_only=True)


def _small_data(dataset, dtype):
    """The first 384 training and 128 test digits, turned into `dtype` per batch."""
    return DeviceData((dataset.train.x[:384], dataset.train.y[:384]),
                      (dataset.test.x[:128], dataset.test.y[:128]), None,
                      lambda x: dataset.to_float(x).to(dtype))


def _sequential_rows(config, dataset, data, member, dtype):
    state = new_run(config, dataset, *member, CPU)
    state.model.to(dtype)
    train_run(state, data, config)
    return state


def _vectorised_rows(config, dataset, data, members, dtype, folder=None):
    rows = {member: [] for member in members}

    def emit(event):
        if isinstance(event, EpochDone):
            rows[event.key].append(event.row)

    reason = train_vectorized(config, dataset, data, members, CPU, folder or scratch_folder(),
                              False, emit, dtype=dtype)
    assert reason is None
    return rows


def _assert_vectorised_equals_sequential(config, digits):
    """Every member trained together equals it trained alone (float64, 1e-9): every epoch's
    metrics, and the checkpoint's weights and optimiser state."""
    data = _small_data(digits, torch.float64)
    folder = scratch_folder()
    together = _vectorised_rows(config, digits, data, MEMBERS, torch.float64, folder)
    for member in MEMBERS:
        alone = _sequential_rows(config, digits, data, member, torch.float64)
        assert len(together[member]) == len(alone.rows) == config.epochs
        for mine, theirs in zip(together[member], alone.rows):
            for key in ("train_loss", "train_acc", "test_loss", "test_acc", "weight_norm"):
                assert getattr(mine, key) == pytest.approx(getattr(theirs, key), abs=1e-9,
                                                           rel=0), (member, key)
        # the recorded norm is ‖w‖₂ of the decayed parameters, computed here another way
        decayed = [p.detach().reshape(-1) for p in alone.model.parameters()
                   if config.decay_bias_norm or p.ndim >= 2]
        assert alone.rows[-1].weight_norm == pytest.approx(
            float(torch.linalg.vector_norm(torch.cat(decayed))), abs=1e-9, rel=0)
        # the checkpoint a vectorised run writes holds the member's own weights and momentum
        saved = saved_checkpoint(folder, member)
        for name, value in alone.model.state_dict().items():
            assert torch.allclose(saved["model"][name], value, atol=1e-9, rtol=0), name
        ours, theirs = saved["optimizer"]["state"], alone.optimizer.state_dict()["state"]
        assert ours.keys() == theirs.keys()
        for index in theirs:
            for key, value in theirs[index].items():
                assert torch.allclose(ours[index][key].double(), value.double(), atol=1e-9,
                                      rtol=0), (index, key)


# every entry of the registry, read from it (an entry added later is checked too)
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("decay_bias_norm", [True, False])
def test_float64_vectorised_equals_sequential_at_every_epoch(digits, optimizer,
                                                             decay_bias_norm):
    config = SweepConfig(epochs=3, batch_size=32, optimizer=optimizer,
                         lr=OPTIMIZERS[optimizer].default_lr, decay_bias_norm=decay_bias_norm,
                         device="cpu")
    _assert_vectorised_equals_sequential(config, digits)


# the cosine schedule changes the lr every epoch; decoupled decay must follow it in both paths
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_float64_vectorised_equals_sequential_under_the_cosine_schedule(digits, optimizer):
    config = SweepConfig(epochs=3, batch_size=32, optimizer=optimizer,
                         lr=OPTIMIZERS[optimizer].default_lr * 10, device="cpu",
                         lr_schedule="cosine")
    _assert_vectorised_equals_sequential(config, digits)


def _rmsprop(groups, lr, momentum):
    return torch.optim.RMSprop(groups, lr=lr, momentum=momentum)


def test_an_optimiser_added_to_the_registry_is_trained_by_its_own_rule(digits, monkeypatch):
    """RMSprop, added as one entry, is trained as RMSprop (not as AdamW, as it once was)."""
    monkeypatch.setitem(OPTIMIZERS, "rmsprop", OptimizerSpec(
        "rmsprop", _rmsprop, 1e-3, True, "RMSprop; coupled decay"))
    config = SweepConfig(epochs=2, batch_size=32, optimizer="rmsprop", lr=1e-3, device="cpu")
    _assert_vectorised_equals_sequential(config, digits)


def test_an_optimiser_the_stacked_pass_cannot_train_is_refused_not_replaced(digits,
                                                                            monkeypatch):
    monkeypatch.setitem(OPTIMIZERS, "lbfgs-like", OptimizerSpec(
        "lbfgs-like", _rmsprop, 1e-3, False, "not elementwise", stackable=False))
    monkeypatch.setitem(OPTIMIZERS, "odd-decay", OptimizerSpec(
        "odd-decay", _rmsprop, 1e-3, False, "unknown decay rule", decay="sideways"))
    for name, words in (("lbfgs-like", "does not update each number"),
                        ("odd-decay", "no weight decay rule")):
        config = SweepConfig(epochs=1, optimizer=name, lr=1e-3, device="cpu")
        with pytest.raises(NotStackable, match=words):
            stacked_rule(name)
        states = [new_run(config, digits, *member, CPU) for member in MEMBERS[:2]]
        with pytest.raises(NotStackable, match=words):
            StackedMembers(states, config)
        # the sweep trains such members one at a time, saying why, and reports nothing first
        reported = []
        reason = train_vectorized(config, digits, _small_data(digits, torch.float32),
                                  MEMBERS[:2], CPU, scratch_folder(), False,
                                  lambda *event: reported.append(event))
        assert words in reason and reported == []
    with pytest.raises(NotStackable, match="not in the registry"):
        stacked_rule("nonesuch")


def test_members_differ_by_weight_decay_and_seed(digits):
    """The check above would be hollow if every member trained the same way."""
    config = SweepConfig(epochs=1, batch_size=32, device="cpu")
    rows = _vectorised_rows(config, digits, _small_data(digits, torch.float64), MEMBERS,
                            torch.float64)
    losses = [rows[m][0].train_loss for m in MEMBERS]
    assert len(set(losses)) == len(MEMBERS)


def test_float32_vectorised_sweep_is_close_to_sequential_after_two_epochs(
        tmp_path, digits, run_tiny_sweep):
    config = SweepConfig(epochs=2, weight_decays=(0.0, 1e-3, 1e-2), seeds=2, train_size=None,
                         batch_size=64,  # as when written: batch 32 doubles the float drift
                         device="cpu")
    on, _ = run_tiny_sweep(config, tmp_path / "on", digits, vectorize="on")
    off, _ = run_tiny_sweep(config, tmp_path / "off", digits, vectorize="off")
    one_image = 1 / len(digits.test)
    assert len(on.runs) == 6
    for a, b in zip(on.runs, off.runs):
        assert (a.key, a.status, len(a.epochs)) == (b.key, b.status, 2)
        for x, y in zip(a.epochs, b.epochs):
            assert x.train_loss == pytest.approx(y.train_loss, abs=1e-4)
            assert x.test_loss == pytest.approx(y.test_loss, abs=1e-4)
            assert abs(x.test_acc - y.test_acc) <= one_image + 1e-12


MODELS = textwrap.dedent("""
    import torch
    from torch import nn

    class WithBatchNorm(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.BatchNorm1d(16),
                                     nn.ReLU(), nn.Linear(16, 10))
        def forward(self, x):
            return self.net(x)

    class WithDropout(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.Dropout(0.5),
                                     nn.Linear(16, 10))
        def forward(self, x):
            return self.net(x)

    class WithBranch(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
        def forward(self, x):
            out = self.net(x)
            return out if out.sum() > 0 else -out

    class WithInPlace(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
        def forward(self, x):
            out = torch.zeros(x.shape[0], 10)
            out.add_(self.net(x))
            return out
""")


@pytest.mark.parametrize("name,why", [
    ("WithBatchNorm", "BatchNorm running statistics"),
    ("WithDropout", "dropout or another random operation"),
    ("WithBranch", "data-dependent control flow"),
    ("WithInPlace", "in-place operation"),
])
def test_a_model_vmap_cannot_train_falls_back_with_one_line(tmp_path, digits, name, why,
                                                            run_tiny_sweep, without_seconds):
    (tmp_path / "models.py").write_text(MODELS)
    config = SweepConfig(epochs=1, weight_decays=(0.0, 1e-3), device="cpu", seeds=1,
                         model=f"{tmp_path / 'models.py'}:{name}")
    out = io.StringIO()
    together, _ = run_tiny_sweep(config, tmp_path / "on", digits, vectorize="on",
                                 console=Console(file=out, width=200))
    alone, _ = run_tiny_sweep(config, tmp_path / "off", digits, vectorize="off")
    lines = [line for line in out.getvalue().splitlines() if "not vectorised" in line]
    assert len(lines) == 1 and why in lines[0], out.getvalue()
    assert without_seconds(together) == without_seconds(alone)  # trained one at a time


def test_a_plain_model_passes_the_static_check(digits):
    from pa2cli.sweep.models import default_model

    assert static_reason(default_model(digits)) is None
    assert "BatchNorm" in static_reason(torch.nn.Sequential(torch.nn.BatchNorm1d(3)))
    assert static_reason(torch.nn.BatchNorm1d(3, track_running_stats=False)) is None


def test_interrupted_vectorised_sweep_resumes_to_the_uninterrupted_numbers(
        tmp_path, digits, run_tiny_sweep, without_seconds):
    config = SweepConfig(epochs=3, weight_decays=(0.0, 1e-2), seeds=2, device="cpu")
    whole, _ = run_tiny_sweep(config, tmp_path / "whole", digits, vectorize="on")

    def interrupt(key, row):
        if key == (1e-2, 1) and row.epoch == 2:  # the last member's second epoch
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_tiny_sweep(config, tmp_path / "cut", digits, vectorize="on", after_epoch=interrupt)
    saved = json.loads((tmp_path / "cut" / "results.json").read_text())
    assert [len(run["epochs"]) for run in saved["runs"]] == [2, 2, 2, 2]
    resumed, _ = run_tiny_sweep(config, tmp_path / "cut", digits, vectorize="on", resume=True)
    assert without_seconds(resumed) == without_seconds(whole)


def test_auto_is_on_for_the_default_model_on_cpu_and_on_cuda():
    assert pays_on(CPU, SweepConfig())
    assert not pays_on(CPU, SweepConfig(model="net.py:Net"))
    assert pays_on(torch.device("cuda"), SweepConfig(model="net.py:Net"))


def test_vectorize_on_with_jobs_is_a_one_line_error():
    result = CliRunner().invoke(cli, ["sweep", "--vectorize", "on", "--jobs", "2"])
    assert result.exit_code == 2
    assert "--vectorize on" in result.output and "--jobs" in result.output
    assert "Traceback" not in result.output


def test_a_sequential_sweep_resumes_vectorised_from_its_checkpoints(
        tmp_path, digits, run_tiny_sweep):
    """Checkpoints are the same files in both modes; runs resumed at different epochs are
    trained in one pass per epoch count."""
    config = SweepConfig(epochs=3, weight_decays=(0.0, 1e-2), seeds=2, device="cpu")
    whole, _ = run_tiny_sweep(config, tmp_path / "whole", digits, vectorize="off")

    def interrupt(key, row):
        if key == (0.0, 1) and row.epoch == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_tiny_sweep(config, tmp_path / "cut", digits, vectorize="off", after_epoch=interrupt)
    saved = json.loads((tmp_path / "cut" / "results.json").read_text())
    assert [len(run["epochs"]) for run in saved["runs"]] == [3, 3, 2, 0]
    resumed, _ = run_tiny_sweep(config, tmp_path / "cut", digits, vectorize="on", resume=True)
    for a, b in zip(resumed.runs, whole.runs):
        assert (a.key, a.status, len(a.epochs)) == (b.key, "done", 3)
        for x, y in zip(a.epochs, b.epochs):
            assert x.test_loss == pytest.approx(y.test_loss, abs=1e-4)
            assert abs(x.test_acc - y.test_acc) <= 1 / len(digits.test) + 1e-12
