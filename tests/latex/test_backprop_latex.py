"""The backprop solution in LaTeX compiles on a default `article` page with no box overfull by
more than 1 pt: the built-in network, a tanh/linear/mse network with negative values and shared
biases, and a node with eight inputs (long sums)."""

from __future__ import annotations

import json

import pytest

from pa2cli.report import tex

OTHER = {  # tanh, linear, mse, negative values, a bias shared by two nodes
    "inputs": {"x1": 1, "x2": -2}, "targets": {"y1": 0.5, "y2": -0.25},
    "edges": {"u1": {"from": "x1", "to": "h1", "value": -0.3},
              "u2": {"from": "x2", "to": "h1", "value": 0.2},
              "u3": {"from": "x2", "to": "h2", "value": -0.5},
              "v1": {"from": "h1", "to": "y1", "value": -0.6},
              "v2": {"from": "h2", "to": "y2", "value": 0.9},
              "v3": {"from": "h1", "to": "y2", "value": 0.3}},
    "biases": {"bh": {"to": ["h1", "h2"], "value": -0.1}, "by": {"to": "y2", "value": -0.2}},
    "activation": "tanh", "activations": {"y2": "linear"}, "loss": "mse", "learning_rate": 0.1,
}
WIDE = {  # eight inputs into one node: its sums are too long for one line of the page
    "inputs": {f"x{j}": 0.3 + j / 9 for j in range(8)}, "targets": {"y": 0.2},
    "edges": {**{f"w{j}": {"from": f"x{j}", "to": "h", "value": 0.123456 + j / 7}
                 for j in range(8)}, "v": {"from": "h", "to": "y", "value": 0.5}},
}
FAN_OUT = {  # one hidden node feeding five outputs: ∂E/∂w through five paths
    "inputs": {"i": 0.5}, "targets": {f"o{k}": k / 10 for k in range(5)},
    "edges": {"w": {"from": "i", "to": "h", "value": 0.4},
              **{f"v{k}": {"from": "h", "to": f"o{k}", "value": 0.1 * k - 0.2} for k in range(5)}},
}


@pytest.mark.parametrize("network", [None, OTHER, WIDE, FAN_OUT],
                         ids=["built-in", "tanh-linear-mse", "eight-inputs", "five-paths"])
def test_backprop_latex_compiles_and_fits_the_page(run, tmp_path, compile_document, network):
    args = ["backprop", "--format", "latex"]
    if network:
        (tmp_path / "w.json").write_text(json.dumps(network))
        args += ["--weights", str(tmp_path / "w.json")]
    (tmp_path / "body.tex").write_text(run(*args).output)
    (tmp_path / "doc.tex").write_text(tex.standalone(r"\input{body.tex}"))
    result = compile_document(tmp_path / "doc.tex")
    assert result.pdf.stat().st_size > 10_000
    assert result.overfull_over(1.0) == [], result.overfull_over(1.0)


@pytest.mark.parametrize("example", ["figure1", "mazur"])
def test_built_in_networks_compile_with_no_overfull_box_at_all(run, tmp_path, compile_document,
                                                                example):
    """Issue 17: Figure 1 drawn (a `picture`), the Given block and each δ's symbolic factors,
    compiled by pdflatex with 0 overfull boxes (not even under 1 pt)."""
    body = run("backprop", "--format", "latex", "--example", example).output
    assert r"\begin{picture}" in body and r"\subsection*{Given}" in body
    output = "out" if example == "figure1" else "o1"
    factors = (rf"&= \left(a_{{{output}}} - t_{{{output}}}\right) \cdot a_{{{output}}} "
               rf"\cdot \left(1 - a_{{{output}}}\right)")
    assert factors in body  # δ_out = (a_out − t_out)·a_out(1 − a_out) before its numbers
    (tmp_path / "body.tex").write_text(body)
    (tmp_path / "doc.tex").write_text(tex.standalone(r"\input{body.tex}"))
    result = compile_document(tmp_path / "doc.tex")
    assert result.overfull == (), result.overfull
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Overfull" not in log and "Output written" in log  # read from pdflatex's own log
