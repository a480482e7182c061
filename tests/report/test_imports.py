"""matplotlib is loaded only by `pa2 report` and figure export: `pa2 explain` and `pa2 backprop`,
in every format, import neither it nor torch nor ray."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "torchvision", "matplotlib", "ray")


@pytest.mark.parametrize("argv", [
    ["explain", "huber", "--format", "latex"], ["explain", "cosine", "--format", "markdown"],
    ["explain", "relu", "--all"], ["backprop", "--solve"], ["backprop", "--format", "latex"],
    ["backprop", "--format", "markdown"],
], ids=" ".join)
def test_explain_and_backprop_load_no_heavy_library(argv):
    code = (f"import sys, runpy; sys.argv = ['pa2', *{argv!r}]\n"
            "try:\n    runpy.run_module('pa2cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            f"bad = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
            "print('IMPORTED', bad, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "IMPORTED []" in done.stderr, done.stderr[-500:]
