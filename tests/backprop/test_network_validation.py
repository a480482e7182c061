"""Every malformed network file exits 2 with one line naming the JSON path and the problem."""

import copy
import json

import pytest
from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.paths import content_dir

EXAMPLE = json.loads((content_dir() / "networks" / "mazur.json").read_text())


def edited(change):
    data = copy.deepcopy(EXAMPLE)
    change(data)
    return json.dumps(data)


def run_on(tmp_path, text: str):
    path = tmp_path / "weights.json"
    path.write_text(text)
    return CliRunner().invoke(cli, ["backprop", "--weights", str(path), "--solve"])


# (case id, file text, the start of the one error line after "Error: ")
CASES = [
    ("empty file", "", "weights.json: the file is empty"),
    ("only whitespace", "  \n", "weights.json: the file is empty"),
    ("not JSON", "{inputs: 1}", "weights.json: not valid JSON"),
    ("top level a list", "[1, 2]", "weights.json: the top level must be a JSON object"),
    ("missing inputs", edited(lambda d: d.pop("inputs")), "inputs: is missing"),
    ("missing targets", edited(lambda d: d.pop("targets")), "targets: is missing"),
    ("missing edges", edited(lambda d: d.pop("edges")), "edges: is missing"),
    ("empty edges", edited(lambda d: d.update(edges={})), "edges: is empty"),
    ("inputs not an object", edited(lambda d: d.update(inputs=[0.05])),
     "inputs: expected a JSON object"),
    ("string value", edited(lambda d: d["edges"]["w3"].update(value="0.25")),
     'edges.w3.value: expected a number, got a string ("0.25")'),
    ("boolean value", edited(lambda d: d["inputs"].update(i1=True)),
     "inputs.i1: expected a number, got true (a boolean)"),
    ("null value", edited(lambda d: d["targets"].update(o1=None)),
     "targets.o1: expected a number, got null"),
    ("NaN", json.dumps(EXAMPLE).replace('"value": 0.15', '"value": NaN'),
     "edges.w1.value: expected a finite number, got nan"),
    ("Infinity", json.dumps(EXAMPLE).replace('"value": 0.6', '"value": -Infinity'),
     "biases.b2.value: expected a finite number, got -inf"),
    ("overflowing literal", json.dumps(EXAMPLE).replace('"i1": 0.05', '"i1": 1e999'),
     "inputs.i1: expected a finite number, got inf"),
    ("edge from an undefined node", edited(lambda d: d["edges"]["w1"].update({"from": "i3"})),
     "edges.w1.from: node 'i3' is not defined"),
    ("edge into an input", edited(lambda d: d["edges"]["w5"].update(to="i1")),
     "edges.w5.to: 'i1' is an input"),
    ("edge given as a bare number", edited(lambda d: d["edges"].update(w1=0.15)),
     "edges.w1: expected a JSON object, got 0.15"),
    ("edge missing its value", edited(lambda d: d["edges"]["w2"].pop("value")),
     "edges.w2.value: is missing"),
    ("edge with an unknown key", edited(lambda d: d["edges"]["w2"].update(weight=1)),
     "edges.w2.weight: unknown key 'weight'"),
    ("cycle", edited(lambda d: d["edges"].update(w9={"from": "o1", "to": "h1", "value": 1})),
     "edges."),
    ("self loop", edited(lambda d: d["edges"].update(w9={"from": "h1", "to": "h1", "value": 1})),
     "edges.w9: the edge goes from 'h1' to itself (a cycle)"),
    ("node on no path to a target",
     edited(lambda d: d["edges"].update(w9={"from": "h1", "to": "h3", "value": 1})),
     "edges.w9.to: computed node 'h3' is on no path to a target"),
    ("target not a computed node", edited(lambda d: d["targets"].update(o3=0.5)),
     "targets.o3: 'o3' is not a computed node"),
    ("target is an input", edited(lambda d: d["targets"].update(i1=0.5)),
     "targets.i1: 'i1' is an input; a target must be a computed node"),
    ("bias on an input", edited(lambda d: d["biases"]["b1"].update(to=["h1", "i1"])),
     "biases.b1.to[1]: 'i1' is an input; a bias feeds computed nodes only"),
    ("bias on an undefined node", edited(lambda d: d["biases"]["b1"].update(to="h7")),
     "biases.b1.to: 'h7' is not a computed node"),
    ("bias lists a node twice", edited(lambda d: d["biases"]["b1"].update(to=["h1", "h1"])),
     "biases.b1.to[1]: 'h1' is listed twice"),
    ("edge name used twice", json.dumps(EXAMPLE).replace('"w2": {', '"w1": {'),
     "edges.w1: the name 'w1' is used twice"),
    ("bias named like an edge", edited(lambda d: d["biases"].update(w1=d["biases"].pop("b1"))),
     "biases.w1: the name 'w1' is already used by an edge"),
    ("parameter named like a node",
     edited(lambda d: d["edges"].update(h2=d["edges"].pop("w8"))),
     "edges.h2: the name 'h2' is also a node name"),
    ("invalid node name", edited(lambda d: d["inputs"].update({"i 3": 1.0})),
     "inputs.i 3: 'i 3' is not a valid name"),
    ("reserved name", edited(lambda d: d["edges"]["w1"].update({"from": "exp"})),
     "edges.w1.from: 'exp' is a reserved name"),
    ("unknown activation", edited(lambda d: d.update(activation="softmax")),
     'activation: unknown choice "softmax"'),
    ("unknown per-node activation", edited(lambda d: d.update(activations={"h2": "swish"})),
     'activations.h2: unknown choice "swish"'),
    ("activation for a missing node", edited(lambda d: d.update(activations={"h9": "tanh"})),
     "activations.h9: 'h9' is not a computed node"),
    ("unknown loss", edited(lambda d: d.update(loss="l1")), 'loss: unknown choice "l1"'),
    ("zero learning rate", edited(lambda d: d.update(learning_rate=0)),
     "learning_rate: must be positive, got 0"),
    ("negative learning rate", edited(lambda d: d.update(learning_rate=-0.5)),
     "learning_rate: must be positive, got -0.5"),
    ("learning rate a string", edited(lambda d: d.update(learning_rate="0.5")),
     "learning_rate: expected a number"),
    ("misspelt top-level key", edited(lambda d: d.update(lerning_rate=0.1)),
     "lerning_rate: unknown key 'lerning_rate'"),
    ("unused input", edited(lambda d: d["inputs"].update(i3=1.0)),
     "inputs.i3: input 'i3' feeds no edge"),
    ("bias to an empty list", edited(lambda d: d["biases"]["b1"].update(to=[])),
     "biases.b1.to: is empty"),
    ("bias given as a bare number", edited(lambda d: d["biases"].update(b1=0.35)),
     "biases.b1: expected a JSON object {...}, got 0.35"),
    ("input name used twice", json.dumps(EXAMPLE).replace('"i2": 0.1', '"i1": 0.1'),
     "inputs.i1: the name 'i1' is used twice"),
    ("top-level key given twice", json.dumps(EXAMPLE)[:-1] + ', "loss": "sse"}',
     "loss: the name 'loss' is used twice"),
    ("non-ASCII name", json.dumps(EXAMPLE, ensure_ascii=False).replace('"w1"', '"ω1"'),
     "edges.ω1: 'ω1' is not a valid name"),
    ("name of an evaluator constant", json.dumps(EXAMPLE).replace('"w1"', '"nan"'),
     "edges.nan: 'nan' is a reserved name"),
    ("nested too deeply for the parser", "[" * 100_000 + "]" * 100_000,
     "weights.json: cannot be read: lists or objects are nested too deeply"),
    ("integer beyond float64", json.dumps(EXAMPLE).replace("0.15", "1" + "0" * 400),
     "edges.w1.value: expected a finite number, got inf"),
    ("integer beyond Python's digit limit", json.dumps(EXAMPLE).replace("0.15", "9" * 5000),
     "edges.w1.value: expected a finite number, got inf"),
    ("values that overflow float64",
     edited(lambda d: (d["inputs"].update(i1=1e300), d["edges"]["w1"].update(value=1e300))),
     "weights.json: z_h1 comes out as inf in float64 (an overflow)"),
]


