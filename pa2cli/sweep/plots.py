"""Terminal plots of a sweep, drawn with plotext; all of plotext's global state lives here.

For each weight decay: train vs test accuracy and train vs test loss over the epochs (side by
side when the terminal is wide enough), each the mean over seeds, with error bars spanning the
lowest to the highest seed (at most MAX_BARS epochs get a bar, so curves stay readable at 80
columns); then the final accuracies and the final test loss against weight decay on a log
axis, with min-max error bars, 0 drawn one decade left of the smallest non-zero value; then,
when results.json records it, the L2 norm of the decayed parameters over the epochs, one line
per weight decay.
Only runs that count in the findings (not diverged, at least one epoch) are drawn; curves stop
at the fewest epochs any seed of that weight decay finished. Every figure is cleared, drawn
and built to a matrix; `plot_texts` returns strings, `save_plots` writes them with plotext
(`.html` a web page, `.ansi` coloured text, anything else plain text). Titles name the number of
seeds; bars are always min-max over the seeds. This module must not
compute findings: it only draws the saved numbers (means and ranges over seeds).
"""

from __future__ import annotations

import math
from pathlib import Path

from pa2cli.sweep.config import wd_label
from pa2cli.sweep.store import Run, SweepResults

TRAIN_MARKER, TEST_MARKER = "•", "x"
SIDE_BY_SIDE_MIN_WIDTH = 100
HEIGHT = 14
MAX_BARS = 10
NORM_MARKERS = ("•", "x", "+", "o", "*", "#")  # one per weight decay (readable without colour)
TITLE_MARGIN = 4  # columns of a panel the title cannot use (measured: plotext 6.1)


def _figure():
    import plotext

    figure = plotext.figure
    figure.clear()
    figure.theme("simple")
    return figure


def _mean_and_range(columns: list[list[float]]) -> tuple[list, list, list]:
    """Per position: (mean, midpoint of min..max, half the range) over the seeds' values."""
    means = [math.fsum(c) / len(c) for c in columns]
    mids = [(min(c) + max(c)) / 2 for c in columns]
    halves = [(max(c) - min(c)) / 2 for c in columns]
    return means, mids, halves


def _draw_pair(figure, x, train: list[list[float]], test: list[list[float]],
               transform=None) -> None:
    """Mean lines of train and test; min-max bars where the seeds differ (thinned).
    `transform` (log10 for a log axis) maps values after the mean and range are taken."""
    step = max(1, math.ceil(len(x) / MAX_BARS))
    for columns, marker in ((train, TRAIN_MARKER), (test, TEST_MARKER)):
        means, mids, halves = _mean_and_range(columns)
        if transform is not None:
            lows = [transform(min(c)) for c in columns]
            highs = [transform(max(c)) for c in columns]
            means = [transform(m) for m in means]
            mids = [(lo + hi) / 2 for lo, hi in zip(lows, highs)]
            halves = [(hi - lo) / 2 for lo, hi in zip(lows, highs)]
        if any(h > 0 for h in halves):
            keep = [i for i in range(len(x)) if i % step == step - 1 or i == len(x) - 1]
            figure.draw(figure.error([x[i] for i in keep], [mids[i] for i in keep],
                                     [halves[i] for i in keep]))
        signal = figure.signal(x, means, marker=marker)
        signal.lines()
        figure.draw(signal)
    figure.legend(active=False)


