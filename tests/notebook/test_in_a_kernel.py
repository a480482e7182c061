"""A real notebook in a real kernel (nbclient + ipykernel): `!pa2 sweep` writes no cursor
controls, `pa2cli.sweep` equals the CLI's results.json, `.figure()` is an image/png output,
`import pa2cli` loads no torch, and a bad keyword or value is one UserError shown as one line."""

from __future__ import annotations

import json
import re

import nbformat

CELLS = [
    "import sys, pa2cli\nprint('torch' in sys.modules)",
    "!pa2 sweep --wd 1e-3 --epochs 2 --seeds 1 --train-size 60 --out cli --no-plot",
    "r = pa2cli.sweep(wd=[1e-3], epochs=2, seeds=1, train_size=60, out='api')\n"
    "import json\nprint(json.dumps([run.to_dict() for run in r.runs]))",
    "r.figure()",
    "pa2cli.sweep(wdd=1)",
    "pa2cli.sweep(epochs=0)",
]


def test_a_notebook_runs_pa2_in_a_kernel(tmp_path, run_in_kernel):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    for cell in nb.cells[-2:]:
        cell.metadata["tags"] = ["raises-exception"]
    run_in_kernel(nb)
    first, bang, api_cell, figure, keyword, value = (cell.outputs for cell in nb.cells)
    assert first[0].text.strip() == "False"
    text = "".join(o.get("text", "") for o in bang)
    assert re.findall(r"\x1b\[[0-9;?]*[A-Za-ln-z]", text) == []  # colours only
    assert len(text.splitlines()) < 60
    cli = json.loads((tmp_path / "cli" / "results.json").read_text())["runs"]
    api = json.loads((tmp_path / "api" / "results.json").read_text())["runs"]
    returned = json.loads([o for o in api_cell if o.output_type == "stream"][-1].text
                          .strip().splitlines()[-1])
    assert returned == api  # what pa2cli.sweep returns is its results.json
    strip = lambda runs: [(r["weight_decay"], r["seed"], [{k: v for k, v in e.items()
                          if k != "seconds"} for e in r["epochs"]]) for r in runs]  # noqa: E731
    assert strip(cli) == strip(returned)  # and the CLI's, all but the seconds
    assert any("image/png" in o.get("data", {}) for o in figure)
    for outputs, words in ((keyword, "keyword 'wdd': not an option of pa2 sweep. Did you mean "
                                     "wd?"),
                           (value, "Invalid value for '--epochs': 0 is not in the range x>=1")):
        (error,) = outputs  # one error, shown as its one line: no traceback, nothing printed
        assert error.output_type == "error" and error.ename == "UserError"
        assert error.evalue.startswith(words)
        assert error.traceback == [f"\x1b[31mUserError\x1b[0m: {error.evalue}"]
