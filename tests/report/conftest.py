"""A saved sweep (two weight decays, two seeds) written through the typed store, no training."""

from __future__ import annotations

import pytest

from pa2cli.sweep.store import EpochRow, Run, SweepFolder, SweepResults


def sweep_results() -> SweepResults:
    def rows(shift: float) -> list[EpochRow]:
        return [EpochRow(e, 2.0 / e + shift, 0.5 + 0.1 * e - shift, 2.2 / e + shift, 0.45 + 0.1 * e - shift, 0.2)
                for e in (1, 2, 3)]

    config = {"dataset": "digits", "model": None, "optimizer": "sgd", "lr": 0.05, "batch_size": 64,
              "epochs": 3, "seed": 0, "seeds": 2}
    return SweepResults(config, [Run(wd, seed, "done", rows(0.01 * seed + wd)) for seed in (0, 1)
                                 for wd in (0.0, 1e-3)])


@pytest.fixture
def sweep_folder(tmp_path):
    folder = tmp_path / "runs" / "20260101-120000"
    SweepFolder(folder).save(sweep_results())
    return folder
