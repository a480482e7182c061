"""Findings computed from constructed results: every statement follows from the numbers."""

from __future__ import annotations

import io

from rich.console import Console

from pa2cli.sweep.findings import (diverged_notes, findings_table, inferences, pick_best,
                                   summarise)
from pa2cli.sweep.store import parse_results


def make_results(curves: dict, statuses: dict | None = None, val: dict | None = None) -> dict:
    """curves: wd -> list of (train_acc, test_acc, train_loss, test_loss) per epoch."""
    runs = []
    for wd, rows in curves.items():
        epochs = []
        for i, (train_acc, test_acc, train_loss, test_loss) in enumerate(rows, start=1):
            row = {"epoch": i, "train_loss": train_loss, "train_acc": train_acc,
                   "test_loss": test_loss, "test_acc": test_acc}
            if val is not None:
                row["val_loss"], row["val_acc"] = val[wd][i - 1]
            row["seconds"] = 0.1
            epochs.append(row)
        runs.append({"weight_decay": wd, "status": (statuses or {}).get(wd, "done"),
                     "epochs": epochs})
    return parse_results({"config": {}, "runs": runs})


# wd 0 overfits (test loss lowest at epoch 2, then rises), 1e-3 is best, 1e-1 underfits.
TYPICAL = make_results({
    0.0: [(0.90, 0.85, 0.40, 0.50), (0.95, 0.89, 0.20, 0.30), (0.97, 0.90, 0.10, 0.35),
          (0.98, 0.90, 0.06, 0.40), (0.99, 0.90, 0.03, 0.45)],
    1e-3: [(0.90, 0.86, 0.40, 0.45), (0.94, 0.90, 0.25, 0.33), (0.96, 0.92, 0.15, 0.29),
           (0.97, 0.93, 0.12, 0.27), (0.97, 0.93, 0.11, 0.26)],
    1e-1: [(0.70, 0.69, 1.00, 1.01), (0.76, 0.75, 0.80, 0.82), (0.78, 0.77, 0.75, 0.77),
           (0.79, 0.78, 0.72, 0.74), (0.80, 0.79, 0.70, 0.72)],
})


def text(lines):
    return "\n".join(lines)


def cells(row: str) -> list[str]:
    """The cells of one rendered table row."""
    return [cell.strip() for cell in row.strip().strip("│").split("│")]


def test_best_is_the_highest_final_test_accuracy_and_its_gain_over_none_is_stated():
    summaries = summarise(TYPICAL)
    assert pick_best(summaries).weight_decay == 1e-3
    line = inferences(summaries)[0]
    assert "1e-3" in line and "93.00%" in line and "90.00%" in line and "+3.0 points" in line
    assert "another --seed" not in line  # 3 points is above the noise margin


def test_only_the_value_far_below_the_best_train_accuracy_is_called_underfitting():
    found = [l for l in inferences(summarise(TYPICAL)) if l.startswith("Underfitting")]
    assert len(found) == 1
    assert "1e-1 (train 80.00%)" in found[0] and "99.00%" in found[0]
    assert "1e-3 (" not in found[0] and " 0 (" not in found[0]


def test_gap_trend_quotes_the_gaps_at_both_ends_and_the_narrowest():
    line = next(l for l in inferences(summarise(TYPICAL)) if "gap" in l)
    # gaps: wd 0: 99 - 90 = 9 points; 1e-3: 97 - 93 = 4; 1e-1: 80 - 79 = 1
    assert "narrows from 9.0 points at wd 0 to 1.0 points at wd 1e-1" in line
    assert "narrowest at wd 1e-1 (1.0 points)" in line


def test_gap_that_grows_with_decay_is_called_widening():
    results = make_results({0.0: [(0.95, 0.94, 0.1, 0.2)], 1e-2: [(0.99, 0.90, 0.1, 0.3)]})
    line = next(l for l in inferences(summarise(results)) if "gap" in l)
    assert "widens from 1.0 points at wd 0 to 9.0 points at wd 1e-2" in line


