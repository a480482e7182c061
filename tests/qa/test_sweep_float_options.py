"""Every float option of `pa2 sweep` is finite and within its range: one line, exit 2, before any
work. Before: `--lr nan|inf` and `--momentum nan` trained, marked every run diverged and wrote
`"lr": NaN` into results.json (not JSON); `--cpus-per-run nan` and `--gpus-per-run nan` ended in
a Ray traceback (Click's FloatRange lets nan through: it compares false with both bounds)."""

from __future__ import annotations

import pytest

from .conftest import one_line_error

CASES = [("--lr", v) for v in ("nan", "inf", "-inf", "1e309", "0", "-1")] + \
        [("--momentum", v) for v in ("nan", "NaN", "inf", "1.5", "-0.1")] + \
        [("--val-split", v) for v in ("nan", "inf", "1", "-0.5")] + \
        [("--cpus-per-run", v) for v in ("nan", "inf", "0", "1e9")] + \
        [("--gpus-per-run", v) for v in ("nan", "inf", "-1", "1e9")]


@pytest.mark.parametrize("option, value", CASES)
def test_a_float_option_outside_its_range_is_one_line(pa2, tmp_path, option, value):
    out = tmp_path / "out"
    result = pa2("sweep", "--wd", "1e-3", "--epochs", "1", "--train-size", "50", "--no-plot",
                 "--out", str(out), option, value, cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    line = one_line_error(result)
    assert option in line, line
    assert not out.exists()  # refused before anything was written


def test_the_option_type_refuses_nan_before_its_bounds():
    import click

    from pa2cli.options import LEARNING_RATE, MOMENTUM

    for kind in (LEARNING_RATE, MOMENTUM):
        with pytest.raises(click.BadParameter, match="not a finite number"):
            kind.convert("nan", None, None)
    assert MOMENTUM.convert("0.5", None, None) == 0.5
    assert LEARNING_RATE.convert(0.05, None, None) == 0.05
