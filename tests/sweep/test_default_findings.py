"""The default set-up demonstrates weight decay: findings computed on a results.json saved by a
real run of the default `pa2 sweep` (tests/sweep/fixtures/default/results.json: the window-0,
2-thread, vectorised cell of `benchmarks/default_robustness.py --keep`; docs/sweep-defaults.md
has the measurement).
Training it again here would take too long for a test, so the saved numbers are the evidence
and this checks what the findings logic makes of them."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.findings import analyse
from pa2cli.sweep.sentences import sentences
from pa2cli.sweep.store import SweepResults, load_results

FIXTURE = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def default_run() -> SweepResults:
    return load_results(FIXTURE / "default")


def test_the_fixture_is_a_finished_run_of_the_current_defaults(default_run):
    saved = SweepConfig.from_dict(default_run.config)
    defaults = SweepConfig()
    for field in fields(SweepConfig):
        if field.name not in ("device", "data_dir", "weight_decays"):
            assert getattr(saved, field.name) == getattr(defaults, field.name), field.name
    assert saved.weight_decays == (0.0, *defaults.weight_decays)
    assert all(run.status == "done" and len(run.epochs) == defaults.epochs
               for run in default_run.runs)
    assert default_run.seeds == defaults.seed_list


def test_the_default_shows_a_weight_decay_that_helps_and_one_that_is_too_strong(default_run):
    """What docs/sweep-defaults.md measured in every seed window: a small weight decay lowers
    the test loss beyond seed noise, the largest default value hurts beyond seed noise, and no
    run collapses to chance or diverges at any default value."""
    found = analyse(default_run)
    judged = [c for c in found.comparisons if c.metric in ("test_loss", "test_acc")]
    assert any(c.verdict == "helps" and c.metric == "test_loss" for c in judged)
    largest = max(default_run.weight_decays)
    assert any(c.verdict == "hurts" and c.weight_decay == largest for c in judged)
    assert not found.diverged and not any(s.collapsed for s in found.summaries)
    assert found.converged
    text = " ".join(sentences(found))
    assert "so it helps" in text and "so it hurts" in text and "collapsed" not in text
