"""The home screen counts a backprop quiz's answers typed right and its revealed ones apart: a
real quiz (through a pipe) with `s` on some questions, then the home screen in a real 80-column
pseudo-terminal and `pa2 progress --json`."""

import json
import os
import re
import sys

import pexpect
from click.testing import CliRunner

from pa2cli import progress
from pa2cli.cli import cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def quiz_values(seed: int) -> list[float]:
    return list(json.loads(CliRunner().invoke(cli, ["backprop", "--seed", str(seed),
                                                    "--json"]).stdout).values())


def home_screen(cwd) -> str:
    env = dict(os.environ, TERM="xterm", COLUMNS="80", LINES="40")
    child = pexpect.spawn(sys.executable, ["-m", "pa2cli"], env=env, cwd=str(cwd),
                          encoding="utf-8", dimensions=(40, 80), timeout=20)
    child.expect(pexpect.EOF)
    child.close()
    return ANSI.sub("", child.before).replace("\r", "")


def test_revealed_questions_are_not_counted_as_answered(tmp_path, pa2_home):
    values = quiz_values(5)
    lines = [f"{values[0]:.8g}", "s", "s", "0", f"{values[3]:.8g}", "s", "q"]  # 2 right, 3 shown
    result = CliRunner().invoke(cli, ["backprop", "--seed", "5"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    entry = progress.load().backprop["practice-seed-5"]
    assert (entry["answered"], entry["revealed"], entry["first_try"], entry["position"]) == \
        (2, 3, 1, 5)
    screen = home_screen(tmp_path)
    total = len(values)
    assert f"2/{total} answered · 3 revealed · 1 right first try · stopped at question 6" in screen
    shown = json.loads(CliRunner().invoke(cli, ["progress", "--json"]).stdout)
    assert shown["backprop"]["practice-seed-5"]["revealed"] == 3


def test_a_quiz_finished_by_revealing_everything_says_so(tmp_path, pa2_home):
    total = len(quiz_values(6))
    result = CliRunner().invoke(cli, ["backprop", "--seed", "6"], input="s\n" * total)
    assert result.exit_code == 0, result.output
    screen = home_screen(tmp_path)
    assert f"0/{total} answered · {total} revealed · 0 right first try · finished" in screen
    assert f"{total}/{total} answered" not in screen


def test_an_entry_written_before_revealed_was_counted_still_shows(tmp_path, pa2_home):
    progress.record_backprop("old", label="an older quiz", command="pa2 backprop --resume",
                             answered=4, first_try=3, total=39, position=4, finished=False)
    assert "4/39 answered · 3 right first try · stopped at question 5" in home_screen(tmp_path)
