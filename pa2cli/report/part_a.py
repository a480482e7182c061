"""Part A of the report: the sweep's setting in one sentence, the table of final accuracies,
the findings, and the list of figures (file stem, how to draw it, caption).

Values from a results.json written elsewhere are bounded here before they reach any prose:
numbers at a bounded width (`pa2cli.numbers.fixed`), strings cut to MAX_CONFIG_CHARS and marked
as code, at most MAX_SEEDS_NAMED seeds named, at most MAX_CURVE_ROWS per-weight-decay figures.
It draws with the sweep's figure writers and states the sweep's findings; it computes no
statistic of its own and writes only the figure files.
"""

from __future__ import annotations

from pathlib import Path

from pa2cli.errors import printable
from pa2cli.numbers import count, fixed, is_number
from pa2cli.report.markup import code

MAX_CONFIG_CHARS = 60  # a config string in the prose (a model path) is cut to this
MAX_SEEDS_NAMED = 10


def config_value(value) -> str:
    """A value of a results.json config as a bounded piece of prose: a number at a bounded
    width (1e308 as 1e+308, a 4,000-digit int by its leading digits), a string with control
    characters escaped (printable: no raw ESC reaches Markdown or pdflatex, which stops at it)
    and cut to MAX_CONFIG_CHARS, anything else by its kind."""
    if is_number(value) or (isinstance(value, int) and not isinstance(value, bool)):
        if isinstance(value, int):
            return count(value).replace(",", "") if abs(value) < 10 ** 9 else fixed(value)
        return f"{value + 0.0:g}"  # + 0.0: -0.0 reads 0
    if isinstance(value, str):
        text = printable(value)
        return text if len(text) <= MAX_CONFIG_CHARS else text[:MAX_CONFIG_CHARS - 1] + "…"
    if value is None or isinstance(value, bool):
        return str(value)
    return "(a JSON " + type(value).__name__.replace("dict", "object") + ")"


def sweep_summary(results) -> tuple[str, list[tuple[str, str, str, int]], list[str]]:
    """(setting sentence, rows (weight decay, train %, test %, seeds), findings)."""
    from pa2cli.sweep import figures, findings
    from pa2cli.sweep.config import wd_label
    from pa2cli.sweep.sentences import sentences

    # strings from the file are marked as code: they reach LaTeX through the one-pass escaper
    # (escape_text in \texttt), never the maths-finding prose typesetter
    c = {key: None if value is None else config_value(value) for key, value in results.config.items()}
    c.update({key: code(c[key]) for key in ("dataset", "model", "optimizer")
              if isinstance(results.config.get(key), str) and c.get(key)})
    seeds = results.seeds
    shown = ", ".join(map(config_value, seeds[:MAX_SEEDS_NAMED]))
    if len(seeds) > MAX_SEEDS_NAMED:
        shown += f", … ({count(len(seeds))} seeds)"
    setting = (f"{c.get('dataset', 'the data')}, {c.get('model') or 'the default CNN'}, "
               f"{c.get('optimizer', 'sgd')} (lr {c.get('lr', '?')}), batch {c.get('batch_size', '?')}, "
               f"{c.get('epochs', '?')} epochs, seeds {shown}")
    rows = []
    for group in figures.groups(results):
        train, test = group.metrics["train_acc"][:, -1] * 100, group.metrics["test_acc"][:, -1] * 100
        spread = lambda v: f"{v.mean():.1f}" + (f" ({v.min():.1f}–{v.max():.1f})" if len(v) > 1 else "")
        rows.append((wd_label(group.weight_decay), spread(train), spread(test), group.seeds))
    said = sentences(findings.analyse(results))
    return setting, rows, said


def figure_list(results) -> list[tuple[str, object, str]]:
    """(file stem, make(), caption) for every figure of Part A, in the report's order."""
    from pa2cli.sweep import figures
    from pa2cli.sweep.config import wd_label

    found = figures._spread_out(figures.groups(results), figures.MAX_CURVE_ROWS)
    out = []
    for i, group in enumerate(found):
        out.append((f"wd{i + 1}", lambda d=group.weight_decay: figures.weight_decay_figure(results, d),
                    f"Weight decay {wd_label(group.weight_decay)}: train and test accuracy (left) and "
                    f"data loss (right) per epoch"
                    + (f"; mean of {group.seeds} seeds, band from the lowest to the highest" if group.seeds > 1 else "")
                    + "."))
    for metric in ("test_acc", "test_loss"):
        out.append((f"overlay-{metric.replace('_', '-')}", lambda m=metric: figures.overlay_figure(results, m),
                    f"{figures.OVERLAY_METRICS[metric].capitalize()} per epoch, every weight decay."))
    out.append(("final", lambda: figures.final_figure(results),
                "Final accuracy against weight decay; bars from the lowest to the highest seed."))
    out.append(("final-loss", lambda: figures.final_loss_figure(results),
                "Final data loss against weight decay; bars from the lowest to the highest seed."))
    made = figures.weight_norm_figure(results)  # None for a sweep saved before ‖w‖ was kept
    if made is not None:
        out.append(("norm", lambda: made, "L2 norm of the decayed parameters per epoch, every "
                                          "weight decay."))
    return out


def save_figures(results, out: Path, suffix: str) -> list[tuple[str, str]]:
    from pa2cli.sweep import figures

    names = []
    for stem, make, caption in figure_list(results):
        figures.save(make(), out / f"{stem}{suffix}")
        names.append((f"{stem}{suffix}", caption))
    return names
