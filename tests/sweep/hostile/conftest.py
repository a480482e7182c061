"""Fixtures for the hostile-input tests of `pa2 sweep` and `pa2 plot`: running pa2 as a real
subprocess, a finished tiny sweep to copy and tamper with, and a CliRunner shortcut."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

# a tiny sweep: one seed, 150 digits images in 3 batches per epoch, well under a second a run;
# one run at a time, so that a resumed folder compares exactly with an uninterrupted one
# (the vectorised path's own resume is tested in tests/sweep/test_vectorized.py)
TINY = ["--seeds", "1", "--train-size", "150", "--batch-size", "64", "--seed", "0",
        "--device", "cpu", "--no-plot", "--vectorize", "off"]


def pa2_env(tmp_path) -> dict:
    return {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "100",
            "PA2_HOME": str(tmp_path / "pa2-home")}


@pytest.fixture
def pa2(tmp_path):
    """pa2(*args, timeout=, **popen kwargs) -> CompletedProcess of `python -m pa2cli args`."""

    def run(*args, timeout: float = 120, **kwargs):
        return subprocess.run([sys.executable, "-m", "pa2cli", *map(str, args)],
                              capture_output=True, text=True, timeout=timeout,
                              env=kwargs.pop("env", pa2_env(tmp_path)), **kwargs)

    return run


@pytest.fixture
def invoke():
    """invoke(*args) -> click's Result of `pa2 args`, in this process."""
    from pa2cli.cli import cli

    return lambda *args: CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="session")
def finished_sweep(tmp_path_factory):
    """A finished 1-epoch sweep of wd 0 and 1e-3 (seed 0); copy it before changing it."""
    from pa2cli.cli import cli

    out = tmp_path_factory.mktemp("finished") / "sweep"
    result = CliRunner().invoke(cli, ["sweep", "--wd", "1e-3", "--epochs", "1", *TINY,
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def sweep_copy(finished_sweep, tmp_path):
    """A fresh copy of `finished_sweep` that a test may damage."""
    copy = tmp_path / "sweep"
    shutil.copytree(finished_sweep, copy)
    return copy


def _one_line_error(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), text
    assert "Traceback" not in text
    return lines[0]


@pytest.fixture
def one_line_error():
    """one_line_error(text): text is exactly one `Error: ...` line, no traceback; that line."""
    return _one_line_error


@pytest.fixture
def tiny():
    """Options of a tiny sweep (3 batches per epoch of the bundled digits, CPU, no plots)."""
    return list(TINY)


@pytest.fixture
def env(tmp_path):
    """The environment pa2 subprocesses run in (one thread, 100 columns, a private home)."""
    return pa2_env(tmp_path)
