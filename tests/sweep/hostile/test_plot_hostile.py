"""`pa2 plot` on a results.json that someone else wrote: whatever passes validation is drawn
(or said in one line); whatever does not is one line, exit 2; never a traceback."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console


def _row(epoch: int, **values) -> dict:
    row = {"epoch": epoch, "train_loss": 0.5, "train_acc": 0.8, "test_loss": 0.6,
           "test_acc": 0.7, "seconds": 0.1}
    row.update(values)
    return row


def _write(folder, runs) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "results.json").write_text(json.dumps({"config": {}, "runs": runs}))


def _plot(pa2, folder, *extra):
    return pa2("plot", folder, *extra)


@pytest.mark.parametrize("rows", [
    [_row(1, train_loss=0.0, test_loss=0.0), _row(2, train_loss=0.0)],  # 0 on a log scale
    [_row(1, train_loss=-1.0), _row(2, test_loss=-0.5)],  # a negative "loss"
    [_row(1, train_loss=1e308, test_loss=1e-308)],  # extremes of a float
])
def test_plot_draws_odd_but_valid_numbers(tmp_path, pa2, rows):
    _write(tmp_path / "s", [{"weight_decay": 0.0, "status": "done", "epochs": rows},
                            {"weight_decay": 1e-3, "status": "partial", "epochs": rows}])
    result = _plot(pa2, tmp_path / "s")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Findings" in result.stdout
    assert "wd 1e-3" in result.stdout  # the figures were drawn


@pytest.mark.parametrize("text, problem", [
    (json.dumps({"config": {}, "runs": [{"weight_decay": 0, "status": "done", "epochs": [
        _row(1, val_acc=0.9)]}]}), "has only one of val_loss and val_acc"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"config": {}, "runs": [{"weight_decay": ' + "7" * 5000 + "}]}", "not readable JSON"),
    ('{"config": {}, "runs": [{"weight_decay": ' + "7" * 4000 + ', "status": "done", '
     '"epochs": []}]}', "runs[0].weight_decay"),
    ('{"config": {}, "runs": [{"weight_decay": 0, "status": "done", "epochs": ['
     + json.dumps(_row(1))[:-1] + ', "test_loss": ' + "1" * 4000 + "}]}]}", "test_loss"),
])
def test_plot_of_hostile_json_is_one_line(tmp_path, pa2, text, problem, one_line_error):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "results.json").write_text(text)
    result = _plot(pa2, folder)
    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert str(folder / "results.json") in line and problem in line and len(line) < 400, line


finite = st.floats(allow_nan=False, allow_infinity=False)
accuracy = st.floats(0, 1)


@st.composite
def rows(draw):
    n = draw(st.integers(0, 4))
    val = draw(st.sampled_from(["none", "both", "acc", "loss"]))
    out = []
    for epoch in range(1, n + 1):
        row = {"epoch": epoch, "train_loss": draw(finite), "train_acc": draw(accuracy),
               "test_loss": draw(finite), "test_acc": draw(accuracy), "seconds": draw(finite)}
        if val in ("both", "acc"):
            row["val_acc"] = draw(accuracy)
        if val in ("both", "loss"):
            row["val_loss"] = draw(finite)
        out.append(row)
    return out


runs = st.lists(st.fixed_dictionaries({
    "weight_decay": st.one_of(st.floats(0, 1e300), st.integers(0, 10 ** 300),
                              st.sampled_from([0, 0.0, 5e-324, 1e-4])),
    "status": st.sampled_from(["done", "partial", "diverged"]),
    "seed": st.integers(0, 2),
    "epochs": rows()}), min_size=0, max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs=runs)
def test_whatever_passes_validation_is_shown_without_an_error(runs):
    from hypothesis import assume

    from pa2cli.errors import UserError
    from pa2cli.sweep import report
    from pa2cli.sweep.store import parse_results

    try:  # only valid results are the point here
        results = parse_results({"config": {}, "runs": runs})
    except UserError:
        assume(False)
    console = Console(file=io.StringIO(), width=100)
    report.show(console, results, with_plots=True)
    assert "Findings" in console.file.getvalue()
