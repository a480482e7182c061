""""% off" is rounded by one function (grading.percent_off) for `--check`, `--check
--hide-answers`, the quiz and the drill: the two check reports of one sheet print the same
percentage for every wrong value, and the hidden report's rounding never pins the correct value
inside the default tolerance."""

import json
import re

import pytest
from click.testing import CliRunner

from pa2cli.backprop.grading import Tolerance, how_far, how_far_hidden, percent_off
from pa2cli.cli import cli


@pytest.mark.parametrize("given, expected, text", [
    (1.028, 1.0, "3%"), (1.004, 1.0, "under 1%"), (0.795, 1.0, "20%"), (3.0, 1.0, "200%"),
    (-0.5, -0.4, "20%"), (1.95, 1.0, "100%"), (1.015, 1.0, "1%"),
])
def test_percent_off_has_one_significant_figure_and_a_floor_of_one_percent(given, expected, text):
    assert percent_off(given, expected) == text
    assert f"({text} off)" in how_far(given, expected)


def test_hidden_and_shown_say_the_same_percentage():
    for given, expected in [(1.028, 1.0), (1.004, 1.0), (0.795, 1.0), (0.55, 0.5)]:
        percent = percent_off(given, expected)
        assert f"({percent} off)" in how_far(given, expected)
        assert how_far_hidden(given, expected).endswith(f" {percent}")


def test_each_hidden_percentage_leaves_the_answer_open_wider_than_the_tolerance():
    """Every text the hidden report can print covers a range of errors so wide that guessing
    its middle is still off by more than the default relative tolerance (the narrowest, "1%",
    covers 1% to 1.5%)."""
    tolerance = Tolerance()
    errors: dict[str, list[float]] = {}
    for step in range(1, 10_001):  # 0.01% … 100%, every 0.01 points
        p = step / 100
        given = 1.0 + p / 100
        if tolerance.accepts(given, 1.0):
            continue  # right, not reported as off
        errors.setdefault(how_far_hidden(given, 1.0), []).append(p)
    for text, ps in errors.items():
        assert (max(ps) - min(ps)) / 2 / 100 > 2 * tolerance.rtol, (text, min(ps), max(ps))
    assert "too high by about 0.7%" not in errors  # the old rounding: inside the tolerance


def test_check_and_hide_answers_round_every_wrong_value_the_same_way(tmp_path):
    values = json.loads(CliRunner().invoke(cli, ["backprop", "--json"]).stdout)
    names = [n for n, v in values.items() if abs(v) > 1e-3][:4]
    sheet = dict(values)
    for name, factor in zip(names, (1.028, 1.004, 1.3, 0.85)):
        sheet[name] = values[name] * factor
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps(sheet))
    shown = CliRunner().invoke(cli, ["backprop", "--check", str(path)],
                               env={"COLUMNS": "200"}).stdout
    hidden = CliRunner().invoke(cli, ["backprop", "--check", str(path), "--hide-answers"],
                                env={"COLUMNS": "200"}).stdout
    for name in names:
        open_row = next(line for line in shown.splitlines() if f"│ {name} " in line)
        hidden_row = next(line for line in hidden.splitlines() if f"│ {name} " in line)
        percent = re.search(r"\((\S+(?: 1%)?) off\)", open_row).group(1)
        assert re.search(rf"by (about )?{re.escape(percent)}(?=\s)", hidden_row), (open_row, hidden_row)
