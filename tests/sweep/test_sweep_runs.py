"""Whole sweeps through the CLI: divergence, a user's model file, devices, parallel jobs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pa2cli.cli import cli


def _statuses(folder):
    results = json.loads((folder / "results.json").read_text())
    return {run["weight_decay"]: (run["status"], len(run["epochs"])) for run in results["runs"]
            if run["seed"] == 0}


def test_diverging_run_is_marked_and_the_others_complete(tmp_path):
    # SGD with weight decay 1000 multiplies each weight by (1 - lr*wd) = -49 per step.
    result = CliRunner().invoke(cli, ["sweep", "--optimizer", "sgd", "--wd", "1e-4", "1000", "--epochs", "2",
                                      "--seeds", "1", "--train-size", "all", "--no-plot",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert _statuses(tmp_path) == {0.0: ("done", 2), 1e-4: ("done", 2), 1000.0: ("diverged", 0)}
    text = " ".join(result.output.split())
    assert "wd 1e3 seed 0: the train loss became nan in epoch 1" in text
    assert "wd 1e3 seed 0 diverged after 0 finished epochs" in text  # the findings name it


def test_users_model_file_is_trained_end_to_end(tmp_path):
    model_file = tmp_path / "my_net.py"
    model_file.write_text(
        "import torch.nn as nn\n"
        "class TinyNet(nn.Module):\n"
        "    def __init__(self, num_classes=10):\n"
        "        super().__init__()\n"
        "        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(),\n"
        "                                 nn.Linear(32, num_classes))\n"
        "    def forward(self, x):\n"
        "        return self.net(x)\n")
    out = tmp_path / "sweep"
    result = CliRunner().invoke(cli, ["sweep", "--model", f"{model_file}:TinyNet", "--wd", "1e-3",
                                      "--epochs", "2", "--optimizer", "adam", "--lr", "0.01",
                                      "--seeds", "1", "--no-plot", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{model_file}:TinyNet" in result.output.replace("\n", "")
    checkpoint = __import__("torch").load(out / "checkpoints" / "wd_0.001_seed_0.pt",
                                         weights_only=True)
    assert sorted(checkpoint["model"]) == ["net.1.bias", "net.1.weight", "net.3.bias",
                                           "net.3.weight"]
    assert _statuses(out) == {0.0: ("done", 2), 1e-3: ("done", 2)}


def test_bad_model_spec_exits_2_before_anything_is_written(tmp_path):
    out = tmp_path / "sweep"
    result = CliRunner().invoke(cli, ["sweep", "--model", str(tmp_path / "none.py:Net"),
                                      "--out", str(out)])
    assert result.exit_code == 2 and "--model" in result.output
    assert not out.exists()


@pytest.mark.parametrize("device, available", [("cuda", "cuda"), ("mps", "mps")])
def test_unavailable_device_exits_2(tmp_path, device, available):
    import torch

    if (torch.cuda.is_available() if device == "cuda" else torch.backends.mps.is_available()):
        pytest.skip(f"{device} is available here")
    result = CliRunner().invoke(cli, ["sweep", "--device", device, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "--device" in result.output


def test_mnist_without_files_exits_2_saying_where_it_looked_and_how_to_fetch(tmp_path):
    root = tmp_path / "data"
    result = CliRunner().invoke(cli, ["sweep", "--dataset", "mnist", "--data-dir", str(root),
                                      "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert str(root / "MNIST" / "raw") in result.output
    assert f"pa2 sweep --dataset mnist --data-dir {root} --download" in result.output
    assert not (tmp_path / "o").exists()


def test_val_split_picks_the_best_by_validation_and_reports_test_beside_it(tmp_path):
    result = CliRunner().invoke(cli, ["sweep", "--wd", "1e-3", "--epochs", "1", "--val-split",
                                      "0.2", "--no-plot", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "results.json").read_text())
    row = results["runs"][0]["epochs"][0]
    assert {"val_loss", "val_acc", "test_acc"} <= set(row)
    assert "Highest mean final validation accuracy" in " ".join(result.output.split())


def test_parallel_jobs_record_the_same_numbers_as_one_process(tmp_path, without_seconds):
    args = ["sweep", "--wd", "1e-3", "--epochs", "1", "--seeds", "2", "--no-plot"]
    one = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "one")])
    two = CliRunner().invoke(cli, [*args, "--jobs", "2", "--out", str(tmp_path / "two")])
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    from pa2cli.sweep.store import load_results

    a = without_seconds(load_results(tmp_path / "one"))
    b = without_seconds(load_results(tmp_path / "two"))
    assert len(a) == 4
    assert [r[:2] for r in a] == [r[:2] for r in b]
    for (_, _, rows_a), (_, _, rows_b) in zip(a, b):
        for row_a, row_b in zip(rows_a, rows_b):
            assert row_b == pytest.approx(row_a, rel=1e-4)


def test_interrupting_parallel_jobs_stops_the_workers_and_starts_no_queued_run(
        tmp_path, digits, run_tiny_sweep):
    from pa2cli.sweep.config import SweepConfig

    config = SweepConfig(epochs=30, weight_decays=(0.0, 1e-4, 1e-3), device="cpu", seeds=1,
                         train_size=None)

    def interrupt(key, row):
        raise KeyboardInterrupt  # as Ctrl-C would, at the first recorded epoch

    with pytest.raises(KeyboardInterrupt):
        run_tiny_sweep(config, tmp_path, digits, jobs=2, after_epoch=interrupt)
    # 2 workers took 0 and 1e-4; 1e-3 was queued behind them and must never have started
    assert not (tmp_path / "checkpoints" / "wd_0.001_seed_0.pt").exists()
    import torch

    saved = [torch.load(path, weights_only=True)["rows"]
             for path in (tmp_path / "checkpoints").glob("wd_*.pt")]
    assert saved and all(len(rows) < 10 for rows in saved)  # stopped long before 30 epochs


def test_command_module_does_not_import_torch():
    code = "import sys, pa2cli.sweep.command; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_dataset_choices_match_the_loaders():
    from pa2cli.sweep.config import DATASET_NAMES
    from pa2cli.sweep.data import DATASETS

    assert DATASET_NAMES == DATASETS


def test_help_explains_weight_decay_in_each_optimiser():
    result = CliRunner().invoke(cli, ["sweep", "--help"])
    text = " ".join(result.output.split())
    assert result.exit_code == 0
    for phrase in ("sgd adds wd*w", "coupled L2", "adamw shrinks each weight directly",
                   "decoupled", "--no-decay-bias-norm exempts", "--wd VALUE..."):
        assert phrase in text, phrase
