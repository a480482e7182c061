"""What `pa2 sweep` and `pa2 plot` print: the header, the plots, the findings.

Everything here lays out numbers computed elsewhere (`findings.py`, the saved results); it must
not compute metrics or train. Plots come from `plots.py` as text and are printed through Rich
(colours kept on a terminal, dropped elsewhere).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pa2cli.sweep.config import LOSS_NOTE, SweepConfig, wd_label
from pa2cli.sweep.optim import OPTIMIZERS
from pa2cli.sweep.store import SweepResults

MAX_PLOT_WIDTH = 140


def plural(n: int, word: str) -> str:
    """"1 epoch", "50 epochs"."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 0.1 else f"{value:.1f} s"


def took(console: Console, runs: int, epochs: int, wall: float, cpu: float | None) -> None:
    """How long the training took: wall-clock seconds, and this process's CPU seconds (None
    when other processes trained: --jobs, Ray); under 0.1 s with two decimals, not "0.0 s"."""
    spent = _seconds(wall) + (f" ({cpu:.1f} CPU seconds in this process)" if cpu is not None
                              else "")
    console.print(f"Trained {plural(runs, 'run')} of {plural(epochs, 'epoch')} in {spent}.",
                  highlight=False)


def header(console: Console, config: SweepConfig, dataset, device, folder: str,
           baseline_added: bool) -> None:
    model = config.model or "the default CNN"
    momentum = OPTIMIZERS[config.optimizer].uses_momentum
    lr = f"lr {config.lr:g}" + (", cosine schedule to 0" if config.lr_schedule == "cosine"
                                else "")
    optimiser = config.optimizer + (f" ({lr}, momentum {config.momentum:g})"
                                    if momentum else f" ({lr})")
    sizes = f"{len(dataset.train)} train / {len(dataset.test)} test"
    if dataset.val is not None:
        sizes += f" / {len(dataset.val)} validation"
    decays = ", ".join(wd_label(wd) for wd in config.weight_decays)
    seeds = (f"seed {config.seed}" if config.seeds == 1 else
             f"{config.seeds} seeds ({config.seed}-{config.seed + config.seeds - 1}, paired: "
             "the same seed gives every weight decay the same start and batch order)")
    console.print(f"[bold]Weight-decay sweep[/bold] on {config.dataset} ({sizes} images, "
                  f"{dataset.num_classes} classes): {model}, {optimiser}, batch "
                  f"{config.batch_size}, {plural(config.epochs, 'epoch')}, {seeds}, {device}.",
                  highlight=False)
    for note in getattr(dataset, "notes", ()):
        console.print(note, highlight=False)
    if config.model:
        from pa2cli.sweep.modelfile import describe

        summary = describe(config.model)
        if summary:
            console.print(summary, highlight=False)
    if config.augment:
        from pa2cli.sweep.augment import describe as describe_augment

        console.print(describe_augment(config.augment), highlight=False)
    if config.precision != "fp32" or config.channels_last:
        parts = (["forward passes in bfloat16 (autocast; weights, optimiser and losses stay "
                  "float32)"] if config.precision == "bf16" else []) + \
            (["channels-last (NHWC) weights and batches"] if config.channels_last else [])
        console.print(f"Computing with {' and '.join(parts)}.", highlight=False)
    if config.train_size is not None:
        console.print(f"Training on a stratified subset of {config.train_size} images (drawn "
                      f"with seed {config.seed}): a small training set makes overfitting "
                      "visible; use --train-size all for the full split.", highlight=False)
    baseline = (" (0 is added as the baseline; --no-baseline leaves it out)"
                if baseline_added else "")
    console.print(f"Weight decays: {decays}{baseline}.", highlight=False)
    decayed = ("every parameter, biases and norm parameters included "
               "(--no-decay-bias-norm exempts them)" if config.decay_bias_norm else
               "weights only: biases and norm parameters are exempt")
    console.print(f"Weight decay applies to {decayed}.", highlight=False)
    console.print(f"Losses: {LOSS_NOTE}.", highlight=False)
    console.print(f"Saving to {folder} after every epoch "
                  f"(continue an interrupted sweep: pa2 sweep --out {folder} --resume).\n",
                  highlight=False)


def resumed_from(console: Console, results: SweepResults, epochs: int) -> None:
    """What a resumed sweep keeps: each run's saved epochs (diverged runs are not retrained)."""
    kept = ", ".join(f"wd {wd_label(run.weight_decay)} seed {run.seed} {len(run.epochs)}/{epochs}"
                     + (" (diverged)" if run.status == "diverged" else "")
                     for run in sorted(results.runs, key=lambda r: r.key))
    console.print(f"Continuing from the saved epochs: {kept}.\n", highlight=False)


def plots(console: Console, results: SweepResults) -> None:
    from pa2cli.sweep.plots import plot_texts

    width = max(40, min(console.width, MAX_PLOT_WIDTH))
    for text in plot_texts(results, width=width, colors=console.is_terminal):
        console.print(Text.from_ansi(text))


def findings(console: Console, results: SweepResults) -> None:
    from pa2cli.sweep.findings import analyse
    from pa2cli.sweep.sentences import sentences
    from pa2cli.sweep.table import findings_table

    found = analyse(results)
    if found.summaries:
        console.print(findings_table(found))
    console.print("[bold]Findings[/bold]")
    bullets = Table.grid(padding=(0, 1))  # a hanging indent: wrapped lines stay under the text
    bullets.add_column(no_wrap=True)
    bullets.add_column()
    for line in sentences(found):
        bullets.add_row(" •", Text(line))
    console.print(bullets)


def findings_json(results: SweepResults) -> str:
    """`pa2 plot --json`: the findings' numbers and sentences as one JSON document."""
    import json

    from pa2cli.sweep.findings import analyse
    from pa2cli.sweep.sentences import sentences

    found = analyse(results)
    return json.dumps({**found.to_dict(), "sentences": sentences(found)}, indent=2)


def show(console: Console, results: SweepResults, with_plots: bool) -> None:
    if with_plots:
        plots(console, results)
    findings(console, results)
