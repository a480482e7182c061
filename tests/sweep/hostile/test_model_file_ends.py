"""Model files that end the process, leave a thread running, or have no __init__ of their own.

Before: `os._exit(0)` at import or in forward ended `pa2 sweep` with exit 0, no output and
nothing written (a silent success); a non-daemon thread kept the process alive after the sweep;
a class without its own __init__ was called with num_classes= and got "Give every other
argument a default value". Now the model is first built in a child process
(pa2cli.sweep.model_probe) and each case is one line, exit 2."""

from __future__ import annotations

import textwrap

import pytest

NET = """
import os, threading
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        {forward}
        return self.fc(x.flatten(1))
"""


def _file(tmp_path, helper: str, forward: str = "pass"):
    """net.py imports helper.py (imports run; other top-level statements are skipped)."""
    (tmp_path / "helper.py").write_text(helper + "\n")
    path = tmp_path / "net.py"
    path.write_text("import helper\n" + textwrap.dedent(NET).replace("{forward}", forward))
    return path


@pytest.mark.parametrize("helper, forward, said", [
    ("import os\nos._exit(0)", "pass", "ended the process while it was imported"),
    ("", "os._exit(0)", "ended the process in its forward pass"),
    ("import threading\nthreading.Thread(target=threading.Event().wait, name='forever').start()",
     "pass", "starts a thread that keeps running (forever)"),
])
def test_a_model_file_that_ends_or_hangs_the_process_is_one_line(tmp_path, pa2, one_line_error,
                                                                  helper, forward, said):
    model = _file(tmp_path, helper, forward)
    result = pa2("sweep", "--model", f"{model}:Net", "--wd", "1e-3", "--epochs", "1",
                 "--train-size", "50", "--no-plot", "--out", tmp_path / "s", timeout=240)
    assert result.returncode == 2, result.stdout + result.stderr
    line = one_line_error(result.stderr)
    assert said in line and "--model" in line, line


def test_a_class_without_its_own_init_is_not_told_to_default_its_arguments(tmp_path, pa2,
                                                                           one_line_error):
    path = tmp_path / "net.py"
    path.write_text("from torch import nn\n\nclass Net(nn.Module):\n"
                    "    def forward(self, x):\n        return x.flatten(1)[:, :10]\n")
    result = pa2("sweep", "--model", f"{path}:Net", "--wd", "1e-3", "--epochs", "1",
                 "--train-size", "50", "--no-plot", "--out", tmp_path / "s", timeout=240)
    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert "default value" not in line and "no trainable parameters" in line, line
