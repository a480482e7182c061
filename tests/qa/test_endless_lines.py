"""Input that never ends, one short line at a time (`yes | pa2 explain relu --quiz`).

Before: the character bound (MAX_INPUT) never came near: `yes` answers "y", which cannot be
read, so the same question was asked again 254,000 times in 60 s (18 MB of output). Now a
question is asked at most MAX_TRIES times from one session's input and a session reads at most
MAX_LINES lines; then the quiz stops as at the end of input, its place saved."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pa2cli.backprop import quiz
from pa2cli.backprop.engine import solve
from pa2cli.backprop.examples import builtin_network
from pa2cli.cli import cli

from .conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs `yes`-like pipes")

# the built-in network (Figure 1 with sample values): its values from the engine
FIGURE1 = solve(builtin_network()).values()


def _endless(args, line: bytes, pa2_home, timeout=90):
    """Run pa2 with `line` written forever to its stdin (the timeout guards against a hang)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PA2_HOME": str(pa2_home), "COLUMNS": "100"}
    process = subprocess.Popen([sys.executable, "-c",
                                f"import sys\nwhile True: sys.stdout.buffer.write({line!r} * 512)"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        done = subprocess.run([sys.executable, "-m", "pa2cli", *args], stdin=process.stdout,
                              env=env, capture_output=True, timeout=timeout)
    finally:
        process.kill()
        process.wait()
    return done


@pytest.mark.parametrize("args", [["explain", "relu", "--quiz", "--seed", "1"],
                                  ["backprop", "--random", "--seed", "4"]])
def test_yes_piped_into_a_quiz_ends_soon_with_its_place_saved(args, pa2_home):
    done = _endless(args, b"y\n", pa2_home)
    out = done.stdout.decode()
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    assert f"stopped reading: {quiz.MAX_TRIES} answers to one question" in out
    assert len(done.stdout) < 200_000  # 18 MB in 60 s before: the same question, endlessly
    assert done.stdout.count(b"stopped reading") == 1
    assert "Stopped after 0 of 5" in out if args[0] == "explain" else "Saved at question 1" in out


def test_hints_asked_forever_end_too(pa2_home):
    done = _endless(["explain", "huber", "--quiz", "--seed", "2"], b"?\n", pa2_home)
    assert done.returncode == 0
    assert f"stopped reading: {quiz.MAX_TRIES} answers to one question" in done.stdout.decode()


def test_a_session_reads_at_most_max_lines(monkeypatch):
    """Every question answered within its tries, but more lines than the session allows."""
    monkeypatch.setattr(quiz, "MAX_LINES", 6)
    result = CliRunner().invoke(cli, ["backprop"], input="?\n?\n?\ns\n?\n?\n?\ns\ns\ns\n")
    assert result.exit_code == 0, result.output
    assert "stopped reading: more than 6 lines of input" in result.output
    assert f"Saved at question 2 of {len(FIGURE1)}" in result.output


def test_a_right_answer_after_many_wrong_ones_is_still_taken(monkeypatch):
    monkeypatch.setattr(quiz, "MAX_TRIES", 5)
    result = CliRunner().invoke(cli, ["backprop"], input=f"1\n2\n3\n4\n{FIGURE1['z_h1']:.7g}\nq\n")
    assert result.exit_code == 0 and "✓ correct" in result.output
    assert "stopped reading" not in result.output
