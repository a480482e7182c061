"""--resume reads the saved config by the options' own rules (a wrong type names the key),
takes every option not given from the saved sweep, and names a conflicting option the way the
user writes it."""

from __future__ import annotations

import json

import click
import pytest

from pa2cli.sweep.config import SAVED_CONFIG_RULES, SweepConfig


def _set_config(folder, **values) -> None:
    data = json.loads((folder / "results.json").read_text())
    data["config"].update(values)
    (folder / "results.json").write_text(json.dumps(data))


@pytest.mark.parametrize("key, value", [
    ("weight_decays", "abc"), ("weight_decays", 5), ("weight_decays", [1e-3, -1]),
    ("weight_decays", []), ("epochs", "3x"), ("epochs", 2.5), ("epochs", True),
    ("lr", "fast"), ("lr", 0), ("seed", "x"), ("seed", 2 ** 70), ("batch_size", 0),
    ("model", 5), ("device", "tpu"), ("dataset", ["digits"]), ("momentum", 1.5),
    ("val_split", 1), ("decay_bias_norm", "yes"), ("optimizer", None),
])
def test_a_wrong_type_in_the_saved_config_exits_2_naming_the_key(sweep_copy, invoke, key,
                                                                  value, one_line_error):
    _set_config(sweep_copy, **{key: value})
    result = invoke("sweep", "--out", sweep_copy, "--resume", "--no-plot")
    assert result.exit_code == 2, result.output
    line = one_line_error(result.output)
    assert f"results.json: config.{key}: " in line, line


def test_a_huge_saved_integer_is_named_without_printing_it(sweep_copy, invoke, one_line_error):
    text = (sweep_copy / "results.json").read_text().replace('"epochs": 1,',
                                                             '"epochs": ' + "9" * 4000 + ",")
    (sweep_copy / "results.json").write_text(text)
    result = invoke("sweep", "--out", sweep_copy, "--resume", "--no-plot")
    assert result.exit_code == 2
    line = one_line_error(result.output)
    assert "config.epochs" in line and len(line) < 400


# The saved config's rules agree with the Click types of the options that set the same field.
OPTION_OF = {"batch_size": "--batch-size", "epochs": "--epochs", "lr": "--lr",
             "momentum": "--momentum", "val_split": "--val-split", "seed": "--seed",
             "device": "--device", "dataset": "--dataset", "optimizer": "--optimizer",
             "seeds": "--seeds"}
SAMPLES = [-1, 0, 1, 2, 0.5, 1.0, 1.5, 64, 100, 101, "cpu", "tpu", "digits", "sgd", "adamw",
           "x"]


def _click_accepts(option: str, value) -> bool:
    from pa2cli.sweep.command import sweep

    parameter = next(p for p in sweep.params if option in p.opts)
    if isinstance(value, str) and isinstance(parameter.type, (click.types.IntParamType,
                                                              click.types.FloatParamType)):
        return False  # a string in JSON is not a number, whatever it spells
    if isinstance(value, float) and isinstance(parameter.type, click.types.IntParamType):
        return False  # JSON 1.0 is not a whole number for --epochs either (click says "1.0")
    try:
        parameter.type.convert(value, parameter, None)
    except click.BadParameter:
        return False
    return True


@pytest.mark.parametrize("field", sorted(OPTION_OF))
def test_saved_config_rules_match_the_options(field):
    check, _ = SAVED_CONFIG_RULES[field]
    for value in SAMPLES:
        assert check(value) == _click_accepts(OPTION_OF[field], value), (field, value)


def test_every_config_field_has_a_saved_rule():
    from dataclasses import fields

    assert {f.name for f in fields(SweepConfig)} == set(SAVED_CONFIG_RULES)


def test_resume_with_no_baseline_alone_keeps_the_saved_weight_decays(sweep_copy, invoke):
    result = invoke("sweep", "--out", sweep_copy, "--resume", "--no-baseline", "--epochs", "2",
                    "--no-plot")
    assert result.exit_code == 0, result.output
    runs = json.loads((sweep_copy / "results.json").read_text())["runs"]
    assert [(r["weight_decay"], len(r["epochs"])) for r in runs] == [(0.0, 2), (1e-3, 2)]


@pytest.mark.parametrize("args, expected", [
    (["--no-decay-bias-norm"], "--no-decay-bias-norm: given --no-decay-bias-norm, but the "
                               "saved sweep was started without --no-decay-bias-norm"),
    (["--wd", "1e-2"], "--wd: given --wd 0 1e-2, but the saved sweep was started with "
                       "--wd 0 1e-3"),
    (["--wd", "1e-3", "--no-baseline"], "--wd: given --wd 1e-3, but the saved sweep was "
                                        "started with --wd 0 1e-3"),
    (["--lr", "0.3"], "--lr: given --lr 0.3, but the saved sweep was started with --lr 0.001"),
    (["--batch-size", "32"], "--batch-size: given --batch-size 32, but the saved sweep was "
                             "started with --batch-size 64"),
])
def test_a_conflicting_option_is_named_as_the_user_writes_it(sweep_copy, invoke, args,
                                                              expected, one_line_error):
    result = invoke("sweep", "--out", sweep_copy, "--resume", *args)
    assert result.exit_code == 2
    assert one_line_error(result.output).startswith("Error: " + expected)
