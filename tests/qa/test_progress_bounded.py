"""progress.json stays within what pa2 reads back, pa2 never moves aside its own file, damaged
files are kept as numbered backups, and a full disk under PA2_HOME never fails a finished drill.

Before: entries were added without bound, so the file grew past the 1 MB read limit; the next
read ignored it and the next write moved it to `progress.json.corrupt`, so 2,352 entries vanished
from the home screen, and the only copy was overwritten by the next such event. A full disk
made the atomic write raise a UserError that the "skip a failed write" path did not catch, so a
drill that had finished exited 2."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

import pytest

from pa2cli import progress

from .conftest import ROOT


def _old_file(path, entries: int, label_length: int = 300) -> None:
    """A progress file as pa2 wrote it before: `entries` backprop quizzes, none ever dropped."""
    backprop = {f"practice-seed-{i}": {
        "label": "L" * label_length, "command": f"pa2 backprop --random --seed {i}",
        "answered": 3, "first_try": 2, "total": 39, "position": 3, "finished": False,
        "updated": f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}+00:00"} for i in range(entries)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "explain": {}, "backprop": backprop}, indent=1,
                               sort_keys=True))


def test_a_file_grown_by_many_quizzes_stays_readable_and_bounded(pa2_home):
    path = pa2_home / "progress.json"
    _old_file(path, 2_352)  # about 0.99 MB: one more entry took it past the old read limit
    for seed in range(5):
        assert progress.record_backprop(f"new-{seed}", label="new", command="c", answered=1,
                                        first_try=1, total=2, position=1, finished=False)
    loaded = progress.load()
    assert loaded.problem is None
    assert path.stat().st_size <= progress.WRITE_LIMIT_BYTES
    assert len(loaded.backprop) <= progress.MAX_ENTRIES
    assert all(f"new-{seed}" in loaded.backprop for seed in range(5))  # the newest are kept
    kept_old = sorted(k for k in loaded.backprop if k.startswith("practice"))
    assert "practice-seed-2351" in kept_old and "practice-seed-0" not in kept_old  # oldest go
    assert not list(pa2_home.glob("progress.json.corrupt*"))


def test_a_file_pa2_wrote_past_the_old_limit_is_read_and_compacted_not_moved_aside(pa2_home):
    path = pa2_home / "progress.json"
    _old_file(path, 3_000)  # 1.27 MB: written by the old unbounded pa2
    assert path.stat().st_size > 1_000_000
    assert progress.load().problem is None
    assert progress.record_stepped("relu")
    loaded = progress.load()
    assert loaded.problem is None and loaded.explain["relu"]["stepped"]
    assert len(loaded.backprop) == progress.MAX_ENTRIES
    assert not list(pa2_home.glob("progress.json.corrupt*"))


def test_every_damaged_file_is_kept_in_a_numbered_backup(pa2_home):
    pa2_home.mkdir()
    path = pa2_home / "progress.json"
    for n in range(3):
        path.write_text(f"damaged {n}")
        assert progress.record_stepped("tanh")
    backups = sorted(p.name for p in pa2_home.glob("progress.json.corrupt*"))
    assert backups == ["progress.json.corrupt", "progress.json.corrupt.2", "progress.json.corrupt.3"]
    assert {(pa2_home / name).read_text() for name in backups} == {
        "damaged 0", "damaged 1", "damaged 2"}


def test_entries_with_the_longest_labels_still_fit(pa2_home):
    path = pa2_home / "progress.json"
    _old_file(path, 1_500, label_length=progress.MAX_TEXT)  # 1.7 MB of the longest labels
    assert progress.record_drill("relu", 1, 2)
    assert path.stat().st_size <= progress.WRITE_LIMIT_BYTES
    loaded = progress.load()
    assert loaded.problem is None and loaded.explain["relu"]["last"] == [1, 2]
    assert "practice-seed-1499" in loaded.backprop


def _file_size_limit(n_bytes: int):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (n_bytes, n_bytes))
    return limit


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_under_pa2_home_never_fails_a_finished_drill(pa2_home):
    """RLIMIT_FSIZE of 40 bytes: the progress write fails with EFBIG (as on a full disk)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PA2_HOME": str(pa2_home), "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-m", "pa2cli", "explain", "relu", "--quiz", "--seed",
                           "1", "--questions", "2"], input=b"s\ns\n", env=env,
                          capture_output=True, timeout=120, preexec_fn=_file_size_limit(40))
    assert done.returncode == 0, done.stderr.decode()
    assert b"Done: 0 of 2" in done.stdout
    assert b"Traceback" not in done.stderr and b"Error" not in done.stderr
    assert not [p for p in pa2_home.rglob("*") if p.name.endswith(".tmp")]
