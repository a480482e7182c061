"""Helpers for the hostile-user regression tests: run `pa2` as a real subprocess.

`pa2(*args, cwd=..., env=..., input=..., timeout=...)` returns the CompletedProcess; the test
asserts on the exit status and the one line on stderr. Every run is bounded by `timeout`, so a
hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_pa2(*args: str, cwd: Path | None = None, env: dict | None = None,
            input: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", **(env or {})}
    return subprocess.run([sys.executable, "-m", "pa2cli", *args], cwd=cwd, env=full_env,
                          input=input, capture_output=True, timeout=timeout)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The stderr of a refused command: exactly one `Error:` line, no traceback."""
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def pa2():
    return run_pa2
