"""`--backend ray --address HOST:PORT` where nothing listens: one line naming the address, within
seconds. Before: no line after 115 s (ray.init retried silently), SIGTERM did not end it and
Ctrl-C took 28 s. Now the address is probed with a bounded TCP connect first."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ray")
ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_address_where_nothing_listens_is_one_line_within_seconds(tmp_path, how):
    address = f"127.0.0.1:{_free_port()}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PA2_HOME": str(tmp_path / "home")}
    args = ["--address", address] if how == "option" else []
    if how == "environment":
        env["RAY_ADDRESS"] = address
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pa2cli", "sweep", "--backend", "ray",
                           "--wd", "1e-3", "--epochs", "1", "--train-size", "50", "--no-plot",
                           "--out", str(tmp_path / "out"), *args], env=env,
                          capture_output=True, timeout=120)
    seconds = time.monotonic() - start
    err = done.stderr.decode()
    assert done.returncode == 2, err
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert address in lines[0] and "no Ray cluster answers" in lines[0]
    assert seconds < 60
