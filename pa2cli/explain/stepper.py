"""Interactive stepping through an explanation on a terminal: one line (or table row) at a
time. Enter (or space, or ↓/→) shows the next line, `b` (or ↑/←) goes back one, `q` quits;
Enter on the last line also ends. Several keys in one read (typed fast, or a held-down key) each
count.

Keys are read in cbreak mode held for the whole walk (`terminal_keys`; one read may hold several
keys), or with `click.getchar()` where there is no POSIX terminal; each move clears the screen
and redraws, with Rich, the last screenful of the blocks up to the current line. It never
computes maths and never decides what is shown: it only walks the blocks render.py built.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Callable, Iterator

import click
from rich.console import Console
from rich.text import Text

from pa2cli.explain.render import Block, section

NEXT = {"\r", "\n", " ", "j", "n"}
BACK = {"b", "B", "k", "p", "\x7f", "\x08"}
QUIT = {"q", "Q", "\x1b"}
ARROWS = {"A": "b", "D": "b", "B": "n", "C": "n"}  # up/left back, down/right next


def keys_in(chunk: str) -> list[str]:
    """The keys in one read: a fast typist or a held-down key delivers several at once, and an
    arrow key arrives as an escape sequence (ESC [ A); other escape sequences are skipped."""
    keys: list[str] = []
    i = 0
    while i < len(chunk):
        if chunk[i] == "\x1b" and i + 1 < len(chunk) and chunk[i + 1] in "[O":
            end = i + 2
            while end < len(chunk) and not ("@" <= chunk[end] <= "~"):
                end += 1
            if end < len(chunk) and chunk[end] in ARROWS and end == i + 2:
                keys.append(ARROWS[chunk[end]])
            i = end + 1
            continue
        keys.append(chunk[i])
        i += 1
    return keys


def positions(parts: list[Block]) -> list[tuple[int, int]]:
    """(block index, lines shown in it) for every step, in order."""
    return [(b, k) for b, block in enumerate(parts) for k in range(1, block.size + 1)]


@contextlib.contextmanager
def terminal_keys() -> Iterator[Callable[[], str]]:
    """A key reader for the whole walk. On a POSIX terminal it holds cbreak mode (no echo, keys
    at once) from start to end, so keys typed while a step is drawn wait for the next read;
    `click.getchar` re-enters raw mode per key, which discards them. Elsewhere, click.getchar."""
    try:
        import termios
        import tty

        fd = sys.stdin.fileno()
        old = termios.tcgetattr(fd)
    except (ImportError, OSError, ValueError, AttributeError):
        yield click.getchar
        return
    tty.setcbreak(fd, termios.TCSANOW)
    try:
        yield lambda: os.read(fd, 64).decode("utf-8", errors="replace")
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


def step_through(console: Console, parts: list[Block], read_key: Callable[[], str] | None = None) -> int:
    """Walk the blocks until the user quits or passes the end; returns the last step shown (1-based)."""
    if read_key is None:
        with terminal_keys() as read:
            return step_through(console, parts, read)
    steps = positions(parts)
    i = 0
    while True:
        _draw(console, parts, steps[i])
        last = i == len(steps) - 1
        hint = "end — Enter or q quits, b back" if last else "Enter next · b back · q quit"
        console.print(Text(f"step {i + 1} of {len(steps)}   {hint}", style="dim reverse"), end="")
        try:
            chunk = read_key()
        except (KeyboardInterrupt, EOFError):
            chunk = "q"
        for key in keys_in(chunk):
            if key in QUIT or (i == len(steps) - 1 and key in NEXT):
                console.print()
                return i + 1
            if key in NEXT:
                i += 1
            elif key in BACK:
                i = max(0, i - 1)


def _draw(console: Console, parts: list[Block], step: tuple[int, int]) -> None:
    """Clear the screen and show the last screenful up to the current line (the status line
    takes the bottom row), like a pager: a long topic does not pour a copy of everything
    above into the terminal's scrollback at every key."""
    block_index, shown = step
    with console.capture() as captured:
        for block in parts[:block_index]:
            console.print(section(block, block.size))
        console.print(section(parts[block_index], shown))
    lines = captured.get().splitlines()
    while lines and not lines[-1].strip():
        lines.pop()  # the section's closing blank line: keep the newest line next to the status
    console.clear()
    console.file.write("".join(line + "\n" for line in lines[-max(1, console.height - 2):]))
    console.file.flush()
