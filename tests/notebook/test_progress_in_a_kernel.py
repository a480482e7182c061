"""In a notebook kernel `pa2cli.sweep(...)` shows its progress as Rich's Jupyter live display:
an ipywidgets Output widget that Rich redraws with HTML renderings of the progress bars (one
for the sweep, one per weight decay), and no terminal cursor controls in any output. Needs
ipywidgets (in the test extra; Colab and `pip install jupyter` have it): skipped on a developer
machine without it, failed in CI."""

from __future__ import annotations

import json
import os
import re

import nbformat
import pytest

CURSOR = re.compile(r"\x1b\[[0-9;?]*[A-Za-ln-z]")  # anything but colours (ESC[...m)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


@pytest.fixture
def ipywidgets():
    try:
        import ipywidgets
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("ipywidgets is missing in CI: it is in the test extra")
        pytest.skip("ipywidgets is not installed (the test extra has it)")
    return ipywidgets


def test_the_api_shows_rich_live_progress_as_a_jupyter_widget(ipywidgets, tmp_path,
                                                              run_in_kernel):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import pa2cli\n"
        "r = pa2cli.sweep(wd=[1e-3], epochs=2, seeds=1, train_size=60, out='api')")])
    run_in_kernel(nb)
    outputs = nb.cells[0].outputs
    (view,) = [o.data[WIDGET_VIEW] for o in outputs if WIDGET_VIEW in o.get("data", {})]
    widget = nb.metadata.widgets[WIDGET_STATE]["state"][view["model_id"]]
    assert widget["model_name"] == "OutputModel"
    (frame,) = widget["state"]["outputs"]  # Rich clears the widget before each redraw
    html = frame["data"]["text/html"]
    assert html.startswith("<pre") and "━" in html and "left" in html
    plain = re.sub(r"\x1b\[[0-9;]*m", "", frame["data"]["text/plain"])
    rows = [line.split() for line in plain.splitlines()]
    assert [row[:2] if row[0] == "wd" else row[:1] for row in rows] == [
        ["sweep"], ["wd", "0"], ["wd", "1e-3"]]
    assert all(re.fullmatch(r"[━╸╺]{24}", row[2 if row[0] == "wd" else 1]) for row in rows)
    texts = [o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs]
    assert not [t for t in texts if CURSOR.search(t)]
    assert any("epoch 2/2" in t for t in texts)  # the finished-epoch lines, above the bars
    assert json.loads((tmp_path / "api" / "results.json").read_text())["runs"]
