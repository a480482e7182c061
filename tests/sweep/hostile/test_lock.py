"""Two sweeps into one --out: the second is refused while the first runs (naming the folder and
the first one's PID), nothing the first saved is lost, and a killed sweep leaves no stuck lock.
Every sweep here is a real process."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

FAST_EPOCHS = ["--wd", "1e-3", "--no-baseline", "--seeds", "1", "--train-size", "150",
               "--batch-size", "2000", "--seed", "0", "--device", "cpu", "--no-plot"]  # 1 batch


def _start(env, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pa2cli", *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env)


def _wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _epochs_saved(out) -> int:
    try:
        return len(json.loads((out / "results.json").read_text())["runs"][0]["epochs"])
    except (OSError, ValueError, LookupError):
        return 0


def test_a_second_sweep_into_a_running_sweeps_folder_exits_2_naming_it_and_the_pid(
        tmp_path, pa2, env, tiny, one_line_error):
    out = tmp_path / "sweep"
    first = _start(env, "sweep", *FAST_EPOCHS, "--epochs", "100000", "--out", out)
    try:
        _wait_for(lambda: _epochs_saved(out) >= 1)
        for args in (["--wd", "1e-2"], ["--resume"]):
            second = pa2("sweep", *args, *tiny, "--out", out)
            assert second.returncode == 2
            line = one_line_error(second.stderr)
            assert str(out) in line and f"process {first.pid}" in line, line
        assert first.poll() is None  # the first sweep is still training, undisturbed
        saved = json.loads((out / "results.json").read_text())
        assert [run["weight_decay"] for run in saved["runs"]] == [1e-3]
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(60)
    assert first.returncode == 130, first.stderr.read()
    assert _epochs_saved(out) >= 1


def test_a_killed_sweep_leaves_no_stuck_lock_and_resume_finishes_it(tmp_path, pa2, env):
    out = tmp_path / "sweep"
    first = _start(env, "sweep", *FAST_EPOCHS, "--epochs", "20", "--out", out)
    _wait_for(lambda: _epochs_saved(out) >= 1)
    first.kill()  # SIGKILL: no clean-up code runs, the lock file stays on disk
    first.wait(30)
    saved = json.loads((out / "results.json").read_text())["runs"][0]["epochs"]
    assert (out / ".pa2-sweep.lock").exists()
    resumed = pa2("sweep", "--out", out, "--resume", "--no-plot")
    assert resumed.returncode == 0, resumed.stderr
    final = json.loads((out / "results.json").read_text())["runs"][0]
    assert final["status"] == "done" and len(final["epochs"]) == 20
    assert final["epochs"][:len(saved)] == saved  # nothing the killed sweep saved was lost
    assert not list(out.rglob("*.tmp"))


def test_two_new_sweeps_started_together_one_wins_and_its_runs_are_kept(
        tmp_path, env, tiny, one_line_error):
    out = tmp_path / "sweep"
    common = ["--epochs", "2", "--no-baseline", *tiny, "--out", out]
    a = _start(env, "sweep", "--wd", "1e-3", *common)
    b = _start(env, "sweep", "--wd", "1e-2", *common)
    a.wait(120), b.wait(120)
    errors = {a.pid: a.stderr.read(), b.pid: b.stderr.read()}
    assert sorted([a.returncode, b.returncode]) == [0, 2], errors
    loser, winner_wd = (a, 1e-2) if a.returncode == 2 else (b, 1e-3)
    assert str(out) in one_line_error(errors[loser.pid])
    saved = json.loads((out / "results.json").read_text())
    assert [(r["weight_decay"], r["status"], len(r["epochs"])) for r in saved["runs"]] == [
        (winner_wd, "done", 2)]
    assert not list(out.rglob("*.tmp"))
