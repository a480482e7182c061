"""Progress written by several pa2 processes at once (a drill and a quiz in two terminals).

Before: every writer read, changed and replaced progress.json unlocked through one shared
`.tmp` name: 6 processes x 30 updates kept 29 of 180 entries, and an interleaved write was
then read as corrupt and moved aside. Now each read-modify-write holds an flock."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fcntl locks are POSIX")

WRITER = ("import sys\nfrom pa2cli import progress\n"
          "for i in range(25):\n    assert progress.record_drill(f'{sys.argv[1]}{i}', 1, 2)\n")


def test_concurrent_writers_keep_every_entry(pa2_home):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PA2_HOME": str(pa2_home)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, name], env=env,
                                stderr=subprocess.PIPE) for name in "abcd"]
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read().decode()
    saved = json.loads((pa2_home / "progress.json").read_text())["explain"]
    assert len(saved) == 4 * 25
    assert all(entry["last"] == [1, 2] for entry in saved.values())
    assert not (pa2_home / "progress.json.corrupt").exists()


def test_a_lock_held_elsewhere_skips_the_update_instead_of_waiting_forever(pa2_home, monkeypatch):
    import fcntl

    from pa2cli import progress

    monkeypatch.setattr(progress, "LOCK_WAIT_S", 0.2)
    pa2_home.mkdir(parents=True)
    with open(pa2_home / "progress.json.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert progress.record_stepped("huber") is False
    assert progress.record_stepped("huber") is True
