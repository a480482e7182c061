"""The README's Part A example is the program's own rendering of a real default run.

tests/sweep/fixtures/default/results.json was written by a real `pa2 sweep` with the default
set-up (benchmarks/default_robustness.py --keep; docs/sweep-defaults.md). The README's example
block must be exactly what `pa2 plot` renders from it at 80 columns (a real subprocess, the
program's renderer: no copied string), and its "What to conclude" paragraph may quote only
numbers that rendering prints (or the set-up's own: training size, seeds, epochs), and must
name the weight decays the rendered verdict sentence names.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FIXTURE = ROOT / "tests" / "sweep" / "fixtures" / "default"
MARKER = "<!-- readme-sweep-example -->"
CONCLUDE = "What to conclude:"


def readme_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    assert text.count(MARKER) == 1, f"README.md needs exactly one {MARKER} line"
    after = text.split(MARKER, 1)[1]
    match = re.match(r"\s*```text\n(.*?)\n```", after, re.S)
    assert match, f"a ```text block must follow {MARKER}"
    return [line.rstrip() for line in match.group(1).splitlines()]


def conclusion() -> str:
    text = README.read_text(encoding="utf-8").split(MARKER, 1)[1]
    assert CONCLUDE in text
    paragraph = text.split(CONCLUDE, 1)[1].split("\n\n", 1)[0]
    return " ".join(paragraph.split())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> list[str]:
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT),
           "PA2_HOME": str(tmp_path_factory.mktemp("home")), "NO_COLOR": "1"}
    env.pop("LINES", None)
    done = subprocess.run([sys.executable, "-m", "pa2cli", "plot", str(FIXTURE), "--no-plot"],
                          env=env, capture_output=True, text=True, timeout=120, check=True)
    return [line.rstrip() for line in done.stdout.splitlines()]


def test_the_readme_example_is_the_fixture_rendered_by_pa2_plot(rendered):
    assert readme_block() == rendered


def test_the_example_has_the_weight_norm_column_and_sentence(rendered):
    header = next(line for line in rendered if line.lstrip().startswith("wd "))
    assert header.rstrip().endswith("‖w‖")
    assert any("of wd 0's norm" in line for line in rendered)


def test_what_to_conclude_quotes_only_numbers_the_rendering_prints(rendered):
    text = conclusion()
    shown = " ".join(" ".join(rendered).split())
    numbers = re.findall(r"\d+(?:\.\d+)?(?:e-\d+)?", text)
    assert len(numbers) >= 5, "the conclusion should quote the run's numbers"
    tokens = set(re.findall(r"\d+(?:\.\d+)?(?:e-\d+)?", shown))
    config = json.loads((FIXTURE / "results.json").read_text(encoding="utf-8"))["config"]
    tokens |= {str(config[name]) for name in ("train_size", "seeds", "epochs")}  # the set-up
    missing = [n for n in numbers if n not in tokens]
    assert not missing, f"numbers in What to conclude that the rendering does not print: {missing}"


def test_what_to_conclude_states_the_rendered_verdict(rendered):
    shown = " ".join(" ".join(rendered).split())
    verdict = re.search(r"Beyond seed noise, weight decay ([^.]*)\.", shown)
    assert verdict, "the fixture's findings name no effect beyond seed noise"
    text = conclusion()
    for part in verdict.group(1).split("; "):
        word, _, named = part.partition(": ")
        for label in re.findall(r"wd (\S+) \(", named):
            assert re.search(rf"\b{re.escape(label)}\b", text), \
                f"What to conclude must name wd {label}, which the findings say {word}"
        if word == "helps":
            assert "lower the test loss" in text
        if word == "hurts":
            assert "hurts" in text
    for count in re.findall(r"in (\d+ of \d+) seeds", text):  # every seed count it claims
        assert f"in {count} seeds" in shown
    underfit = re.search(r"Underfitting \(.*?\): wd (\S+) \(", shown)
    if underfit:
        assert underfit.group(1) in text
    else:  # the findings call nothing underfitting: neither may the README
        assert "No value underfits" in shown and "underfits" not in text
