"""The built-in network and the template are the course's Figure 1, wired as COURSE.md's table
says; random allotted rows on it match torch autograd (float64) to 1e-12."""

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pa2cli.backprop.engine import format_number, solve
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


def _cli(*args: str) -> str:
    from click.testing import CliRunner

    from pa2cli.cli import cli

    result = CliRunner().invoke(cli, ["backprop", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_given_block_lists_every_starting_number_in_every_format():
    data = figure1()
    text = " ".join(_cli("--solve").split())
    given = text[text.index("Given"):text.index("Forward pass")]
    for name, value in {**data["inputs"], **{n: e["value"] for n, e in data["edges"].items()},
                        **{n: b["value"] for n, b in data["biases"].items()}}.items():
        assert f"{name} = {value}" in given, name
    assert f"t_out = {data['targets']['out']}" in given and "η = 0.5" in given
    assert "activation: sigmoid" in given and "loss: half_sse" in given
    markdown = _cli("--format", "markdown")
    latex = _cli("--format", "latex")
    for document, head, end in ((markdown, "## Given", "## Forward pass"),
                                (latex, r"\subsection*{Given}", r"\subsection*{Forward pass}")):
        block = document[document.index(head):document.index(end)]
        for name in ("inp_{1} = 0.1", "inp_{3} = 0.9", r"t_{out} = 0.9", r"W_{11\_1} = 0.1",
                     r"W_{32\_1} = 0.6", r"W_{21\_2} = 0.8", r"B_{1\_1} = 0.1", r"B_{1\_2} = 0.3",
                     r"\eta = 0.5", "sigmoid", r"half\_sse"):
            assert name in block, (head, name)


def test_each_delta_shows_its_symbolic_factors_before_the_numbers_in_every_format():
    values = solve(validate({k: v for k, v in figure1().items() if k != "about"})).values()
    text = " ".join(_cli("--solve").split())
    out = text.index("δ_out = ∂E/∂z_out = ∂E/∂a_out · ∂a_out/∂z_out = (a_out − t_out)·a_out·(1 − a_out)")
    assert out < text.index(f"= {format_number(values['delta_out'])}", out)
    h1 = "δ_h1 = ∂E/∂z_h1 = ∂E/∂a_h1 · ∂a_h1/∂z_h1 = (W11_2·δ_out)·a_h1·(1 − a_h1)"
    assert h1 in text
    assert "delta_" not in text and "dE_da_" not in text  # one notation in the text
    factors = r"\left(a_{out} - t_{out}\right) \cdot a_{out} \cdot \left(1 - a_{out}\right)"
    for document in (_cli("--format", "markdown"), _cli("--format", "latex")):
        assert factors in document
        assert r"W_{11\_2} \cdot \delta_{out} \cdot a_{h1} \cdot \left(1 - a_{h1}\right)" in document


def test_markdown_embeds_figure_1_as_a_real_png():
    import base64
    import io
    import re

    from PIL import Image

    markdown = _cli("--format", "markdown")
    found = re.search(r"!\[[^\]]*Figure 1[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", markdown)
    assert found
    image = Image.open(io.BytesIO(base64.b64decode(found[1])))
    assert image.format == "PNG" and image.width > 800 and image.height > 300
    assert len(image.convert("L").getcolors(maxcolors=256) or ()) > 20  # drawn, antialiased: not a blank page
