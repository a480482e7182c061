"""`pa2 plot DIR` redraws the plots and findings from results.json; `--save` exports them;
a missing or malformed folder exits 2 with one line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.sweep.plots import log_positions, plot_texts
from pa2cli.sweep.store import SweepFolder, parse_results

ROWS = [{"epoch": e, "train_loss": 1.0 / e, "train_acc": 0.8 + 0.05 * e,
         "test_loss": 1.2 / e, "test_acc": 0.75 + 0.05 * e, "seconds": 0.1} for e in (1, 2, 3)]


@pytest.fixture
def saved_sweep(tmp_path):
    results = parse_results({"config": {"epochs": 3}, "runs": [
        {"weight_decay": wd, "status": "done", "epochs": ROWS} for wd in (0.0, 1e-4, 1e-3)]})
    SweepFolder(tmp_path / "sweep").save(results)
    return tmp_path / "sweep"


def test_plot_redraws_every_run_the_summary_and_the_findings(saved_sweep):
    result = CliRunner().invoke(cli, ["plot", str(saved_sweep)])
    assert result.exit_code == 0, result.output
    for wd in ("0", "1e-4", "1e-3"):
        assert f"wd {wd}: accuracy" in result.output
        assert f"wd {wd}: data loss" in result.output
    assert "final accuracy vs weight decay" in result.output
    assert "final test loss vs weight decay" in result.output
    assert "Findings per weight decay" in result.output
    assert "No weight decay beat none" in result.output  # identical curves: none is as good


def test_summary_axis_is_logarithmic_with_zero_one_decade_below():
    assert log_positions([0.0, 1e-4, 1e-3]) == pytest.approx([-5.0, -4.0, -3.0])
    assert log_positions([0.0]) == [0.0]
    results = parse_results({"config": {}, "runs": [
        {"weight_decay": wd, "status": "done", "epochs": ROWS} for wd in (0.0, 1e-4, 1e-2)]})
    summary = plot_texts(results, width=80)[-1]
    tick_line = next(l for l in summary.splitlines() if "1e-4" in l)
    assert tick_line.split() == ["0", "1e-4", "1e-2"]
    # log spacing: 0 -> 1e-4 is one decade, 1e-4 -> 1e-2 two decades
    zero, small, large = (tick_line.index(t) for t in (" 0 ", "1e-4", "1e-2"))
    assert (large - small) == pytest.approx(2 * (small - zero), abs=3)


@pytest.mark.parametrize("name, marker", [("plots.html", "<html"), ("plots.txt", "wd 1e-4")])
def test_save_exports_the_plots(saved_sweep, tmp_path, name, marker):
    target = tmp_path / name
    result = CliRunner().invoke(cli, ["plot", str(saved_sweep), "--save", str(target)])
    assert result.exit_code == 0, result.output
    content = target.read_text(encoding="utf-8")
    assert marker in content and "final accuracy vs weight decay" in content


def test_save_into_a_missing_folder_exits_2_before_drawing(saved_sweep, tmp_path):
    target = tmp_path / "nowhere" / "plots.txt"
    result = CliRunner().invoke(cli, ["plot", str(saved_sweep), "--save", str(target)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and f"--save {target}" in result.output


def test_missing_folder_exits_2_with_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["plot", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "nope" in result.output


def test_folder_without_results_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["plot", str(tmp_path)])
    assert result.exit_code == 2 and "results.json" in result.output


def test_malformed_results_exit_2_naming_the_field(saved_sweep):
    path = saved_sweep / "results.json"
    data = json.loads(path.read_text())
    data["runs"][1]["epochs"][0]["test_acc"] = "high"
    path.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["plot", str(saved_sweep)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "runs[1].epochs[0].test_acc" in result.output
