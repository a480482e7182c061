"""What a sweep's numbers say: per-run summaries, the best weight decay, and inferences.

`summarise`, `pick_best` and `inferences` are plain functions of the saved results (no I/O);
`findings_table` only lays the computed summaries out as a Rich table. Every sentence that
`inferences` returns states the numbers it rests on. Thresholds are named constants below.
This module must not train, read files or print.
"""

from __future__ import annotations

from dataclasses import dataclass

from pa2cli.sweep.config import wd_label

UNDERFIT_MARGIN = 0.02  # train accuracy this far below the best run's -> underfitting
NOISE_MARGIN = 0.005  # test-accuracy differences below this are within seed noise
OVERFIT_RISE = 0.10  # final test loss this much (relative) above its minimum ...
OVERFIT_EPOCHS = 3  # ... reached at least this many epochs before the end -> overfitting


@dataclass(frozen=True)
class RunSummary:
    weight_decay: float
    status: str
    epochs: int
    final_train_acc: float
    final_test_acc: float
    best_test_acc: float
    best_test_epoch: int
    final_train_loss: float
    final_test_loss: float
    min_test_loss: float
    min_test_loss_epoch: int
    final_val_acc: float | None
    final_val_loss: float | None

    @property
    def gap(self) -> float:
        """Train minus test accuracy at the last epoch (positive: fits train better)."""
        return self.final_train_acc - self.final_test_acc


def summarise(results: dict) -> list[RunSummary]:
    """One summary per run with at least one finished epoch, by increasing weight decay."""
    summaries = []
    first_seed = results.seeds[0] if results.runs else 0
    for run in sorted(results.runs, key=lambda r: r.weight_decay):
        rows = run.epochs
        if not rows or run.seed != first_seed:
            continue
        last = rows[-1]
        best = max(rows, key=lambda r: r.test_acc)
        lowest = min(rows, key=lambda r: r.test_loss)
        summaries.append(RunSummary(
            weight_decay=run.weight_decay, status=run.status, epochs=len(rows),
            final_train_acc=last.train_acc, final_test_acc=last.test_acc,
            best_test_acc=best.test_acc, best_test_epoch=best.epoch,
            final_train_loss=last.train_loss, final_test_loss=last.test_loss,
            min_test_loss=lowest.test_loss, min_test_loss_epoch=lowest.epoch,
            final_val_acc=last.val_acc, final_val_loss=last.val_loss))
    return summaries


def pick_best(summaries: list[RunSummary]) -> RunSummary | None:
    """Best non-diverged run: by final validation accuracy if held out, else final test accuracy.

    Equal accuracies are separated by the lower final loss on the same split.
    """
    candidates = [s for s in summaries if s.status != "diverged"]
    if not candidates:
        return None
    if all(s.final_val_acc is not None for s in candidates):
        return max(candidates, key=lambda s: (s.final_val_acc, -s.final_val_loss))
    return max(candidates, key=lambda s: (s.final_test_acc, -s.final_test_loss))


def chosen_by(summaries: list[RunSummary]) -> str:
    candidates = [s for s in summaries if s.status != "diverged"]
    if candidates and all(s.final_val_acc is not None for s in candidates):
        return "validation accuracy"
    return "test accuracy"


def _points(fraction: float) -> str:
    """A fraction as percentage points with one decimal, never "-0.0"."""
    value = fraction * 100
    return f"{0.0 if abs(value) < 0.05 else value:.1f}"


def _pts(fraction: float) -> str:
    return f"{_points(fraction)} points"


def inferences(summaries: list[RunSummary]) -> list[str]:
    """Plain-language findings, each computed from (and quoting) the numbers."""
    lines: list[str] = []
    best = pick_best(summaries)
    finished = [s for s in summaries if s.status != "diverged"]
    if best is None:
        return ["No run finished an epoch without diverging, so there is nothing to compare."]
    lines += _gain_over_none(finished, best)
    lines += _underfitting(finished)
    lines += _gap_trend(finished, underfit=_underfit_runs(finished))
    lines += _overfitting(finished)
    return lines


