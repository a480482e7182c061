"""An interrupted sweep keeps every finished epoch, and --resume ends with exactly the numbers
of an uninterrupted run (same seed, CPU)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.sweep.config import SweepConfig

CONFIG = SweepConfig(epochs=3, weight_decays=(0.0, 1e-3, 1e-2), device="cpu")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, digits):
    import io

    import torch
    from rich.console import Console

    from pa2cli.sweep.runner import run_sweep
    from pa2cli.sweep.store import SweepFolder

    results, _ = run_sweep(CONFIG, SweepFolder(tmp_path_factory.mktemp("whole")), digits,
                           torch.device("cpu"), console=Console(file=io.StringIO()))
    return results


def test_resume_after_an_interruption_repeats_the_uninterrupted_numbers(
        tmp_path, digits, run_tiny_sweep, uninterrupted, without_seconds):
    def interrupt(weight_decay, row):
        if weight_decay == 1e-3 and row["epoch"] == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_tiny_sweep(CONFIG, tmp_path, digits, after_epoch=interrupt)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert [(r["status"], len(r["epochs"])) for r in saved["runs"]] == [
        ("done", 3), ("partial", 2), ("partial", 0)]

    resumed, _ = run_tiny_sweep(CONFIG, tmp_path, digits, resume=True)
    assert without_seconds(resumed) == without_seconds(uninterrupted)
    assert resumed["runs"][0]["epochs"] == saved["runs"][0]["epochs"]  # kept, not retrained


def test_resume_with_more_epochs_continues_from_the_checkpoints(
        tmp_path, digits, uninterrupted, without_seconds):
    out = str(tmp_path / "sweep")
    common = ["sweep", "--wd", "1e-3", "1e-2", "--seed", "0", "--device", "cpu", "--no-plot",
              "--out", out]
    first = CliRunner().invoke(cli, [*common, "--epochs", "1"])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(cli, ["sweep", "--out", out, "--resume", "--epochs", "3",
                                      "--no-plot"])
    assert second.exit_code == 0, second.output
    assert ("Continuing from the saved epochs: wd 0 1/3, wd 1e-3 1/3, wd 1e-2 1/3."
            in " ".join(second.output.split()))
    resumed = json.loads((tmp_path / "sweep" / "results.json").read_text())
    assert without_seconds(resumed) == without_seconds(uninterrupted)
    assert resumed["config"]["epochs"] == 3


def test_resume_without_out_exits_2():
    result = CliRunner().invoke(cli, ["sweep", "--resume"])
    assert result.exit_code == 2
    assert "--resume" in result.output and "--out" in result.output


def test_resume_with_a_changed_hyperparameter_exits_2_naming_it(tmp_path):
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps(
        {"config": SweepConfig(epochs=1).to_dict(), "runs": []}))
    result = CliRunner().invoke(cli, ["sweep", "--out", str(folder), "--resume", "--lr", "0.3"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "--lr" in result.output and "0.3" in result.output


def test_new_sweep_into_a_used_folder_exits_2(tmp_path):
    (tmp_path / "results.json").write_text("{}")
    result = CliRunner().invoke(cli, ["sweep", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--resume" in result.output


def test_resume_on_a_folder_without_a_sweep_exits_2_naming_it(tmp_path):
    result = CliRunner().invoke(cli, ["sweep", "--out", str(tmp_path), "--resume"])
    assert result.exit_code == 2
    assert result.output == (f"Error: {tmp_path}: no results.json here. Give the --out folder "
                             "of a sweep (it holds results.json).\n")