def test_overfitting_is_reported_where_test_loss_rose_after_its_minimum():
    lines = [l for l in inferences(summarise(TYPICAL)) if l.startswith("Overfitting")]
    assert lines == ["Overfitting at wd 0: the test loss was lowest at epoch 2 (0.3000) and "
                     "rose to 0.4500 by epoch 5."]


def test_when_no_decay_helps_the_finding_says_so():
    results = make_results({0.0: [(0.99, 0.95, 0.1, 0.2)], 1e-2: [(0.97, 0.93, 0.2, 0.25)]})
    assert inferences(summarise(results))[0].startswith("No weight decay beat none")


def test_equal_accuracy_is_a_tie_decided_by_the_lower_loss_and_flagged_as_noise():
    results = make_results({0.0: [(0.99, 0.95, 0.1, 0.20)], 1e-4: [(0.99, 0.95, 0.1, 0.18)]})
    summaries = summarise(results)
    assert pick_best(summaries).weight_decay == 1e-4
    line = inferences(summaries)[0]
    assert "(+0.0 points)" in line and "ties with none" in line and "0.1800 against 0.2000" in line
    assert "another --seed" in line


def test_without_a_zero_run_there_is_no_baseline_comparison():
    results = make_results({1e-4: [(0.99, 0.95, 0.1, 0.2)], 1e-3: [(0.99, 0.96, 0.1, 0.2)]})
    line = inferences(summarise(results))[0]
    assert "1e-3" in line and "no wd 0 run" in line


def test_validation_accuracy_chooses_the_best_even_if_its_test_accuracy_is_lower():
    results = make_results({0.0: [(0.99, 0.95, 0.1, 0.2)], 1e-3: [(0.99, 0.94, 0.1, 0.2)]},
                           val={0.0: [(0.2, 0.90)], 1e-3: [(0.2, 0.93)]})
    summaries = summarise(results)
    assert pick_best(summaries).weight_decay == 1e-3
    line = inferences(summaries)[0]
    assert "by final validation accuracy" in line and "(-1.0 points)" in line


def test_diverged_runs_are_named_and_left_out_of_the_comparison():
    results = make_results({0.0: [(0.99, 0.95, 0.1, 0.2)], 10.0: []}, statuses={10.0: "diverged"})
    assert diverged_notes(results) == [
        "wd 1e1 diverged after 0 finished epoch(s); it is left out of the comparison."]
    assert [s.weight_decay for s in summarise(results)] == [0.0]


def test_table_marks_the_best_row_and_shows_the_final_numbers():
    summaries = summarise(TYPICAL)
    console = Console(file=io.StringIO(), width=100)
    console.print(findings_table(summaries, pick_best(summaries)))
    lines = console.file.getvalue().splitlines()
    best_row = next(l for l in lines if "1e-3 ★" in l)
    # wd, test acc, best test acc, its epoch, gap (97 - 93 points), train loss, test loss
    assert cells(best_row) == [
        "1e-3 ★", "93.00%", "93.00%", "4", "4.0", "0.1100", "0.2600"]
    assert sum("★" in l for l in lines) == 2  # the best row and the caption
    assert "status" not in console.file.getvalue()  # every run is done: no status column


def test_table_shows_a_status_column_when_a_run_is_not_done():
    results = make_results({0.0: [(0.99, 0.95, 0.1, 0.2)], 1e-1: [(0.5, 0.5, 1.0, 1.0)]},
                           statuses={1e-1: "diverged"})
    summaries = summarise(results)
    console = Console(file=io.StringIO(), width=100)
    console.print(findings_table(summaries, pick_best(summaries)))
    row = next(l for l in console.file.getvalue().splitlines() if "1e-1" in l)
    assert cells(row)[:2] == ["1e-1", "diverged"]