def log_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Ticks of a log10 axis spanning log10 values low..high: the powers of ten inside it,
    labelled "1e-3", "1e-2", "0.1", "1", "10"; where fewer than two powers fall inside, 2 and 5
    times them too (a span under a decade), and always at least the two ends."""
    def label(value: float) -> str:
        if 1e-2 < value < 1e3:
            return f"{value:g}"
        mantissa, exponent = f"{value:.0e}".split("e")
        return f"{mantissa}e{int(exponent)}"

    first, last = math.floor(low), math.ceil(high)
    steps = max(1, math.ceil((last - first) / 6))  # at most ~6 labelled decades
    values = [10.0 ** k for k in range(first, last + 1, steps)]
    if sum(low <= math.log10(v) <= high for v in values) < 2:
        values = sorted({m * 10.0 ** k for k in range(first, last + 1) for m in (1, 2, 5)})
    inside = [v for v in values if low - 1e-9 <= math.log10(v) <= high + 1e-9]
    if len(inside) < 2:
        inside = [10.0 ** low, 10.0 ** high]
        return [low, high], [f"{v:.2g}" for v in inside]
    return [math.log10(v) for v in inside], [label(v) for v in inside]


def _epoch_ticks(n: int) -> list[int]:
    step = max(1, math.ceil(n / 8))
    ticks = list(range(1, n + 1, step))
    return ticks if ticks[-1] == n else ticks + [n]


def _columns(runs: list[Run], name: str, epochs: int) -> list[list[float]]:
    return [[getattr(run.epochs[e], name) for run in runs] for e in range(epochs)]


def _curve(runs: list[Run], metric: str, titles: list[str], width: int, log_y: bool = False):
    """One panel; the first of `titles` (longest first) that fits the panel's width."""
    figure = _figure()
    figure.plot_size(width, HEIGHT)
    epochs = min(len(run.epochs) for run in runs)
    train, test = (_columns(runs, f"{split}_{metric}", epochs) for split in ("train", "test"))
    _draw_pair(figure, list(range(1, epochs + 1)), train, test,
               transform=math.log10 if log_y else None)
    figure.title(fitting(titles, width))
    figure.label("epoch", axis="x")
    figure.ruler("x").ticks(_epoch_ticks(epochs))
    if log_y:
        values = [math.log10(v) for column in train + test for v in column]
        positions, labels = log_ticks(min(values), max(values))
        figure.ruler("y").ticks(positions, labels)
    return figure.build()


def fitting(titles: list[str], width: int) -> str:
    """The first title that fits a panel `width` columns wide (plotext drops a longer one)."""
    room = width - TITLE_MARGIN
    return next((t for t in titles if len(t) <= room), titles[-1][:room])


def _seeds_note(runs: list[Run]) -> str:
    if len(runs) == 1:
        return "" if runs[0].status == "done" else f" ({runs[0].status})"
    partial = sum(run.status != "done" for run in runs)
    return f" ({len(runs)} seeds{f', {partial} partial' if partial else ''})"


def _run_figures(runs: list[Run], width: int) -> list:
    label = wd_label(runs[0].weight_decay) + _seeds_note(runs)
    side_by_side = width >= SIDE_BY_SIDE_MIN_WIDTH
    each = width // 2 if side_by_side else width
    legend = f"{TRAIN_MARKER} train  {TEST_MARKER} test"
    accuracy = _curve(runs, "acc", [f"wd {label}: accuracy   {legend}",
                                    f"wd {label}: accuracy"], each)
    positive = all(row.train_loss > 0 and row.test_loss > 0 for run in runs for row in run.epochs)
    scale = "log scale" if positive else "linear scale: a loss <= 0 has no logarithm"
    short = "log" if positive else "linear"
    loss = _curve(runs, "loss", [f"wd {label}: data loss ({scale})   {legend}",
                                 f"wd {label}: data loss ({short})  {legend}",
                                 f"wd {label}: data loss ({short})"], each, log_y=positive)
    return [accuracy + loss] if side_by_side else [accuracy, loss]


def log_positions(weight_decays: list[float]) -> list[float]:
    """x positions on a log10 axis; 0 sits one decade left of the smallest non-zero value."""
    nonzero = [math.log10(wd) for wd in weight_decays if wd > 0]
    zero_at = (min(nonzero) - 1) if nonzero else 0.0
    return [math.log10(wd) if wd > 0 else zero_at for wd in weight_decays]


def _summary_figure(groups: list[list[Run]], width: int, metric: str):
    """Final `metric` ("acc": train and test; "loss": test) against weight decay, min-max bars."""
    decays = [runs[0].weight_decay for runs in groups]
    x = log_positions(decays)
    figure = _figure()
    figure.plot_size(width, HEIGHT)
    finals = {name: [[getattr(run.last, name) for run in runs] for runs in groups]
              for name in ("train_acc", "test_acc", "test_loss")}
    seeds = max(len(runs) for runs in groups)
    bars = "   bars: min-max over seeds" if seeds > 1 else "   (log axis)"
    if metric == "acc":
        _draw_pair(figure, x, finals["train_acc"], finals["test_acc"])
        figure.title(f"final accuracy vs weight decay   {TRAIN_MARKER} train  "
                     f"{TEST_MARKER} test{bars}")
    else:
        means, mids, halves = _mean_and_range(finals["test_loss"])
        if any(h > 0 for h in halves):
            figure.draw(figure.error(x, mids, halves))
        signal = figure.signal(x, means, marker=TEST_MARKER)
        signal.lines()
        figure.draw(signal)
        figure.legend(active=False)
        figure.title(f"final test loss vs weight decay{bars}")
    figure.label("weight decay", axis="x")
    figure.ruler("x").ticks(x, [wd_label(wd) for wd in decays])
    if len(x) == 1:
        figure.ruler("x").lim(x[0] - 1, x[0] + 1)
    return figure.build()