def diverged_notes(results: dict) -> list[str]:
    """One sentence per diverged run (including those that never finished an epoch)."""
    return [f"wd {wd_label(run.weight_decay)} diverged after {len(run.epochs)} finished "
            "epoch(s); it is left out of the comparison."
            for run in sorted(results.runs, key=lambda r: r.key)
            if run.status == "diverged"]


def _gain_over_none(finished: list[RunSummary], best: RunSummary) -> list[str]:
    baseline = next((s for s in finished if s.weight_decay == 0), None)
    how = chosen_by(finished)
    if baseline is None:
        return [f"Best weight decay (by final {how}): {wd_label(best.weight_decay)}, "
                f"test accuracy {best.final_test_acc:.2%}. The sweep has no wd 0 run, so there "
                "is no baseline to compare against."]
    if best.weight_decay == 0:
        shown = (f"{baseline.final_val_acc:.2%}; test accuracy "
                 if how.startswith("validation") else "")
        return [f"No weight decay beat none: wd 0 has the best final {how} "
                f"({shown}{baseline.final_test_acc:.2%})."]
    gain = best.final_test_acc - baseline.final_test_acc
    text = (f"Best weight decay (by final {how}): {wd_label(best.weight_decay)}, test accuracy "
            f"{best.final_test_acc:.2%} against {baseline.final_test_acc:.2%} with none "
            f"({'+' if gain >= 0 else '-'}{_pts(abs(gain))}).")
    split = "validation" if how.startswith("validation") else "test"
    best_acc, base_acc = ((best.final_val_acc, baseline.final_val_acc) if split == "validation"
                          else (best.final_test_acc, baseline.final_test_acc))
    if best_acc == base_acc:
        best_loss, base_loss = ((best.final_val_loss, baseline.final_val_loss)
                                if split == "validation"
                                else (best.final_test_loss, baseline.final_test_loss))
        text += (f" It ties with none on {split} accuracy and wins only on {split} loss "
                 f"({best_loss:.4f} against {base_loss:.4f}).")
    if abs(gain) < NOISE_MARGIN:
        text += (f" A difference under {_pts(NOISE_MARGIN)} is within what another --seed "
                 "can change; treat the values as equal.")
    return [text]


def _underfit_runs(finished: list[RunSummary]) -> list[RunSummary]:
    top = max(s.final_train_acc for s in finished)
    return [s for s in finished if s.final_train_acc < top - UNDERFIT_MARGIN]


def _penalty_underfit(finished: list[RunSummary]) -> list[RunSummary]:
    """The underfitting runs that the penalty explains: the largest weight decays, as long as
    every larger value underfits too (too much decay hurts more as it grows)."""
    under = _underfit_runs(finished)
    tail: list[RunSummary] = []
    for s in reversed(finished):  # finished is sorted by increasing weight decay
        if s not in under or s.weight_decay == 0:
            break
        tail.insert(0, s)
    return tail


def _with_train_acc(runs: list[RunSummary]) -> str:
    return ", ".join(f"{wd_label(s.weight_decay)} (train {s.final_train_acc:.2%})" for s in runs)


def _underfitting(finished: list[RunSummary]) -> list[str]:
    top = max(s.final_train_acc for s in finished)
    under = _underfit_runs(finished)
    if not under:
        return [f"No value underfits: every final train accuracy is within "
                f"{_pts(UNDERFIT_MARGIN)} of the best ({top:.2%})."]
    by_penalty = _penalty_underfit(finished)
    lines = []
    if by_penalty:
        lines.append(f"Underfitting: {_with_train_acc(by_penalty)} fit the training data more "
                     f"than {_pts(UNDERFIT_MARGIN)} worse than the best run ({top:.2%}); the "
                     "penalty is too strong there.")
    others = [s for s in under if s not in by_penalty]
    if others:
        lines.append(f"Poor fit not explained by the penalty: {_with_train_acc(others)} fit "
                     f"the training data more than {_pts(UNDERFIT_MARGIN)} worse than the best "
                     f"run ({top:.2%}), although a larger weight decay fits it better; that "
                     "points at unsteady training (try a smaller --lr or more --epochs), not at "
                     "the decay.")
    return lines


