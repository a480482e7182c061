"""Crafted but finite numbers in a results.json reaching the report (issue 19, item 6): losses of
1e308 and 5e307 (matplotlib's "arange: cannot compute length", numpy's overflow RuntimeWarning at
10 × 5e307), negative zero, subnormals, a 4,000-digit config number, a 5,000-character config
string, 40 seeds, and 10**400 test images (OverflowError in the binomial error). Now the prose
and tables print bounded numbers, the PDF compiles with no overfull box, no RuntimeWarning is
raised, and an impossible image count is one line, exit 2."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pa2cli.numbers import count, fixed

ROOT = Path(__file__).resolve().parents[2]
EXTREMES = [1e308, 5e307, -5e307, 1.7976931348623157e308, -0.0, 5e-324, 2.2250738585072014e-308,
            123456789.123456789]


def _row(epoch: int, loss: float, norm: float) -> dict:
    return {"epoch": epoch, "train_loss": loss, "train_acc": 0.5, "test_loss": loss, "test_acc": 0.4,
            "seconds": 0.1, "weight_norm": norm}


def _crafted(folder: Path, data=None) -> Path:
    decays = [0.0, 1e-308, 5e-324, 1e300, 1.7976931348623157e308, 2e-4, 1e-4, 10 ** 29]
    runs = [{"weight_decay": wd, "seed": seed, "status": "done",
             "epochs": [_row(1, value, abs(value)), _row(2, value, abs(value))]}
            for seed in range(3) for wd, value in zip(decays, EXTREMES)]
    config = {"dataset": "x" * 5000, "model": "/" + "longname" * 600, "optimizer": {"a": [1] * 100},
              "lr": int("9" * 4000), "batch_size": -0.0, "epochs": 2, "seed": 0, "seeds": 3}
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps(
        {"config": config, "runs": runs, "data": data or {"train": 10 ** 12, "test": 10 ** 12, "val": None}}))
    return folder


def _pa2(*args, cwd: Path) -> subprocess.CompletedProcess:
    # every RuntimeWarning (numpy's overflow) an error: a warning fails the test, not only a crash
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "error::RuntimeWarning"}
    return subprocess.run([sys.executable, "-m", "pa2cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


LONG_DIGITS = re.compile(r"\d{16,}")  # a 309-digit "fixed" 1e308, or the 4,000-digit config int


def test_latex_report_of_extreme_numbers_compiles_with_no_overfull_box(tmp_path, compile_document):
    from pa2cli.report import tex

    sweep = _crafted(tmp_path / "runs" / "crafted")
    result = _pa2("report", "--sweep", str(sweep), "--format", "latex", "--out", "rep", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    document = tmp_path / "rep" / "report.tex"
    text = document.read_text()
    assert not LONG_DIGITS.search(text), LONG_DIGITS.search(text)[0][:80]
    assert "x" * 61 not in text and "longname" * 10 not in text  # config strings cut
    compiled = compile_document(document)
    assert compiled.overfull_over(1.0) == [], compiled.overfull_over(1.0)
    words = subprocess.run(["pdftotext", str(tmp_path / "rep" / "report.pdf"), "-"], capture_output=True,
                           text=True).stdout if tex.pdflatex() else ""
    assert "1.000" in words and "10308" in words.replace(" ", "")  # 1.000 × 10^308, bounded


def test_markdown_report_and_plot_save_of_extreme_numbers_print_bounded_numbers(tmp_path):
    sweep = _crafted(tmp_path / "runs" / "crafted")
    result = _pa2("report", "--sweep", str(sweep), "--out", "rep", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr
    text = (tmp_path / "rep" / "report.md").read_text()
    assert not LONG_DIGITS.search(text)
    assert "1.000e+308" in text and "−5.000e+307" in text  # the findings quote them, bounded
    assert "−0.0000" not in text and "-0.0000" not in text  # negative zero reads 0
    assert "seeds 0, 1, 2." in text
    plotted = _pa2("plot", str(sweep), "--save", str(tmp_path / "all.png"), cwd=tmp_path)
    assert plotted.returncode == 0, plotted.stderr
    assert "Warning" not in plotted.stderr and not LONG_DIGITS.search(plotted.stdout)
    assert (tmp_path / "all.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("data, field", [({"train": 10, "test": 10 ** 400}, "data.test"),
                                         ({"train": 10 ** 13, "test": 10}, "data.train")])
def test_an_impossible_image_count_is_one_line(tmp_path, data, field):
    sweep = _crafted(tmp_path / "runs" / "crafted", data)
    result = _pa2("report", "--sweep", str(sweep), "--out", "rep", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and field in lines[0] and "1e+12" in lines[0], result.stderr


@pytest.mark.parametrize("value, places, signed, expected", [
    (1e308, 4, False, "1.000e+308"), (-5e307, 4, True, "-5.000e+307"), (-0.0, 4, False, "0.0000"),
    (-1e-9, 1, True, "+0.0"), (5e-324, 4, False, "0.0000"), (0.12345, 4, False, "0.1235"),
    (999_999.0, 1, False, "999999.0"), (1_000_000.0, 1, False, "1.000e+06"), (10 ** 400, 4, False, "1.000e+400"),
    (-(10 ** 30), 4, False, "-1.000e+30"), (float("inf"), 4, True, "+inf"), (float("nan"), 4, False, "nan"),
])
def test_fixed_is_bounded_and_never_negative_zero(value, places, signed, expected):
    assert fixed(value, places, signed) == expected


def test_fixed_and_count_stay_short_for_every_magnitude():
    for exponent in range(-330, 309):
        for value in (10.0 ** exponent if exponent > -324 else 5e-324, -(10.0 ** min(exponent, 308))):
            assert len(fixed(value, 4, True)) <= 12, value
    assert count(60_000) == "60,000" and count(10 ** 30) == "1.000e+30" and len(count(int("7" * 4000))) < 40
