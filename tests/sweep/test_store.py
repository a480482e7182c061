"""results.json has the issue's shape, results.csv the same rows, both rewritten atomically
after every epoch; a missing or malformed results.json is a one-line error."""

from __future__ import annotations

import csv
import json
import math

import pytest

from pa2cli.errors import UserError
from pa2cli.sweep.store import EpochRow, Run, SweepFolder, SweepResults, load_results

EPOCH_KEYS = ["epoch", "train_loss", "train_acc", "test_loss", "test_acc", "weight_norm",
              "seconds"]


def test_results_json_has_the_documented_shape(tmp_path, digits, tiny_config, run_tiny_sweep):
    run_tiny_sweep(tiny_config, tmp_path, digits)
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results) == {"config", "data", "runs"}
    assert results["data"] == {"train": len(digits.train), "test": len(digits.test), "val": None}
    assert results["config"]["weight_decays"] == [0.0, 1e-3]
    assert "penalty" in results["config"]["loss"]
    assert [run["weight_decay"] for run in results["runs"]] == [0.0, 1e-3]
    for run in results["runs"]:
        assert set(run) == {"weight_decay", "seed", "status", "epochs"}
        assert run["seed"] == 0
        assert run["status"] == "done"
        assert [row["epoch"] for row in run["epochs"]] == [1, 2]
        for row in run["epochs"]:
            assert list(row) == EPOCH_KEYS
            assert 0 <= row["train_acc"] <= 1 and 0 <= row["test_acc"] <= 1
            assert all(isinstance(row[k], float) and math.isfinite(row[k]) for k in EPOCH_KEYS[1:])


