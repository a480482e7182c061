"""Ctrl-C outside the quiz loops, and what a quiz echoes of a hostile answer.

Before: Ctrl-C at `pa2 reset`'s confirmation, during `explain --verify`, `backprop --solve` or
`report` ended "Aborted!" with status 1 (the documented status is 130); a piped answer's
ESC sequences were echoed raw into the transcript; the drill echoed a 1,000-character answer
whole and read Rich markup in it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pexpect
import pytest

from .conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="signals and ptys need POSIX")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a background test run inherits SIG_IGN


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), TERM="dumb", COLUMNS="80")


def test_ctrl_c_at_the_reset_confirmation_is_130_and_changes_nothing(pa2_home, tmp_path):
    pa2_home.mkdir(parents=True)
    saved = '{"version": 1, "explain": {"huber": {"stepped": true}}, "backprop": {}}'
    (pa2_home / "progress.json").write_text(saved)
    child = pexpect.spawn(sys.executable, ["-m", "pa2cli", "reset"], env=_env(), cwd=tmp_path,
                          encoding="utf-8", timeout=20, preexec_fn=_default_sigint)
    child.expect_exact("[y/N]")
    time.sleep(0.2)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Interrupted." in child.before and "Traceback" not in child.before
    assert (pa2_home / "progress.json").read_text() == saved


def test_end_of_input_at_the_confirmation_is_still_aborted_with_1(pa2_home, tmp_path):
    child = pexpect.spawn(sys.executable, ["-m", "pa2cli", "reset"], env=_env(), cwd=tmp_path,
                          encoding="utf-8", timeout=20)
    child.expect_exact("[y/N]")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and "Aborted!" in child.before


@pytest.mark.parametrize("args", [["explain", "huber", "--verify", "--all"],
                                  ["report", "--format", "latex", "--pdf", "--out", "rep"]])
def test_sigint_during_a_computation_is_interrupted_with_130(tmp_path, args):
    # As the `pa2` console script runs it (with `python -m`, CPython itself may re-raise the
    # SIGINT at exit after pa2 has printed its line, which a shell also reports as 130).
    entry = ["-c", "from pa2cli.cli import main; main()"]
    process = subprocess.Popen([sys.executable, *entry, *args], cwd=tmp_path, env=_env(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, preexec_fn=_default_sigint)
    time.sleep(0.25)  # inside imports or the computation, before either finishes
    process.send_signal(signal.SIGINT)
    err = process.communicate(timeout=60)[1].decode()
    if process.returncode == 0:
        pytest.skip("finished before the signal arrived (a very fast machine)")
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == "Interrupted." and "Traceback" not in err


def test_a_piped_answer_with_control_codes_is_echoed_escaped(pa2, tmp_path):
    result = pa2("backprop", cwd=tmp_path, input=b"\x1b[2J\xe2\x80\xae0.3775\n")
    assert result.returncode == 0
    assert b"\x1b" not in result.stdout and "\u202e" not in result.stdout.decode()
    assert "z_h1 = \\x1b[2J\\u202e0.3775" in result.stdout.decode()


def test_the_drill_quotes_a_bad_answer_as_a_short_excerpt(pa2, tmp_path):
    long = b"[bold]" + b"x" * 5000 + b"\n"
    result = pa2("explain", "huber", "--quiz", "--seed", "1", "--questions", "1", cwd=tmp_path,
                 input=long)
    out = result.stdout.decode()
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr.decode()
    assert "x" * 100 not in out  # before: the whole 1,000-character line, twice
    assert "Could not read '[bold]xxx" in out and "characters)" in out
