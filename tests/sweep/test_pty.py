"""In a real pseudo-terminal, `pa2 sweep` shows the progress bar, the plots and the findings."""

from __future__ import annotations

import io
import os
import re
import sys

import pexpect

from pa2cli.sweep.command import DEFAULTS

ANSI = r"(?:\x1b\[[0-9;]*m)*"


def loose(text: str) -> str:
    """A regex for `text` that lets colour codes sit between any two characters."""
    return ANSI.join(re.escape(ch) for ch in text)


def test_sweep_in_a_terminal_draws_progress_plots_and_findings(tmp_path):
    env = {**os.environ, "PA2_HOME": str(tmp_path / "home"), "COLUMNS": "120", "LINES": "50"}
    log = io.StringIO()
    child = pexpect.spawn(sys.executable,
                          ["-m", "pa2cli", "sweep", "--wd", "1e-3", "--epochs", "1",
                           "--out", str(tmp_path / "sweep")],
                          env=env, dimensions=(50, 120), timeout=90, encoding="utf-8")
    child.logfile_read = log
    for text in ("Weight-decay sweep on digits", "epoch 1/1",
                 f"wd 1e-3 ({DEFAULTS.seeds} seeds): accuracy", f"wd 1e-3 ({DEFAULTS.seeds} seeds): data loss",
                 "final accuracy vs weight decay",
                 "final test loss vs weight decay", "Findings"):
        child.expect(loose(text))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    output = log.getvalue()
    assert "\x1b[" in output  # coloured in a terminal
    assert re.search(r"sweep +" + ANSI + "━", output)  # the progress bars: the whole sweep
    assert re.search(r"wd +1e-3 +" + ANSI + "━", output)  # ... and each weight decay
    assert (tmp_path / "sweep" / "results.json").is_file()


def test_ctrl_c_keeps_finished_epochs_and_resume_finishes_the_sweep(tmp_path):
    import json

    out = tmp_path / "sweep"
    args = ["-m", "pa2cli", "sweep", "--wd", "1e-3", "--no-baseline", "--epochs", "30",
            "--seeds", "1", "--train-size", "all", "--out", str(out)]
    child = pexpect.spawn(sys.executable, args, dimensions=(50, 120), timeout=90,
                          encoding="utf-8", env={**os.environ, "PA2_HOME": str(tmp_path)})
    child.expect(loose("epoch  3/30 │"))  # the line printed when epoch 3 is saved
    child.sendintr()
    child.expect(loose("Interrupted."))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    saved = json.loads((out / "results.json").read_text())
    statuses = [(r["status"], len(r["epochs"])) for r in saved["runs"]]
    assert any(status == "partial" for status, _ in statuses), statuses
    assert sum(n for _, n in statuses) >= 3, statuses

    resumed = pexpect.spawn(sys.executable, ["-m", "pa2cli", "sweep", "--out", str(out),
                                             "--resume", "--no-plot"],
                            dimensions=(50, 120), timeout=90, encoding="utf-8")
    resumed.expect(pexpect.EOF)
    resumed.close()
    assert resumed.exitstatus == 0
    final = json.loads((out / "results.json").read_text())
    assert [(r["status"], len(r["epochs"])) for r in final["runs"]] == [("done", 30)]
    for before, after in zip(saved["runs"], final["runs"]):
        assert after["epochs"][:len(before["epochs"])] == before["epochs"]  # kept as they were
