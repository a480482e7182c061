"""`pa2` / `pa2 progress` against a corrupt progress file, hostile runs/ folders and file names
with terminal control codes. Before: TypeError tracebacks (a position "abc", a seed Infinity)
and raw ESC sequences written to the terminal (a label or folder named "\\x1b[2J…")."""

from __future__ import annotations

import json

import pytest

from pa2cli import progress

EVIL = "\x1b[2J\x1b[31mEVIL\u202e"


def _progress_file(home, entry_part, entry):
    home.mkdir(parents=True, exist_ok=True)
    data = {"version": 1, "explain": {}, "backprop": {}}
    data[entry_part] = {"huber" if entry_part == "explain" else "k": entry}
    (home / "progress.json").write_text(json.dumps(data))


@pytest.mark.parametrize("part, entry", [
    ("backprop", {"position": "abc", "command": "pa2 backprop --resume"}),
    ("backprop", {"position": None}), ("backprop", {"total": [1]}),
    ("backprop", {"answered": 1.5}), ("backprop", {"finished": "yes"}),
    ("backprop", {"label": {"a": 1}}), ("backprop", {"position": -1}),
    ("explain", {"drills": "x"}), ("explain", {"best": ["a", 1]}),
    ("explain", {"last": ["\x1b[2J", 3]}), ("explain", {"last": [5, 3]}),
    ("explain", {"stepped": "\x1b[31m"}),
])
def test_a_corrupt_progress_entry_is_one_warning_never_a_traceback(pa2, pa2_home, tmp_path,
                                                                    part, entry):
    _progress_file(pa2_home, part, entry)
    for args in (["progress"], ["progress", "--json"]):
        result = pa2(*args, cwd=tmp_path)
        err = result.stderr.decode()
        assert result.returncode == 0 and "Traceback" not in err, err
        assert err.startswith("Warning: progress file") and err.count("\n") == 1, err
        assert b"\x1b" not in result.stdout


def test_a_drill_after_a_corrupt_entry_keeps_the_old_file_aside(pa2_home, monkeypatch):
    _progress_file(pa2_home, "explain", {"drills": "x"})
    assert progress.record_drill("huber", 1, 2)  # before: ValueError from int("x")
    assert json.loads((pa2_home / "progress.json.corrupt").read_text())["explain"]["huber"] == {
        "drills": "x"}
    assert progress.load().explain["huber"]["last"] == [1, 2]


def test_labels_and_commands_with_control_codes_are_shown_escaped(pa2, pa2_home, tmp_path):
    _progress_file(pa2_home, "backprop", {"label": EVIL, "command": f"pa2 {EVIL}", "total": 3,
                                          "answered": 1, "position": 1, "finished": False})
    result = pa2("progress", cwd=tmp_path)
    out = result.stdout.decode()
    assert result.returncode == 0 and "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[2J\\x1b[31mEVIL\\u202e" in out


def test_sweeps_with_infinite_numbers_or_evil_names_are_listed(pa2, tmp_path):
    runs = tmp_path / "runs"
    for name, text in [
        ("a", '{"config": {"seeds": [Infinity], "epochs": 3}, '
              '"runs": [{"seed": NaN, "weight_decay": NaN, "epochs": [1]}]}'),
        (EVIL, '{"config": {"epochs": 2}, "runs": [{"seed": 1, "weight_decay": 0.1, '
               '"epochs": [1], "status": "running"}]}')]:
        (runs / name).mkdir(parents=True)
        (runs / name / "results.json").write_text(text)
    shown = pa2("progress", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr  # before: OverflowError (int(inf))
    assert b"\x1b" not in shown.stdout and "runs/\\x1b[2J" in shown.stdout.decode()
    data = pa2("progress", "--json", cwd=tmp_path)
    sweeps = json.loads(data.stdout)["sweeps"]  # strict JSON: no NaN/Infinity written back
    by_folder = {s["folder"]: s for s in sweeps}
    assert set(by_folder) == {"runs/a", f"runs/{EVIL}"}  # the real name, in JSON
    assert by_folder["runs/a"]["seeds"] == [] and by_folder["runs/a"]["weight_decays"] == []


def test_a_network_file_name_with_control_codes_is_escaped_in_every_mode(pa2, tmp_path):
    from pa2cli.paths import content_dir

    evil = tmp_path / f"{EVIL}.json"
    evil.write_text((content_dir() / "networks" / "example.json").read_text())
    for args in (["--solve"], ["--solve", "--format", "markdown"]):
        result = pa2("backprop", "--weights", str(evil), *args, cwd=tmp_path)
        assert result.returncode == 0 and b"\x1b" not in result.stdout
        assert "\\x1b[2J" in result.stdout.decode()
    quiz = pa2("backprop", "--weights", str(evil), cwd=tmp_path, input=b"0.3\n")
    assert b"\x1b" not in quiz.stdout and "Continue with: pa2 backprop --resume" in quiz.stdout.decode()


def test_a_quiz_on_a_file_whose_name_is_not_utf8_saves_and_resumes(tmp_path, pa2_home):
    """Before: UnicodeEncodeError traceback (the state key hashed a name with surrogates)."""
    import os
    import subprocess
    import sys

    from pa2cli.backprop.engine import solve
    from pa2cli.backprop.spec import read_network
    from pa2cli.paths import content_dir

    from .conftest import ROOT

    values = solve(read_network(content_dir() / "networks" / "example.json")).values()
    name = os.fsdecode(b"\xff\xfe.json")
    (tmp_path / name).write_text((content_dir() / "networks" / "example.json").read_text())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    run = lambda *args, answers: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "pa2cli", "backprop", "--weights", name, *args], cwd=tmp_path,
        env=env, input=answers, capture_output=True, timeout=60)
    first = run(answers=f"{values['z_h1']:.7g}\n".encode())
    assert first.returncode == 0 and b"Traceback" not in first.stderr, first.stderr
    assert f"Saved at question 2 of {len(values)}" in first.stdout.decode()
    again = run("--resume", answers=f"1/(1+exp(-{values['z_h1']!r}))\n".encode())
    assert again.returncode == 0 and f"Saved at question 3 of {len(values)}" in again.stdout.decode()


def test_progress_json_stays_strict_json_after_a_file_with_nan(pa2, pa2_home, tmp_path):
    """Before: NaN/Infinity in a progress entry were printed back by `pa2 progress --json`."""
    pa2_home.mkdir(parents=True)
    (pa2_home / "progress.json").write_text(
        '{"version": 1, "explain": {"huber": {"stepped": true, "extra": NaN}}, '
        '"backprop": {"k": {"x": Infinity}}}')
    result = pa2("progress", "--json", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.decode().startswith("Warning: progress file")

    def refuse(name):
        raise AssertionError(f"{name} in the output")

    data = json.loads(result.stdout, parse_constant=refuse)
    assert data["problem"] and data["backprop"] == {}
