"""matplotlib figures of a saved sweep: one panel pair per weight decay with the seed spread,
final accuracy against weight decay with min–max error bars, and `pa2 plot --save` writing real
PNG, PDF and SVG files."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.sweep import figures
from pa2cli.sweep.store import EpochRow, Run, SweepFolder, SweepResults


def rows(offset: float) -> list[EpochRow]:
    return [EpochRow(e, 1.0 / e + offset, 0.8 + 0.05 * e - offset, 1.2 / e + offset, 0.75 + 0.05 * e - offset, 0.1)
            for e in (1, 2, 3)]


def results_with_seeds() -> SweepResults:
    runs = [Run(wd, seed, "done", rows(0.01 * seed)) for wd in (0.0, 1e-3) for seed in (0, 1, 2)]
    runs.append(Run(1e-2, 0, "partial", rows(0.0)[:2]))
    return SweepResults({"seed": 0}, runs)


def test_runs_are_grouped_by_weight_decay_with_one_row_per_seed():
    found = figures.groups(results_with_seeds())
    assert [g.weight_decay for g in found] == [0.0, 1e-3, 1e-2]
    assert [g.seeds for g in found] == [3, 3, 1]
    assert found[0].metrics["test_acc"].shape == (3, 3) and found[2].metrics["test_acc"].shape == (1, 2)
    assert not found[2].complete


def test_final_accuracy_error_bars_span_the_lowest_to_the_highest_seed():
    figure = figures.final_figure(results_with_seeds())
    axes = figure.axes[0]
    test_bars = [c for c in axes.containers if c.get_label() == "test"][0]
    x, y = test_bars.lines[0].get_data()
    finals = [0.75 + 0.15 - 0.01 * s for s in (0, 1, 2)]  # epoch 3, seeds 0..2
    assert y[0] == pytest.approx(100 * np.mean(finals))
    segment = test_bars.lines[2][0].get_segments()[0]  # the vertical bar of weight decay 0
    assert segment[:, 1] == pytest.approx([100 * min(finals), 100 * max(finals)])
    assert [t.get_text() for t in axes.get_xticklabels()] == ["0", "1e-3", "1e-2"]


def test_curves_have_two_panels_per_weight_decay_and_a_band_for_several_seeds():
    figure = figures.curves_figure(results_with_seeds())
    assert len(figure.axes) == 6
    bands = [len(a.collections) for a in figure.axes]
    assert bands[:4] == [2, 2, 2, 2] and bands[4:] == [0, 0]  # one seed: no band
    assert "unfinished" in figure.axes[4].get_title()


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF-"),
                                           (".svg", b"<?xml")])
def test_plot_save_writes_a_matplotlib_figure_in_the_format_of_the_suffix(tmp_path, suffix, magic):
    SweepFolder(tmp_path / "sweep").save(results_with_seeds())
    target = tmp_path / f"fig{suffix}"
    result = CliRunner().invoke(cli, ["plot", str(tmp_path / "sweep"), "--save", str(target), "--no-plot"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(magic) and target.stat().st_size > 5000


def test_a_sweep_without_epochs_has_no_figure_and_says_how_to_get_one():
    from pa2cli.errors import UserError

    with pytest.raises(UserError, match="no finished epoch"):
        figures.final_figure(SweepResults({}, [Run(0.0, 0)]))
