"""A real notebook in a real kernel (nbclient + ipykernel): `!pa2 sweep` writes no cursor
controls, `pa2cli.sweep` equals the CLI's results.json, `.figure()` is an image/png output,
`import pa2cli` loads no torch, and a bad keyword is one UserError."""

from __future__ import annotations

import json
import os
import re
import sys

import nbformat
from nbclient import NotebookClient

CELLS = [
    "import sys, pa2cli\nprint('torch' in sys.modules)",
    "!pa2 sweep --wd 1e-3 --epochs 2 --seeds 1 --train-size 60 --out cli --no-plot",
    "r = pa2cli.sweep(wd=[1e-3], epochs=2, seeds=1, train_size=60, out='api')",
    "r.figure()",
    "pa2cli.sweep(wdd=1)",
]


def test_a_notebook_runs_pa2_in_a_kernel(tmp_path, monkeypatch):
    spec = tmp_path / "jupyter" / "kernels" / "pa2-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "pa2 test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    monkeypatch.setenv("PYTHONPATH", str(__import__("pathlib").Path(__file__).parents[2]))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.cells[-1].metadata["tags"] = ["raises-exception"]
    NotebookClient(nb, kernel_name="pa2-test", timeout=180,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    first, bang, _, figure, bad = (cell.outputs for cell in nb.cells)
    assert first[0].text.strip() == "False"
    text = "".join(o.get("text", "") for o in bang)
    assert re.findall(r"\x1b\[[0-9;?]*[A-Za-ln-z]", text) == []  # colours only
    assert len(text.splitlines()) < 60
    cli = json.loads((tmp_path / "cli" / "results.json").read_text())["runs"]
    api = json.loads((tmp_path / "api" / "results.json").read_text())["runs"]
    strip = lambda runs: [(r["weight_decay"], r["seed"], [{k: v for k, v in e.items()
                          if k != "seconds"} for e in r["epochs"]]) for r in runs]  # noqa: E731
    assert strip(cli) == strip(api)
    assert any("image/png" in o.get("data", {}) for o in figure)
    (error,) = [o for o in bad if o.output_type == "error"]
    assert error.ename == "UserError" and "Did you mean wd?" in error.evalue
