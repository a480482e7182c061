"""The other modes: --solve, --json, --format, --check, --template; option conflicts; no torch."""

import json
import math
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pa2cli.backprop.spec import parse_network
from pa2cli.cli import cli

NODES = ("h1", "h2", "o1", "o2")
PARAMS = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2")


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, ["backprop", *args], **kwargs)


def example_json() -> dict:
    result = invoke("--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_has_every_quantity_of_the_example_and_nothing_else():
    expected = {f"{kind}_{n}" for n in NODES for kind in ("z", "a", "dE_da", "delta")}
    expected |= {"loss_o1", "loss_o2", "loss"}
    expected |= {f"{kind}_{p}" for p in PARAMS for kind in ("grad", "new")}
    assert set(example_json()) == expected


def test_json_lists_quantities_in_teaching_order():
    names = list(example_json())
    at = names.index
    assert [at(n) for n in ("z_h1", "a_h1", "z_h2", "a_h2", "z_o1", "a_o1")] == sorted(
        at(n) for n in ("z_h1", "a_h1", "z_h2", "a_h2", "z_o1", "a_o1"))
    assert max(at(f"a_{n}") for n in NODES) < at("loss_o1") < at("loss_o2") < at("loss")
    assert at("loss") < at("dE_da_o1") < at("delta_o1") < at("dE_da_h1") < at("delta_h1")
    assert max(at(f"delta_{n}") for n in NODES) < at("grad_w5") < at("grad_w1")
    assert max(at(f"grad_{p}") for p in PARAMS) < min(at(f"new_{p}") for p in PARAMS)


def test_solve_shows_every_quantity_with_formula_and_substituted_numbers():
    result = invoke("--solve")
    assert result.exit_code == 0
    out = result.output
    sections = ["Forward pass", "Loss", "Backward pass", "Gradients", "Updated parameters"]
    assert [out.index(s) for s in sections] == sorted(out.index(s) for s in sections)
    assert "z_h1 = w1·i1 + w2·i2 + b1" in out
    assert "= 0.15·0.05 + 0.2·0.1 + 0.35" in out
    assert "delta_o1 = dE_da_o1·a_o1·(1 - a_o1)" in out
    assert "grad_b1 = delta_h1 + delta_h2" in out
    assert "new_w5 = w5 - η·grad_w5" in out
    assert "= 0.3589164797" in out  # published: 0.35891648


def test_solve_opens_with_the_loss_written_out_delta_defined_and_the_bias_note():
    out = " ".join(invoke("--solve").output.split())  # as one line: the console wraps
    opening = out[:out.index("Forward pass")]
    assert "E = ½ Σₒ (tₒ − aₒ)²" in opening and "∂E/∂aₒ = −(tₒ − aₒ)" in opening
    assert "cancels the 2" in opening  # why the ½
    assert "δ_n = ∂E/∂z_n = ∂E/∂a_n · ∂a_n/∂z_n" in opening
    assert "leaves its biases fixed" in opening


def test_every_gradient_shows_its_chain_rule_before_the_numbers():
    out = " ".join(invoke("--solve").output.split())
    gradients = out[out.index("Gradients"):out.index("Updated parameters")]
    w5 = "∂E/∂w5 = ∂E/∂a_o1 · ∂a_o1/∂z_o1 · ∂z_o1/∂w5 = δ_o1 · a_h1"
    assert w5 in gradients and gradients.index(w5) < gradients.index("grad_w5 = delta_o1·a_h1")
    both_paths = "∂E/∂w1 = (∂E/∂z_o1 · ∂z_o1/∂a_h1 + ∂E/∂z_o2 · ∂z_o2/∂a_h1) · ∂a_h1/∂z_h1 · ∂z_h1/∂w1"
    assert both_paths in gradients
    assert "∂E/∂b1 = ∂E/∂z_h1 · ∂z_h1/∂b1 + ∂E/∂z_h2 · ∂z_h2/∂b1 = δ_h1 + δ_h2" in gradients


def test_chain_rule_follows_the_graph_of_another_network(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps(NEGATIVE))
    out = " ".join(invoke("--weights", str(path), "--solve").output.split())
    assert "E = (1/n) Σₒ (tₒ − aₒ)²" in out and "1 − a² for tanh" in out
    # h1 feeds y1 and y2 (two paths), h2 feeds y2 only; bh is shared by h1 and h2
    assert "∂E/∂u1 = (∂E/∂z_y1 · ∂z_y1/∂a_h1 + ∂E/∂z_y2 · ∂z_y2/∂a_h1) · ∂a_h1/∂z_h1 · ∂z_h1/∂u1" in out
    assert "∂E/∂u3 = (∂E/∂z_y2 · ∂z_y2/∂a_h2) · ∂a_h2/∂z_h2 · ∂z_h2/∂u3 = δ_h2 · x2" in out
    assert "= δ_h1 + δ_h2" in out and "∂E/∂by = ∂E/∂z_y2 · ∂z_y2/∂by = δ_y2" in out


def test_markdown_has_one_item_per_quantity_in_maths():
    out = invoke("--format", "markdown").output
    items = [line for line in out.splitlines() if line.startswith("- ")]
    assert len(items) == 39
    assert "$E = E_{o1} + E_{o2} = 0.2748110832 + 0.0235600255" in out  # published: 0.274811083, 0.023560026
    assert "= 0.2983711088$" in out  # published: 0.298371109
    assert r"$\frac{\partial E}{\partial w_{5}} = \frac{\partial E}{\partial a_{o1}}" in out


def test_latex_typesets_formulas_in_align_blocks():
    out = invoke("--solve", "--format", "latex").output
    assert out.count(r"\begin{align*}") == 5
    assert r"z_{h1} &= w_{1} \cdot i_{1} + w_{2} \cdot i_{2} + b_{1}" in out
    assert r"\delta_{o1} &= \frac{\partial E}{\partial z_{o1}} \\ &= \frac{\partial E}{\partial a_{o1}} \, " in out
    assert r"w_{5}^{+} &= w_{5} - \eta \cdot \frac{\partial E}{\partial w_{5}}" in out


NEGATIVE = {  # negative values, tanh, linear, mse, a shared bias: every LaTeX construct
    "inputs": {"x1": 1, "x2": -2}, "targets": {"y1": 0.5, "y2": -0.25},
    "edges": {"u1": {"from": "x1", "to": "h1", "value": -0.3},
              "u2": {"from": "x2", "to": "h1", "value": 0.2},
              "u3": {"from": "x2", "to": "h2", "value": -0.5},
              "v1": {"from": "h1", "to": "y1", "value": -0.6},
              "v2": {"from": "h2", "to": "y2", "value": 0.9},
              "v3": {"from": "h1", "to": "y2", "value": 0.3}},
    "biases": {"bh": {"to": ["h1", "h2"], "value": -0.1}, "by": {"to": "y2", "value": -0.2}},
    "activations": {"h1": "tanh", "y2": "linear"}, "loss": "mse", "learning_rate": 0.1,
}


def test_latex_puts_a_negative_number_after_an_operator_in_parentheses(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps(NEGATIVE))
    out = invoke("--weights", str(path), "--format", "latex").output
    for bad in ("+ -", "- -", r"\cdot -"):
        assert bad not in out, bad
    assert r"&= -0.3 \cdot 1 + 0.2 \cdot \left(-2\right) + \left(-0.1\right)" in out


WIDE = {  # eight inputs into one node: its sums are too long for one line of the page
    "inputs": {f"x{j}": 0.3 + j / 9 for j in range(8)}, "targets": {"y": 0.2},
    "edges": {**{f"w{j}": {"from": f"x{j}", "to": "h", "value": 0.123456 + j / 7}
                 for j in range(8)}, "v": {"from": "h", "to": "y", "value": 0.5}},
}


def test_template_is_a_valid_network_file(tmp_path):
    result = invoke("--template")
    assert result.exit_code == 0
    network = parse_network(result.stdout, label="template")
    assert set(network.edges) == set(PARAMS[:8]) and set(network.biases) == {"b1", "b2"}
    assert "one of sigmoid, tanh, relu, linear" in result.stderr  # the choices, beside the file
    path = tmp_path / "weights.json"
    path.write_text(result.stdout)
    assert invoke("--weights", str(path), "--solve").exit_code == 0


def test_per_node_activation_override_changes_that_node_only(tmp_path):
    data = json.loads(invoke("--template").stdout)
    data["activations"] = {"h2": "tanh"}
    path = tmp_path / "w.json"
    path.write_text(json.dumps(data))
    values = json.loads(invoke("--weights", str(path), "--json").output)
    assert values["a_h2"] == pytest.approx(math.tanh(0.3925), rel=1e-12)
    assert values["a_h1"] == pytest.approx(0.593269992, rel=1e-8)  # still sigmoid


def write_sheet(tmp_path, sheet) -> str:
    path = tmp_path / "answers.json"
    path.write_text(sheet if isinstance(sheet, str) else json.dumps(sheet))
    return str(path)


def test_check_exits_0_when_every_given_value_is_right(tmp_path):
    sheet = {"z_h1": 0.3775, "a_h1": "1/(1+exp(-0.3775))", "loss": 0.298371, "new_w5": 0.35891648}
    result = invoke("--check", write_sheet(tmp_path, sheet))
    assert result.exit_code == 0, result.output
    assert "4 right, 0 wrong of 4 graded" in result.output
    assert "Missing (35)" in result.output


def test_check_exits_1_and_marks_the_wrong_value(tmp_path):
    result = invoke("--check", write_sheet(tmp_path, {"z_h1": 0.3775, "loss": 0.3}))
    assert result.exit_code == 1
    assert "1 right, 1 wrong of 2 graded" in result.output
    assert "✗ wrong" in result.output


def test_check_reports_unknown_names(tmp_path):
    result = invoke("--check", write_sheet(tmp_path, {"z_h1": 0.3775, "zh2": 0.3925}))
    assert result.exit_code == 1
    assert "Unknown names" in result.output and "zh2 (did you mean z_h2?)" in result.output


def test_check_says_how_far_off_a_wrong_value_is(tmp_path):
    result = invoke("--check", write_sheet(tmp_path, {"delta_o1": -0.1384985616}))
    assert result.exit_code == 1
    assert "check the sign" in result.output  # published δ_o1 = +0.138498562


def test_check_honours_atol_and_rtol(tmp_path):
    path = write_sheet(tmp_path, {"z_h1": 0.3875})  # 0.01 above 0.3775
    assert invoke("--check", path, "--rtol", "0", "--atol", "0.011").exit_code == 0
    assert invoke("--check", path, "--rtol", "0", "--atol", "0.009").exit_code == 1
    assert invoke("--check", path, "--rtol", "0.03", "--atol", "0").exit_code == 0


def test_check_honours_sigfig(tmp_path):
    path = write_sheet(tmp_path, {"a_o1": 0.7514})
    assert invoke("--check", path, "--sigfig", "4").exit_code == 0
    assert invoke("--check", path, "--sigfig", "6").exit_code == 1


@pytest.mark.parametrize("sheet,message", [
    ("not json", "not valid JSON"),
    ("[0.3775]", "must be a JSON object"),
    ('{"z_h1": true}', "answers.json: z_h1: expected a number or an expression"),
    ('{"z_h1": "0.3775+"}', "answers.json: z_h1: not a valid expression"),
    ("{}", "answers.json: the answer sheet gives no values"),
    ('{"z_h1": 0.3775, "z_h1": 0.4}', "answers.json: z_h1: the name is given twice"),
    ('{"z_h1": 1e999}', "answers.json: z_h1: expected a finite number, got inf"),
    ('{"z_h1": "0,3775"}', "answers.json: z_h1: write decimals with a point: 0.3775"),
    ("[" * 100_000 + "]" * 100_000, "answers.json: cannot be read: lists or objects are nested"),
])
def test_malformed_sheet_exits_2_with_one_line(tmp_path, sheet, message):
    result = invoke("--check", write_sheet(tmp_path, sheet))
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert message in result.output


@pytest.mark.parametrize("args", [["--json", "--format", "latex"], ["--json", "--template"],
                                  ["--resume", "--solve"], ["--sigfig", "3", "--rtol", "0.1"],
                                  ["--hide-answers"], ["--random", "--resume"]])
def test_conflicting_options_exit_2(args):
    result = invoke(*args)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1


def test_solve_with_json_prints_the_solution_as_json():
    together = invoke("--solve", "--json")
    assert together.exit_code == 0
    assert json.loads(together.stdout) == example_json()


def test_backprop_never_imports_torch():
    for args in (["--solve"], ["--json"], [], ["--random", "--seed", "3", "--json"]):
        command = [sys.executable, "-X", "importtime", "-m", "pa2cli", "backprop", *args]
        run = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                    for line in run.stderr.splitlines() if "|" in line}
        assert "numpy" in imported  # the check sees imports at all
        assert "torch" not in imported, args
