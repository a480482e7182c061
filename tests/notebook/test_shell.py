"""Under a notebook's `!` (a pseudo-terminal with the kernel's environment) pa2 writes no cursor
controls: the sweep prints plain lines, the explain stepper shows everything at once."""

from __future__ import annotations

import io
import os
import re
import sys

import pexpect
import pytest

from pa2cli.notebook import shell as notebook_shell

# what ipykernel's shell and Jupyter's kernel launcher put in a kernel's environment
KERNEL_ENV = {"TERM": "xterm-color", "CLICOLOR": "1", "FORCE_COLOR": "1", "CLICOLOR_FORCE": "1",
              "PAGER": "cat", "JPY_PARENT_PID": "1",
              "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
COLOUR = re.compile(r"\x1b\[[0-9;]*m")
ANY_ESCAPE = re.compile(r"\x1b[\[\]()][0-9;?]*[A-Za-z]|\x1b[^\[\]()]")


def cursor_controls(text: str) -> list[str]:
    """Every escape sequence in `text` that is not a colour (SGR): cursor moves, erases, hides."""
    return [code for code in ANY_ESCAPE.findall(text) if not COLOUR.fullmatch(code)]


@pytest.mark.parametrize("environ, expected", [
    ({}, None),
    ({"TERM": "xterm-256color"}, None),
    ({"TERM": "xterm-color"}, None),  # an old terminal's TERM alone is not a kernel
    ({"TERM": "xterm-256color", "JPY_PARENT_PID": "7"}, None),  # not set by a kernel's shell
    ({"TERM": "xterm-color", "JPY_PARENT_PID": "7"}, "Jupyter"),
    ({"TERM": "xterm-color", "MPLBACKEND": "module://matplotlib_inline.backend_inline"},
     "Jupyter"),  # a kernel started by another front end (VS Code)
    ({"TERM": "xterm-color", "MPLBACKEND": "Agg"}, None),
    ({"COLAB_RELEASE_TAG": "release-colab_20250101-060000_RC00"}, "Colab"),
    ({"COLAB_GPU": ""}, "Colab"),  # set, empty, on a CPU runtime
])
def test_notebook_shell_is_told_apart_by_the_kernels_environment(environ, expected):
    assert notebook_shell.notebook_shell(environ) == expected


def test_prepare_turns_off_live_display_and_key_reading(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("answer\n"))
    environ = {**KERNEL_ENV, "JUPYTER_COLUMNS": "120"}
    assert notebook_shell.prepare(environ) == "Jupyter"
    assert environ["TTY_INTERACTIVE"] == "0"  # Rich: no live display
    assert environ["COLUMNS"] == "120"
    assert not sys.stdin.isatty()
    assert sys.stdin.readline() == "answer\n"  # reading lines still works


def test_the_users_tty_interactive_wins(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    environ = {**KERNEL_ENV, "TTY_INTERACTIVE": "1"}
    assert notebook_shell.prepare(environ) is None
    assert environ["TTY_INTERACTIVE"] == "1"
    assert "COLUMNS" not in environ


def _spawn(args, env, tmp_path):
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("JPY_", "COLAB_", "TTY_", "MPLBACKEND", "COLUMNS", "LINES"))}
    log = io.StringIO()
    child = pexpect.spawn(sys.executable, ["-m", "pa2cli", *args], dimensions=(24, 80),
                          env={**base, "PA2_HOME": str(tmp_path / "home"), **env},
                          timeout=120, encoding="utf-8")
    child.logfile_read = log
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, log.getvalue()


def test_sweep_under_a_notebook_bang_prints_plain_coloured_lines(tmp_path):
    out = tmp_path / "sweep"
    status, output = _spawn(["sweep", "--wd", "1e-3", "--epochs", "3", "--seeds", "1",
                             "--train-size", "100", "--out", str(out)], KERNEL_ENV, tmp_path)
    assert status == 0, output[-2000:]
    assert cursor_controls(output) == []
    assert COLOUR.search(output)  # colours stay: a notebook renders them
    plain = COLOUR.sub("", output)
    assert "━" not in plain  # no progress bar frames
    epochs = [line for line in plain.splitlines() if re.match(r"wd +(0|1e-3) │ epoch", line)]
    assert len(epochs) == 6  # one line per finished epoch per weight decay, nothing repeated
    assert "final accuracy vs weight decay" in plain and "Findings" in plain
    assert max(len(line) for line in plain.splitlines()) <= 80  # the pty's width
    assert (out / "results.json").is_file()


def test_explain_under_a_notebook_bang_shows_every_step_without_waiting(tmp_path):
    status, output = _spawn(["explain", "huber"], KERNEL_ENV, tmp_path)
    assert status == 0, output[-2000:]
    assert cursor_controls(output) == []  # no screen clearing by the stepper
    assert "huber" in COLOUR.sub("", output).lower()
