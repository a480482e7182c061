"""Hostile standard streams, in real subprocesses: a full or closed stdout, a closed stdin,
input that is not UTF-8, and terminals whose encoding cannot show pa2's characters."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from pa2cli.backprop.engine import solve
from pa2cli.backprop.examples import builtin_network

PA2 = [sys.executable, "-m", "pa2cli"]
ROOT = Path(__file__).resolve().parents[1]


def env(**extra) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    base.update({"PYTHONPATH": str(ROOT), "COLUMNS": "100", "LANG": "C.UTF-8"}, **extra)
    return base


def run(args, *, shell_redirect="", input=None, **extra):
    """pa2 ARGS in a real process; `shell_redirect` (`>&-`, `0<&-`) is applied by a shell."""
    command = ["bash", "-c", f"exec {shlex.join(PA2 + list(args))} {shell_redirect}"]
    return subprocess.run(command, capture_output=True, input=input, env=env(**extra),
                          stdin=None if input is not None else subprocess.DEVNULL, timeout=120)


def assert_one_clean_error_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace")
    assert "Traceback" not in text and "Exception ignored" not in text, text
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


OUTPUT_COMMANDS = [
    ["backprop", "--json"],
    ["backprop", "--solve"],
    ["backprop", "--format", "latex"],
    ["explain", "sigmoid", "--all"],
    ["explain", "huber", "--format", "markdown"],
    [],  # the welcome screen
]


@pytest.mark.parametrize("args", OUTPUT_COMMANDS, ids=lambda a: " ".join(a) or "welcome")
def test_output_to_a_full_disk_is_one_line_and_a_failure(args):
    with open("/dev/full", "wb") as full:
        result = subprocess.run(PA2 + args, stdout=full, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=env(), timeout=120)
    assert result.returncode == 1
    line = assert_one_clean_error_line(result.stderr)
    assert line.startswith("Error: cannot write to standard output (No space left on device)")


@pytest.mark.parametrize("args", OUTPUT_COMMANDS[:4], ids=" ".join)
def test_output_to_a_closed_stdout_is_one_line_not_a_silent_success(args):
    result = run(args, shell_redirect=">&-")
    assert result.returncode == 1
    line = assert_one_clean_error_line(result.stderr)
    assert "standard output is closed" in line


def test_quiz_with_stdin_closed_behaves_like_the_end_of_a_pipe(tmp_path):
    result = run(["backprop"], shell_redirect="0<&-", PA2_HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr and result.stderr == b""
    total = len(solve(builtin_network()).values())  # the built-in Figure 1's questions
    assert f"Saved at question 1 of {total}. Continue with: pa2 backprop --resume".encode() in result.stdout


def test_latin1_answer_through_a_pipe_is_named_not_a_traceback(tmp_path):
    # the published example's z_h1 = 0.3775 (`--example mazur`)
    result = run(["backprop", "--example", "mazur"], input="0,3775é\n0.3775\n".encode("latin-1"),
                 PA2_HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "is not UTF-8" in out
    assert "✓ correct" in out  # the next, good line is read and graded as usual
    assert result.stderr == b""


def test_utf16_answers_file_through_a_pipe_is_named_not_a_traceback(tmp_path):
    answers = "0.3775\n0.5932699921\n".encode("utf-16")
    result = run(["backprop"], input=answers, PA2_HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "is not UTF-8" in result.stdout.decode()
    assert result.stderr == b""


def test_lone_surrogate_in_a_check_sheet_is_escaped_not_a_crash(tmp_path):
    sheet = tmp_path / "answers.json"
    sheet.write_text('{"z_h1": 0.3775, "\\ud800bad": 1}', encoding="utf-8")
    result = run(["backprop", "--check", str(sheet)])
    assert result.returncode == 1  # graded: the unknown name is reported, not a crash
    assert b"Traceback" not in result.stderr
    assert b"\\ud800bad" in result.stdout


def test_lone_surrogate_as_a_sheet_value_is_one_line(tmp_path):
    sheet = tmp_path / "answers.json"
    sheet.write_text('{"z_h1": "0.3\\udfff"}', encoding="utf-8")
    result = run(["backprop", "--check", str(sheet)])
    assert result.returncode == 2
    line = assert_one_clean_error_line(result.stderr)
    assert "answers.json: z_h1" in line


@pytest.fixture
def saved_sweep(tmp_path):
    from pa2cli.sweep.store import SweepFolder, parse_results

    rows = [{"epoch": e, "train_loss": 1.0 / e, "train_acc": 0.8 + 0.05 * e,
             "test_loss": 1.2 / e, "test_acc": 0.75 + 0.05 * e, "seconds": 0.1} for e in (1, 2)]
    results = parse_results({"config": {"epochs": 2}, "runs": [
        {"weight_decay": wd, "status": "done", "epochs": rows} for wd in (0.0, 1e-3)]})
    SweepFolder(tmp_path / "sweep").save(results)
    return tmp_path / "sweep"


def every_command(tmp_path: Path, saved: Path) -> list[list[str]]:
    sheet = tmp_path / "sheet.json"
    sheet.write_text(json.dumps({"z_h1": 0.3775, "a_h1": 0.1, "zh2": 1}))
    return [[], ["--help"], ["explain"], ["explain", "sigmoid", "--all"],
            ["explain", "cosine", "--all"], ["explain", "relu", "--all", "--plot"],
            ["explain", "huber", "--format", "markdown"], ["explain", "tanh", "--format", "latex"],
            ["backprop", "--solve"], ["backprop", "--format", "markdown"],
            ["backprop", "--format", "latex"], ["backprop", "--json"], ["backprop", "--template"],
            ["backprop", "--check", str(sheet)], ["backprop"], ["backprop", "--help"],
            ["sweep", "--help"], ["plot", "--help"], ["plot", str(saved)],
            ["explain", "nosuchtopic"]]


@pytest.mark.parametrize("encoding", [
    {"PYTHONIOENCODING": "ascii"},
    {"PYTHONIOENCODING": "latin-1"},
    # a legacy C locale with neither UTF-8 mode nor locale coercion: Python picks ASCII
    {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
], ids=["PYTHONIOENCODING=ascii", "PYTHONIOENCODING=latin-1", "LC_ALL=C"])
def test_every_command_degrades_to_the_terminals_encoding(tmp_path, saved_sweep, encoding):
    codec = "latin-1" if "latin" in encoding.get("PYTHONIOENCODING", "") else "ascii"
    failures = []
    for args in every_command(tmp_path, saved_sweep):
        result = subprocess.run(PA2 + args, capture_output=True, input=b"0.3775\n?\nq\n",
                                env=env(PA2_HOME=str(tmp_path / "home"), **encoding),
                                timeout=120)
        try:
            result.stdout.decode(codec)
            result.stderr.decode(codec)
        except UnicodeDecodeError as error:
            failures.append(f"{args}: not {codec}: {error}")
        if b"Traceback" in result.stderr or result.returncode not in (0, 1, 2):
            failures.append(f"{args}: exit {result.returncode}: {result.stderr[-300:]!r}")
    assert not failures, "\n".join(failures)


def test_ascii_output_uses_lookalikes_not_question_marks():
    result = run(["backprop", "--solve"], PYTHONIOENCODING="ascii")
    out = result.stdout.decode("ascii")
    assert "learning rate eta = 0.5" in " ".join(out.split())  # wrapped at the terminal width
    assert "z_h1 = W11_1*inp1 + W21_1*inp2 + W31_1*inp3 + B1_1" in out  # Figure 1
    assert "delta_n = dE/dz_n" in out
    assert "?" not in out
