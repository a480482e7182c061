"""The terminal drawing: inputs on the left, outputs on the right, each edge with name and value."""

import io
import json

from rich.console import Console

from pa2cli.backprop.diagram import draw
from pa2cli.backprop.spec import parse_network, read_network
from pa2cli.paths import content_dir

SKIP_CONNECTION = {
    "inputs": {"x1": 1.0, "x2": -0.5},
    "targets": {"y": 0.3, "h2": 0.1},
    "edges": {"a": {"from": "x1", "to": "h1", "value": 0.5},
              "b": {"from": "x2", "to": "h1", "value": -1},
              "c": {"from": "h1", "to": "h2", "value": 2},
              "d": {"from": "h2", "to": "y", "value": 0.7},
              "s": {"from": "x1", "to": "y", "value": 0.125}},
    "biases": {"b0": {"to": "y", "value": 0.05}},
    "activations": {"h2": "relu"},
}


def rendered(network) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(draw(network))
    return console.file.getvalue()


def test_example_drawing_shows_every_edge_and_bias_with_its_value():
    text = rendered(read_network(content_dir() / "networks" / "mazur.json"))
    for edge in ("i1 ─w1=0.15→", "i2 ─w2=0.2→", "i1 ─w3=0.25→", "i2 ─w4=0.3→",
                 "h1 ─w5=0.4→", "h2 ─w6=0.45→", "h1 ─w7=0.5→", "h2 ─w8=0.55→"):
        assert edge in text
    assert "+ b1=0.35 (shared with h2)" in text and "+ b2=0.6 (shared with o2)" in text
    assert "target 0.01" in text and "target 0.99" in text


def column_of(text: str, label: str) -> int:
    return next(line.index(label) for line in text.splitlines() if label in line)


def test_inputs_are_drawn_left_of_hidden_nodes_left_of_outputs():
    text = rendered(read_network(content_dir() / "networks" / "mazur.json"))
    assert column_of(text, "i1 = 0.05") < column_of(text, "h1: sigmoid") \
        < column_of(text, "o1: sigmoid")
    assert column_of(text, "inputs") < column_of(text, "layer 1") < column_of(text, "outputs")


def test_any_dag_draws_one_column_per_layer_with_skip_edges_where_they_arrive():
    text = rendered(parse_network(json.dumps(SKIP_CONNECTION)))
    header = text.splitlines()[0]
    assert header.index("inputs") < header.index("layer 1") < header.index("layer 2") \
        < header.index("outputs")
    assert "x1 ─s=0.125→" in text and "h2 ─d=0.7→" in text  # both arrive at y
    assert "h2: relu" in text and "y: sigmoid" in text


DEEP = {  # three computed layers, a skip connection into each of the last two, a shared bias
    "inputs": {"x1": 0.5, "x2": -1},
    "targets": {"y": 0.2, "g2": 0.1},
    "edges": {"a1": {"from": "x1", "to": "h1", "value": 0.1},
              "a2": {"from": "x2", "to": "h2", "value": 0.2},
              "c1": {"from": "h1", "to": "g1", "value": 0.5},
              "c2": {"from": "h2", "to": "g1", "value": -0.6},
              "c3": {"from": "h1", "to": "g2", "value": 0.7},
              "d1": {"from": "g1", "to": "k1", "value": 0.9},
              "s1": {"from": "h2", "to": "k1", "value": 0.25},
              "e1": {"from": "k1", "to": "y", "value": 1.1},
              "s2": {"from": "x1", "to": "y", "value": -0.125}},
    "biases": {"bg": {"to": ["g1", "g2", "k1"], "value": -0.05}},
    "activations": {"g1": "relu", "y": "linear"},
}


def rendered_at(network, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(draw(network))
    return console.file.getvalue()


def test_a_deep_network_on_80_columns_is_stacked_top_to_bottom_without_wrapping_edges():
    text = rendered_at(parse_network(json.dumps(DEEP)), 80)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    headings = [line.strip() for line in lines
                if line.strip() in ("inputs", "layer 1", "layer 2", "layer 3", "outputs")]
    assert headings == ["inputs", "layer 1", "layer 2", "layer 3", "outputs"]
    for edge in ("x1 ─a1=0.1→", "h2 ─c2=-0.6→", "h2 ─s1=0.25→", "x1 ─s2=-0.125→",
                 "+ bg=-0.05 (shared with g2, k1)"):
        assert edge in text, edge  # each on one line, not wrapped


def test_the_example_fits_80_columns_side_by_side():
    text = rendered_at(read_network(content_dir() / "networks" / "mazur.json"), 80)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "inputs" in text.splitlines()[0] and "outputs" in text.splitlines()[0]
    assert "i1 ─w1=0.15→" in text and "+ b2=0.6 (shared with o2)" in text


def row_of(text: str, label: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if label in line)


def test_figure_1_is_drawn_in_its_layout_with_the_students_numbers():
    """COURSE.md: inputs on the left, inp1 on top and inp3 at the bottom, hidden unit 1 above
    hidden unit 2, the output on the right with its target, one bias on each unit."""
    data = json.loads((content_dir() / "networks" / "example.json").read_text())
    row = iter([0.12, -0.34, 0.56, 0.78, -0.9, 0.11, 0.22, -0.33, 0.44, -0.55, 0.66])
    for spec in [*data["edges"].values(), *data["biases"].values()]:
        spec["value"] = next(row)  # a student's allotted row, not the samples
    data["inputs"], data["targets"] = {"inp1": 0.7, "inp2": -0.2, "inp3": 0.05}, {"out": 0.25}
    network = parse_network(json.dumps(data))
    for width in (80, 100):
        text = rendered_at(network, width)
        assert all(len(line) <= width for line in text.splitlines())
        assert row_of(text, "inp1 = 0.7") < row_of(text, "inp2 = -0.2") < row_of(text, "inp3 = 0.05")
        assert row_of(text, "h1: sigmoid") < row_of(text, "h2: sigmoid")
        assert column_of(text, "inp1 = 0.7") < column_of(text, "h1: sigmoid") \
            < column_of(text, "out: sigmoid")
        for name, spec in data["edges"].items():
            assert f"{spec['from']} ─{name}={spec['value']}→" in text, name
        # each bias inside its own unit's box: below its title, in the column of its edges
        h1, h2, out = "+ B1_1=0.44", "+ B2_1=-0.55", "+ B1_2=0.66"
        assert row_of(text, "h1: sigmoid") < row_of(text, h1) < row_of(text, "h2: sigmoid") \
            < row_of(text, h2)
        assert column_of(text, h1) == column_of(text, "inp1 ─W11_1") \
            == column_of(text, h2) == column_of(text, "inp1 ─W12_1")
        assert row_of(text, "out: sigmoid") < row_of(text, out)
        assert column_of(text, out) == column_of(text, "h1 ─W11_2")
        assert "shared with" not in text  # one bias per unit, as on the figure
        assert "target 0.25" in text
