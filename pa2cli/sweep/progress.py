"""The sweep's live display: a Rich progress bar per weight decay and one for the whole sweep.

Runs are keyed by `run_key(weight_decay, seed)`; a weight decay's bar counts the batches of all
its seeds. Each bar shows the seed, the epoch, the batch, the running (mean) training loss of
the epoch and the time left. Above the bars: one line per finished epoch when the sweep has a
single seed, else one line per finished run (its last epoch), so many seeds do not flood the
terminal. Updates are
throttled (the loss tensor is read at most four times a second) and finished-epoch lines are
printed in groups (each print redraws the bars), so the display costs the training loop next to
nothing. Where the console cannot redraw in place (not interactive: a file, a notebook's `!`,
TTY_INTERACTIVE=0; Rich's Jupyter console has a widget for it) the bars are left out; the
lines above stay, and a sweep of several seeds adds one line per tenth of its training
(`sweep 30% · about 2 min left`).
This module must not compute metrics or touch files.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from pa2cli.sweep.config import wd_label
from pa2cli.sweep.store import EpochRow, RunKey

REFRESH_SECONDS = 0.25  # redraw (and read the loss) at most this often
MILESTONES = 10  # plain output with several seeds: a line per tenth of the sweep's batches


class SweepProgress:
    """Context manager around a Rich `Progress`; `points` maps run key -> batches to go."""

    def __init__(self, console: Console, points: dict[RunKey, int], epochs: int,
                 enabled: bool = True):
        self.console = console
        self.epochs = epochs
        self.every_epoch = len({seed for _, seed in points}) <= 1
        per_wd: dict[float, int] = {}
        for (wd, _), total in points.items():
            per_wd[wd] = per_wd.get(wd, 0) + total
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[detail]}"),
            TextColumn("[dim]left[/dim]"),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled or not (console.is_interactive or console.is_jupyter),
            transient=True,
            refresh_per_second=4,
        )
        self._overall = self._progress.add_task("sweep", total=sum(points.values()) or 1,
                                                detail="")
        self._tasks = {wd: self._progress.add_task(f"wd {wd_label(wd):>6}", total=total or 1,
                                                   detail="waiting", visible=True)
                       for wd, total in per_wd.items()}
        self._pending = {key: 0 for key in points}
        self._left = dict(points)
        self._last = 0.0
        self._lines: list[str] = []  # finished-epoch lines not printed yet
        self._last_print = 0.0
        self._milestones = (enabled and not console.is_interactive and not console.is_jupyter
                            and not self.every_epoch)
        self._batches = sum(points.values())
        self._milestone, self._started = 0, time.monotonic()

    def __enter__(self) -> "SweepProgress":
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._print_lines()
        self._progress.stop()

    def _print_lines(self) -> None:
        """Print the waiting epoch lines in one go (each print redraws the bars: ~1 ms)."""
        if self._lines:
            self._progress.console.print("\n".join(self._lines), highlight=False)
            self._lines.clear()
        self._last_print = time.monotonic()

    def batch(self, key: RunKey, epoch: int, batch: int, n_batches: int, loss_sum) -> None:
        """One finished batch; `loss_sum` (float or 0-d tensor, read only when redrawing) is the
        sum of this epoch's batch losses so far, shown as their running mean."""
        self._pending[key] += 1
        now = time.monotonic()
        if now - self._last < REFRESH_SECONDS and batch < n_batches:
            return
        self._last = now
        detail = (f"seed {key[1]} · epoch {epoch}/{self.epochs} · batch {batch}/{n_batches} · "
                  f"running loss {float(loss_sum) / batch:.4f}")
        self._flush(key, detail=detail)

    def _flush(self, key: RunKey, **fields) -> None:
        advance, self._pending[key] = self._pending[key], 0
        self._left[key] -= advance
        self._progress.update(self._tasks[key[0]], advance=advance, **fields)
        self._progress.update(self._overall, advance=advance)

    def epoch_done(self, key: RunKey, row: EpochRow) -> None:
        self._flush(key)
        if self.every_epoch or row.epoch >= self.epochs:
            self._lines.append(epoch_line(key, row, self.epochs, with_seed=not self.every_epoch))
        if self._milestones:
            self._milestone_line()
        if time.monotonic() - self._last_print >= REFRESH_SECONDS:
            self._print_lines()

    def point_done(self, key: RunKey, status: str, message: str = "") -> None:
        self._pending[key] = max(self._left[key], 0)
        self._flush(key, detail=status)
        self._print_lines()
        if message:
            self._progress.console.print(f"[bold red]diverged:[/bold red] {message}",
                                         highlight=False)

    def _milestone_line(self) -> None:
        """Plain output: `sweep 30% · about 2 min left` at each tenth of the batches."""
        done = self._batches - sum(self._left.values())
        reached = done * MILESTONES // max(self._batches, 1)
        if reached <= self._milestone or done >= self._batches:
            return
        self._milestone = reached
        left = (time.monotonic() - self._started) * (self._batches - done) / done
        self._lines.append(f"sweep {reached * 100 // MILESTONES}% · about {_duration(left)} left")


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def epoch_line(key: RunKey, row: EpochRow, epochs: int, with_seed: bool = False) -> str:
    """`wd 1e-4 │ epoch  3/15 │ train 0.0954 96.87% │ test 0.1583 95.26% │ 0.06 s` (markup);
    `with_seed`: `wd 1e-4 seed 2 │ ...` without the seconds, so that it fits 80 columns."""
    width = len(str(epochs))
    weight_decay, seed = key
    label = f"wd {wd_label(weight_decay):>5}" + (f" seed {seed}" if with_seed else "")
    cells = [f"[cyan]{label}[/cyan]",
             f"epoch {row.epoch:>{width}}/{epochs}",
             f"train {row.train_loss:.4f} {row.train_acc:7.2%}",
             f"test {row.test_loss:.4f} {row.test_acc:7.2%}"]
    if row.val_acc is not None:
        cells.append(f"val {row.val_loss:.4f} {row.val_acc:7.2%}")
    if not with_seed:
        cells.append(f"[dim]{row.seconds:.2f} s[/dim]")
    return " │ ".join(cells)
