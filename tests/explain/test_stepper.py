"""Stepping through an explanation: the key loop with scripted keys, and a real terminal."""

from __future__ import annotations

import io
import os
import sys

import pexpect
from rich.console import Console
from rich.text import Text

from pa2cli.explain.render import Block
from pa2cli.explain.stepper import positions, step_through


def lines_block(heading: str, lines: list[str]) -> Block:
    return Block(heading, len(lines), lambda k: Text("\n".join(lines[:k])))


BLOCKS = [lines_block("One", ["a1", "a2"]), lines_block("Two", ["b1", "b2", "b3"])]


def spawn_explain(*args: str) -> pexpect.spawn:
    """`pa2 explain ARGS` in a real 40x110 pseudo-terminal."""
    return pexpect.spawn(sys.executable, ["-m", "pa2cli", "explain", *args], encoding="utf-8",
                         dimensions=(40, 110), timeout=20,
                         env={"TERM": "xterm", "PATH": "/usr/bin:/bin",
                              "PA2_HOME": os.environ["PA2_HOME"]})  # tests/conftest.py


def walk(keys: str) -> tuple[int, str]:
    out = io.StringIO()
    script = iter(keys)
    shown = step_through(Console(file=out, width=60), BLOCKS, read_key=lambda: next(script))
    return shown, out.getvalue()


def test_positions_go_line_by_line_through_every_block():
    assert positions(BLOCKS) == [(0, 1), (0, 2), (1, 1), (1, 2), (1, 3)]


def test_enter_advances_one_line_and_q_quits():
    shown, out = walk("\r\rq")
    assert shown == 3
    assert "step 3 of 5" in out and "b1" in out and "b2" not in out


def test_b_goes_back_one_line_and_never_before_the_first():
    shown, _ = walk("\r\rbbbbq")
    assert shown == 1


def test_enter_on_the_last_line_ends():
    shown, out = walk("\r" * 10)
    assert shown == 5 and "b3" in out and "end" in out


def test_ctrl_c_quits_quietly():
    def interrupt():
        raise KeyboardInterrupt

    assert step_through(Console(file=io.StringIO()), BLOCKS, read_key=interrupt) == 1


def test_real_terminal_steps_forward_back_and_quits():
    child = spawn_explain("sigmoid")
    try:
        child.expect("step 1 of (\\d+)")
        total = int(child.match.group(1))
        assert total > 10
        assert "The sigmoid maps a pre-activation" in child.before
        child.send("\r")
        child.expect("step 2 of")
        assert "It is the output unit" in child.before  # the second definition line appeared
        child.send("\r")
        child.expect("step 3 of")
        child.send("b")
        child.expect("step 2 of")
        assert "σ(z) = 1 / (1 + e^(−z))" not in child.before  # step 3's line is gone again
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_real_terminal_with_all_prints_without_waiting():
    child = spawn_explain("relu", "--all")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Numeric check" in child.before and "step 1 of" not in child.before


def test_several_keys_in_one_read_each_count():
    chunks = iter(["\r\r\r", "b", "q"])
    shown = step_through(Console(file=io.StringIO(), width=60), BLOCKS, read_key=lambda: next(chunks))
    assert shown == 3  # three forward from step 1, one back


def test_arrow_keys_step_and_other_escape_sequences_are_ignored():
    chunks = iter(["\x1b[B", "\x1b[C", "\x1b[15~", "\x1b[A", "q"])
    shown = step_through(Console(file=io.StringIO(), width=60), BLOCKS, read_key=lambda: next(chunks))
    assert shown == 2  # down, right, (F5 ignored), up


def test_escape_alone_quits():
    assert step_through(Console(file=io.StringIO(), width=60), BLOCKS, read_key=lambda: "\x1b") == 1


def test_real_terminal_counts_every_key_of_a_fast_burst():
    child = spawn_explain("relu")
    try:
        child.expect("step 1 of")
        child.send("\r\r\r\r\r")  # one write: the program may read all five keys at once
        child.expect("step 6 of")
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_each_step_shows_only_the_last_screenful_ending_at_the_newest_line():
    block = lines_block("Long", [f"line {i}" for i in range(1, 21)])
    out = io.StringIO()
    keys = iter("\r" * 11 + "q")
    step_through(Console(file=out, width=60, height=8), [block], read_key=lambda: next(keys))
    frame = out.getvalue().split("step 11 of 20")[0].rsplit("step 10 of 20", 1)[1].split("q quit", 1)[1]
    shown = [line for line in frame.splitlines() if line.strip()]
    assert shown == [f"line {i}" for i in range(6, 12)]  # height 8: six lines, then the status row
