"""The quiz in a real pseudo-terminal (pexpect) under hostile conditions: a terminal whose
encoding is ASCII, a damaged saved quiz, and a pasted answer far longer than any answer."""

import os
import signal
import sys

import pexpect
import pytest

from pa2cli.backprop.engine import solve
from pa2cli.backprop.examples import builtin_network

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals need POSIX")

# the built-in network: Figure 1 with sample values (checked against torch in test_figure1)
FIGURE1 = solve(builtin_network()).values()


def spawn(home, *args: str, **env) -> pexpect.spawn:
    def default_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    environment = dict(os.environ, TERM="dumb", COLUMNS="100", PA2_HOME=str(home), **env)
    return pexpect.spawn(sys.executable, ["-m", "pa2cli", "backprop", *args], env=environment,
                         encoding=None, timeout=30, preexec_fn=default_sigint)


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_an_ascii_terminal_gets_lookalikes_and_the_quiz_works(tmp_path):
    child = spawn(tmp_path, PYTHONIOENCODING="ascii")
    child.expect_exact(b"z_h1 = W11_1*inp1 + W21_1*inp2 + W31_1*inp3 + B1_1")  # Figure 1
    child.expect_exact(b"\nz_h1 = ")
    child.sendline(f"{FIGURE1['z_h1']:.7g}".encode())
    child.expect_exact(b"v correct.")
    child.expect_exact(b"\na_h1 = ")
    child.sendline(b"q")
    child.expect_exact(f"Saved at question 2 of {len(FIGURE1)}.".encode())
    assert finish(child) == 0
    seen = child.before or b""
    seen.decode("ascii")  # everything after the last match is ASCII too


def test_a_damaged_saved_quiz_on_a_terminal_starts_over_without_asking(tmp_path):
    state = tmp_path / "backprop" / "builtin-example.json"
    state.parent.mkdir(parents=True)
    state.write_text('{"fingerprint": "x", "position": "abc"}')
    child = spawn(tmp_path)
    child.expect_exact(b"(The saved quiz for this network is damaged; starting over.)")
    child.expect_exact(b"\nz_h1 = ")
    child.sendline(b"q")
    assert finish(child) == 0


def test_a_long_pasted_line_on_a_terminal_is_refused_in_one_short_line(tmp_path):
    child = spawn(tmp_path)
    child.expect_exact(b"\nz_h1 = ")
    child.sendline(b"1+" * 1500 + b"1")  # 3,001 characters (the terminal's line buffer allows)
    child.expect_exact(b"That line is longer than 1000 characters, more than any answer needs.")
    child.expect_exact(b"\nz_h1 = ")
    child.sendline(b"q")
    assert finish(child) == 0
