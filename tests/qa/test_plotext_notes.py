"""plotext's own warnings ("the values on the left y axis are too close together …") reached a
redirected stderr wrapped in ANSI colour codes (`pa2 plot DIR 2> log` held `\\x1b[38;5;11m`).
Now they are written once each, plain unless stderr is a terminal and NO_COLOR is unset."""

from __future__ import annotations

import json
import os
import sys

import pexpect
import pytest

from .conftest import ROOT, run_pa2

NOTE = "too close together"


def _sweep(folder):
    """Losses of -1e300 and 1e300: plotext cannot tell its axis limits apart and warns."""
    def row(epoch, loss):
        return {"epoch": epoch, "train_loss": loss, "train_acc": 0.5, "test_loss": loss, "test_acc": 0.5,
                "seconds": 0.1}

    folder.mkdir()
    runs = [{"weight_decay": wd, "seed": 0, "status": "done", "epochs": [row(1, -1e300), row(2, 1e300)]}
            for wd in (0.0, 1e-3)]
    (folder / "results.json").write_text(json.dumps({"config": {}, "runs": runs}))
    return folder


def _note_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if NOTE in line]


def test_plotext_warning_on_a_redirected_stderr_has_no_escape_codes(tmp_path):
    result = run_pa2("plot", str(_sweep(tmp_path / "s")), env={"NO_COLOR": ""})
    assert result.returncode == 0, result.stderr
    notes = _note_lines(result.stderr.decode())
    assert len(notes) == 1, result.stderr  # once, however many panels hit it
    assert "\x1b" not in result.stderr.decode()
    assert NOTE not in result.stdout.decode()


def _on_a_terminal(tmp_path, no_color: str | None) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    if no_color is not None:
        env["NO_COLOR"] = no_color
    child = pexpect.spawn(sys.executable, ["-m", "pa2cli", "plot", str(_sweep(tmp_path / "s"))], env=env,
                          encoding="utf-8", codec_errors="replace", timeout=120, dimensions=(40, 100))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return child.before


@pytest.mark.parametrize("no_color, coloured", [(None, True), ("1", False)])
def test_on_a_terminal_the_warning_is_coloured_unless_no_color(tmp_path, no_color, coloured):
    notes = _note_lines(_on_a_terminal(tmp_path, no_color))
    assert len(notes) == 1, notes
    assert ("\x1b[" in notes[0]) is coloured, repr(notes[0])


def test_explain_plot_draws_inside_the_same_guard(monkeypatch, capsys):
    """`pa2 explain`'s plot builds through plain_notes too: whatever plotext prints while
    drawing lands on stderr, plain when stderr is not a terminal."""
    import plotext

    from pa2cli.explain import plot
    from pa2cli.explain.worked import PlotSeries

    real = plotext.figure.build

    def noisy_build():
        print("\x1b[38;5;11mplotext.figure:\x1b[0m a note", file=sys.stderr)
        return real()

    monkeypatch.setattr(plotext.figure, "build", noisy_build)
    series = PlotSeries(xs=[0.0, 1.0], values=[0.0, 1.0], derivative=[1.0, 1.0], function_label="f",
                        derivative_label="f'", xlabel="x")
    text = plot.draw(series, width=60, height=10, color=False)
    captured = capsys.readouterr()
    assert "plotext.figure: a note" in captured.err and "\x1b" not in captured.err
    assert "\x1b" not in text and "a note" not in captured.out
