"""Datasets and devices are registries: every table that lists them is read from the one
registry (a new entry needs no other file), and the device entries decide what they claim."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.errors import UserError
from pa2cli.sweep import datasets, devices


def test_every_list_of_datasets_and_devices_is_the_registrys():
    from pa2cli.sweep import config, data, userdata

    assert config.DATASET_NAMES == data.DATASETS == tuple(datasets.DATASETS)
    assert userdata.FORMATS == tuple(n for n, s in datasets.DATASETS.items() if s.own)
    assert config.DEVICES == ("auto", *devices.DEVICES)
    text = " ".join(CliRunner().invoke(cli, ["sweep", "--help"], terminal_width=200)
                    .output.split())
    for name, spec in datasets.DATASETS.items():
        assert name in text
    for name, spec in devices.DEVICES.items():
        assert f"{name}: {spec.help}" in text


def test_a_torchvision_entry_is_loaded_by_its_registered_class(monkeypatch, tmp_path):
    """An entry names the torchvision class and folder; data.py has no list of its own."""
    import torchvision.datasets as tvd

    from pa2cli.sweep.data import load_dataset

    seen = []

    class Fake:
        def __init__(self, root, train, download):
            seen.append((root, train))
            raise RuntimeError("not here")

    monkeypatch.setattr(tvd, "FakeSet", Fake, raising=False)
    monkeypatch.setitem(datasets.DATASETS, "fake", datasets.DatasetSpec(
        "fake", datasets.TORCHVISION, "a test entry", ("FakeSet", "fake/raw")))
    with pytest.raises(UserError) as caught:
        load_dataset("fake", data_dir=tmp_path)
    assert seen == [(str(tmp_path), True)]
    assert "fake files not found" in caught.value.format_message()
    assert str(tmp_path / "fake" / "raw") in caught.value.format_message()


def test_a_device_entry_decides_availability_and_the_vectorise_default(monkeypatch):
    import torch

    cpu = torch.device("cpu")
    monkeypatch.setitem(devices.DEVICES, "cuda", devices.DeviceSpec(
        "cuda", "test", lambda: False, lambda default_model: True))
    with pytest.raises(UserError, match="cuda was requested but is not available"):
        devices.resolve_device("cuda")
    assert devices.resolve_device("auto").type in ("mps", "cpu")  # not the unavailable cuda
    assert devices.wants_vectorized("auto", cpu, type("C", (), {"model": None})())
    assert not devices.wants_vectorized("auto", cpu, type("C", (), {"model": "net.py:Net"})())
    assert devices.wants_vectorized("on", cpu, None) and not devices.wants_vectorized(
        "off", cpu, None)
    monkeypatch.setitem(devices.DEVICES, "cpu", devices.DeviceSpec(
        "cpu", "test", lambda: True, lambda default_model: False))
    assert not devices.wants_vectorized("auto", cpu, type("C", (), {"model": None})())
