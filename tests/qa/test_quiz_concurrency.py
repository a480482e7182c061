"""Several quizzes on one network at once (two terminals, a script started 16 times).

Before: every save of the quiz's place went through one fixed `NAME.json.tmp`, unlocked: of 16
concurrent `pa2 backprop --random --seed 9`, 10 exited 2 with a message blaming PA2_HOME (the
other process had renamed the shared temporary file away) and a reader saw the state file empty
hundreds of times (two writers truncating the one inode). Now each save writes a temporary file
of its own and each read-modify-write of the state holds a lock beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fcntl locks are POSIX")


def test_sixteen_concurrent_quizzes_on_one_network_all_end_and_the_file_is_never_empty(pa2_home):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PA2_HOME": str(pa2_home), "COLUMNS": "100"}
    state = pa2_home / "backprop" / "practice-seed-9.json"
    seen = {"empty": 0, "bad": 0, "reads": 0}
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            try:
                text = state.read_text()
            except OSError:
                continue
            seen["reads"] += 1
            if not text:
                seen["empty"] += 1
            else:
                try:
                    json.loads(text)
                except ValueError:
                    seen["bad"] += 1

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    answers = b"?\n1\n2\ns\ns\n?\ns\n"  # hints and wrong tries save the place several times
    quizzes = [subprocess.Popen([sys.executable, "-m", "pa2cli", "backprop", "--random",
                                 "--seed", "9"], env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for _ in range(16)]
    try:
        for quiz in quizzes:
            quiz.stdin.write(answers)
            quiz.stdin.close()
        results = [(quiz.wait(timeout=240), quiz.stderr.read().decode()) for quiz in quizzes]
    finally:
        stop.set()
        for quiz in quizzes:
            if quiz.poll() is None:
                quiz.kill()
    watcher.join(timeout=5)
    failed = [err for code, err in results if code != 0]
    assert not failed, failed[0]
    assert seen["empty"] == 0 and seen["bad"] == 0, seen
    assert seen["reads"] > 0
    assert json.loads(state.read_text())["position"] >= 1
    assert not [p.name for p in state.parent.iterdir() if p.name.endswith(".tmp")]
    entry = json.loads((pa2_home / "progress.json").read_text())["backprop"]
    assert entry["practice-seed-9"]["answered"] >= 1


def test_saves_in_one_process_never_reuse_a_temporary_name(tmp_path, monkeypatch):
    """Two saves of one file at once (simulated: the first temporary file still open when the
    second is made) get different temporary files, so neither renames the other's away."""
    from pa2cli import files

    names = []
    real = files._open_temporary

    def spy(tmp):
        names.append(tmp.name)
        if len(names) == 1:
            files.write_atomically(target, b"inner")  # a second writer while the first is open
        return real(tmp)

    target = tmp_path / "state.json"
    monkeypatch.setattr(files, "_open_temporary", spy)
    files.write_atomically(target, b"outer")
    assert len(set(names)) == 2
    assert target.read_bytes() == b"outer"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
