"""`--wd` takes several values (space- or comma-separated), allows 0, rejects the rest."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.sweep.command import parse_weight_decays, spread_multi_value_option
from pa2cli.sweep.config import SweepConfig


@pytest.fixture
def captured(monkeypatch):
    """Run `pa2 sweep ARGS` but capture the config instead of training."""
    import pa2cli.sweep.session as session

    seen = {}

    def fake_start_sweep(config, **kwargs):
        seen["config"], seen["kwargs"] = config, kwargs
        return 0

    monkeypatch.setattr(session, "start_sweep", fake_start_sweep)

    def invoke(*args):
        result = CliRunner().invoke(cli, ["sweep", *args])
        return result, seen.get("config")

    return invoke


def test_space_separated_values_are_all_taken(captured):
    result, config = captured("--wd", "1e-4", "1e-3", "--epochs", "3")
    assert result.exit_code == 0, result.output
    assert config.weight_decays == (0.0, 1e-4, 1e-3)
    assert config.epochs == 3


def test_comma_separated_values_are_split(captured):
    _, config = captured("--wd", "1e-4,1e-3,5e-3")
    assert config.weight_decays == (0.0, 1e-4, 1e-3, 5e-3)


def test_repeated_option_and_mixed_forms_merge(captured):
    _, config = captured("--wd", "1e-4", "--lr", "0.1", "--wd", "1e-2,1e-3")
    assert config.weight_decays == (0.0, 1e-4, 1e-3, 1e-2)
    assert config.lr == 0.1


def test_zero_is_allowed_and_not_duplicated(captured):
    _, config = captured("--wd", "0", "1e-4")
    assert config.weight_decays == (0.0, 1e-4)


def test_no_baseline_leaves_zero_out(captured):
    _, config = captured("--wd", "1e-4", "1e-3", "--no-baseline")
    assert config.weight_decays == (1e-4, 1e-3)


def test_without_wd_the_default_values_and_baseline_are_used(captured):
    _, config = captured()
    assert config.weight_decays == (0.0, *SweepConfig().weight_decays)


@pytest.mark.parametrize("bad, shown", [("-1e-3", "-1e-3"), ("abc", "'abc'"),
                                        ("1e-4,x", "'x'"), ("nan", "nan"), ("inf", "inf")])
def test_bad_value_exits_2_with_one_line_naming_it(captured, bad, shown):
    result, config = captured("--wd", "1e-4", bad)
    assert result.exit_code == 2
    assert config is None
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--wd" in lines[0] and shown in lines[0], result.output


@pytest.mark.parametrize("args", [("--wd",), ("--wd", "--lr", "0.1"), ("--wd", ","),
                                  ("--wd=",), ("--wd", "1e-4", "--wd")])
def test_missing_value_exits_2_with_one_line_saying_what_to_give(captured, args):
    result, config = captured(*args)
    assert result.exit_code == 2 and config is None
    assert result.output.strip() == (
        "Error: --wd: needs one or more values. Give numbers such as --wd 1e-4 1e-3 (0 allowed).")


def test_spreading_stops_at_the_next_option_and_at_double_dash():
    assert spread_multi_value_option(["--wd", "1", "2", "--lr", "3", "--", "--wd", "4"]) == [
        "--wd", "1", "--wd", "2", "--lr", "3", "--", "--wd", "4"]


def test_parse_sorts_and_deduplicates():
    assert parse_weight_decays(("1e-3", "1e-4,1e-3"), add_baseline=False) == (1e-4, 1e-3)


def test_equals_form_is_accepted(captured):
    _, config = captured("--wd=1e-4,1e-3", "--no-baseline")
    assert config.weight_decays == (1e-4, 1e-3)


def test_each_parallel_job_gets_its_share_of_the_threads():
    from pa2cli.sweep.threads import threads_per_job

    assert [threads_per_job(8, jobs) for jobs in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.05), ("adam", 1e-3), ("adamw", 1e-3)])
def test_learning_rate_defaults_to_the_optimisers_usual_value(captured, optimizer, lr):
    _, config = captured("--optimizer", optimizer)
    assert config.optimizer == optimizer and config.lr == lr


def test_given_learning_rate_wins_over_the_optimisers_default(captured):
    _, config = captured("--optimizer", "adam", "--lr", "0.01")
    assert config.lr == 0.01


def test_help_states_each_optimisers_default_learning_rate():
    from pa2cli.sweep.config import DEFAULT_LR

    text = " ".join(CliRunner().invoke(cli, ["sweep", "--help"]).output.split())
    assert DEFAULT_LR == {"sgd": 0.05, "adam": 1e-3, "adamw": 1e-3}
    assert "default: 0.001 for adamw, 0.05 for sgd, 0.001 for adam" in text
