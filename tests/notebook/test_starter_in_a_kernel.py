"""The starter notebook that `pa2 notebook` writes runs top to bottom in a real kernel as
written, with one cell added after its settings cell to make the sweep tiny (papermill's way of
passing parameters): the install cell installs nothing (pa2cli is importable), the model cell's
class is the one trained, the sweep writes its folder, the figure is an image/png output and a
PNG file, the findings and the per-run lines are shown, and `!pa2 report` writes the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat

from pa2cli.sweep.store import load_results

TINY = ("WEIGHT_DECAYS = [1e-3]\nEPOCHS = 2\nSEEDS = 1\nTRAIN_SIZE = 60\n"
        "OUT = 'runs/part-a'")


def _written_by_pa2_notebook(folder):
    done = subprocess.run([sys.executable, "-m", "pa2cli", "notebook"], cwd=folder,
                          capture_output=True, text=True, timeout=120, env=os.environ)
    assert done.returncode == 0, done.stderr
    return nbformat.read(folder / "pa2-part-a.ipynb", as_version=4)


def _text(cell) -> str:
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                   for o in cell.outputs)


def test_the_starter_notebook_runs_top_to_bottom(tmp_path, run_in_kernel):
    nb = _written_by_pa2_notebook(tmp_path)
    (settings,) = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    tiny = nbformat.v4.new_code_cell(TINY, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(settings + 1, tiny)
    run_in_kernel(nb, timeout=300)

    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    install = _text(code[0])
    assert install.strip() == "pa2 0.1.0" and "pip" not in install.lower()
    assert (tmp_path / "my_model.py").read_text().startswith("import torch.nn as nn")

    results = load_results(tmp_path / "runs" / "part-a")
    assert results.config["model"] == "my_model.py:Net"
    assert [(r.weight_decay, r.seed, r.status, len(r.epochs)) for r in results.runs] == [
        (0.0, 0, "done", 2), (1e-3, 0, "done", 2)]

    (figure,) = [c for c in code if "result.figure()" in c.source]
    assert [o for o in figure.outputs if "image/png" in o.get("data", {})]
    assert (tmp_path / "runs" / "part-a" / "weight_decay.png").read_bytes()[:4] == b"\x89PNG"
    (findings,) = [c for c in code if c.source.strip() == "result.findings"]
    markdown = findings.outputs[0]["data"]["text/markdown"]
    assert markdown.startswith("- ") and "wd 1e-3" in markdown
    (per_run,) = [c for c in code if c.source.startswith("for run in result.runs")]
    lines = _text(per_run).splitlines()
    assert [line.split()[:6] for line in lines] == [["wd", "0", "seed", "0", "done", "epoch"],
                                                    ["wd", "0.001", "seed", "0", "done", "epoch"]]
    last = results.runs[1].epochs[-1]
    assert f"test {last.test_acc:6.1%}" in lines[1]

    report = (tmp_path / "report" / "report.md").read_text()
    assert "weight decay" in report.lower()
    assert json.loads((tmp_path / "runs" / "part-a" / "results.json").read_text())["runs"]
