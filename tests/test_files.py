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
