"""stdin that never ends (/dev/zero: one endless line; /dev/urandom: endless garbage lines).

Before: `pa2 backprop`, `pa2 explain TOPIC --quiz` and `pa2 reset` read /dev/zero forever (the
quiz consumed the over-long line chunk by chunk without end; reset's click.confirm read one
endless line into memory). Now a quiz reads at most MAX_INPUT characters from a pipe or file,
then stops as at the end of input (its place saved); reset reads one bounded line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pa2cli.backprop.engine import solve
from pa2cli.backprop.examples import builtin_network

from .conftest import ROOT

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")

# the built-in network (Figure 1 with sample values): its values from the engine
FIGURE1 = solve(builtin_network()).values()


def _run(args, tmp_path, source="/dev/zero"):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    with open(source, "rb") as endless:
        return subprocess.run([sys.executable, "-m", "pa2cli", *args], stdin=endless, env=env,
                              cwd=tmp_path, capture_output=True, timeout=120)


def test_the_backprop_quiz_stops_reading_an_endless_line(tmp_path):
    result = _run(["backprop"], tmp_path)
    out = result.stdout.decode()
    assert result.returncode == 0 and b"Traceback" not in result.stderr
    assert "stopped reading: more than 20,000,000 characters" in out
    assert f"Saved at question 1 of {len(FIGURE1)}" in out


def test_the_drill_stops_reading_an_endless_line(tmp_path):
    result = _run(["explain", "huber", "--quiz", "--seed", "1"], tmp_path)
    assert result.returncode == 0 and "Stopped after 0 of 5" in result.stdout.decode()


def test_reset_reads_one_bounded_line_and_changes_nothing(tmp_path, pa2_home):
    pa2_home.mkdir(parents=True)
    saved = '{"version": 1, "explain": {"huber": {"stepped": true}}, "backprop": {}}'
    (pa2_home / "progress.json").write_text(saved)
    result = _run(["reset"], tmp_path)
    assert result.returncode == 0 and "Nothing changed." in result.stdout.decode()
    assert (pa2_home / "progress.json").read_text() == saved


@pytest.mark.parametrize("answer, forgets", [(b"y\n", True), (b"YES\n", True), (b"n\n", False),
                                             (b"\n", False)])
def test_reset_through_a_pipe_still_takes_yes(pa2, pa2_home, tmp_path, answer, forgets):
    pa2_home.mkdir(parents=True)
    (pa2_home / "progress.json").write_text(
        '{"version": 1, "explain": {"huber": {"stepped": true}}, "backprop": {}}')
    result = pa2("reset", "explain", cwd=tmp_path, input=answer)
    assert result.returncode == 0
    assert ("Forgot" in result.stdout.decode()) is forgets
