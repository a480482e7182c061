"""`--backend ray --address HOST:PORT` where nothing listens: one line naming the address, within
seconds. Before: no line after 115 s (ray.init retried silently), SIGTERM did not end it and
Ctrl-C took 28 s. Now the address is probed with one bounded TCP connect first, and ray.init
is never called: counted in this process, where a real `pa2` process shows the one line (its
timeout only guards the test against a hang)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

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
    done = subprocess.run([sys.executable, "-m", "pa2cli", "sweep", "--backend", "ray",
                           "--wd", "1e-3", "--epochs", "1", "--train-size", "50", "--no-plot",
                           "--out", str(tmp_path / "out"), *args], env=env,
                          capture_output=True, timeout=120)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert address in lines[0] and "no Ray cluster answers" in lines[0]


@pytest.mark.parametrize("how", ["option", "environment"])
def test_one_bounded_connect_is_tried_and_ray_init_never(tmp_path, monkeypatch, how):
    import ray

    from pa2cli.cli import cli
    from pa2cli.sweep import ray_backend

    connects, inits = [], []
    real_connect = socket.create_connection

    def counted_connect(address, timeout=None, *args, **kwargs):
        connects.append((address, timeout))
        return real_connect(address, timeout, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", counted_connect)
    monkeypatch.setattr(ray, "init", lambda *a, **k: inits.append(1))
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    port = _free_port()
    args = ["--address", f"127.0.0.1:{port}"] if how == "option" else []
    if how == "environment":
        monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{port}")
    else:
        monkeypatch.delenv("RAY_ADDRESS", raising=False)
    result = CliRunner().invoke(cli, ["sweep", "--backend", "ray", "--wd", "1e-3", "--epochs",
                                      "1", "--train-size", "50", "--no-plot", "--out",
                                      str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and "no Ray cluster answers" in result.output, result.output
    assert connects == [(("127.0.0.1", port), ray_backend.CONNECT_TIMEOUT_S)]
    assert inits == []
