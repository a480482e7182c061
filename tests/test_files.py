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


def test_a_stale_fifo_or_symlink_in_place_of_the_temporary_file_is_replaced(tmp_path,
                                                                            monkeypatch):
    """Before: a FIFO named `x.json.tmp` blocked the write forever; a symlink there made the
    write truncate and fill the file it points to (qa: hostile PA2_HOME). Temporary names are
    now unique per write; one planted under the very name chosen is still never written
    through."""
    import os

    from pa2cli import files

    monkeypatch.setattr(files, "temporary_name", lambda path: path.with_name(path.name + ".tmp"))

    fifo_target = tmp_path / "state.json"
    os.mkfifo(tmp_path / "state.json.tmp")
    write_atomically(fifo_target, "{}")  # returns: O_NONBLOCK makes the open refuse the FIFO
    assert fifo_target.read_text() == "{}"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "progress.json.tmp").symlink_to(victim)
    write_atomically(tmp_path / "progress.json", "new")
    assert victim.read_text() == "keep me" and (tmp_path / "progress.json").read_text() == "new"
    assert not (tmp_path / "progress.json.tmp").exists()
    assert not (tmp_path / "progress.json").is_symlink()
