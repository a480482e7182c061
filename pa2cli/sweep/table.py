"""The findings table: one row per weight decay, mean ± sd over seeds, laid out with Rich.

Columns: wd (★ the best), n (seeds counted), final test accuracy (mean±sd, %), its binomial
standard error from the test set (±, points), best test accuracy over the epochs, final test
loss, final train accuracy and the train-test gap (points); a val column when a validation
split was held out. Cells hold no spaces, so at 80 columns only headers wrap. This module must
not compute: it formats `findings.Findings`.
"""

from __future__ import annotations

from rich import box
from rich.table import Table

from pa2cli.sweep.config import wd_label
from pa2cli.sweep.findings import Findings, Spread


def _pct(spread: Spread) -> str:
    text = f"{spread.mean * 100:.1f}"
    return text if spread.sd is None else f"{text}±{spread.sd * 100:.1f}"


def _loss(spread: Spread) -> str:
    text = f"{spread.mean:.3f}"
    return text if spread.sd is None else f"{text}±{spread.sd:.3f}"


def findings_table(f: Findings) -> Table:
    has_val = any(s.final_val_acc is not None for s in f.summaries)
    has_se = any(s.test_se is not None for s in f.summaries)
    chance = any(s.collapsed for s in f.summaries)
    names = ["wd", "n", *(["at chance"] if chance else []), *(["val acc"] if has_val else []),
             "test acc", *(["±SE"] if has_se else []), "test@val" if has_val else "best test",
             "test loss", "train acc", "gap"]
    has_norm = all(s.final_weight_norm is not None for s in f.summaries)
    if has_norm:
        names.append("‖w‖")
    table = Table(title="Findings per weight decay (final epoch, mean±sd over seeds)",
                  caption=_caption(f, has_se), box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True, show_edge=False)
    for name in names:
        table.add_column(name, justify="right", no_wrap=True)
    for s in f.summaries:
        is_best = s.weight_decay == f.best
        row = [wd_label(s.weight_decay) + (" ★" if is_best else ""), str(s.n)]
        if chance:  # bimodal seeds: the mean±sd beside it is not the whole story
            row.append(f"{len(s.collapsed)}/{s.n}" if s.collapsed else "")
        if has_val:
            row.append("" if s.final_val_acc is None else _pct(s.final_val_acc))
        row.append(_pct(s.final_test_acc))
        if has_se:
            row.append("" if s.test_se is None else f"{s.test_se * 100:.1f}")
        at = s.test_acc_at_best_val if has_val else s.best_test_acc
        row += ["" if at is None else _pct(at), _loss(s.final_test_loss), _pct(s.final_train_acc),
                _pct(s.gap)]
        if has_norm:
            row.append(f"{s.final_weight_norm.mean:.1f}")
        table.add_row(*row, style="bold green" if is_best else None)
    return table


def _caption(f: Findings, has_se: bool) -> str:
    parts = [f"★ highest mean final {f.chosen_by}", "n = seeds counted",
             *(["at chance = seeds whose run collapsed to chance (train accuracy)"]
               if any(s.collapsed for s in f.summaries) else []),
             "accuracies and gap (train acc - test acc) in %",
             "test@val = test acc at each run's best validation epoch"
             if any(s.final_val_acc is not None for s in f.summaries) else
             "best test = best epoch's",
             "losses are data losses (no penalty)"]
    if f.summaries and all(s.final_weight_norm is not None for s in f.summaries):
        parts.append("‖w‖ = final L2 norm of the decayed parameters, mean over seeds")
    if has_se:
        parts.insert(3, f"±SE = binomial error of test acc (n_test = {f.n_test})")
    return "; ".join(parts)
