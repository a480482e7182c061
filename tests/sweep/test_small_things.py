"""Issue 16's small things: `pa2 plot` without a folder, the loss panel at 100 columns, "1
epoch", and the time a sweep took."""

from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.sweep.plots import log_ticks, plot_texts
from pa2cli.sweep.store import SweepFolder, parse_results

ROWS = [{"epoch": e, "train_loss": 2.0 * 10.0 ** -e, "train_acc": 0.8, "test_loss": 0.5,
         "test_acc": 0.7, "seconds": 0.1} for e in (1, 2, 3, 4)]


def _save(folder, wd=(0.0, 1e-3), mtime=None):
    results = parse_results({"config": {"epochs": 4}, "runs": [
        {"weight_decay": w, "status": "done", "epochs": ROWS} for w in wd]})
    SweepFolder(folder).save(results)
    if mtime is not None:
        os.utime(folder / "results.json", (mtime, mtime))


def test_plot_without_a_folder_shows_the_latest_sweep_and_says_which(tmp_path, monkeypatch):
    _save(tmp_path / "runs" / "older", wd=(0.0, 1e-2), mtime=1_000_000)
    _save(tmp_path / "runs" / "newer", wd=(0.0, 1e-3), mtime=2_000_000)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["plot", "--no-plot"])
    assert result.exit_code == 0, result.output
    assert "showing the latest sweep, runs/newer" in result.stderr
    assert "1e-3" in result.stdout and "1e-2" not in result.stdout
    as_json = CliRunner().invoke(cli, ["plot", "--json"])  # stdout stays pure JSON
    assert as_json.exit_code == 0 and as_json.stdout.lstrip().startswith("{")


def test_plot_without_a_folder_and_no_sweep_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["plot"])
    assert result.exit_code == 2
    assert "no sweep folder under runs/" in result.output
    assert "Missing argument" not in result.output and len(result.output.splitlines()) == 1


def test_the_loss_panel_beside_the_accuracy_has_a_title_and_labelled_decades():
    results = parse_results({"config": {}, "runs": [
        {"weight_decay": 0.0, "status": "done", "epochs": ROWS}]})
    text = plot_texts(results, width=100)[0]
    top = text.splitlines()[0]
    assert "wd 0: accuracy" in top and "wd 0: data loss (log" in top
    labels = {m.group(1) for m in re.finditer(r"([0-9.e-]+)┤", text)}
    # the train loss runs from 2e-1 down to 2e-4: the powers of ten inside are labelled
    assert {"1e-3", "1e-2", "0.1"} <= labels


@pytest.mark.parametrize("low, high, labels", [
    (-4, 0, ["1e-4", "1e-3", "1e-2", "0.1", "1"]),
    (-0.5, 0.4, ["0.5", "1", "2"]),  # under a decade: 1, 2 and 5 times the powers
    (-12, 0, ["1e-12", "1e-10", "1e-8", "1e-6", "1e-4", "1e-2", "1"]),  # at most ~6 decades
])
def test_log_ticks_are_powers_of_ten_by_name(low, high, labels):
    positions, shown = log_ticks(low, high)
    assert shown == labels
    assert all(low - 1e-9 <= p <= high + 1e-9 for p in positions)


def test_one_epoch_is_singular_and_the_sweep_says_how_long_it_took(tmp_path):
    result = CliRunner().invoke(cli, ["sweep", "--wd", "1e-3", "--epochs", "1", "--seeds", "1",
                                      "--train-size", "50", "--no-plot", "--out",
                                      str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert ", 1 epoch, seed 0," in text and "1 epochs" not in text
    took = re.search(r"Trained 2 runs of 1 epoch in (\d+\.\d\d?) s \((\d+\.\d) CPU seconds", text)
    assert took and float(took.group(1)) > 0


def test_the_weight_norm_over_epochs_is_drawn_in_the_terminal_and_saved(tmp_path):
    from PIL import Image

    from pa2cli.sweep import figures

    rows = [{**row, "weight_norm": 20.0 - 2 * row["epoch"]} for row in ROWS]
    runs = [{"weight_decay": w, "status": "done", "epochs": rows} for w in (0.0, 1e-2)]
    results = parse_results({"config": {}, "runs": runs})
    texts = plot_texts(results, width=100)
    assert "weight norm ‖w‖" in texts[-1]
    old = parse_results({"config": {}, "runs": [{**r, "epochs": ROWS} for r in runs]})
    assert not any("weight norm" in t for t in plot_texts(old, width=100))  # not recorded
    assert figures.weight_norm_figure(old) is None
    figure = figures.weight_norm_figure(results)
    figures.save(figure, tmp_path / "norm.png")
    assert Image.open(tmp_path / "norm.png").size[0] > 500
    folder = tmp_path / "s"
    SweepFolder(folder).save(results)
    saved = CliRunner().invoke(cli, ["plot", str(folder), "--no-plot", "--save",
                                     str(tmp_path / "all.png")])
    assert saved.exit_code == 0, saved.output
    assert Image.open(tmp_path / "all.png").size[1] > Image.open(tmp_path / "norm.png").size[1]