def has_weight_norms(groups: list[list[Run]]) -> bool:
    return bool(groups) and all(row.weight_norm is not None for runs in groups
                                for run in runs for row in run.epochs)


def _norm_figure(groups: list[list[Run]], width: int):
    """‖w‖ of the decayed parameters over the epochs, one line per weight decay (mean over
    seeds): how weight decay shrinks the weights."""
    figure = _figure()
    figure.plot_size(width, HEIGHT)
    longest = 1
    for index, runs in enumerate(groups):
        epochs = min(len(run.epochs) for run in runs)
        longest = max(longest, epochs)
        means = [math.fsum(run.epochs[e].weight_norm for run in runs) / len(runs)
                 for e in range(epochs)]
        signal = figure.signal(list(range(1, epochs + 1)), means,
                               marker=NORM_MARKERS[index % len(NORM_MARKERS)])
        signal.lines()
        signal.label(f"wd {wd_label(runs[0].weight_decay)}")
        figure.draw(signal)
    figure.title(fitting(["weight norm ‖w‖ (L2, decayed parameters) over epochs, mean over "
                          "seeds", "weight norm ‖w‖ over epochs"], width))
    figure.label("epoch", axis="x")
    figure.ruler("x").ticks(_epoch_ticks(longest))
    return figure.build()


def drawn_runs(results: SweepResults) -> list[list[Run]]:
    """Per weight decay (increasing), the runs drawn: not diverged, at least one epoch."""
    groups = []
    for wd in results.weight_decays:
        runs = [r for r in results.runs_of(wd) if r.epochs and r.status != "diverged"]
        if runs:
            groups.append(runs)
    return groups


UNDRAWABLE = "(a value too large or too odd for a terminal plot; the numbers are in results.json)"


def _drawn(make, *args) -> list:
    """`make(*args)`'s figures, or [] when plotext cannot lay the numbers out (values near
    the largest float overflow its axis arithmetic)."""
    try:
        figures = make(*args)
    except (ArithmeticError, ValueError):
        return []
    return figures if isinstance(figures, list) else [figures]


def figures_and_notes(results: SweepResults, width: int = 100) -> tuple[list, list[str]]:
    """plotext matrices (per weight decay, then the summaries), and one note per figure that
    could not be drawn."""
    groups = drawn_runs(results)
    figures, notes = [], []
    for runs in groups:
        drawn = _drawn(_run_figures, runs, width)
        figures += drawn
        if not drawn:
            notes.append(f"wd {wd_label(runs[0].weight_decay)}: not drawn {UNDRAWABLE}")
    if groups:
        for metric, name in (("acc", "final accuracy"), ("loss", "final test loss")):
            summary = _drawn(_summary_figure, groups, width, metric)
            figures += summary
            if not summary:
                notes.append(f"{name} vs weight decay: not drawn {UNDRAWABLE}")
    if has_weight_norms(groups):  # sweeps saved before the norm was recorded have none
        norm = _drawn(_norm_figure, groups, width)
        figures += norm
        if not norm:
            notes.append(f"weight norm over epochs: not drawn {UNDRAWABLE}")
    return figures, notes


def build_figures(results: SweepResults, width: int = 100) -> list:
    """The figures that can be drawn (see `figures_and_notes`)."""
    return figures_and_notes(results, width)[0]


def plot_texts(results: SweepResults, width: int = 100, colors: bool = False) -> list[str]:
    """Each figure as a string (with ANSI colours when `colors`), then a line per figure that
    could not be drawn."""
    figures, notes = figures_and_notes(results, width)
    return [figure.string(colorless=not colors) for figure in figures] + notes


def save_plots(results: SweepResults, path: Path, width: int = 100) -> None:
    """Export every figure into one file: .html page, .ansi coloured text, else plain text."""
    figures = build_figures(results, width)
    if not figures:
        Path(path).write_text("no finished epochs to plot\n", encoding="utf-8")
        return
    combined = figures[0]
    for figure in figures[1:]:
        combined = combined / figure
    combined.save(str(path))
