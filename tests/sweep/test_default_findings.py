"""The default set-up demonstrates weight decay: findings computed on a results.json saved by a
real run of the default `pa2 sweep` (tests/sweep/fixtures/default_results.json, written by
`benchmarks/default_setup.py --save-fixture`; docs/sweep-defaults.md has the measurement).
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
README_LIST = (0.0, 1e-4, 1e-3)  # pa2 sweep --wd 1e-4 1e-3 and its automatic baseline


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


def test_the_default_shows_a_weight_decay_that_helps_and_one_that_underfits(default_run):
    found = analyse(default_run)
    helps = [c for c in found.comparisons
             if c.verdict == "helps" and c.metric in ("test_loss", "test_acc")]
    assert helps, "no weight decay helps beyond seed noise"
    assert found.underfitting and max(found.underfitting) == max(default_run.weight_decays)
    text = " ".join(sentences(found))
    assert "so it helps" in text and "Underfitting" in text


def test_the_readme_command_shows_a_weight_decay_that_helps(default_run):
    """Runs are paired by seed and independent of the other weight decays, so the runs of
    0, 1e-4 and 1e-3 are exactly what `pa2 sweep --wd 1e-4 1e-3` trains."""
    subset = SweepResults(default_run.config,
                          [r for r in default_run.runs if r.weight_decay in README_LIST],
                          default_run.data)
    found = analyse(subset)
    assert any(c.verdict == "helps" for c in found.comparisons
               if c.metric in ("test_loss", "test_acc"))
