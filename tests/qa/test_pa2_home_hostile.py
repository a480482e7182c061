"""PA2_HOME set to something that is not a usable folder. Before: `~nosuchuser/x` was a
RuntimeError traceback in every command that saves; now one line naming PA2_HOME (exit 2) where
the command needs the folder, and progress alone is skipped where it does not."""

from __future__ import annotations

import os

import pytest

from .conftest import one_line_error

BAD_USER = {"PA2_HOME": "~no_such_user_pa2_qa/x"}


@pytest.mark.parametrize("args", [["progress"], ["progress", "--json"], ["backprop"],
                                  ["backprop", "--resume"], ["reset", "all", "--yes"]])
def test_a_tilde_of_no_user_is_one_line_naming_pa2_home(pa2, tmp_path, args):
    result = pa2(*args, cwd=tmp_path, env=BAD_USER, input=b"0.3775\n")
    assert result.returncode == 2
    line = one_line_error(result)
    assert "PA2_HOME" in line and "~no_such_user_pa2_qa" in line


def test_a_drill_still_runs_when_only_its_progress_cannot_be_saved(pa2, tmp_path):
    result = pa2("explain", "huber", "--quiz", "--seed", "1", "--questions", "1", cwd=tmp_path,
                 env=BAD_USER, input=b"0\n")
    assert result.returncode in (0, 1) and b"Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("kind", ["file", "fifo", "devnull"])
def test_pa2_home_that_is_not_a_folder(pa2, tmp_path, kind):
    home = tmp_path / "home"
    if kind == "file":
        home.write_text("x")
    elif kind == "fifo":
        os.mkfifo(home)
    else:
        home = "/dev/null"
    env = {"PA2_HOME": str(home)}
    quiz = pa2("backprop", cwd=tmp_path, env=env, input=b"0.3775\n", timeout=30)
    assert quiz.returncode == 2 and "PA2_HOME" in one_line_error(quiz)
    assert pa2("progress", cwd=tmp_path, env=env, timeout=30).returncode == 0


def test_reset_leaves_what_is_not_a_saved_quiz_and_forgets_the_rest(pa2, pa2_home, tmp_path):
    folder = pa2_home / "backprop"
    (folder / "dir.json").mkdir(parents=True)  # before: IsADirectoryError traceback
    os.mkfifo(folder / "pipe.json")
    (folder / "builtin-example.json").write_text("{}")
    result = pa2("reset", "all", "--yes", cwd=tmp_path, timeout=30)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["dir.json", "pipe.json"]


def test_reset_names_a_saved_quiz_it_cannot_delete(pa2_home, monkeypatch):
    from pathlib import Path

    from click.testing import CliRunner

    from pa2cli.cli import cli

    (pa2_home / "backprop").mkdir(parents=True)
    (pa2_home / "backprop" / "x.json").write_text("{}")

    def refuse(self, missing_ok=False):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "unlink", refuse)  # as for a non-root user in a read-only folder
    result = CliRunner().invoke(cli, ["reset", "backprop", "--yes"])
    assert result.exit_code == 2
    assert "x.json: cannot delete the saved quiz (Permission denied)" in result.output
