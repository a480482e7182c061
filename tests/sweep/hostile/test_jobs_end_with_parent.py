"""`--jobs` workers end with the sweep, however it ends.

Before: after SIGTERM or SIGKILL of `pa2 sweep --jobs 2`, its worker processes (about 700 MB
each) and multiprocessing's resource tracker stayed alive: the workers checked for a dead parent
only between batches, never while importing torch or loading data. Now a watchdog thread in
each worker ends it within a second of its parent's death. Real subprocesses, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_workers_and_the_resource_tracker_end_with_the_sweep(tmp_path, signum):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PA2_HOME": str(tmp_path / "home")}
    sweep = subprocess.Popen([sys.executable, "-m", "pa2cli", "sweep", "--wd", "1e-3",
                              "--no-baseline", "--seeds", "2", "--jobs", "2", "--epochs", "50",
                              "--train-size", "100", "--no-plot", "--vectorize", "off",
                              "--out", str(tmp_path / "out")], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        children: set[int] = set()
        while time.monotonic() < deadline and len(children) < 3:  # 2 workers + the tracker
            children |= _children(sweep.pid)
            time.sleep(0.2)
        assert len(children) >= 2, children
        sweep.send_signal(signum)
        sweep.wait(timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(map(_alive, children)):
            time.sleep(0.2)
        assert not [pid for pid in children if _alive(pid)]
    finally:
        if sweep.poll() is None:
            sweep.kill()
        for pid in _children(sweep.pid):
            os.kill(pid, signal.SIGKILL)