def test_table_with_validation_fits_80_columns_without_wrapping_a_value():
    summaries = summarise(make_results(
        {0.0: [(0.99, 0.95, 0.1, 0.2)] * 12, 1e-3: [(0.99, 0.94, 0.1, 0.2)] * 12},
        val={0.0: [(0.2, 0.90)] * 12, 1e-3: [(0.2, 0.93)] * 12}))
    console = Console(file=io.StringIO(), width=80)
    console.print(findings_table(summaries, pick_best(summaries)))
    lines = console.file.getvalue().splitlines()
    rows = [l for l in lines if l.startswith("│")]
    assert len(rows) == 2 and all(len(l) <= 80 for l in lines)  # one line per run
    assert cells(rows[1])[:3] == ["1e-3 ★", "93.00%", "94.00%"]


def test_a_narrow_gap_caused_by_underfitting_is_called_out():
    # TYPICAL's narrowest gap (1 point) is at 1e-1, which underfits (train 80% vs best 99%).
    line = next(l for l in inferences(summarise(TYPICAL)) if "gap" in l)
    assert line.endswith("wd 1e-1 underfits, so its small gap comes from a low train accuracy, "
                         "not from better generalisation.")


def test_a_tiny_negative_gap_is_shown_as_zero_not_minus_zero():
    results = make_results({0.0: [(0.95, 0.9, 0.1, 0.2)], 1e-1: [(0.1001, 0.1003, 2.3, 2.3)]})
    summaries = summarise(results)
    console = Console(file=io.StringIO(), width=100)
    console.print(findings_table(summaries, pick_best(summaries)))
    assert "-0.0" not in console.file.getvalue() + text(inferences(summaries))
    gap_cells = [cells(l)[4] for l in console.file.getvalue().splitlines()
                 if l.startswith("│")]
    assert gap_cells == ["5.0", "0.0"]


def test_underfitting_that_a_larger_decay_does_not_share_is_not_blamed_on_the_penalty():
    # 1e-4 fits worse than both 0 and the larger 1e-3: the penalty cannot explain that.
    results = make_results({0.0: [(0.97, 0.94, 0.1, 0.2)], 1e-4: [(0.93, 0.92, 0.3, 0.3)],
                            1e-3: [(0.97, 0.95, 0.1, 0.2)]})
    lines = inferences(summarise(results))
    assert not any(l.startswith("Underfitting") for l in lines)
    line = next(l for l in lines if l.startswith("Poor fit not explained by the penalty"))
    assert "1e-4 (train 93.00%)" in line and "97.00%" in line and "--lr" in line


def test_only_the_largest_decays_that_all_underfit_are_blamed_on_the_penalty():
    results = make_results({0.0: [(0.99, 0.95, 0.1, 0.2)], 1e-3: [(0.90, 0.88, 0.3, 0.3)],
                            1e-2: [(0.99, 0.96, 0.1, 0.2)], 1e-1: [(0.80, 0.79, 0.7, 0.7)]})
    lines = inferences(summarise(results))
    penalty = next(l for l in lines if l.startswith("Underfitting"))
    other = next(l for l in lines if l.startswith("Poor fit"))
    assert "1e-1 (train 80.00%)" in penalty and "1e-3" not in penalty
    assert "1e-3 (train 90.00%)" in other and "1e-1" not in other


def test_a_gap_change_within_noise_is_not_called_a_trend():
    # gaps 1.1 and 1.4 points: 0.3 points apart, under the 0.5-point noise margin
    results = make_results({0.0: [(1.0, 0.989, 0.1, 0.2)], 1e-3: [(1.0, 0.986, 0.1, 0.2)]})
    line = next(l for l in inferences(summarise(results)) if "gap" in l)
    assert line.startswith("The train-test accuracy gap hardly changes with weight decay")
    assert "1.1 points at wd 0 and 1.4 points at wd 1e-3" in line
    assert "widens" not in line and "narrows" not in line
