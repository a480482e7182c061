"""`run_in_kernel(notebook)`: execute a notebook in a real IPython kernel (nbclient + ipykernel)
started from this interpreter, in the test's tmp_path, with this checkout first on the kernel's
PYTHONPATH and this interpreter's `pa2` first on its PATH (so `!pa2` runs these sources)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_in_kernel(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    spec = tmp_path / "jupyter" / "kernels" / "pa2-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "pa2 test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]))

    def run(notebook, timeout: int = 240):
        NotebookClient(notebook, kernel_name="pa2-test", timeout=timeout,
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
        return notebook

    return run
