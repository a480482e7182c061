"""The quiz in a real pseudo-terminal (pexpect): the interactive path, Ctrl-D, Ctrl-C and --resume.

TERM=dumb keeps Rich from writing colour codes, so the text can be matched as it reads. The
answers are the published 2-2-2 example's (`--example mazur`: z_h1 = 0.3775, a_h1 = 0.5932699921);
Ctrl-C is tried on the built-in Figure 1 (36 questions).
"""

import os
import signal
import sys
import time

import pexpect
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals need POSIX")


def _default_sigint() -> None:
    # A test run started in the background inherits an ignored SIGINT, and Python keeps it
    # ignored; a user's terminal never does. Give the child the default, as a shell would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


MAZUR = ("--example", "mazur")


def spawn(*args: str, network=MAZUR) -> pexpect.spawn:
    env = dict(os.environ, TERM="dumb", COLUMNS="100")
    return pexpect.spawn(sys.executable, ["-m", "pa2cli", "backprop", *network, *args], env=env,
                         encoding="utf-8", timeout=20, preexec_fn=_default_sigint)


def prompt(child: pexpect.spawn, name: str) -> None:
    """Wait for the question's formula line, then for its answer prompt."""
    child.expect_exact(f"  {name} = ")
    child.expect_exact(f"\n{name} = ")


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_terminal_quiz_right_wrong_hint_reveal_and_quit():
    child = spawn()
    child.expect_exact("z_h1 = w1·i1 + w2·i2 + b1")
    child.expect_exact("\nz_h1 = ")
    child.sendline("0.3775")
    child.expect_exact("✓ correct")
    prompt(child, "a_h1")
    child.sendline("0.6")
    child.expect_exact("0.6 is too high by about 1%")
    child.expect_exact("Type ? for a hint")
    child.sendline("?")
    child.expect_exact("hint: a_h1 = 1/(1 + exp(-0.3775))")
    child.sendline("1/(1+exp(-0.3775))")
    child.expect_exact("✓ correct")
    prompt(child, "z_h2")
    child.sendline("s")
    child.expect_exact("revealed")
    child.expect_exact("= 0.3925")
    prompt(child, "a_h2")
    child.sendline("q")
    child.expect_exact("Saved at question 4 of 39")
    assert finish(child) == 0


def test_terminal_end_of_input_saves_and_resume_continues_there():
    child = spawn()
    prompt(child, "z_h1")
    child.sendline("0.3775")
    prompt(child, "a_h1")
    child.sendeof()
    child.expect_exact("Saved at question 2 of 39")
    assert finish(child) == 0

    child = spawn("--resume")
    child.expect_exact("Resuming at question 2 of 39.")
    child.expect_exact("[2/39] a_h1")
    prompt(child, "a_h1")
    child.sendline("0.5932699921")
    child.expect_exact("✓ correct")
    prompt(child, "z_h2")
    child.sendline("q")
    assert finish(child) == 0


def test_terminal_ctrl_c_saves_the_place_and_exits_130():
    child = spawn(network=())
    prompt(child, "z_h1")
    # The prompt is written just before Python blocks in read(); a SIGINT landing in between is
    # only noticed after the next line is typed (a CPython race), so let it reach the read first.
    time.sleep(0.5)
    child.sendintr()
    child.expect_exact("Saved at question 1 of 36")
    assert finish(child) == 130
    resumed = spawn("--resume", network=())
    resumed.expect_exact("Resuming at question 1 of 36.")
    prompt(resumed, "z_h1")
    resumed.sendline("q")
    assert finish(resumed) == 0


def test_terminal_start_without_resume_offers_to_continue_a_saved_quiz():
    child = spawn()
    prompt(child, "z_h1")
    child.sendline("0.3775")
    prompt(child, "a_h1")
    child.sendline("q")
    assert finish(child) == 0

    child = spawn()  # no --resume: asked rather than silently starting over
    child.expect_exact("A saved quiz for this network stopped at question 2 of 39. Continue it?")
    child.sendline("y")
    child.expect_exact("Resuming at question 2 of 39.")
    prompt(child, "a_h1")
    child.sendline("q")
    assert finish(child) == 0

    child = spawn()
    child.expect_exact("Continue it?")
    child.sendline("n")
    child.expect_exact("replaced by this new one")
    prompt(child, "z_h1")
    child.sendline("q")
    assert finish(child) == 0
