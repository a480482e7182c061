"""SIGTERM and SIGHUP during a quiz or drill stop it the way Ctrl-C does.

Python's default for both signals ends the process at once, so a quiz killed by `kill` or by
closing its terminal window lost its progress entry (its place, saved after every answer,
survived). Inside `signals_stop()` either signal raises `Stopped`, a KeyboardInterrupt, so the
code that saves the place and records progress on Ctrl-C runs for it too; the command then
exits with 128 + the signal's number, as a shell reports a killed process. A second signal
while it saves is ignored (SIGKILL still ends it). Nothing here saves or prints.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


class Stopped(KeyboardInterrupt):
    """The process got SIGTERM or SIGHUP; `status` is the exit status to end with."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.status = 128 + signum


def exit_status(stop: BaseException) -> int:
    """130 for Ctrl-C, 128 + N for signal N."""
    return stop.status if isinstance(stop, Stopped) else 130


SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def signals_stop():
    """Within the block SIGTERM and SIGHUP raise Stopped (once); outside it nothing changes.
    Only the main thread may set handlers: elsewhere (a test's thread) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = []

    def stop(signum, frame):
        if not raised:
            raised.append(signum)
            raise Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
