"""A resume reads results.json once and each checkpoint once, and a model is built once per
seed (the runs of one seed copy it): counted on `pa2 sweep --resume`, run in this process."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pa2cli.cli import cli

OPTIONS = ["--epochs", "1", "--wd", "0", "1e-3", "1e-2", "--seeds", "2", "--train-size", "40",
           "--device", "cpu", "--vectorize", "off", "--no-plot", "--threads", "1"]


def _count(monkeypatch, module, name: str) -> list:
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_resume_reads_each_file_once_and_builds_each_model_once(tmp_path, monkeypatch):
    from pa2cli.sweep import checkpoints, models, store

    out = str(tmp_path / "sweep")
    first = CliRunner().invoke(cli, ["sweep", *OPTIONS, "--out", out])
    assert first.exit_code == 0, first.output
    reads = _count(monkeypatch, store, "load_results")
    checkpoint_reads = _count(monkeypatch, checkpoints, "read_checkpoint")
    builds = _count(monkeypatch, models, "build_model")
    resumed = CliRunner().invoke(cli, ["sweep", "--out", out, "--resume", "--epochs", "2",
                                       "--no-plot"])
    assert resumed.exit_code == 0, resumed.output
    saved = json.loads((tmp_path / "sweep" / "results.json").read_text())
    assert [len(run["epochs"]) for run in saved["runs"]] == [2] * 6  # all 6 runs continued
    assert len(reads) == 1
    assert sorted(str(call[0].name) for call in checkpoint_reads) == sorted(
        f"wd_{wd!r}_seed_{seed}.pt" for wd in (0.0, 1e-3, 1e-2) for seed in (0, 1))
    assert sorted(call[2] for call in builds) == [0, 1]  # once per seed, not once per run
