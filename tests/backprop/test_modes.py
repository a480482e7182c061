"""The other modes: --solve, --json, --format, --check, --template; option conflicts; no torch."""

import json
import math
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pa2cli.backprop.spec import parse_network
from pa2cli.cli import cli

# Figure 1 (COURSE.md): the built-in network and the template
NODES = ("h1", "h2", "out")
PARAMS = ("W11_1", "W12_1", "W21_1", "W22_1", "W31_1", "W32_1", "W11_2", "W21_2",
          "B1_1", "B2_1", "B1_2")
# the published 2-2-2 example (`--example mazur`), whose numbers Mazur printed
MAZUR_NODES = ("h1", "h2", "o1", "o2")
MAZUR_PARAMS = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2")
MAZUR = ("--example", "mazur")


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, ["backprop", *args], **kwargs)


def example_json(*args) -> dict:
    result = invoke("--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_has_every_quantity_of_the_example_and_nothing_else():
    expected = {f"{kind}_{n}" for n in NODES for kind in ("z", "a", "dE_da", "delta")}
    expected |= {"loss_out", "loss"}
    expected |= {f"{kind}_{p}" for p in PARAMS for kind in ("grad", "new")}
    assert set(example_json()) == expected


def test_json_of_the_mazur_example_has_its_quantities_and_nothing_else():
    expected = {f"{kind}_{n}" for n in MAZUR_NODES for kind in ("z", "a", "dE_da", "delta")}
    expected |= {"loss_o1", "loss_o2", "loss"}
    expected |= {f"{kind}_{p}" for p in MAZUR_PARAMS for kind in ("grad", "new")}
    assert set(example_json(*MAZUR)) == expected


def test_json_lists_quantities_in_teaching_order():
    names = list(example_json())
    at = names.index
    forward = ("z_h1", "a_h1", "z_h2", "a_h2", "z_out", "a_out")
    assert [at(n) for n in forward] == sorted(at(n) for n in forward)
    assert max(at(f"a_{n}") for n in NODES) < at("loss_out") < at("loss")
    assert at("loss") < at("dE_da_out") < at("delta_out") < at("dE_da_h1") < at("delta_h1")
    assert max(at(f"delta_{n}") for n in NODES) < at("grad_W11_2") < at("grad_W11_1")
    assert max(at(f"grad_{p}") for p in PARAMS) < min(at(f"new_{p}") for p in PARAMS)
    mazur = list(example_json(*MAZUR))
    assert mazur.index("loss_o1") < mazur.index("loss_o2") < mazur.index("loss")
    assert mazur.index("grad_w5") < mazur.index("grad_w1")


def test_solve_shows_every_quantity_with_formula_and_substituted_numbers():
    result = invoke("--solve", *MAZUR)
    assert result.exit_code == 0
    out = result.output
    sections = ["Forward pass", "Loss", "Backward pass", "Gradients", "Updated parameters"]
    assert [out.index(s) for s in sections] == sorted(out.index(s) for s in sections)
    assert "z_h1 = w1·i1 + w2·i2 + b1" in out
    assert "= 0.15·0.05 + 0.2·0.1 + 0.35" in out
    assert "δ_o1 = ∂E/∂z_o1 = ∂E/∂a_o1 · ∂a_o1/∂z_o1" in out
    assert "= (a_o1 − t_o1)·a_o1·(1 − a_o1)" in out  # the symbolic factors of δ
    assert "= δ_h1 + δ_h2" in " ".join(out.split())  # grad of the shared bias b1
    assert "w5⁺ = w5 − η·∂E/∂w5" in out
    assert "= 0.3589164797" in out  # published: 0.35891648


def test_solve_of_figure_1_names_its_edges_and_biases():
    out = invoke("--solve").output
    assert "z_h1 = W11_1·inp1 + W21_1·inp2 + W31_1·inp3 + B1_1" in out
    assert "z_out = W11_2·a_h1 + W21_2·a_h2 + B1_2" in out
    assert "δ_out = ∂E/∂z_out = ∂E/∂a_out · ∂a_out/∂z_out" in out
    assert "W11_1⁺ = W11_1 − η·∂E/∂W11_1" in out


def test_solve_opens_with_the_loss_written_out_delta_defined_and_the_bias_note():
    out = " ".join(invoke("--solve", *MAZUR).output.split())  # as one line: the console wraps
    opening = out[:out.index("Forward pass")]
    assert "E = ½ Σₒ (tₒ − aₒ)²" in opening and "∂E/∂aₒ = aₒ − tₒ" in opening
    assert "cancels the 2" in opening  # why the ½
    assert "δ_n = ∂E/∂z_n = ∂E/∂a_n · ∂a_n/∂z_n" in opening
    assert "leaves its biases fixed" in opening
    figure1 = " ".join(invoke("--solve").output.split())
    assert "leaves its biases fixed" not in figure1  # the Mazur note only with Mazur
    assert "sample values, not anyone's allotted row" in figure1


def test_every_gradient_shows_its_chain_rule_before_the_numbers():
    out = " ".join(invoke("--solve", *MAZUR).output.split())
    gradients = out[out.index("Gradients"):out.index("Updated parameters")]
    w5 = "∂E/∂w5 = ∂E/∂a_o1 · ∂a_o1/∂z_o1 · ∂z_o1/∂w5 = δ_o1 · a_h1"
    # δ_o1 · a_h1 with the numbers: published δ_o1 = 0.138498562, out_h1 = 0.593269992
    assert w5 in gradients and gradients.index(w5) < gradients.index("= 0.1384985616·0.5932699921")
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
    out = invoke("--format", "markdown", *MAZUR).output
    given, worked = out[:out.index("## Forward pass")], out[out.index("## Forward pass"):]
    items = [line for line in worked.splitlines() if line.startswith("- ")]
    assert len(items) == 39
    given_items = [line for line in given.splitlines() if line.startswith("- ")]
    assert [line.split(":")[0] for line in given_items] == [
        "- inputs", "- targets", "- weights", "- biases", "- learning rate", "- activation", "- loss"]
    assert "$E = E_{o1} + E_{o2} = 0.2748110832 + 0.0235600255" in out  # published: 0.274811083, 0.023560026
    assert "= 0.2983711088$" in out  # published: 0.298371109
    assert r"$\frac{\partial E}{\partial w_{5}} = \frac{\partial E}{\partial a_{o1}}" in out


def test_latex_typesets_formulas_in_align_blocks():
    out = invoke("--solve", "--format", "latex", *MAZUR).output
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
    assert set(network.edges) == set(PARAMS[:8]) and set(network.biases) == set(PARAMS[8:])
    assert "SAMPLE" in json.loads(result.stdout)["about"]  # the values to replace are marked
    assert "replace each value with your allotted row" in result.stderr
    assert "one of sigmoid, tanh, relu, linear" in result.stderr  # the choices, beside the file
    path = tmp_path / "weights.json"
    path.write_text(result.stdout)
    assert invoke("--weights", str(path), "--solve").exit_code == 0


def test_per_node_activation_override_changes_that_node_only(tmp_path, oracle):
    data = json.loads(invoke("--template").stdout)
    data["activations"] = {"h2": "tanh"}
    path = tmp_path / "w.json"
    path.write_text(json.dumps(data))
    values = json.loads(invoke("--weights", str(path), "--json").output)
    assert values["a_h2"] == pytest.approx(math.tanh(values["z_h2"]), rel=1e-12)
    plain = oracle({k: v for k, v in data.items() if k != "activations"})
    assert values["a_h1"] == pytest.approx(plain["a_h1"], rel=1e-12)  # still sigmoid
    assert values["a_h2"] != pytest.approx(plain["a_h2"], rel=1e-3)
    for name, value in oracle(data).items():  # the whole network, tanh in h2, against torch
        assert values[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name


def write_sheet(tmp_path, sheet) -> str:
    path = tmp_path / "answers.json"
    path.write_text(sheet if isinstance(sheet, str) else json.dumps(sheet))
    return str(path)


def test_check_exits_0_when_every_given_value_is_right(tmp_path):
    sheet = {"z_h1": 0.3775, "a_h1": "1/(1+exp(-0.3775))", "loss": 0.298371, "new_w5": 0.35891648}
    result = invoke(*MAZUR, "--check", write_sheet(tmp_path, sheet))
    assert result.exit_code == 0, result.output
    assert "4 right, 0 wrong of 4 graded" in result.output
    assert "Missing (35)" in result.output


def test_check_exits_1_and_marks_the_wrong_value(tmp_path):
    result = invoke(*MAZUR, "--check", write_sheet(tmp_path, {"z_h1": 0.3775, "loss": 0.3}))
    assert result.exit_code == 1
    assert "1 right, 1 wrong of 2 graded" in result.output
    assert "✗ wrong" in result.output


def test_check_reports_unknown_names(tmp_path):
    result = invoke(*MAZUR, "--check", write_sheet(tmp_path, {"z_h1": 0.3775, "zh2": 0.3925}))
    assert result.exit_code == 1
    assert "Unknown names" in result.output and "zh2 (did you mean z_h2?)" in result.output


def test_check_says_how_far_off_a_wrong_value_is(tmp_path):
    result = invoke(*MAZUR, "--check", write_sheet(tmp_path, {"delta_o1": -0.1384985616}))
    assert result.exit_code == 1
    assert "check the sign" in result.output  # published δ_o1 = +0.138498562


def test_check_honours_atol_and_rtol(tmp_path):
    path = write_sheet(tmp_path, {"z_h1": 0.3875})  # 0.01 above 0.3775
    assert invoke(*MAZUR, "--check", path, "--rtol", "0", "--atol", "0.011").exit_code == 0
    assert invoke(*MAZUR, "--check", path, "--rtol", "0", "--atol", "0.009").exit_code == 1
    assert invoke(*MAZUR, "--check", path, "--rtol", "0.03", "--atol", "0").exit_code == 0


def test_check_honours_sigfig(tmp_path):
    path = write_sheet(tmp_path, {"a_o1": 0.7514})
    assert invoke(*MAZUR, "--check", path, "--sigfig", "4").exit_code == 0
    assert invoke(*MAZUR, "--check", path, "--sigfig", "6").exit_code == 1


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
