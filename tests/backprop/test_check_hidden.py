"""`--check --hide-answers`: right or wrong and roughly how far, never a correct value; and
NO_COLOR honoured by the check table."""

import json
import os
import re
import sys

import pexpect
import pytest
from click.testing import CliRunner

from pa2cli.backprop.engine import format_number
from pa2cli.backprop.grading import how_far_hidden
from pa2cli.cli import cli


def example_values() -> dict:
    return json.loads(CliRunner().invoke(cli, ["backprop", "--json"]).stdout)


def sheet_with_mistakes(tmp_path) -> tuple[str, dict]:
    values = example_values()
    sheet = {name: round(value, 7) for name, value in values.items()}
    sheet["a_h1"] = values["a_h1"] * 1.028  # 2.8% too high
    sheet["delta_out"] = -values["delta_out"]  # the sign
    sheet["grad_W11_2"] = values["grad_W11_2"] * 5  # far off
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(sheet))
    return str(path), values


def test_hidden_check_shows_no_correct_value_of_a_wrong_answer(tmp_path):
    path, values = sheet_with_mistakes(tmp_path)
    result = CliRunner().invoke(cli, ["backprop", "--check", path, "--hide-answers"])
    assert result.exit_code == 1
    out = result.stdout
    assert "Correct" not in out
    for name in ("a_h1", "grad_W11_2"):
        exact = format_number(values[name])
        assert exact not in out and f"{values[name]:.4g}" not in out, name
    assert "too high by about 3%" in out
    assert "check the sign" not in out  # it would give -(your answer) away
    low, high = ("low", "high") if values["delta_out"] > 0 else ("high", "low")
    assert f"too {low} by far (more than 100% off)" in out  # delta_out: sign flipped
    assert f"too {high} by far (more than 100% off)" in out  # grad_W11_2 five times
    assert f"{len(values) - 3} right, 3 wrong of {len(values)} graded." in out
    assert len(values) == 36  # Figure 1: 3 units x 4, 2 loss values, 11 parameters x 2


def test_the_same_sheet_without_hiding_shows_the_correct_values(tmp_path):
    path, values = sheet_with_mistakes(tmp_path)
    out = CliRunner().invoke(cli, ["backprop", "--check", path]).stdout
    assert "Correct" in out and format_number(values["a_h1"]) in out


@pytest.mark.parametrize("given, expected, text", [
    (1.02, 1.0, "too high by about 2%"), (0.5, 1.0, "too low by about 50%"),
    (-1.0, 1.0, "too low by far (more than 100% off)"), (3.0, 1.0, "too high by far (more than 100% off)"),
    (0.1, 0.0, "too high"),
])
def test_how_far_hidden_rounds_so_the_answer_cannot_be_worked_back(given, expected, text):
    assert how_far_hidden(given, expected) == text


def test_no_color_turns_the_colours_off_in_a_terminal(tmp_path):
    path, _ = sheet_with_mistakes(tmp_path)
    outputs = {}
    for no_color in ("", "1"):
        env = dict(os.environ, TERM="xterm-256color", COLUMNS="100")
        env.pop("NO_COLOR", None)
        if no_color:
            env["NO_COLOR"] = no_color
        child = pexpect.spawn(sys.executable, ["-m", "pa2cli", "backprop", "--check", path],
                              env=env, encoding="utf-8", timeout=20, dimensions=(60, 100))
        child.expect(pexpect.EOF)
        outputs[no_color] = child.before
    colour = re.compile(r"\x1b\[[0-9;]*3[0-7]m|\x1b\[[0-9;]*38;")
    assert colour.search(outputs[""])  # the check sees colours at all
    assert not colour.search(outputs["1"])
