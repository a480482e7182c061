"""A damaged saved quiz under PA2_HOME is one line offering to start over (issue 7, item 13):
never a traceback, and never "every quantity right at the first try" with nothing answered."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pa2cli.backprop.engine import solve
from pa2cli.backprop.quiz import fingerprint, state_path
from pa2cli.backprop.spec import read_network
from pa2cli.cli import cli
from pa2cli.paths import content_dir

# the built-in network (Figure 1 with sample values), whose quiz state_path(None) holds
SOLUTION = solve(read_network(content_dir() / "networks" / "example.json"))
MARK = fingerprint(SOLUTION)
NAMES = list(SOLUTION.steps)
TOTAL = len(NAMES)
Z_H1 = f"{SOLUTION.values()['z_h1']:.7g}"  # the first question's answer


def good_state(**changes) -> dict:
    state = {"fingerprint": MARK, "position": 2,
             "outcomes": {NAMES[0]: "first try", NAMES[1]: "revealed"},
             "wrong_tries": 0, "hinted": False, "version": 1}
    state.update(changes)
    return state


DAMAGED = {
    "position a string": json.dumps(good_state(position="abc")),
    "position a fraction": json.dumps(good_state(position=1.5)),
    "position NaN": json.dumps(good_state(position=float("nan"))),
    "position negative": json.dumps(good_state(position=-1)),
    "position past the end": json.dumps(good_state(position=len(NAMES) + 5)),
    "position a boolean": json.dumps(good_state(position=True)),
    "wrong_tries a string": json.dumps(good_state(wrong_tries="x")),
    "hinted a number": json.dumps(good_state(hinted=2)),
    "outcomes a list": json.dumps(good_state(outcomes=["first try"])),
    "outcomes unknown verdict": json.dumps(good_state(
        outcomes={NAMES[0]: "first try", NAMES[1]: "perfect"})),
    # the false "every quantity right at the first try": at the end with nothing answered
    "at the end with nothing answered": json.dumps(good_state(position=len(NAMES), outcomes={})),
    "outcomes for questions not reached": json.dumps(good_state(
        position=1, outcomes={n: "first try" for n in NAMES})),
    "unknown key": json.dumps({**good_state(), "extra": 1}),
    "not an object": "[1, 2, 3]",
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "binary garbage": bytes(range(256)) * 4,
    "empty": b"",
    "version from the future": json.dumps(good_state(version=99)),
}


def write_state(home, content) -> None:
    path = state_path(None)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_resume_of_a_damaged_state_is_one_line_offering_to_start_over(pa2_home, content):
    write_state(pa2_home, content)
    result = CliRunner().invoke(cli, ["backprop", "--resume"], input="")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and str(state_path(None)) in lines[0]
    assert "the saved quiz is damaged" in lines[0]
    assert "Run without --resume to start over" in lines[0]
    assert "Every quantity right" not in result.output


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_new_quiz_replaces_a_damaged_state_and_says_so(pa2_home, content):
    write_state(pa2_home, content)
    result = CliRunner().invoke(cli, ["backprop"], input=f"{Z_H1}\n")
    assert result.exit_code == 0, result.output
    assert "The saved quiz for this network is damaged; starting over." in result.output
    assert f"[1/{TOTAL}] z_h1" in result.output
    assert "Every quantity right" not in result.output
    saved = json.loads(state_path(None).read_text())
    assert saved["position"] == 1 and saved["outcomes"] == {"z_h1": "first try"}


def test_a_sound_state_still_resumes_where_it_stopped(pa2_home):
    write_state(pa2_home, json.dumps(good_state()))
    result = CliRunner().invoke(cli, ["backprop", "--resume"], input="")
    assert result.exit_code == 0, result.output
    assert f"Resuming at question 3 of {TOTAL}." in result.output
    assert f"[3/{TOTAL}] {NAMES[2]}" in result.output


def test_a_fifo_in_place_of_the_saved_quiz_is_refused_not_waited_on(pa2_home):
    import os

    path = state_path(None)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    result = CliRunner().invoke(cli, ["backprop", "--resume"], input="")
    assert result.exit_code == 2, result.output
    assert "the saved quiz is damaged and cannot be continued" in result.output
