"""Findings from saved results: summaries over seeds, paired comparisons with wd 0 worked out by
hand, the wording rules (an effect only beyond seed noise), fitting rules, table and JSON."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from pa2cli.sweep.findings import analyse
from pa2cli.sweep.sentences import sentences
from pa2cli.sweep.store import parse_results
from pa2cli.sweep.table import findings_table


def make_results(curves: dict, statuses: dict | None = None, val: dict | None = None,
                 n_test: int | None = 400) -> object:
    """curves: (wd, seed) -> list of (train_acc, test_acc, train_loss, test_loss) per epoch."""
    runs = []
    for (wd, seed), rows in curves.items():
        epochs = []
        for i, (train_acc, test_acc, train_loss, test_loss) in enumerate(rows, start=1):
            row = {"epoch": i, "train_loss": train_loss, "train_acc": train_acc,
                   "test_loss": test_loss, "test_acc": test_acc}
            if val is not None:
                row["val_loss"], row["val_acc"] = val[(wd, seed)][i - 1]
            row["seconds"] = 0.1
            epochs.append(row)
        runs.append({"weight_decay": wd, "seed": seed,
                     "status": (statuses or {}).get((wd, seed), "done"), "epochs": epochs})
    data = {"config": {}, "runs": runs}
    if n_test:
        data["data"] = {"train": 150, "test": n_test, "val": None}
    return parse_results(data)


# Three seeds. Test loss: wd 1e-3 is lower than wd 0 in every seed (differences -0.10, -0.08,
# -0.12); test accuracy: the seeds split (differences +0.02, -0.01, +0.005). wd 1e-1 underfits.
AGREE_AND_SPLIT = make_results({
    (0.0, 0): [(1.00, 0.90, 0.01, 0.40)], (1e-3, 0): [(1.00, 0.92, 0.02, 0.30)],
    (0.0, 1): [(1.00, 0.91, 0.01, 0.38)], (1e-3, 1): [(1.00, 0.90, 0.02, 0.30)],
    (0.0, 2): [(1.00, 0.89, 0.01, 0.42)], (1e-3, 2): [(1.00, 0.895, 0.02, 0.30)],
    (1e-1, 0): [(0.50, 0.45, 1.50, 1.60)], (1e-1, 1): [(0.52, 0.47, 1.40, 1.50)],
    (1e-1, 2): [(0.54, 0.49, 1.45, 1.55)],
})


def _comparison(found, wd, metric):
    return found.comparison(wd, metric)


def test_summary_holds_mean_sd_and_the_binomial_error_over_seeds():
    s = analyse(AGREE_AND_SPLIT).summary(0.0)
    assert s.seeds == (0, 1, 2) and s.n == 3
    assert s.final_test_acc.mean == pytest.approx(0.90)
    assert s.final_test_acc.sd == pytest.approx(0.01)  # 0.90, 0.91, 0.89
    assert s.final_test_loss.mean == pytest.approx(0.40)
    assert s.gap.mean == pytest.approx(0.10)
    assert s.test_se == pytest.approx(0.015)  # sqrt(0.9 * 0.1 / 400)


def test_loss_lower_in_every_seed_helps_with_the_hand_computed_interval():
    c = _comparison(analyse(AGREE_AND_SPLIT), 1e-3, "test_loss")
    assert c.verdict == "helps"
    assert c.interval.differences == pytest.approx((-0.10, -0.08, -0.12))
    assert (c.interval.low, c.interval.high) == pytest.approx((-0.149683, -0.050317), abs=1e-6)
    assert (c.baseline, c.treated) == pytest.approx((0.40, 0.30))


def test_accuracy_that_splits_the_seeds_is_within_noise():
    c = _comparison(analyse(AGREE_AND_SPLIT), 1e-3, "test_acc")
    assert c.verdict == "noise"
    assert (c.interval.low, c.interval.high) == pytest.approx((-0.032262, 0.042262), abs=1e-6)
    assert (c.interval.positive, c.interval.negative) == (2, 1)


def test_sentences_claim_the_loss_effect_and_call_the_accuracy_noise():
    lines = sentences(analyse(AGREE_AND_SPLIT))
    line = next(l for l in lines if l.startswith("wd 1e-3 against wd 0 (3 paired seeds)"))
    assert ("test loss 0.3000 against 0.4000, -0.1000 (95 % interval -0.1497 to -0.0503; "
            "lower in 3 of 3 seeds): lower beyond seed noise, so it helps") in line
    assert ("test accuracy 90.50% against 90.00%, +0.5 points (95 % interval -3.2 to +4.2 "
            "points; higher in 2 of 3 seeds): within seed noise") in line
    verdict = next(l for l in lines if l.startswith("Beyond seed noise"))
    assert "helps: wd 1e-3 (test loss)" in verdict


def test_a_large_decay_that_fits_worse_is_called_underfitting_with_its_rule():
    found = analyse(AGREE_AND_SPLIT)
    assert found.underfitting == (1e-1,)
    line = next(l for l in sentences(found) if l.startswith("Underfitting"))
    assert "more than 2.0 points below the highest (100.00%)" in line
    assert "wd 1e-1 (train 52.00%; underfits in 3 of 3 seeds)" in line
    c = _comparison(found, 1e-1, "test_acc")
    assert c.verdict == "hurts"  # -0.45, -0.44, -0.40: every seed much worse


def test_one_seed_states_that_noise_is_unmeasured_and_gives_the_binomial_error():
    results = make_results({(0.0, 0): [(1.0, 0.90, 0.01, 0.40)],
                            (1e-3, 0): [(1.0, 0.95, 0.02, 0.20)]})
    found = analyse(results)
    assert {c.verdict for c in found.comparisons} == {"unmeasured"}
    text = " ".join(sentences(found))
    assert "the seed-to-seed noise is unmeasured" in text
    assert "standard error of up to ±1.5 points" in text and "n = 400 test images" in text
    assert "helps" not in text and "hurts" not in text and "Beyond seed noise" not in text


def test_the_same_one_image_difference_in_every_seed_is_not_called_an_effect():
    # every seed loses exactly two of 400 test images: sd 0, a zero-width interval
    results = make_results({(0.0, s): [(1.0, 0.9, 0.01, 0.40)] for s in range(3)}
                           | {(1e-3, s): [(1.0, 0.895, 0.01, 0.40 + 0.01 * s)] for s in range(3)})
    found = analyse(results)
    assert _comparison(found, 1e-3, "test_acc").verdict == "no spread"
    line = next(l for l in sentences(found) if l.startswith("wd 1e-3"))
    assert "-0.5 points, the same in all 3 seeds (no spread to build an interval on" in line
    assert "hurts" not in line


def test_nothing_beyond_noise_is_said_in_one_sentence():
    results = make_results({(0.0, 0): [(1.0, 0.90, 0.01, 0.40)],
                            (0.0, 1): [(1.0, 0.91, 0.01, 0.38)],
                            (1e-4, 0): [(1.0, 0.91, 0.01, 0.39)],
                            (1e-4, 1): [(1.0, 0.90, 0.01, 0.39)]})
    text = sentences(analyse(results))
    assert any(l.startswith("No weight decay differs from wd 0 beyond seed noise") for l in text)


def test_pairs_are_matched_by_seed_not_by_position():
    # seed 1's wd 0 run is missing: only seeds 0 and 2 pair up
    results = make_results({(0.0, 0): [(1.0, 0.90, 0.01, 0.40)],
                            (0.0, 2): [(1.0, 0.80, 0.01, 0.60)],
                            (1e-3, 2): [(1.0, 0.81, 0.01, 0.50)],
                            (1e-3, 1): [(1.0, 0.99, 0.01, 0.01)],
                            (1e-3, 0): [(1.0, 0.91, 0.01, 0.30)]})
    c = _comparison(analyse(results), 1e-3, "test_loss")
    assert c.interval.seeds == (0, 2)
    assert c.interval.differences == pytest.approx((-0.10, -0.10))


def test_diverged_runs_are_named_and_left_out_of_the_pairs():
    results = make_results({(0.0, 0): [(1.0, 0.90, 0.01, 0.40)],
                            (0.0, 1): [(1.0, 0.91, 0.01, 0.38)],
                            (10.0, 0): [], (10.0, 1): [(0.1, 0.1, 2.3, 2.3)]},
                           statuses={(10.0, 0): "diverged"})
    found = analyse(results)
    assert found.diverged == ((10.0, 0, 0),)
    assert found.summary(10.0).seeds == (1,) and found.summary(10.0).left_out == 1
    assert sentences(found)[0] == ("wd 10 seed 0 diverged after 0 finished epochs; it is "
                                   "left out of the comparison.")


def test_overfitting_rule_uses_the_mean_test_loss_curve():
    rising = [(0.9, 0.85, 0.4, 0.50), (0.95, 0.89, 0.2, 0.30), (0.97, 0.9, 0.1, 0.35),
              (0.98, 0.9, 0.06, 0.40), (0.99, 0.9, 0.03, 0.45)]
    flat = [(0.9, 0.85, 0.4, 0.45), (0.94, 0.9, 0.25, 0.33), (0.96, 0.92, 0.15, 0.29),
            (0.97, 0.93, 0.12, 0.27), (0.97, 0.93, 0.11, 0.26)]
    found = analyse(make_results({(0.0, 0): rising, (1e-3, 0): flat}))
    assert found.overfitting == (0.0,)
    line = next(l for l in sentences(found) if l.startswith("Overfitting"))
    assert "lowest 0.3000 at epoch 2, 0.4500 at epoch 5" in line


def test_validation_accuracy_chooses_the_best_when_held_out():
    results = make_results({(0.0, 0): [(0.99, 0.95, 0.1, 0.2)],
                            (1e-3, 0): [(0.99, 0.94, 0.1, 0.2)]},
                           val={(0.0, 0): [(0.2, 0.90)], (1e-3, 0): [(0.2, 0.93)]})
    found = analyse(results)
    assert found.best == 1e-3 and found.chosen_by == "validation accuracy"


def test_without_a_zero_run_there_is_no_comparison():
    found = analyse(make_results({(1e-4, 0): [(0.99, 0.95, 0.1, 0.2)],
                                  (1e-3, 0): [(0.99, 0.96, 0.1, 0.2)]}))
    assert found.comparisons == () and found.best == 1e-3
    assert "no wd 0 run" in " ".join(sentences(found))


def test_table_shows_mean_sd_seeds_and_binomial_error_within_80_columns():
    console = Console(file=io.StringIO(), width=80)
    console.print(findings_table(analyse(AGREE_AND_SPLIT)))
    lines = console.file.getvalue().splitlines()
    assert all(len(l) <= 80 for l in lines)
    row = next(l for l in lines if l.split() and l.split()[0] == "0")
    # wd, n, test acc mean±sd, ±SE, best acc, test loss, train acc, gap (all over 3 seeds)
    assert row.split() == ["0", "3", "90.0±1.0", "1.5", "90.0±1.0", "0.400±0.020",
                           "100.0±0.0", "10.0±1.0"]
    assert any("1e-3 ★" in l for l in lines)  # highest mean test accuracy, 90.5 %


def test_json_carries_the_same_numbers_as_the_sentences(tmp_path):
    from pa2cli.sweep.report import findings_json

    data = json.loads(findings_json(AGREE_AND_SPLIT))
    loss = next(c for c in data["comparisons"]
                if c["weight_decay"] == 1e-3 and c["metric"] == "test_loss")
    assert loss["verdict"] == "helps" and loss["positive"] == 0 and loss["negative"] == 3
    assert loss["ci_low"] == pytest.approx(-0.149683, abs=1e-6)
    assert data["underfitting"] == [0.1] and data["n_seeds"] == 3 and data["n_test"] == 400
    assert any("-0.1497 to -0.0503" in line for line in data["sentences"])
