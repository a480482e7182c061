"""Counts of work for tests that bound it, in place of the clock (the brief: speed goals live in
benchmarks/, not in timed tests). A count does not change with the load on the machine, and it
fails for work that grows with the input where a bounded amount was promised:

- `lines_executed(work)`: lines of Python `work()` runs (sys.settrace line events; each turn of
  a loop is one). C-level work (json.loads, str methods) is not seen: see `WatchedText`.
- `WatchedText`: a str that records each operation that looks at the whole of it (its repr, a
  method such as .strip(), iterating, comparing) and how many characters its slices hand out.
- `counted_pa2(args)`: a real `python -m pa2cli` process that reports the bytes it read
  (/proc/self/io `rchar`, Linux) and, if asked, the lines of Python it executed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNTED_MAIN = Path(__file__).with_name("counted_main.py")


def lines_executed(work) -> int:
    """How many lines of Python `work()` executes (its result is dropped)."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        count += event == "line"
        return local

    previous = sys.gettrace()
    sys.settrace(lambda frame, event, arg: local)
    try:
        work()
    finally:
        sys.settrace(previous)
    return count


class WatchedText(str):
    """A str whose whole-text operations are recorded in `.whole` and whose slices' lengths add
    up in `.sliced`; len() is free (it is stored, not counted)."""

    ALLOWED = frozenset({"__class__", "__len__", "__getitem__", "whole", "sliced",
                         "__dict__", "__init_subclass__", "_whole"})

    def __new__(cls, value: str):
        text = super().__new__(cls, value)
        text.__dict__["whole"] = []
        text.__dict__["sliced"] = 0
        return text

    def __getattribute__(self, name):
        if name not in WatchedText.ALLOWED:
            object.__getattribute__(self, "__dict__")["whole"].append(name)
        return super().__getattribute__(name)

    def __getitem__(self, index):
        part = str.__getitem__(self, index)
        self.__dict__["sliced"] += len(part)
        return part

    def _whole(self, name):
        self.__dict__["whole"].append(name)

    def __repr__(self):
        self._whole("repr")
        return str.__repr__(self)

    def __str__(self):
        self._whole("str")
        return str.__str__(self)

    def __iter__(self):
        self._whole("iter")
        return str.__iter__(self)

    def __eq__(self, other):
        self._whole("==")
        return str.__eq__(self, other)

    def __hash__(self):
        self._whole("hash")
        return str.__hash__(self)

    def __contains__(self, part):
        self._whole("in")
        return str.__contains__(self, part)

    def __format__(self, spec):
        self._whole("format")
        return str.__format__(self, spec)

    def __add__(self, other):
        self._whole("+")
        return str.__add__(self, other)


def counted_pa2(*args, env: dict | None = None, lines: bool = False, timeout: float = 120,
                **run):
    """Run `python -m pa2cli ARGS` (through tests/counted_main.py); returns (CompletedProcess,
    counts) with counts["rchar"] the bytes the process read (None where /proc/self/io is
    missing) and, with lines=True, counts["lines"] the lines of Python it executed."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "counts.json"
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", **(env or {}),
                    "PA2_TEST_COUNTS": str(out), "PA2_TEST_COUNT_LINES": "1" if lines else ""}
        done = subprocess.run([sys.executable, str(COUNTED_MAIN), *map(str, args)],
                              env=full_env, timeout=timeout, **run)
        return done, json.loads(out.read_text())
