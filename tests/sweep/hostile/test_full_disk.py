"""A full disk under --out: one line naming the folder and the space needed, no .tmp left, the
epochs already saved intact. Real small file systems (tmpfs, when this runs as root and may
mount one) and a real file-size limit (RLIMIT_FSIZE, anywhere)."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time

import pytest

LONG = ["--wd", "1e-3", "--no-baseline", "--seeds", "1", "--train-size", "150", "--batch-size",
        "2000", "--seed", "0", "--device", "cpu", "--no-plot", "--epochs", "300"]  # fits 3 MB


@pytest.fixture
def small_disk(tmp_path):
    """mount(size) -> a folder on a fresh tmpfs of that size (skipped unless root may mount)."""
    mounted = []

    def mount(size: str):
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(point)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("cannot mount a tmpfs here (not root); the RLIMIT_FSIZE test covers it")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def _no_tmp(folder) -> bool:
    return not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def test_a_disk_too_small_for_the_sweep_is_refused_before_training(small_disk, pa2, tiny,
                                                                    one_line_error):
    out = small_disk("400k") / "sweep"
    result = pa2("sweep", "--wd", "1e-3", "--epochs", "1", *tiny, "--out", out)
    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert f"--out {out}" in line and "needs about" in line and "free" in line, line
    assert "epoch" not in result.stdout  # refused before training
    assert sorted(p.name for p in out.iterdir()) == [".pa2-sweep.lock"]


def test_a_disk_that_fills_during_the_sweep_keeps_the_saved_epochs(small_disk, env,
                                                                    one_line_error):
    import torch

    disk = small_disk("3m")
    out = disk / "sweep"
    sweep = subprocess.Popen([sys.executable, "-m", "pa2cli", "sweep", *LONG, "--out", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env=env)
    deadline = time.monotonic() + 60
    while not (out / "results.json").exists() or not json.loads(
            (out / "results.json").read_text())["runs"][0]["epochs"]:
        assert time.monotonic() < deadline and sweep.poll() is None
        time.sleep(0.05)
    with open(disk / "filler", "wb") as filler:  # another program fills the disk
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
    assert sweep.wait(60) == 2
    line = one_line_error(sweep.stderr.read())
    assert str(out) in line and "needed" in line and "free" in line, line
    assert _no_tmp(out)
    rows = json.loads((out / "results.json").read_text())["runs"][0]["epochs"]
    assert rows and [row["epoch"] for row in rows] == list(range(1, len(rows) + 1))
    saved = torch.load(out / "checkpoints" / "wd_0.001_seed_0.pt", weights_only=True)["rows"]
    assert saved[:len(rows)] == rows  # the checkpoint continues what results.json records


def _file_size_limit(n_bytes: int):
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (n_bytes, n_bytes))

    return limit


def test_a_file_size_limit_mid_sweep_is_one_line_and_loses_nothing(sweep_copy, pa2,
                                                                   one_line_error):
    checkpoints = {p.name: p.read_bytes() for p in (sweep_copy / "checkpoints").iterdir()}
    before = json.loads((sweep_copy / "results.json").read_text())
    assert max(map(len, checkpoints.values())) > 100_000  # a checkpoint will not fit
    result = pa2("sweep", "--out", sweep_copy, "--resume", "--epochs", "2", "--no-plot",
                 preexec_fn=_file_size_limit(100_000))
    assert result.returncode == 2, result.stderr
    line = one_line_error(result.stderr)
    assert str(sweep_copy / "checkpoints") in line and "needed" in line, line
    assert _no_tmp(sweep_copy)
    after = json.loads((sweep_copy / "results.json").read_text())
    assert [r["epochs"] for r in after["runs"]] == [r["epochs"] for r in before["runs"]]
    assert {p.name: p.read_bytes() for p in (sweep_copy / "checkpoints").iterdir()} == checkpoints


def test_the_atomic_write_removes_its_tmp_and_names_the_folder_on_a_full_disk(tmp_path):
    code = ("import sys; from pa2cli.files import write_atomically; from pathlib import Path\n"
            "try:\n    write_atomically(Path(sys.argv[1]), b'x' * 50_000)\n"
            "except Exception as e:\n    print(type(e).__name__, e)\n")
    target = tmp_path / "big.bin"
    target.write_bytes(b"old")
    done = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True,
                          text=True, preexec_fn=_file_size_limit(10_000), timeout=60,
                          env={**os.environ})
    assert done.stdout.startswith(f"UserError {tmp_path}: not enough space to save big.bin "
                                  "(50.0 kB needed"), done.stdout + done.stderr
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["big.bin"]
