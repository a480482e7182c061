"""Interactive stepping through an explanation on a terminal: one line (or table row) at a
time. Enter (or space) shows the next line, `b` goes back one, `q` quits; Enter on the last
line also ends.

Keys are read one at a time with `click.getchar()` (raw mode on the real terminal); each move
clears the screen and redraws the blocks up to the current line with Rich. It never computes
maths and never decides what is shown: it only walks the blocks render.py built.
"""

from __future__ import annotations

from typing import Callable

import click
from rich.console import Console
from rich.text import Text

from pa2cli.explain.render import Block, section

NEXT = {"\r", "\n", " ", "j", "n"}
BACK = {"b", "B", "k", "p", "\x7f", "\x08"}
QUIT = {"q", "Q", "\x1b"}


def positions(parts: list[Block]) -> list[tuple[int, int]]:
    """(block index, lines shown in it) for every step, in order."""
    return [(b, k) for b, block in enumerate(parts) for k in range(1, block.size + 1)]


def step_through(console: Console, parts: list[Block], read_key: Callable[[], str] = click.getchar) -> int:
    """Walk the blocks until the user quits or passes the end; returns the last step shown (1-based)."""
    steps = positions(parts)
    i = 0
    while True:
        _draw(console, parts, steps[i])
        last = i == len(steps) - 1
        hint = "end — Enter or q quits, b back" if last else "Enter next · b back · q quit"
        console.print(Text(f"step {i + 1} of {len(steps)}   {hint}", style="dim reverse"), end="")
        try:
            key = read_key()
        except (KeyboardInterrupt, EOFError):
            key = "q"
        if key in QUIT or (last and key in NEXT):
            console.print()
            return i + 1
        if key in NEXT:
            i += 1
        elif key in BACK:
            i = max(0, i - 1)


def _draw(console: Console, parts: list[Block], step: tuple[int, int]) -> None:
    block_index, shown = step
    console.clear()
    for block in parts[:block_index]:
        console.print(section(block, block.size))
    console.print(section(parts[block_index], shown))
