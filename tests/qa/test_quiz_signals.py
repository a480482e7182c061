"""SIGTERM and SIGHUP (a closed terminal window, `kill`) in the middle of a quiz or drill, in a
real pseudo-terminal.

Before: the default action ended Python at once: the saved place (written after every answer)
survived but the progress entry did not, so the home screen did not know the quiz existed and
a drill's score was lost. Now both signals stop the quiz as Ctrl-C does: the place is saved,
the progress entry recorded, and the exit status is 128 + the signal's number."""

from __future__ import annotations

import json
import os
import signal
import sys

import pexpect
import pytest

from pa2cli.backprop.engine import solve
from pa2cli.backprop.examples import builtin_network

from .conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals need POSIX")


def spawn(pa2_home, *args: str) -> pexpect.spawn:
    env = dict(os.environ, TERM="dumb", COLUMNS="100", PYTHONPATH=str(ROOT),
               PA2_HOME=str(pa2_home))
    return pexpect.spawn(sys.executable, ["-m", "pa2cli", *args], env=env, encoding="utf-8",
                         timeout=30)


def _ended_by(child: pexpect.spawn, signum: int) -> int:
    child.kill(signum)
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else -child.signalstatus


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_mid_quiz_keeps_the_place_and_the_progress_entry(pa2_home, signum):
    child = spawn(pa2_home, "backprop")
    child.expect_exact("\nz_h1 = ")
    child.sendline(f"{solve(builtin_network()).values()['z_h1']:.7g}")  # Figure 1's z_h1
    child.expect_exact("✓ correct")
    child.expect_exact("\na_h1 = ")
    assert _ended_by(child, signum) == 128 + signum
    state = json.loads((pa2_home / "backprop" / "builtin-example.json").read_text())
    assert state["position"] == 1
    entry = json.loads((pa2_home / "progress.json").read_text())["backprop"]["builtin-example"]
    assert entry["answered"] == 1 and entry["first_try"] == 1 and not entry["finished"]
    assert "--resume" in entry["command"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_mid_drill_keeps_the_score_so_far(pa2_home, signum):
    child = spawn(pa2_home, "explain", "sigmoid", "--quiz", "--seed", "3")
    child.expect_exact("dσ/dz = ")
    child.sendline("s")
    child.expect_exact("[2/5]")
    child.expect_exact("dσ/dz = ")
    assert _ended_by(child, signum) == 128 + signum
    entry = json.loads((pa2_home / "progress.json").read_text())["explain"]["sigmoid"]
    assert entry["drills"] == 1 and entry["last"] == [0, 1]
