"""plotext's own notes ("Warning: the values on the left y axis are too close together …"),
printed the way pa2 prints: on stderr, once each, and without colour codes unless stderr is a
terminal and NO_COLOR is unset.

plotext prints its warnings itself, straight to sys.stderr, wrapped in ANSI colour codes
whatever the stream is, so a redirected `pa2 plot 2> log` got escape codes in the file. Every
plotext build in pa2 runs inside `plain_notes()`, which holds what plotext prints and writes it
back afterwards. This module only relays text; it draws nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")  # CSI sequences and two-byte escapes


def colour_allowed(stream) -> bool:
    """Colour only for a terminal, and never with NO_COLOR set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


@contextlib.contextmanager
def plain_notes():
    """Run plotext calls with its notes held back, then write each distinct one to stderr
    (colour codes removed unless `colour_allowed(sys.stderr)`)."""
    held = io.StringIO()
    stderr = sys.stderr
    try:
        with contextlib.redirect_stderr(held):  # plotext's warnings; its logs (stdout) are off
            yield
    finally:
        keep = colour_allowed(stderr)
        seen = set()
        for line in held.getvalue().splitlines():
            shown = line if keep else strip_ansi(line)
            if shown.strip() and shown not in seen:
                seen.add(shown)
                print(shown, file=stderr)
