"""Ctrl-C twice in a real terminal: the sweep ends quietly (no traceback, no "Exception ignored
in atexit callback"), with status 130, and every epoch it saved is intact and resumable."""

from __future__ import annotations

import io
import json
import signal
import sys
import time

import pexpect
import pytest


@pytest.mark.parametrize("jobs, delay", [(1, 0.05), (2, 0.02), (2, 0.3)])
def test_a_second_ctrl_c_ends_the_sweep_quietly(tmp_path, env, jobs, delay):
    out = tmp_path / "sweep"
    child = pexpect.spawn(sys.executable, ["-m", "pa2cli", "sweep", "--wd", "1e-3", "1e-2",
                                           "--epochs", "30", "--batch-size", "256",
                                           "--seeds", "1", "--train-size", "all",
                                           "--jobs", str(jobs), "--no-plot", "--out", str(out)],
                          env=env, dimensions=(40, 120), timeout=90, encoding="utf-8")
    log = io.StringIO()
    child.logfile_read = log
    child.expect(r"epoch +2/30")
    child.sendintr()
    time.sleep(delay)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    text = log.getvalue()
    assert "Traceback" not in text and "Exception ignored" not in text, text[-3000:]
    # 130 from pa2, or the default SIGINT death if the second Ctrl-C came during Python's
    # own final clean-up (the shell shows both as status 130, and prints nothing)
    assert child.exitstatus == 130 or child.signalstatus == signal.SIGINT, text[-3000:]
    import torch

    json.loads((out / "results.json").read_text())  # whole, readable
    # every finished epoch is in its run's checkpoint (results.json may lag: --resume reads both)
    rows = [torch.load(path, weights_only=True)["rows"] for path in
            (out / "checkpoints").glob("*.pt")]
    assert sum(map(len, rows)) >= 1  # "epoch 2/30" shows once epoch 1 is saved
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") and
                p.parent.name != "checkpoints"]  # a worker killed mid-write may leave one there
