"""Practice networks (`--random`): every seed validates, solves, matches torch autograd, stays
readable, and the same seed writes the same file in any process; every mode accepts them."""

import json
import math
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pa2cli.backprop import practice
from pa2cli.backprop.engine import solve
from pa2cli.backprop.spec import validate
from pa2cli.cli import cli

SHAPES = [(2, 2, 2), (3, 2, 1), (1, 1), (2, 3, 2, 1), (4, 4, 4)]
SEEDS = range(0, 40)


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, ["backprop", *args], **kwargs)


def hundredths(value: float) -> bool:
    return abs(value * 100 - round(value * 100)) < 1e-9


@pytest.mark.parametrize("shape", SHAPES, ids=practice.shape_text)
def test_every_seed_gives_a_valid_network_matching_torch_autograd(oracle, shape):
    for seed in SEEDS:
        data = practice.random_network_data(seed, shape)
        ours = solve(validate(data)).values()
        theirs = oracle(data)
        assert set(ours) == set(theirs)
        for name, value in theirs.items():
            assert math.isclose(ours[name], value, rel_tol=1e-12, abs_tol=1e-12), \
                f"seed {seed} {name}: engine {ours[name]!r}, torch {value!r}"


@pytest.mark.parametrize("shape", SHAPES, ids=practice.shape_text)
def test_every_seed_is_figure_one_style_and_readable(shape):
    for seed in SEEDS:
        data = practice.random_network_data(seed, shape)
        assert data["activation"] == "sigmoid" and data["loss"] == "half_sse"
        assert len(data["biases"]) == len(shape) - 1  # one shared bias per layer
        assert len(data["edges"]) == sum(a * b for a, b in zip(shape, shape[1:]))
        numbers = [*data["inputs"].values(), *data["targets"].values(),
                   *(e["value"] for e in data["edges"].values()),
                   *(b["value"] for b in data["biases"].values())]
        assert all(hundredths(v) for v in numbers), f"seed {seed}: not two decimals"
        assert all(0 < v <= 1 for v in data["inputs"].values())
        assert all(0 < t < 1 for t in data["targets"].values())
        assert all(-1 < e["value"] < 1 and e["value"] != 0 for e in data["edges"].values())
        values = solve(validate(data)).values()
        for name, value in values.items():
            if name.startswith("a_"):  # sigmoid(±2.5): every unit far from saturation
                assert 0.075 < value < 0.925, f"seed {seed} {name} = {value}"
            if name.startswith("grad_"):  # nothing that rounds to 0.000
                assert 5e-4 <= abs(value) < 10, f"seed {seed} {name} = {value}"


def test_same_seed_same_file_in_a_fresh_process_with_another_hash_seed():
    """Nothing depends on the process: hash randomisation, the clock, or earlier draws."""
    here = invoke("--seed", "17", "--shape", "3-2-2", "--template").stdout
    env = dict(os.environ, PYTHONHASHSEED="12345")
    there = subprocess.run([sys.executable, "-m", "pa2cli", "backprop", "--seed", "17",
                            "--shape", "3-2-2", "--template"], capture_output=True, text=True,
                           env=env, check=True).stdout
    assert here == there
    assert invoke("--seed", "18", "--shape", "3-2-2", "--template").stdout != here


def test_seed_one_is_pinned_so_a_seed_means_the_same_network_in_every_release():
    """The draws come from random.Random(seed).random(), whose sequence Python guarantees; if
    this changes, every student's noted seed would name another network."""
    data = practice.random_network_data(1)
    assert data["inputs"] == {"i1": 0.85, "i2": 0.46}
    assert data["targets"] == {"o1": 0.76, "o2": 0.01}
    assert [e["value"] for e in data["edges"].values()] == [
        -0.59, 0.56, 0.42, -0.39, -0.08, 0.24, 0.46, -0.65]
    assert [b["value"] for b in data["biases"].values()] == [0.04, -0.47]