def test_csv_holds_the_same_rows_as_the_json(tmp_path, digits, tiny_config, run_tiny_sweep):
    results, _ = run_tiny_sweep(tiny_config, tmp_path, digits)
    with open(tmp_path / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = [(run.weight_decay, row.to_dict()) for run in results.runs for row in run.epochs]
    assert len(rows) == len(expected) == 4
    for got, (wd, row) in zip(rows, expected):
        assert float(got["weight_decay"]) == wd and got["status"] == "done"
        assert got["seed"] == "0"
        for key in EPOCH_KEYS:
            assert float(got[key]) == row[key]
        assert got["val_acc"] == ""


def test_every_finished_epoch_is_in_its_checkpoint_before_the_next_starts(
        tmp_path, digits, tiny_config, run_tiny_sweep):
    import torch

    seen = []

    def check_disk(key, row):
        weight_decay, seed = key
        path = tmp_path / "checkpoints" / f"wd_{weight_decay!r}_seed_{seed}.pt"
        rows = torch.load(path, weights_only=True)["rows"]
        seen.append((weight_decay, rows[-1] == row.to_dict(), len(rows)))
        assert not list(tmp_path.glob("*.tmp"))

    run_tiny_sweep(tiny_config, tmp_path, digits, after_epoch=check_disk)
    assert seen == [(0.0, True, 1), (0.0, True, 2), (1e-3, True, 1), (1e-3, True, 2)]


def test_results_json_lags_by_at_most_the_save_interval_and_is_complete_at_the_end(
        tmp_path, digits, tiny_config, run_tiny_sweep, monkeypatch):
    from pa2cli.sweep import events

    monkeypatch.setattr(events, "SAVE_SECONDS", 3600.0)  # only the forced saves happen
    lengths = []

    def check_disk(key, row):
        saved = json.loads((tmp_path / "results.json").read_text())
        lengths.append([len(r["epochs"]) for r in saved["runs"]])

    results, _ = run_tiny_sweep(tiny_config.with_changes(epochs=3), tmp_path, digits,
                                after_epoch=check_disk)
    # saved when each run starts (0 epochs) and ends; in between only after SAVE_SECONDS
    assert lengths == [[0, 0], [0, 0], [0, 0], [3, 0], [3, 0], [3, 0]]
    assert load_results(tmp_path) == results


def test_an_interrupt_saves_the_epochs_recorded_since_the_last_save(
        tmp_path, digits, tiny_config, run_tiny_sweep, monkeypatch):
    from pa2cli.sweep import events

    monkeypatch.setattr(events, "SAVE_SECONDS", 3600.0)

    def interrupt(key, row):
        if row.epoch == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_tiny_sweep(tiny_config.with_changes(epochs=3), tmp_path, digits,
                       after_epoch=interrupt)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert [len(r["epochs"]) for r in saved["runs"]] == [2, 0]


def _write(folder, text):
    folder.mkdir(exist_ok=True)
    (folder / "results.json").write_text(text)


@pytest.mark.parametrize("text, where", [
    ("{not json", "not readable JSON"),
    ('{"runs": []}', "config"),
    ('{"config": {}, "runs": [{"weight_decay": -1, "status": "done", "epochs": []}]}',
     "runs[0].weight_decay"),
    ('{"config": {}, "runs": [{"weight_decay": 0, "status": "odd", "epochs": []}]}',
     "runs[0].status"),
    ('{"config": {}, "runs": [{"weight_decay": 0, "seed": 1.5, "status": "done", "epochs": []}]}',
     "runs[0].seed"),
    ('{"config": {"seed": -1}, "runs": []}', "config.seed"),
    ('{"config": {}, "runs": [{"weight_decay": 0, "status": "done", "epochs": '
     '[{"epoch": 1, "train_loss": 1, "train_acc": 2, "test_loss": 1, "test_acc": 0.5, '
     '"seconds": 1}]}]}', "runs[0].epochs[0].train_acc"),
])
def test_malformed_results_name_what_is_wrong(tmp_path, text, where):
    _write(tmp_path / "sweep", text)
    with pytest.raises(UserError) as caught:
        load_results(tmp_path / "sweep")
    assert where in caught.value.message and "\n" not in caught.value.message


def test_missing_folder_and_missing_file_are_user_errors(tmp_path):
    for folder in (tmp_path / "nowhere", tmp_path):
        with pytest.raises(UserError):
            load_results(folder)


def test_saved_results_round_trip_exactly(tmp_path):
    row = EpochRow(epoch=1, train_loss=0.1 + 0.2, train_acc=1 / 3, test_loss=2 / 7, test_acc=0.5,
                   seconds=0.25, val_loss=1 / 9, val_acc=0.25)
    results = SweepResults({"epochs": 1, "seed": 4}, [Run(1e-4, 5, "done", [row]),
                                                      Run(0.0, 4, "partial", [])])
    SweepFolder(tmp_path).save(results)
    assert load_results(tmp_path) == results


def test_a_file_written_before_seeds_loads_with_the_configs_seed(tmp_path):
    """results.json from before this change: no "seeds"/"seed" per run; config.seed is theirs."""
    row = {"epoch": 1, "train_loss": 0.5, "train_acc": 0.75, "test_loss": 0.625,
           "test_acc": 0.5, "seconds": 1.0}
    _write(tmp_path / "old", json.dumps({"config": {"seed": 7, "epochs": 1}, "runs": [
        {"weight_decay": 0.0, "status": "done", "epochs": [row]},
        {"weight_decay": 1e-3, "status": "partial", "epochs": []}]}))
    results = load_results(tmp_path / "old")
    assert [run.key for run in results.runs] == [(0.0, 7), (1e-3, 7)]
    assert results.runs[0].epochs == [EpochRow(1, 0.5, 0.75, 0.625, 0.5, 1.0)]
    assert results.seeds == [7]


def test_two_runs_with_the_same_weight_decay_and_seed_are_rejected(tmp_path):
    _write(tmp_path / "dup", json.dumps({"config": {}, "runs": [
        {"weight_decay": 0, "seed": 1, "status": "partial", "epochs": []},
        {"weight_decay": 0.0, "seed": 1, "status": "partial", "epochs": []}]}))
    with pytest.raises(UserError) as caught:
        load_results(tmp_path / "dup")
    assert "runs[1]" in caught.value.where and "seed 1" in caught.value.message


def test_weight_norm_is_kept_and_an_older_file_without_it_loads(tmp_path):
    from pa2cli.sweep.store import SweepFolder, parse_results

    row = {"epoch": 1, "train_loss": 0.5, "train_acc": 0.9, "test_loss": 0.6, "test_acc": 0.8,
           "seconds": 0.1}
    old = parse_results({"config": {}, "runs": [{"weight_decay": 0, "status": "done",
                                                 "epochs": [row]}]})
    assert old.runs[0].epochs[0].weight_norm is None
    new = parse_results({"config": {}, "runs": [{"weight_decay": 0, "status": "done",
                                                 "epochs": [{**row, "weight_norm": 12.5}]}]})
    SweepFolder(tmp_path).save(new)
    assert SweepFolder(tmp_path).load().runs[0].epochs[0].weight_norm == 12.5
    assert "weight_norm" in (tmp_path / "results.csv").read_text().splitlines()[0]
    import pytest

    from pa2cli.errors import UserError
    with pytest.raises(UserError, match="weight_norm"):
        parse_results({"config": {}, "runs": [{"weight_decay": 0, "status": "done",
                                               "epochs": [{**row, "weight_norm": -1}]}]})
