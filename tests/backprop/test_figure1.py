"""The built-in network and the template are the course's Figure 1, wired as COURSE.md's table
says; random allotted rows on it match torch autograd (float64) to 1e-12."""

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pa2cli.backprop.engine import solve
from pa2cli.backprop.spec import validate
from pa2cli.paths import content_dir

# COURSE.md, "Figure 1": edge or bias -> (from, to); typed from the table, not from pa2.
WIRING = {"W11_1": ("inp1", "h1"), "W12_1": ("inp1", "h2"), "W21_1": ("inp2", "h1"),
          "W22_1": ("inp2", "h2"), "W31_1": ("inp3", "h1"), "W32_1": ("inp3", "h2"),
          "W11_2": ("h1", "out"), "W21_2": ("h2", "out")}
BIASES = {"B1_1": "h1", "B2_1": "h2", "B1_2": "out"}


def figure1() -> dict:
    return json.loads((content_dir() / "networks" / "example.json").read_text())


def test_built_in_network_is_figure_1_as_wired_in_the_course():
    data = figure1()
    assert list(data["inputs"]) == ["inp1", "inp2", "inp3"]
    assert {n: (e["from"], e["to"]) for n, e in data["edges"].items()} == WIRING
    assert {n: b["to"] for n, b in data["biases"].items()} == BIASES
    assert list(data["targets"]) == ["out"]
    assert (data["activation"], data["loss"]) == ("sigmoid", "half_sse")


values = st.floats(-2, 2, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(values, min_size=15, max_size=15), st.floats(0, 1), st.floats(0.01, 1))
def test_random_allotted_rows_match_torch_autograd(oracle, row, target, rate):
    data = figure1()
    data.pop("about")
    names = list(data["inputs"]) + list(data["edges"]) + list(data["biases"])
    for name, value in zip(names, row):
        if name in data["inputs"]:
            data["inputs"][name] = value
        else:
            (data["edges"].get(name) or data["biases"][name])["value"] = value
    data["targets"]["out"], data["learning_rate"] = target, rate
    ours = solve(validate(data)).values()
    theirs = oracle(data)
    assert set(ours) == set(theirs)
    for name, value in theirs.items():
        assert math.isclose(ours[name], value, rel_tol=1e-12, abs_tol=1e-12), name
