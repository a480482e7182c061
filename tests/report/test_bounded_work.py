"""Size before work in the report (issue 19, item 7): the LaTeX escaping is linear in its input
(before: 300,000 `(` took 34 s, 1,000 nested `^(` hit the recursion limit, a 5,000-digit
exponent hit Python's int digit limit), and however many weight decays a results.json holds,
the figures show at most MAX_CURVE_ROWS of them in a bounded size.

Work is counted, not timed, where it can be: the Python lines executed (sys.settrace) for an
input and for one four times as long must grow about four times (linear), not sixteen
(quadratic). The 1 MB runs are bounded in CPU seconds (process_time), which other processes on
a busy machine do not inflate."""

from __future__ import annotations

import sys
import time

import pytest

from pa2cli.errors import printable
from pa2cli.explain.prose import escape_text, latex_text, maths_latex
from pa2cli.report.markup import code, latex_line, markdown_escape, markdown_line

HOSTILE = ["(", ")", "^(", "_(", "x(", "(x ", "^{", "a b ", "x= ", "1e5 ", "--a ", '"', "'", "-1", "$", "`",
           "\\", "δ(", "torch.f(", "a_", "é", "…", ",", ".", "e^(x)^", "((a)) "]


def _lines_run(call) -> int:
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("piece", HOSTILE)
def test_latex_prose_does_linear_work_in_any_repeated_piece(piece):
    small, large = (piece * (n // len(piece)) for n in (1_500, 6_000))
    work = [_lines_run(lambda text=text: latex_line(text)) for text in (small, large)]
    assert work[1] / work[0] < 5.5, (piece, work)  # linear: ~4; quadratic: ~16


def _cpu_seconds(call) -> float:
    best = float("inf")
    for _ in range(3):  # the fastest of three: a slow run on a busy machine does not count
        start = time.process_time()
        call()
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("piece", ["(", "^(", "x(", "(x ", "a b "])
def test_latex_prose_cpu_time_grows_linearly(piece):
    """Line counts miss work done inside C (a copy of the rest of the string per character, as
    the 300,000 `(` case did): CPU time for 4x the input must grow well under 16x."""
    small, large = (piece * (n // len(piece)) for n in (20_000, 80_000))
    ratio = _cpu_seconds(lambda: latex_line(large)) / max(_cpu_seconds(lambda: latex_line(small)), 1e-4)
    assert ratio < 8, (piece, ratio)  # measured 3.6-4.9 after; 7.6 at 8,000 characters and rising before


def test_deep_nesting_and_huge_exponents_are_typeset_without_error():
    nested = "x^(" * 1_000 + "y" + ")" * 1_000
    latex = maths_latex(nested)  # before: RecursionError
    assert latex.count("^{") <= 10 and r"\text{" in latex
    assert "$" in latex_text("5e" + "9" * 5_000 + " and x^(" * 500)  # before: int digit limit


MEGABYTE = 1_000_000


@pytest.mark.parametrize("piece", ["(", "^(", "\\", "`", "δ", "a/b_", "\x1b[", "<script>", "--x "])
def test_a_megabyte_of_hostile_text_escapes_within_a_cpu_budget(piece):
    text = piece * (MEGABYTE // len(piece))
    shown = printable(text)  # what the report does to every outside string first
    for escape in (escape_text, lambda t: latex_line(code(t)), lambda t: markdown_line(code(t))):
        start = time.process_time()
        out = escape(shown)
        spent = time.process_time() - start
        assert spent < 5.0, (piece, spent)  # measured: at most 0.8 s of CPU per megabyte
        assert "\x1b" not in out and len(out) >= len(text)
    start = time.process_time()
    out = markdown_escape(text)
    assert time.process_time() - start < 5.0
    assert "\x1b" not in out and "<script>" not in out


def test_a_megabyte_config_string_reaches_the_report_cut(tmp_path):
    from pa2cli.report import part_a
    from pa2cli.sweep.store import EpochRow, Run, SweepResults

    rows = [EpochRow(1, 1.0, 0.5, 1.1, 0.4, 0.1)]
    config = {"dataset": "(" * MEGABYTE, "model": "x^(" * (MEGABYTE // 3), "optimizer": "`" * MEGABYTE}
    results = SweepResults(config, [Run(wd, 0, "done", rows) for wd in (0.0, 1e-3)])
    start = time.process_time()
    setting, _, _ = part_a.sweep_summary(results)
    line = latex_line(setting)
    assert time.process_time() - start < 5.0
    assert len(line) < 2_000 and "(" * 61 not in line


def _wide_sweep(n_decays: int):
    from pa2cli.sweep.store import EpochRow, Run, SweepResults

    def rows(wd):
        return [EpochRow(e, 1.0 / e + wd, 0.5 + 0.1 * e, 1.2 / e + wd, 0.4 + 0.1 * e, 0.1, weight_norm=10.0 - e)
                for e in (1, 2)]

    decays = [0.0] + [10.0 ** (-6 + 5 * i / (n_decays - 2)) for i in range(n_decays - 1)]
    return SweepResults({"epochs": 2}, [Run(wd, 0, "done", rows(wd)) for wd in decays]), decays


def test_a_sweep_of_many_weight_decays_draws_bounded_figures(tmp_path):
    """180 weight decays once made a 1350×70200 px curves PNG (53 s, 0.72 GB): the report gets
    at most MAX_CURVE_ROWS per-wd figures, spread from the smallest to the largest, and every
    figure (the overview of `pa2 plot --save` included) keeps a bounded size and legend."""
    from pa2cli.report import part_a
    from pa2cli.sweep import figures

    results, decays = _wide_sweep(40)
    listed = part_a.figure_list(results)
    per_wd = [stem for stem, _, _ in listed if stem.startswith("wd")]
    assert len(per_wd) == figures.MAX_CURVE_ROWS == 12
    captions = " ".join(caption for stem, _, caption in listed if stem.startswith("wd"))
    from pa2cli.sweep.config import wd_label

    assert f"Weight decay {wd_label(decays[0])}:" in captions and f"Weight decay {wd_label(decays[-1])}:" in captions
    limit_in = 2.6 * figures.MAX_CURVE_ROWS + 6.4
    for make in (figures.curves_figure, figures.overview_figure, figures.overview_with_norms,
                 lambda r: figures.overlay_figure(r, "test_acc"), figures.weight_norm_figure,
                 figures.final_figure, figures.final_loss_figure):
        figure = make(results)
        assert figure.get_figheight() <= limit_in and figure.get_figwidth() <= 9, make
        for axes in figure.axes:
            legend = axes.get_legend()
            assert legend is None or len(legend.get_texts()) <= figures.MAX_CURVE_ROWS, make
            assert len([t for t in axes.get_xticklabels() if t.get_text()]) <= 12, make
    # the same figures for 12 and for 40 values: the work is bounded too
    assert [len(f.axes) for f in (figures.overview_with_norms(results),
                                  figures.overview_with_norms(_wide_sweep(12)[0]))] == [26, 26]
