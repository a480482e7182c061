"""Terminal plots of a sweep, drawn with plotext; all of plotext's global state lives here.

For each weight decay: train vs test accuracy and train vs test loss over the epochs (side by
side when the terminal is wide enough); then a summary of the final train and test accuracy
against weight decay on a log axis, with 0 drawn one decade left of the smallest non-zero value.
Every figure is cleared, drawn and built to a matrix; `plot_texts` returns strings,
`save_plots` writes them with plotext (`.html` a web page, `.ansi` coloured text, anything
else plain text). This module must not compute metrics: it only draws the saved numbers.
"""

from __future__ import annotations

import math
from pathlib import Path

from pa2cli.sweep.config import wd_label

TRAIN_MARKER, TEST_MARKER = "•", "x"
SIDE_BY_SIDE_MIN_WIDTH = 100
HEIGHT = 14


def _figure():
    import plotext

    figure = plotext.figure
    figure.clear()
    figure.theme("simple")
    return figure


def _draw_pair(figure, x, train, test) -> None:
    for values, marker in ((train, TRAIN_MARKER), (test, TEST_MARKER)):
        signal = figure.signal(x, values, marker=marker)
        signal.lines()
        figure.draw(signal)
    figure.legend(active=False)


def _epoch_ticks(n: int) -> list[int]:
    step = max(1, math.ceil(n / 8))
    ticks = list(range(1, n + 1, step))
    return ticks if ticks[-1] == n else ticks + [n]


def _curve(rows: list[dict], metric: str, title: str, width: int, log_y: bool = False):
    figure = _figure()
    figure.plot_size(width, HEIGHT)
    epochs = [row.epoch for row in rows]
    _draw_pair(figure, epochs, [getattr(row, f"train_{metric}") for row in rows],
               [getattr(row, f"test_{metric}") for row in rows])
    figure.title(f"{title}   {TRAIN_MARKER} train  {TEST_MARKER} test")
    figure.label("epoch", axis="x")
    figure.ruler("x").ticks(_epoch_ticks(len(rows)))
    if log_y:
        figure.ruler("y").scale("log")
    return figure.build()


def _run_figures(run: dict, width: int) -> list:
    rows, label = run.epochs, wd_label(run.weight_decay)
    note = "" if run.status == "done" else f" ({run.status})"
    side_by_side = width >= SIDE_BY_SIDE_MIN_WIDTH
    each = width // 2 if side_by_side else width
    accuracy = _curve(rows, "acc", f"wd {label}{note}: accuracy", each)
    loss = _curve(rows, "loss", f"wd {label}{note}: data loss (log scale)", each, log_y=True)
    return [accuracy + loss] if side_by_side else [accuracy, loss]


def log_positions(weight_decays: list[float]) -> list[float]:
    """x positions on a log10 axis; 0 sits one decade left of the smallest non-zero value."""
    nonzero = [math.log10(wd) for wd in weight_decays if wd > 0]
    zero_at = (min(nonzero) - 1) if nonzero else 0.0
    return [math.log10(wd) if wd > 0 else zero_at for wd in weight_decays]


def _summary_figure(runs: list[dict], width: int):
    runs = sorted((r for r in runs if r.epochs), key=lambda r: r.weight_decay)
    decays = [r.weight_decay for r in runs]
    x = log_positions(decays)
    figure = _figure()
    figure.plot_size(width, HEIGHT)
    _draw_pair(figure, x, [r.last.train_acc for r in runs], [r.last.test_acc for r in runs])
    figure.title(f"final accuracy vs weight decay (log axis)   {TRAIN_MARKER} train  "
                 f"{TEST_MARKER} test")
    figure.label("weight decay", axis="x")
    figure.ruler("x").ticks(x, [wd_label(wd) for wd in decays])
    if len(x) == 1:
        figure.ruler("x").lim(x[0] - 1, x[0] + 1)
    return figure.build()


def build_figures(results: dict, width: int = 100) -> list:
    """plotext matrices: the per-run figures, then the summary (runs without epochs skipped)."""
    first = results.seeds[0] if results.runs else 0
    runs = sorted((r for r in results.runs if r.epochs and r.seed == first),
                  key=lambda r: r.weight_decay)
    figures = [figure for run in runs for figure in _run_figures(run, width)]
    if runs:
        figures.append(_summary_figure(runs, width))
    return figures


def plot_texts(results: dict, width: int = 100, colors: bool = False) -> list[str]:
    """Each figure as a string (with ANSI colours when `colors`)."""
    return [figure.string(colorless=not colors) for figure in build_figures(results, width)]


def save_plots(results: dict, path: Path, width: int = 100) -> None:
    """Export every figure into one file: .html page, .ansi coloured text, else plain text."""
    figures = build_figures(results, width)
    if not figures:
        Path(path).write_text("no finished epochs to plot\n", encoding="utf-8")
        return
    combined = figures[0]
    for figure in figures[1:]:
        combined = combined / figure
    combined.save(str(path))
