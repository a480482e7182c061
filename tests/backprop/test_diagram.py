"""The terminal drawing: inputs on the left, outputs on the right, every edge with name and value."""

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
    text = rendered(read_network(content_dir() / "networks" / "example.json"))
    for edge in ("i1 ─w1=0.15→", "i2 ─w2=0.2→", "i1 ─w3=0.25→", "i2 ─w4=0.3→",
                 "h1 ─w5=0.4→", "h2 ─w6=0.45→", "h1 ─w7=0.5→", "h2 ─w8=0.55→"):
        assert edge in text
    assert "+ b1=0.35 (shared with h2)" in text and "+ b2=0.6 (shared with o2)" in text
    assert "target 0.01" in text and "target 0.99" in text


def column_of(text: str, label: str) -> int:
    return next(line.index(label) for line in text.splitlines() if label in line)


def test_inputs_are_drawn_left_of_hidden_nodes_left_of_outputs():
    text = rendered(read_network(content_dir() / "networks" / "example.json"))
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
