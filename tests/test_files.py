"""Atomic writes: a reader sees the old file or the new one, never half of one."""

import pytest

from pa2cli.files import write_atomically


def test_write_replaces_the_whole_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "results.json"
    write_atomically(path, '{"old": true}')
    write_atomically(path, b'{"new": true}')
    assert path.read_text() == '{"new": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_failed_write_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    write_atomically(path, '{"old": true}')

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("pa2cli.files.os.replace", broken_replace)
    with pytest.raises(OSError):
        write_atomically(path, '{"new": true}')
    assert path.read_text() == '{"old": true}'


def test_a_fifo_or_symlink_at_the_old_fixed_temporary_name_is_never_touched(tmp_path):
    """Before: a FIFO named `x.json.tmp` blocked the write forever; a symlink there made the
    write truncate and fill the file it points to (qa: hostile PA2_HOME). Temporary names come
    from tempfile.mkstemp now (O_EXCL: an existing name is stepped around, never opened)."""
    import os

    os.mkfifo(tmp_path / "state.json.tmp")
    write_atomically(tmp_path / "state.json", "{}")  # returns: the FIFO is not opened
    assert (tmp_path / "state.json").read_text() == "{}"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "progress.json.tmp").symlink_to(victim)
    write_atomically(tmp_path / "progress.json", "new")
    assert victim.read_text() == "keep me" and (tmp_path / "progress.json").read_text() == "new"
    assert not (tmp_path / "progress.json").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.json", "progress.json.tmp", "state.json",
                                                         "state.json.tmp", "victim.txt"]


def test_the_data_is_fsynced_before_the_rename_and_the_folder_after(tmp_path, monkeypatch):
    """A power cut after the rename must not leave an empty file (ext4's delayed allocation):
    the temporary file's data is flushed to disk first, then the folder holding the rename."""
    import os
    import stat

    from pa2cli import files

    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(src, dst):
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "fsync", fsync)
    monkeypatch.setattr(files.os, "replace", replace)
    write_atomically(tmp_path / "results.json", "{}")
    assert events == ["fsync file", "replace", "fsync folder"]


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    import os

    write_atomically(tmp_path / "results.json", "{}")
    mask = os.umask(0o022)
    os.umask(mask)
    assert os.stat(tmp_path / "results.json").st_mode & 0o777 == 0o666 & ~mask


WRITER = """
import sys
from pathlib import Path
from pa2cli.files import write_atomically
path, letter = Path(sys.argv[1]), sys.argv[2]
for i in range(int(sys.argv[3])):
    write_atomically(path, (letter * 200_000).encode())
"""


def test_two_concurrent_writers_never_show_a_reader_half_a_file(tmp_path):
    """Two processes rewrite one file 60 times each while this one reads it: every read is a
    whole file of one writer, both writers end with exit 0, and no temporary file is left."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    target = tmp_path / "results.json"
    write_atomically(target, "A" * 200_000)
    env = {**os.environ, "PYTHONPATH": str(root)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(target), letter, "60"], env=env,
                                stderr=subprocess.PIPE) for letter in "AB"]
    seen = set()
    while any(w.poll() is None for w in writers):
        text = target.read_text()
        assert len(text) == 200_000 and len(set(text)) == 1, (len(text), set(text))
        seen.add(text[0])
    errors = [w.stderr.read().decode() for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]
    assert target.read_text() in ("A" * 200_000, "B" * 200_000)