def test_names_follow_figure_one():
    data = practice.random_network_data(5, (2, 3, 2, 1))
    assert list(data["inputs"]) == ["i1", "i2"] and list(data["targets"]) == ["o1"]
    computed = list(dict.fromkeys(e["to"] for e in data["edges"].values()))
    assert computed == ["h1", "h2", "h3", "h4", "h5", "o1"]
    assert data["edges"]["w1"] == {"from": "i1", "to": "h1", "value": data["edges"]["w1"]["value"]}
    assert data["biases"]["b2"]["to"] == ["h4", "h5"]


def test_seed_is_printed_with_the_command_to_come_back():
    result = invoke("--random", "--json")
    assert result.exit_code == 0
    seed = int(result.stderr.split("seed ")[1].split(",")[0])
    again = invoke("--random", "--seed", str(seed), "--json")
    assert json.loads(again.stdout) == json.loads(result.stdout)
    assert f"again: pa2 backprop --random --seed {seed})" in result.stderr


def test_template_of_a_practice_network_solves_like_the_practice_network(tmp_path):
    path = tmp_path / "practice.json"
    path.write_text(invoke("--seed", "9", "--shape", "2-3-1", "--template").stdout)
    from_file = json.loads(invoke("--weights", str(path), "--json").stdout)
    assert from_file == json.loads(invoke("--seed", "9", "--shape", "2-3-1", "--json").stdout)


@pytest.mark.parametrize("mode", [["--solve"], ["--format", "markdown"], ["--format", "latex"],
                                  ["--solve", "--json"]])
def test_every_output_mode_takes_a_practice_network(mode):
    result = invoke("--seed", "4", *mode)
    assert result.exit_code == 0, result.output
    assert "seed 4" in result.stderr


def test_check_grades_a_sheet_against_the_practice_network(tmp_path):
    values = json.loads(invoke("--seed", "4", "--json").stdout)
    sheet = {name: round(value, 6) for name, value in values.items()}
    sheet["z_h1"] += 0.5
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(sheet))
    result = invoke("--seed", "4", "--check", str(path))
    assert result.exit_code == 1
    assert f"{len(values) - 1} right, 1 wrong" in result.stdout


def test_quiz_hint_example_and_resume_use_the_practice_network(pa2_home):
    data = practice.random_network_data(11)
    values = solve(validate(data)).values()
    first = invoke("--seed", "11", input=f"{values['z_h1']:.8g}\nq\n")
    assert first.exit_code == 0
    own = solve(validate(data)).steps["a_h1"].substituted.replace(" ", "")
    assert f"{values['z_h1']:.10g}" in own and "exp(" in own
    assert "an expression such as 1/(1+exp(-" in first.stdout
    assert own not in first.stdout  # the example gives away neither z_h1 nor a_h1
    assert f"{values['z_h1']:.4f}" not in first.stdout.split("[1/")[0]
    assert "0.3775" not in first.stdout  # nor anything of the built-in network
    assert "Continue with: pa2 backprop --resume --random --seed 11\n" in first.stdout
    resumed = invoke("--resume", "--seed", "11", input=f"{values['a_h1']:.8g}\nq\n")
    assert "Resuming at question 2" in resumed.stdout and "✓ correct" in resumed.stdout


@pytest.mark.parametrize("args, message", [
    (["--shape", "2-9-1"], "--shape: '2-9-1' is outside the limits"),
    (["--shape", "2"], "--shape: '2' is not a shape"),
    (["--shape", "2x2"], "--shape: '2x2' is not a shape"),
    (["--seed", "-1"], "--seed: -1 is out of range"),
    (["--random", "--weights", "{file}"], "--weights and --random/--seed/--shape cannot be"),
])
def test_bad_practice_options_are_one_line_exit_2(tmp_path, args, message):
    path = tmp_path / "w.json"
    path.write_text("{}")
    result = invoke(*[a.replace("{file}", str(path)) for a in args])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert message in result.output
