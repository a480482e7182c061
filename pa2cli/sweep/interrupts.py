"""What a second Ctrl-C does while a sweep is already stopping after the first: end at once.

The first Ctrl-C raises `KeyboardInterrupt`; the sweep then stops its workers and prints how to
resume, and Python's exit handlers join the worker processes. A second Ctrl-C in that window
used to interrupt an exit handler ("Exception ignored in atexit callback ... KeyboardInterrupt").
`interrupts_handled()` makes the first Ctrl-C raise `KeyboardInterrupt` as usual and every later
one stop the worker processes and exit with status 130 at once, printing nothing more: every finished epoch is already saved (results are
written atomically by this process, which is not writing by then; a worker killed mid-write
leaves a .tmp file that the next sweep into the folder removes). This module must not save.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from contextlib import contextmanager

INTERRUPTED_EXIT = 130


def _end_now(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    for child in multiprocessing.active_children():
        child.kill()
    os._exit(INTERRUPTED_EXIT)


def _first(signum, frame) -> None:
    signal.signal(signal.SIGINT, _end_now)
    raise KeyboardInterrupt


@contextmanager
def interrupts_handled():
    """Within the block, Ctrl-C raises KeyboardInterrupt once; a second one ends the process.

    After a normal end the previous handler is back; after an interrupt the quiet one stays,
    so that a Ctrl-C during the exit handlers that follow is quiet too.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _first)
    interrupted = False
    try:
        yield
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        signal.signal(signal.SIGINT, _end_now if interrupted else previous)
