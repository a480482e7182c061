"""Size before work: `pa2 sweep` caps the number of weight decays and of runs (values x seeds).

Before: 1,001 `--wd` values were accepted (9.9 GB of memory, a 70,200-pixel-tall figure). Now
more than MAX_WEIGHT_DECAYS values, or more than MAX_RUNS runs, is one line, exit 2, before
anything is loaded or written."""

from __future__ import annotations

from pa2cli.sweep.command import MAX_RUNS, MAX_WEIGHT_DECAYS

from .conftest import one_line_error


def _values(n: int) -> list[str]:
    return [f"{(i + 1) * 1e-5:g}" for i in range(n)]


def test_a_thousand_weight_decays_are_refused_in_one_line(pa2, tmp_path):
    result = pa2("sweep", "--wd", *_values(1_001), "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert result.returncode == 2
    line = one_line_error(result)
    assert "--wd" in line and "1002 weight decays" in line and str(MAX_WEIGHT_DECAYS) in line
    assert not (tmp_path / "o").exists()


def test_the_cap_counts_the_baseline_and_the_limit_itself_is_allowed():
    import pytest

    from pa2cli.errors import UserError
    from pa2cli.sweep.command import parse_weight_decays

    assert len(parse_weight_decays(tuple(_values(MAX_WEIGHT_DECAYS - 1)), True)) == \
        MAX_WEIGHT_DECAYS
    with pytest.raises(UserError, match="baseline"):
        parse_weight_decays(tuple(_values(MAX_WEIGHT_DECAYS)), True)
    assert len(parse_weight_decays(tuple(_values(MAX_WEIGHT_DECAYS)), False)) == MAX_WEIGHT_DECAYS


def test_values_times_seeds_past_the_run_cap_is_refused(pa2, tmp_path):
    result = pa2("sweep", "--wd", *_values(19), "--seeds", "10", "--out", str(tmp_path / "o"),
                 cwd=tmp_path)
    assert result.returncode == 2
    line = one_line_error(result)
    assert "--seeds" in line and "200 runs" in line and str(MAX_RUNS) in line
    assert "at most 7 seeds" in line