def _gap_trend(finished: list[RunSummary], underfit: list[RunSummary]) -> list[str]:
    if len(finished) < 2:
        return []
    first, last = finished[0], finished[-1]
    narrowest = min(finished, key=lambda s: abs(s.gap))
    if abs(last.gap - first.gap) < NOISE_MARGIN:
        ends = (f"{_pts(first.gap)} at wd {wd_label(first.weight_decay)} and {_pts(last.gap)} "
                f"at wd {wd_label(last.weight_decay)}")
        text = (f"The train-test accuracy gap hardly changes with weight decay ({ends}: less "
                f"than {_pts(NOISE_MARGIN)} apart, within what another --seed can change).")
    else:
        direction = "narrows" if last.gap < first.gap else "widens"
        text = (f"The train-test accuracy gap {direction} from {_pts(first.gap)} at wd "
                f"{wd_label(first.weight_decay)} to {_pts(last.gap)} at wd "
                f"{wd_label(last.weight_decay)}; it is narrowest at wd "
                f"{wd_label(narrowest.weight_decay)} ({_pts(narrowest.gap)}).")
        if narrowest in underfit:
            text += (f" wd {wd_label(narrowest.weight_decay)} underfits, so its small gap comes "
                     "from a low train accuracy, not from better generalisation.")
    return [text]


def _overfitting(finished: list[RunSummary]) -> list[str]:
    lines = []
    for s in finished:
        rose = s.final_test_loss > s.min_test_loss * (1 + OVERFIT_RISE)
        if rose and s.epochs - s.min_test_loss_epoch >= OVERFIT_EPOCHS:
            lines.append(f"Overfitting at wd {wd_label(s.weight_decay)}: the test loss was "
                         f"lowest at epoch {s.min_test_loss_epoch} ({s.min_test_loss:.4f}) and "
                         f"rose to {s.final_test_loss:.4f} by epoch {s.epochs}.")
    return lines


def findings_table(summaries: list[RunSummary], best: RunSummary | None):
    """A Rich table of the summaries, the best run's row highlighted.

    The status column appears only when some run is not done. No value contains a space, so
    in a narrow terminal only the headers wrap (80 columns fit all but the status column
    beside a validation column, which is then shortened).
    """
    from rich.table import Table

    has_val = any(s.final_val_acc is not None for s in summaries)
    has_status = any(s.status != "done" for s in summaries)
    names = ["wd", *(["status"] if has_status else []), *(["val acc"] if has_val else []),
             "test acc", "best test acc", "at epoch", "gap", "train loss", "test loss"]
    rows, styles = [], []
    for s in summaries:
        is_best = best is not None and s.weight_decay == best.weight_decay
        row = [wd_label(s.weight_decay) + (" ★" if is_best else "")]
        if has_status:
            row.append(s.status)
        if has_val:
            row.append("" if s.final_val_acc is None else f"{s.final_val_acc:.2%}")
        row += [f"{s.final_test_acc:.2%}", f"{s.best_test_acc:.2%}", str(s.best_test_epoch),
                _points(s.gap), f"{s.final_train_loss:.4f}", f"{s.final_test_loss:.4f}"]
        rows.append(row)
        styles.append("bold green" if is_best else "red" if s.status == "diverged" else None)
    table = Table(title="Findings per weight decay (final epoch unless noted)",
                  caption=f"★ best by final {chosen_by(summaries)}; gap = train acc - test acc "
                          "in points; losses are data losses (no penalty)")
    for name in names:
        table.add_column(name, justify="left" if name == "status" else "right")
    for row, style in zip(rows, styles):
        table.add_row(*row, style=style)
    return table
