"""The verdict rule of docs/sweep.md ("How the verdicts are decided") on hand-computed cases:
all seeds agree and by a lot, all agree by a little, the seeds split, some seeds collapse to
chance, and a sweep that has not converged. The intervals are worked out by hand here:
mean ± t(0.975, n-1) · sd / √n with t(0.975, 2) = 4.303."""

from __future__ import annotations

import pytest

from pa2cli.sweep.findings import analyse
from pa2cli.sweep.sentences import sentences
from tests.sweep.test_findings import make_results

BASE_LOSS = 0.40


def _loss_sweep(differences, train_acc=1.0, collapsed_seeds=()):
    """Three seeds; wd 0's test loss 0.40, wd 1e-3's 0.40 + the seed's difference."""
    curves = {}
    for seed, d in enumerate(differences):
        curves[(0.0, seed)] = [(1.0, 0.90, 0.01, BASE_LOSS)]
        acc = 0.10 if seed in collapsed_seeds else train_acc
        curves[(1e-3, seed)] = [(acc, 0.90, 0.01, BASE_LOSS + d)]
    return analyse(make_results(curves))


def test_all_agree_and_large_but_uneven_says_the_sign_count_first_not_noise():
    # -0.02, -0.03, -0.30: mean -0.11667, sd 0.15885, half-width 4.303 * 0.15885 / √3 = 0.3946
    found = _loss_sweep([-0.02, -0.03, -0.30])
    c = found.comparison(1e-3, "test_loss")
    assert c.interval.low == pytest.approx(-0.5113, abs=2e-4)
    assert c.interval.high == pytest.approx(0.2780, abs=2e-4)
    assert c.verdict == "same sign"  # |mean| 0.117 >= 10 % of 0.40, every seed lower
    line = next(l for l in sentences(found) if l.startswith("wd 1e-3 against"))
    assert "lower in 3 of 3 seeds: test loss 0.2833 against 0.4000, -0.1167" in line
    assert "within seed noise" not in line and "helps" not in line
    assert "every seed moves the same way" in line


def test_all_agree_and_tiny_is_within_seed_noise():
    # -0.001, -0.002, -0.010: mean -0.00433, sd 0.004933, half-width 0.01226
    found = _loss_sweep([-0.001, -0.002, -0.010])
    c = found.comparison(1e-3, "test_loss")
    assert c.interval.low == pytest.approx(-0.01659, abs=2e-5)
    assert c.interval.high == pytest.approx(0.00792, abs=2e-5)
    assert c.verdict == "noise"  # every seed lower, but by 0.004: under 10 % of 0.40
    line = next(l for l in sentences(found) if l.startswith("wd 1e-3 against"))
    assert "lower in 3 of 3 seeds): within seed noise" in line


def test_seeds_that_split_are_within_seed_noise():
    # +0.05, -0.06, +0.01: mean 0.0, two up and one down
    found = _loss_sweep([0.05, -0.06, 0.01])
    c = found.comparison(1e-3, "test_loss")
    assert (c.interval.positive, c.interval.negative) == (2, 1)
    assert c.interval.mean == pytest.approx(0.0, abs=1e-12)
    assert c.verdict == "noise"


def test_seeds_that_collapse_are_named_and_never_hidden_in_a_mean():
    # seeds 0 and 2 end at chance (train accuracy 10 %); seed 1 trains normally
    found = _loss_sweep([1.9, -0.05, 1.9], collapsed_seeds=(0, 2))
    assert found.summary(1e-3).collapsed == (0, 2)
    c = found.comparison(1e-3, "test_loss")
    assert c.verdict == "collapsed" and c.collapsed == (0, 2)
    assert c.rest.interval.seeds == (1,) and c.rest.verdict == "unmeasured"
    text = sentences(found)
    line = next(l for l in text if "collapsed to chance" in l)
    assert line.startswith("2 of 3 seeds collapsed to chance at wd 1e-3 (seed 0 ends at train "
                           "accuracy 10.0%")
    assert "too strong for this learning rate" in line
    rest = next(l for l in text if l.startswith("wd 1e-3 against"))
    assert "(the other one seed)" in rest and "-0.0500" in rest
    assert not any("Beyond seed noise" in l for l in text)


def test_a_sweep_that_has_not_converged_says_the_verdicts_are_premature():
    curves = {(wd, s): [(0.695, 0.60, 1.0, 1.1 + 0.01 * s)] for wd in (0.0, 1e-3)
              for s in range(3)}
    found = analyse(make_results(curves))
    assert not found.converged and found.baseline_train_acc == pytest.approx(0.695)
    warning = next(l for l in sentences(found) if l.startswith("Not converged"))
    assert "69.5%" in warning and "premature" in warning and "--epochs" in warning
    assert analyse(make_results({(wd, s): [(1.0, 0.9, 0.01, 0.4)] for wd in (0.0, 1e-3)
                                 for s in range(3)})).converged


def test_the_weight_norm_is_a_column_and_one_sentence():
    import io

    from rich.console import Console

    from pa2cli.sweep.store import parse_results
    from pa2cli.sweep.table import findings_table

    def row(train_acc, test_acc, norm):
        return {"epoch": 1, "train_loss": 0.01, "train_acc": train_acc, "test_loss": 0.4,
                "test_acc": test_acc, "weight_norm": norm, "seconds": 0.1}

    # wd 0: norms 20, 22, 18 (mean 20); wd 1e-2: 8, 9, 7.6 (mean 8.2): 41 % of it.
    # gaps: wd 0 10, 9, 11 points; wd 1e-2 8, 7, 8.7: paired -2, -2, -2.3 -> mean -2.1
    runs = []
    for seed, (n0, n1, g0, g1) in enumerate([(20, 8, 0.10, 0.08), (22, 9, 0.09, 0.07),
                                             (18, 7.6, 0.11, 0.087)]):
        runs.append({"weight_decay": 0.0, "seed": seed, "status": "done",
                     "epochs": [row(1.0, 1.0 - g0, n0)]})
        runs.append({"weight_decay": 1e-2, "seed": seed, "status": "done",
                     "epochs": [row(1.0, 1.0 - g1, n1)]})
    found = analyse(parse_results({"config": {}, "runs": runs}))
    assert found.summary(1e-2).final_weight_norm.mean == pytest.approx(8.2)
    line = next(l for l in sentences(found) if "of wd 0's norm" in l)
    assert line.startswith("wd 1e-2 ends with weights at 41% of wd 0's norm (‖w‖ 8.2 against "
                           "20.0), and a 2.1-point smaller train-test gap")
    out = io.StringIO()
    Console(file=out, width=120).print(findings_table(found))
    assert "‖w‖" in out.getvalue() and "8.2" in out.getvalue()
