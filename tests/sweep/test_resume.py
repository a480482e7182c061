"""An interrupted sweep keeps every finished epoch, and --resume ends with exactly the numbers
of an uninterrupted run (same seed, CPU)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.store import load_results

CONFIG = SweepConfig(epochs=3, weight_decays=(0.0, 1e-3, 1e-2), device="cpu", seeds=2,
                     train_size=150)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Every sweep here with 1 torch thread, as `pa2 sweep` trains one run at a time: the
    recorded weight norm sees the last bits of the weights, which depend on the thread count
    (the losses round them away), and a CLI test in this module sets 1 thread for the rest."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def small_digits():
    from pa2cli.sweep.data import load_dataset

    return load_dataset("digits", seed=CONFIG.seed, train_size=CONFIG.train_size)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, small_digits):
    import io

    import torch
    from rich.console import Console

    from pa2cli.sweep.runner import run_sweep
    from pa2cli.sweep.store import SweepFolder

    results, _ = run_sweep(CONFIG, SweepFolder(tmp_path_factory.mktemp("whole")), small_digits,
                           torch.device("cpu"), console=Console(file=io.StringIO()))
    return results


def test_resume_after_an_interruption_repeats_the_uninterrupted_numbers(
        tmp_path, small_digits, run_tiny_sweep, uninterrupted, without_seconds):
    digits = small_digits

    def interrupt(key, row):
        if key == (1e-3, 1) and row.epoch == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_tiny_sweep(CONFIG, tmp_path, digits, after_epoch=interrupt)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert [(r["seed"], r["status"], len(r["epochs"])) for r in saved["runs"]] == [
        (0, "done", 3), (0, "done", 3), (0, "done", 3),
        (1, "done", 3), (1, "partial", 2), (1, "partial", 0)]

    resumed, _ = run_tiny_sweep(CONFIG, tmp_path, digits, resume=True)
    assert without_seconds(resumed) == without_seconds(uninterrupted)  # exactly, not to 1e-6
    assert [row.to_dict() for row in resumed.runs[4].epochs[:2]] == saved["runs"][4]["epochs"]


def test_resume_with_more_epochs_continues_from_the_checkpoints(
        tmp_path, uninterrupted, without_seconds):
    out = str(tmp_path / "sweep")
    common = ["sweep", "--wd", "1e-3", "1e-2", "--seed", "0", "--seeds", "2", "--train-size",
              "150", "--device", "cpu", "--vectorize", "off", "--no-plot", "--out", out]
    first = CliRunner().invoke(cli, [*common, "--epochs", "1"])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(cli, ["sweep", "--out", out, "--resume", "--epochs", "3",
                                      "--vectorize", "off", "--no-plot"])
    assert second.exit_code == 0, second.output
    assert ("Continuing from the saved epochs: wd 0 seed 0 1/3, wd 0 seed 1 1/3, wd 1e-3 seed 0 "
            "1/3, wd 1e-3 seed 1 1/3, wd 1e-2 seed 0 1/3, wd 1e-2 seed 1 1/3."
            in " ".join(second.output.split()))
    resumed = load_results(tmp_path / "sweep")
    assert without_seconds(resumed) == without_seconds(uninterrupted)
    assert resumed.config["epochs"] == 3


def test_resume_with_more_seeds_adds_paired_runs_equal_to_an_uninterrupted_sweep(
        tmp_path, small_digits, run_tiny_sweep, uninterrupted, without_seconds):
    digits = small_digits
    run_tiny_sweep(CONFIG.with_changes(seeds=1), tmp_path, digits)
    resumed, _ = run_tiny_sweep(CONFIG, tmp_path, digits, resume=True)
    by_key = sorted(without_seconds(resumed))
    assert by_key == sorted(without_seconds(uninterrupted))


def test_resume_of_a_sweep_saved_before_seeds_existed_continues_its_runs(
        tmp_path, small_digits, run_tiny_sweep, uninterrupted, without_seconds):
    """An old folder: no "seed" per run, no "seeds"/"train_size" in config, wd_<v>.pt files."""
    import torch

    digits = small_digits
    run_tiny_sweep(CONFIG.with_changes(seeds=1, epochs=2), tmp_path, digits)
    old = json.loads((tmp_path / "results.json").read_text())
    for key in ("seeds",):
        del old["config"][key]
    for run in old["runs"]:
        del run["seed"]
        wd = run["weight_decay"]
        new_name = tmp_path / "checkpoints" / f"wd_{wd!r}_seed_0.pt"
        checkpoint = torch.load(new_name, weights_only=True)
        legacy = {"weight_decay": wd, **{key: checkpoint[key] for key in (
            "rows", "model", "optimizer", "shuffle_rng", "torch_rng")}}  # the old file's keys
        torch.save(legacy, tmp_path / "checkpoints" / f"wd_{wd!r}.pt")
        new_name.unlink()
    (tmp_path / "results.json").write_text(json.dumps(old))
    saved = load_results(tmp_path)
    assert [run.key for run in saved.runs] == [(0.0, 0), (1e-3, 0), (1e-2, 0)]
    resumed, _ = run_tiny_sweep(CONFIG.with_changes(seeds=1), tmp_path, digits, resume=True)
    assert without_seconds(resumed) == [r for r in without_seconds(uninterrupted) if r[0][1] == 0]


def test_resume_without_out_exits_2():
    result = CliRunner().invoke(cli, ["sweep", "--resume"])
    assert result.exit_code == 2
    assert "--resume" in result.output and "--out" in result.output


def test_resume_with_a_changed_hyperparameter_exits_2_naming_it(tmp_path):
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps(
        {"config": SweepConfig(epochs=1).to_dict(), "runs": []}))
    result = CliRunner().invoke(cli, ["sweep", "--out", str(folder), "--resume", "--lr", "0.3"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "--lr" in result.output and "0.3" in result.output


def test_new_sweep_into_a_used_folder_exits_2(tmp_path):
    (tmp_path / "results.json").write_text("{}")
    result = CliRunner().invoke(cli, ["sweep", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--resume" in result.output


def test_resume_on_a_folder_without_a_sweep_exits_2_naming_it(tmp_path):
    result = CliRunner().invoke(cli, ["sweep", "--out", str(tmp_path), "--resume"])
    assert result.exit_code == 2
    assert result.output == (f"Error: {tmp_path}: no results.json here. Give the --out folder "
                             "of a sweep (it holds results.json).\n")


def test_resume_on_other_data_is_refused_in_one_line(tmp_path, run_tiny_sweep):
    """The data's fingerprint is part of a checkpoint's identity: the same options on other
    images (another --data-dir, a changed file) cannot continue the saved runs."""
    import dataclasses

    from pa2cli.errors import UserError
    from pa2cli.sweep.checkpoints import data_fingerprint
    from pa2cli.sweep.data import Split, load_dataset
    from pa2cli.sweep.preflight import check_folder
    from pa2cli.sweep.store import SweepFolder

    config = SweepConfig(epochs=1, weight_decays=(0.0,), device="cpu", seeds=1, train_size=40)
    data = load_dataset("digits", seed=config.seed, train_size=config.train_size)
    run_tiny_sweep(config, tmp_path, data)
    same = load_dataset("digits", seed=config.seed, train_size=config.train_size)
    assert data_fingerprint(same) == data_fingerprint(data)
    longer = config.with_changes(epochs=2)
    assert check_folder(SweepFolder(tmp_path), longer, same, resume=True, jobs=1).notes == []
    flipped = Split(data.train.x.flip(-1).contiguous(), data.train.y)
    other = dataclasses.replace(data, train=flipped)
    assert data_fingerprint(other) != data_fingerprint(data)
    for attempt in (lambda: check_folder(SweepFolder(tmp_path), longer, other, resume=True,
                                         jobs=1),
                    lambda: run_tiny_sweep(longer, tmp_path, other, resume=True)):
        with pytest.raises(UserError) as caught:
            attempt()
        message = caught.value.format_message()
        assert "was trained on other data" in message and "\n" not in message
        assert "wd_0.0_seed_0.pt" in message
