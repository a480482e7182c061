"""Report-quality figures of a saved sweep, drawn with matplotlib (headless Agg, no pyplot).

- `curves_figure`: per weight decay, train vs test accuracy and loss over epochs; with several
  seeds for one weight decay, the mean line and a band from the lowest to the highest seed.
- `final_figure`: final train and test accuracy against weight decay (log axis, 0 placed one
  decade left of the smallest non-zero value), with error bars (min to max over seeds).
- `overview_figure`: both in one figure; `overview_with_norms` adds the weight norm below it,
  for `pa2 plot DIR --save fig.png|.pdf|.svg`.
- `weight_norm_figure`: the L2 norm of the decayed parameters over epochs per weight decay
  (None for a sweep saved before it was recorded), for `pa2 report`.

Runs are grouped by weight decay here (`groups`), whatever else tells them apart (a seed).
matplotlib is imported inside the functions, so only the report and the plot export load it.
This module reads results; it never trains, computes findings, or prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pa2cli.sweep.config import wd_label
from pa2cli.sweep.plots import log_positions
from pa2cli.sweep.store import SweepResults

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
TRAIN, TEST = "#1f77b4", "#d62728"
LOG_SCALE_RATIO = 10.0  # a loss axis spanning more than this factor is drawn on a log scale
FONT_PT = 9  # every label, drawn at the width the report places it (PAGE_WIDTH_IN): >= 8 pt printed
PAGE_WIDTH_IN = 6.5  # the report's text width (1 in margins on A4/letter); figures are drawn this wide
MAX_CURVE_ROWS = 12  # the curves figure shows at most this many weight decays (spread over the range)
MAX_FINITE = 1e300  # larger magnitudes are not drawn (matplotlib's axis arithmetic overflows)


@dataclass(frozen=True)
class Group:
    """The runs of one weight decay, as arrays (seed x epoch); epochs beyond the shortest run cut."""

    weight_decay: float
    seeds: int
    epochs: np.ndarray
    metrics: dict[str, np.ndarray]  # "train_acc" -> (seeds, epochs)
    complete: bool  # every run finished


def groups(results: SweepResults) -> list[Group]:
    """The runs with at least one epoch, grouped by weight decay (smallest first), one row per seed."""
    out = []
    for decay in results.weight_decays:
        runs = [run for run in results.runs_of(decay) if run.epochs]
        if not runs:
            continue
        length = min(len(run.epochs) for run in runs)
        metrics = {name: np.array([[row.metric(name) for row in run.epochs[:length]] for run in runs], dtype=float)
                   for name in ("train_acc", "test_acc", "train_loss", "test_loss")}
        epochs = np.array([row.epoch for row in runs[0].epochs[:length]])
        out.append(Group(decay, len(runs), epochs, metrics, all(run.status == "done" for run in runs)))
    return out


def _new_figure(width: float, height: float):
    import os
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg", force=False)  # a notebook's (or the user's) backend is kept
    from matplotlib.figure import Figure

    # TrueType (Type 42) fonts in PDF and PostScript, never Type 3 bitmaps; labels >= 8 pt
    matplotlib.rcParams.update({"pdf.fonttype": 42, "ps.fonttype": 42, "font.size": FONT_PT,
                                "axes.titlesize": FONT_PT, "axes.labelsize": FONT_PT,
                                "xtick.labelsize": FONT_PT, "ytick.labelsize": FONT_PT,
                                "legend.fontsize": FONT_PT, "axes.unicode_minus": True})
    return Figure(figsize=(width, height), layout="constrained")


def _band(axes, x, values: np.ndarray, colour: str, label: str, percent: bool) -> None:
    scale = 100.0 if percent else 1.0
    mean = values.mean(axis=0) * scale
    axes.plot(x, mean, color=colour, label=label, linewidth=1.6)
    if values.shape[0] > 1:
        axes.fill_between(x, values.min(axis=0) * scale, values.max(axis=0) * scale, color=colour, alpha=0.2,
                          linewidth=0)


def _log_loss(found: list[Group]) -> bool:
    """Whether the loss axes are logarithmic: every loss positive and spanning a factor > 10."""
    losses = np.concatenate([g.metrics[f"{split}_loss"].ravel() for g in found for split in ("train", "test")])
    return bool(np.all(losses > 0) and losses.max() > LOG_SCALE_RATIO * losses.min())


def _draw_curves(axes_row, group: Group, log_loss: bool) -> None:
    seeds = f", {group.seeds} seeds (mean; band: min–max)" if group.seeds > 1 else ""
    state = "" if group.complete else " (unfinished)"
    accuracy, loss = axes_row
    for split, colour in (("train", TRAIN), ("test", TEST)):
        _band(accuracy, group.epochs, group.metrics[f"{split}_acc"], colour, split, percent=True)
        _band(loss, group.epochs, group.metrics[f"{split}_loss"], colour, split, percent=False)
    accuracy.set_title(f"weight decay {wd_label(group.weight_decay)}{state}: accuracy{seeds}")
    loss.set_title(f"weight decay {wd_label(group.weight_decay)}{state}: loss{seeds}")
    from matplotlib.ticker import MaxNLocator

    accuracy.set_ylabel("accuracy (%)")
    loss.set_ylabel("data loss" + (" (log scale)" if log_loss else ""))
    if log_loss:  # losses spanning more than a factor of 10 read better on a log axis
        loss.set_yscale("log")
    for axes in axes_row:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("epoch")
        axes.grid(alpha=0.3)
        axes.legend()


def _draw_final(axes, found: list[Group]) -> None:
    decays = [g.weight_decay for g in found]
    x = np.array(log_positions(decays))
    for split, colour, shift in (("train", TRAIN, -0.04), ("test", TEST, 0.04)):
        finals = [g.metrics[f"{split}_acc"][:, -1] * 100 for g in found]
        mean = np.array([f.mean() for f in finals])
        # the float mean of equal values can land a hair outside [min, max]: bars are >= 0
        low = np.clip(mean - np.array([f.min() for f in finals]), 0, None)
        high = np.clip(np.array([f.max() for f in finals]) - mean, 0, None)
        axes.errorbar(x + shift, mean, yerr=[low, high], color=colour, marker="o", capsize=4, label=split)
    seeds = max(g.seeds for g in found)
    axes.set_title("final accuracy vs weight decay" + (f" (mean of up to {seeds} seeds; bars: min–max)"
                                                       if seeds > 1 else ""), fontsize=9)
    axes.set_xticks(x, [wd_label(d) for d in decays])
    axes.set_xlabel("weight decay (log axis; 0 drawn one decade left)")
    axes.set_ylabel("final accuracy (%)")
    if len(x) == 1:
        axes.set_xlim(x[0] - 1, x[0] + 1)
    axes.grid(alpha=0.3)
    axes.legend()


def _nothing(results: SweepResults) -> list[Group]:
    from pa2cli.errors import UserError

    found = groups(results)
    if not found:
        raise UserError("no finished epoch to draw", where="results.json",
                        fix="Let `pa2 sweep` finish at least one epoch (or resume it with --resume)")
    return found


def _spread_out(found: list[Group], at_most: int) -> list[Group]:
    """At most `at_most` groups, evenly spread from the smallest to the largest weight decay."""
    if len(found) <= at_most:
        return found
    picks = sorted({round(i * (len(found) - 1) / (at_most - 1)) for i in range(at_most)})
    return [found[i] for i in picks]


def weight_decay_figure(results: SweepResults, weight_decay: float):
    """One weight decay: train vs test accuracy (left) and loss (right) over the epochs."""
    found = [g for g in _nothing(results) if g.weight_decay == weight_decay]
    if not found:
        raise ValueError(f"no finished epoch for weight decay {weight_decay}")
    figure = _new_figure(PAGE_WIDTH_IN, 2.4)
    _draw_curves(figure.subplots(1, 2, squeeze=False)[0], found[0], _log_loss(found))
    return figure


OVERLAY_METRICS = {"test_acc": "test accuracy (%)", "train_acc": "train accuracy (%)",
                   "test_loss": "test data loss", "train_loss": "train data loss"}


def overlay_figure(results: SweepResults, metric: str):
    """One metric over the epochs with every weight decay overlaid (mean over seeds)."""
    import matplotlib

    found = _spread_out(_nothing(results), MAX_CURVE_ROWS)
    figure = _new_figure(PAGE_WIDTH_IN, 2.6)
    axes = figure.subplots()
    colours = matplotlib.colormaps["viridis"](np.linspace(0, 0.9, len(found)))
    percent = metric.endswith("_acc")
    for group, colour in zip(found, colours):
        _band(axes, group.epochs, group.metrics[metric], colour, f"wd {wd_label(group.weight_decay)}", percent)
    if not percent and _log_loss(found):
        axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel(OVERLAY_METRICS[metric])
    from matplotlib.ticker import MaxNLocator

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(alpha=0.3)
    axes.legend(ncols=2 if len(found) > 4 else 1)
    return figure


def final_loss_figure(results: SweepResults):
    """Final train and test data loss against weight decay, bars min to max over seeds."""
    found = _nothing(results)
    figure = _new_figure(PAGE_WIDTH_IN, 2.6)
    axes = figure.subplots()
    x = np.array(log_positions([g.weight_decay for g in found]))
    for split, colour, shift in (("train", TRAIN, -0.04), ("test", TEST, 0.04)):
        finals = [g.metrics[f"{split}_loss"][:, -1] for g in found]
        mean = np.array([f.mean() for f in finals])
        low = np.clip(mean - np.array([f.min() for f in finals]), 0, None)
        high = np.clip(np.array([f.max() for f in finals]) - mean, 0, None)
        axes.errorbar(x + shift, mean, yerr=[low, high], color=colour, marker="o", capsize=4, label=split)
    _decay_axis(axes, x, [g.weight_decay for g in found])
    axes.set_ylabel("final data loss")
    axes.legend()
    return figure


def _decay_axis(axes, x, decays) -> None:
    step = max(1, -(-len(x) // 10))  # at most about ten labelled ticks
    axes.set_xticks(x[::step], [wd_label(d) for d in decays][::step])
    axes.set_xlabel("weight decay (log axis; 0 drawn one decade left)")
    if len(x) == 1:
        axes.set_xlim(x[0] - 1, x[0] + 1)
    axes.grid(alpha=0.3)


def curves_figure(results: SweepResults):
    found = _spread_out(_nothing(results), MAX_CURVE_ROWS)
    figure = _new_figure(9, 2.6 * len(found))
    axes = figure.subplots(len(found), 2, squeeze=False, sharey="col")  # one scale per column: comparable
    for row, group in zip(axes, found):
        _draw_curves(row, group, _log_loss(found))
    return figure


def final_figure(results: SweepResults):
    found = _nothing(results)
    figure = _new_figure(PAGE_WIDTH_IN, 2.8)
    _draw_final(figure.subplots(), found)
    return figure


def overview_figure(results: SweepResults):
    """The curves of every weight decay (at most MAX_CURVE_ROWS of them, spread over the range)
    and, below, final accuracy against weight decay."""
    found = _spread_out(_nothing(results), MAX_CURVE_ROWS)
    figure = _new_figure(9, 2.6 * len(found) + 3.2)
    grid = figure.add_gridspec(len(found) + 1, 2, height_ratios=[2.6] * len(found) + [3.2])
    first: list = []
    for i, group in enumerate(found):
        row = [figure.add_subplot(grid[i, c], sharey=first[c] if first else None) for c in (0, 1)]
        first = first or row  # one scale per column, so weight decays compare at a glance
        _draw_curves(row, group, _log_loss(found))
    _draw_final(figure.add_subplot(grid[len(found), :]), found)
    return figure


def overview_with_norms(results: SweepResults):
    """`overview_figure`, with the weight-norm figure below when results.json records it."""
    found = _nothing(results)
    norm = weight_norm_figure(results)
    if norm is None:
        return overview_figure(results)
    figure = _new_figure(9, 2.6 * len(found) + 6.4)
    grid = figure.add_gridspec(len(found) + 2, 2,
                               height_ratios=[2.6] * len(found) + [3.2, 3.2])
    first: list = []
    for i, group in enumerate(found):
        row = [figure.add_subplot(grid[i, c], sharey=first[c] if first else None) for c in (0, 1)]
        first = first or row
        _draw_curves(row, group, _log_loss(found))
    _draw_final(figure.add_subplot(grid[len(found), :]), found)
    _draw_norms(figure.add_subplot(grid[len(found) + 1, :]), results)
    return figure


def _draw_norms(axes, results: SweepResults) -> bool:
    """‖w‖ over epochs per weight decay (mean line, min–max band); False when not recorded."""
    decays = [d for d in results.weight_decays if any(r.epochs for r in results.runs_of(d))]
    runs_by = {d: [r for r in results.runs_of(d) if r.epochs] for d in decays}
    if not decays or any(row.weight_norm is None for runs in runs_by.values() for run in runs
                         for row in run.epochs):
        return False
    for decay in decays:
        runs = runs_by[decay]
        length = min(len(run.epochs) for run in runs)
        norms = np.array([[row.weight_norm for row in run.epochs[:length]] for run in runs])
        epochs = np.arange(1, length + 1)
        line, = axes.plot(epochs, norms.mean(axis=0), label=f"wd {wd_label(decay)}")
        if len(runs) > 1:
            axes.fill_between(epochs, norms.min(axis=0), norms.max(axis=0),
                              color=line.get_color(), alpha=0.15)
    axes.set_title("L2 norm of the decayed parameters over epochs (mean; band: min–max over "
                   "seeds)", fontsize=9)
    axes.set_xlabel("epoch")
    axes.set_ylabel("‖w‖₂")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    return True


def weight_norm_figure(results: SweepResults):
    """‖w‖ over epochs per weight decay, for `pa2 plot --save` and `pa2 report`; None when the
    sweep was saved before the norm was recorded."""
    _nothing(results)
    figure = _new_figure(6.5, 3.2)
    return figure if _draw_norms(figure.subplots(), results) else None


def save(figure, path: Path) -> None:
    """Write a figure atomically (the old file stays whole on failure); the format follows the
    suffix (.png at 150 dpi, .pdf, .svg). A symlink or special file at `path` is replaced, never
    written through."""
    import io

    from pa2cli.outputs import write_bytes

    path = Path(path)
    buffer = io.BytesIO()
    figure.savefig(buffer, dpi=150, format=path.suffix.lstrip(".").lower() or "png")
    write_bytes(path, buffer.getvalue(), fix="Remove it or choose another path", follow_links=False)