@pytest.mark.parametrize("text,start", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_file_exits_2_with_one_line_naming_the_field(tmp_path, text, start):
    result = run_on(tmp_path, text)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: {start}") or \
        lines[0].startswith(f"Error: {tmp_path / start}"), lines[0]
    assert "Traceback" not in result.output


def test_cycle_message_names_the_cycle(tmp_path):
    text = edited(lambda d: d["edges"].update(w9={"from": "o1", "to": "h1", "value": 1}))
    line = run_on(tmp_path, text).output.strip()
    assert "the edges form a cycle" in line
    assert "h1 -> o1 -> h1" in line or "o1 -> h1 -> o1" in line


def test_integers_are_numbers(tmp_path):
    text = edited(lambda d: (d["inputs"].update(i1=1), d.update(learning_rate=1)))
    result = run_on(tmp_path, text)
    assert result.exit_code == 0, result.output


def test_optional_keys_take_their_defaults(tmp_path):
    text = edited(lambda d: [d.pop(k) for k in ("biases", "activation", "loss", "learning_rate")])
    result = CliRunner().invoke(cli, ["backprop", "--weights", _write(tmp_path, text), "--json"])
    assert result.exit_code == 0, result.output
    values = json.loads(result.output)
    assert values["a_h1"] == pytest.approx(1 / (1 + 2.718281828459045 ** -0.0275), rel=1e-12)
    assert values["new_w5"] == pytest.approx(0.40 - 0.5 * values["grad_w5"], rel=1e-12)


def test_missing_weights_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["backprop", "--weights", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def _write(tmp_path, text):
    path = tmp_path / "w.json"
    path.write_text(text)
    return str(path)


def test_validator_accepts_exactly_the_activations_and_losses_the_engine_computes():
    from pa2cli.backprop import engine, spec

    assert set(spec.ACTIVATIONS) == set(engine.ACTIVATIONS)
    assert set(spec.LOSSES) == set(engine.LOSSES)


def test_a_byte_order_mark_is_accepted(tmp_path):
    """Windows Notepad starts UTF-8 files with a byte-order mark."""
    result = run_on(tmp_path, "\ufeff" + json.dumps(EXAMPLE))
    assert result.exit_code == 0, result.output


def test_a_long_chain_listed_backwards_is_ordered_without_recursion(tmp_path):
    n = 3000  # deeper than Python's recursion limit
    edges = {f"w{k}": {"from": f"n{k}", "to": f"n{k + 1}", "value": 1}
             for k in range(n - 1, 0, -1)}
    edges["w0"] = {"from": "x", "to": "n1", "value": 0.5}
    text = json.dumps({"inputs": {"x": 1}, "targets": {f"n{n}": 0.0}, "edges": edges,
                       "activation": "linear"})
    path = _write(tmp_path, text)
    result = CliRunner().invoke(cli, ["backprop", "--weights", path, "--json"])
    assert result.exit_code == 0, result.output[-500:]
    values = json.loads(result.output)
    assert values[f"z_n{n}"] == 0.5 and values["grad_w0"] == 0.5  # z = 0.5·1·1…; E = ½(z − 0)²


def test_a_longer_cycle_is_named_with_every_node_on_it(tmp_path):
    text = edited(lambda d: d["edges"].update(w9={"from": "o1", "to": "h3", "value": 1},
                                              w10={"from": "h3", "to": "h1", "value": 1}))
    result = run_on(tmp_path, text)
    assert result.exit_code == 2
    assert "the edges form a cycle h1 -> o1 -> h3 -> h1" in result.output
