"""Shared fixtures for the sweep tests: the bundled digits (loaded once), a tiny config, and
`run_tiny_sweep`, which runs a sweep in-process on CPU with its output captured."""

from __future__ import annotations

import io

import pytest
from rich.console import Console


@pytest.fixture(scope="session")
def digits():
    from pa2cli.sweep.data import load_dataset

    return load_dataset("digits")


@pytest.fixture
def tiny_config():
    from pa2cli.sweep.config import SweepConfig

    return SweepConfig(epochs=2, weight_decays=(0.0, 1e-3), device="cpu", seeds=1,
                       train_size=None)


@pytest.fixture
def run_tiny_sweep():
    """run(config, folder, dataset, **run_sweep kwargs) -> (results, messages)."""
    import torch

    from pa2cli.sweep.runner import run_sweep
    from pa2cli.sweep.store import SweepFolder

    def run(config, folder, dataset, **kwargs):
        console = kwargs.pop("console", None) or Console(file=io.StringIO(), width=100)
        return run_sweep(config, SweepFolder(folder), dataset, torch.device("cpu"),
                         console=console, **kwargs)

    return run


def numbers_of(results) -> list:
    """Every run's key, status and epoch rows without the wall seconds (which always differ)."""
    return [(run.key, run.status,
             [{k: v for k, v in row.to_dict().items() if k != "seconds"} for row in run.epochs])
            for run in results.runs]


@pytest.fixture
def without_seconds():
    return numbers_of
