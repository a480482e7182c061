"""`python tests/counted_main.py ARGS` runs `pa2 ARGS` as `python -m pa2cli` does and, on the
way out, writes to $PA2_TEST_COUNTS a JSON object: `rchar`, the bytes this process read
(/proc/self/io; None where there is none), and with $PA2_TEST_COUNT_LINES set, `lines`, the
lines of Python it executed (sys.settrace, every thread). Used by tests/work.py."""

from __future__ import annotations

import json
import os
import runpy
import sys
import threading

count = 0


def _local(frame, event, arg):
    global count
    count += event == "line"
    return _local


def _global(frame, event, arg):
    return _local


def _rchar() -> int | None:
    try:
        with open("/proc/self/io") as io:
            fields = dict(line.split(": ") for line in io.read().splitlines())
    except OSError:
        return None
    return int(fields["rchar"])


def main() -> None:
    counting = bool(os.environ.get("PA2_TEST_COUNT_LINES"))
    sys.argv = ["pa2", *sys.argv[1:]]
    sys.path[0] = os.environ.get("PYTHONPATH", sys.path[0]).split(os.pathsep)[0]
    if counting:
        threading.settrace(_global)
        sys.settrace(_global)
    try:
        runpy.run_module("pa2cli", run_name="__main__", alter_sys=True)
    finally:
        sys.settrace(None)
        with open(os.environ["PA2_TEST_COUNTS"], "w") as out:
            json.dump({"rchar": _rchar(), "lines": count if counting else None}, out)


if __name__ == "__main__":
    main()
