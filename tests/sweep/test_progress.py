"""The live display: the running loss is the mean of the epoch's batch losses so far, and every
finished epoch gets one line with its numbers."""

from __future__ import annotations

import io

from rich.console import Console

from pa2cli.sweep.progress import SweepProgress, epoch_line
from pa2cli.sweep.store import EpochRow


def test_bar_shows_epoch_batch_and_running_mean_loss():
    console = Console(file=io.StringIO(), force_terminal=True, force_interactive=True, width=140)
    with SweepProgress(console, {(1e-3, 2): 46}, epochs=2) as progress:
        # batch losses 0.9, 0.7, 0.5 -> running sums 0.9, 1.6, 2.1; the last batch always redraws
        for batch, loss_sum in enumerate((0.9, 1.6, 2.1), start=1):
            progress.batch((1e-3, 2), 1, batch, 3, loss_sum)
        progress._progress.refresh()
    output = console.file.getvalue()
    assert "wd   1e-3" in output
    assert "seed 2 · epoch 1/2 · batch 3/3 · running loss 0.7000" in output


def test_epoch_line_states_losses_accuracies_and_seconds():
    row = EpochRow(epoch=3, train_loss=0.12345, train_acc=0.9651, test_loss=0.2, test_acc=0.95,
                   seconds=0.456)
    console = Console(file=io.StringIO(), width=120)
    console.print(epoch_line((1e-4, 0), row, 15))
    console.print(epoch_line((1e-4, 2), row, 15, with_seed=True))
    assert console.file.getvalue().splitlines() == [
        "wd  1e-4 │ epoch  3/15 │ train 0.1235  96.51% │ test 0.2000  95.00% │ 0.46 s",
        "wd  1e-4 seed 2 │ epoch  3/15 │ train 0.1235  96.51% │ test 0.2000  95.00%"]


ROW = dict(train_loss=0.1, train_acc=0.9, test_loss=0.2, test_acc=0.8, seconds=0.1)


def test_finished_epoch_lines_are_all_printed_by_the_end():
    console = Console(file=io.StringIO(), width=120)
    with SweepProgress(console, {(0.0, 0): 4}, epochs=4, enabled=False) as progress:
        for epoch in range(1, 5):
            progress.epoch_done((0.0, 0), EpochRow(epoch=epoch, **ROW))
    lines = [l for l in console.file.getvalue().splitlines() if "epoch" in l]
    assert [l.split("│")[1].strip() for l in lines] == ["epoch 1/4", "epoch 2/4", "epoch 3/4",
                                                        "epoch 4/4"]


def test_with_several_seeds_only_each_runs_last_epoch_gets_a_line():
    console = Console(file=io.StringIO(), width=120)
    keys = [(0.0, 0), (0.0, 1)]
    with SweepProgress(console, {key: 2 for key in keys}, epochs=2, enabled=False) as progress:
        for key in keys:
            for epoch in (1, 2):
                progress.epoch_done(key, EpochRow(epoch=epoch, **ROW))
    lines = [l for l in console.file.getvalue().splitlines() if "epoch" in l]
    assert [(l.split("│")[0].strip(), l.split("│")[1].strip()) for l in lines] == [
        ("wd     0 seed 0", "epoch 2/2"), ("wd     0 seed 1", "epoch 2/2")]


def test_without_a_live_display_several_seeds_get_a_line_per_tenth():
    console = Console(file=io.StringIO(), force_terminal=True, force_interactive=False, width=120)
    keys = [(0.0, seed) for seed in range(5)]
    with SweepProgress(console, {key: 4 * 2 for key in keys}, epochs=4) as progress:
        for key in keys:
            for epoch in range(1, 5):
                progress._pending[key] += 2  # two batches per epoch
                progress.epoch_done(key, EpochRow(epoch=epoch, **ROW))
    output = console.file.getvalue()
    assert "\x1b[?25l" not in output and "\x1b[1A" not in output and "━" not in output
    lines = [l.split(" · ")[0] for l in output.splitlines() if l.startswith("sweep ")]
    assert lines == [f"sweep {p}%" for p in range(10, 100, 10)]  # 20 epochs: 2, 4, ..., 18
    assert sum("epoch 4/4" in l for l in output.splitlines()) == 5  # each run's last epoch
