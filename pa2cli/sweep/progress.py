"""The sweep's live display: a Rich progress bar per weight decay and one for the whole sweep.

Each bar shows the weight decay, the epoch, the batch, the running (mean) training loss of the
epoch and the time left; one line per finished epoch is printed above the bars. Updates are
throttled (the loss tensor is read at most four times a second) and finished-epoch lines are
printed in groups (each print redraws the bars), so the display costs the training loop next to
nothing. This module must not compute metrics or touch files.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from pa2cli.sweep.config import wd_label

REFRESH_SECONDS = 0.25  # redraw (and read the loss) at most this often


class SweepProgress:
    """Context manager around a Rich `Progress`; `points` maps weight decay -> batches to go."""

    def __init__(self, console: Console, points: dict[float, int], epochs: int,
                 enabled: bool = True):
        self.console = console
        self.epochs = epochs
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[detail]}"),
            TextColumn("[dim]left[/dim]"),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
            transient=True,
            refresh_per_second=4,
        )
        self._overall = self._progress.add_task("sweep", total=sum(points.values()) or 1,
                                                detail="")
        self._tasks = {wd: self._progress.add_task(f"wd {wd_label(wd):>6}", total=total or 1,
                                                   detail="waiting", visible=True)
                       for wd, total in points.items()}
        self._pending = {wd: 0 for wd in points}
        self._left = {wd: total for wd, total in points.items()}
        self._last = 0.0
        self._lines: list[str] = []  # finished-epoch lines not printed yet
        self._last_print = 0.0

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

    def batch(self, weight_decay: float, epoch: int, batch: int, n_batches: int,
              loss_sum) -> None:
        """One finished batch; `loss_sum` (float or 0-d tensor, read only when redrawing) is the
        sum of this epoch's batch losses so far, shown as their running mean."""
        self._pending[weight_decay] += 1
        now = time.monotonic()
        if now - self._last < REFRESH_SECONDS and batch < n_batches:
            return
        self._last = now
        detail = (f"epoch {epoch}/{self.epochs} · batch {batch}/{n_batches} · "
                  f"running loss {float(loss_sum) / batch:.4f}")
        self._flush(weight_decay, detail=detail)

    def _flush(self, weight_decay: float, **fields) -> None:
        advance, self._pending[weight_decay] = self._pending[weight_decay], 0
        self._left[weight_decay] -= advance
        self._progress.update(self._tasks[weight_decay], advance=advance, **fields)
        self._progress.update(self._overall, advance=advance)

    def epoch_done(self, weight_decay: float, row: dict) -> None:
        self._flush(weight_decay)
        self._lines.append(epoch_line(weight_decay, row, self.epochs))
        if time.monotonic() - self._last_print >= REFRESH_SECONDS:
            self._print_lines()

    def point_done(self, weight_decay: float, status: str, message: str = "") -> None:
        self._pending[weight_decay] = max(self._left[weight_decay], 0)
        self._flush(weight_decay, detail=status)
        self._print_lines()
        if message:
            self._progress.console.print(f"[bold red]diverged:[/bold red] {message}",
                                         highlight=False)


def epoch_line(weight_decay: float, row: dict, epochs: int) -> str:
    """`wd 1e-4 │ epoch  3/15 │ train 0.0954 96.87% │ test 0.1583 95.26% │ 0.06 s` (markup)."""
    width = len(str(epochs))
    cells = [f"[cyan]wd {wd_label(weight_decay):>5}[/cyan]",
             f"epoch {row['epoch']:>{width}}/{epochs}",
             f"train {row['train_loss']:.4f} {row['train_acc']:7.2%}",
             f"test {row['test_loss']:.4f} {row['test_acc']:7.2%}"]
    if "val_acc" in row:
        cells.append(f"val {row['val_loss']:.4f} {row['val_acc']:7.2%}")
    cells.append(f"[dim]{row['seconds']:.2f} s[/dim]")
    return " │ ".join(cells)
