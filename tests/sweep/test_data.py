"""Tests for pa2cli.sweep.data: the vendored digits, torchvision-format loaders, val split, to_float.

The MNIST / Fashion-MNIST / CIFAR-10 files are tiny ones written here in torchvision's on-disk
formats; nothing is fetched from the network.
"""

from __future__ import annotations

import hashlib
import pickle
import struct
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision.datasets

from pa2cli.errors import UserError
from pa2cli.sweep import data
from pa2cli.sweep.data import load_dataset

# class counts of the UCI 8x8 digits (scikit-learn's copy), and its famous first image (a 0)
UCI_CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
FIRST_DIGIT = [
    [0, 0, 5, 13, 9, 1, 0, 0],
    [0, 0, 13, 15, 10, 15, 5, 0],
    [0, 3, 15, 2, 0, 11, 8, 0],
    [0, 4, 12, 0, 0, 8, 8, 0],
    [0, 5, 8, 0, 0, 9, 8, 0],
    [0, 4, 11, 0, 1, 12, 7, 0],
    [0, 2, 14, 5, 10, 12, 0, 0],
    [0, 0, 6, 13, 10, 0, 0, 0],
]


def _rows(split) -> Counter:
    """Multiset of (image bytes, label) rows, to compare splits regardless of order."""
    return Counter(
        (bytes(x.numpy().tobytes()), int(y)) for x, y in zip(split.x, split.y)
    )


# --- digits -------------------------------------------------------------------------------


def test_vendored_digits_file_holds_the_uci_data_unchanged():
    with np.load(data.DIGITS_FILE) as f:
        images, labels = f["images"], f["labels"]
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert images.min() == 0 and images.max() == 16
    assert np.bincount(labels).tolist() == UCI_CLASS_COUNTS
    assert images[0].tolist() == FIRST_DIGIT and labels[:10].tolist() == list(range(10))


def test_digits_load_as_uint8_nchw_with_int64_labels():
    ds = load_dataset("digits")
    assert ds.train.x.dtype == torch.uint8 and ds.test.x.dtype == torch.uint8
    assert ds.train.y.dtype == torch.int64 and ds.test.y.dtype == torch.int64
    assert ds.train.x.shape[1:] == (1, 8, 8) and ds.input_shape == (1, 8, 8)
    assert len(ds.train) + len(ds.test) == 1797
    assert ds.num_classes == 10 and ds.classes == tuple("0123456789")
    assert ds.val is None and ds.pixel_max == 16.0


def test_digits_train_and_test_partition_all_1797_images():
    ds = load_dataset("digits")
    with np.load(data.DIGITS_FILE) as f:
        everything = Counter((img.tobytes(), int(lab)) for img, lab in zip(f["images"], f["labels"]))
    assert _rows(ds.train) + _rows(ds.test) == everything


def test_digits_test_split_is_a_stratified_fifth():
    ds = load_dataset("digits")
    test_counts = torch.bincount(ds.test.y, minlength=10).tolist()
    for n_class, n_test in zip(UCI_CLASS_COUNTS, test_counts):
        assert abs(n_test - 0.2 * n_class) <= 0.5 + 1e-9


def test_digits_split_is_the_same_whatever_the_seed():
    a = load_dataset("digits", seed=0)
    b = load_dataset("digits", seed=123)
    assert torch.equal(a.test.x, b.test.x) and torch.equal(a.test.y, b.test.y)
    assert torch.equal(a.train.x, b.train.x) and torch.equal(a.train.y, b.train.y)


# --- validation hold-out ------------------------------------------------------------------


def test_val_split_holds_out_a_stratified_fraction_of_train():
    full = load_dataset("digits")
    ds = load_dataset("digits", val_split=0.25, seed=1)
    full_counts = torch.bincount(full.train.y, minlength=10)
    val_counts = torch.bincount(ds.val.y, minlength=10)
    assert torch.equal(val_counts, torch.round(full_counts * 0.25).long())
    assert _rows(ds.train) + _rows(ds.val) == _rows(full.train)
    assert torch.equal(ds.test.x, full.test.x)


def test_val_split_is_deterministic_per_seed_and_changes_with_it():
    a = load_dataset("digits", val_split=0.2, seed=7)
    b = load_dataset("digits", val_split=0.2, seed=7)
    c = load_dataset("digits", val_split=0.2, seed=8)
    assert torch.equal(a.val.x, b.val.x) and torch.equal(a.val.y, b.val.y)
    assert not torch.equal(a.val.x, c.val.x)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, float("nan"), "half"])
def test_bad_val_split_is_a_user_error_naming_the_option(bad):
    with pytest.raises(UserError) as err:
        load_dataset("digits", val_split=bad)
    assert err.value.exit_code == 2 and err.value.where == "--val-split"


def test_unknown_dataset_is_a_user_error_listing_the_choices():
    with pytest.raises(UserError) as err:
        load_dataset("imagenet")
    assert err.value.where == "--dataset" and "fashion-mnist" in err.value.fix


# --- to_float -----------------------------------------------------------------------------


def test_to_float_scales_by_pixel_max_then_standardises_with_train_statistics():
    ds = load_dataset("digits")
    scaled = ds.train.x.to(torch.float64) / 16.0
    mean, std = scaled.mean().item(), scaled.std(correction=0).item()
    batch = ds.test.x[:5]
    expected = (batch.to(torch.float64) / 16.0 - mean) / std
    got = ds.to_float(batch)
    assert got.dtype == torch.float32 and got.shape == batch.shape
    torch.testing.assert_close(got.double(), expected, rtol=1e-6, atol=1e-6)


def test_to_float_gives_train_split_zero_mean_unit_std():
    ds = load_dataset("digits", val_split=0.1)
    out = ds.to_float(ds.train.x).double()
    assert abs(out.mean().item()) < 1e-6 and abs(out.std(correction=0).item() - 1) < 1e-6


# --- MNIST / Fashion-MNIST in torchvision's idx-ubyte layout -------------------------------


def _write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array in the idx (SN3 "Pascal Vincent") format: magic 0x0000_08_nd."""
    header = struct.pack(">I", 0x0800 + array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def _write_mnist(root: Path, folder: str, n_train=30, n_test=10, seed=0):
    raw = root / folder / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = np.arange(n, dtype=np.uint8) % 10
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", images)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels)
        arrays[prefix] = (images, labels)
    return arrays


@pytest.mark.parametrize("name, folder", [("mnist", "MNIST"), ("fashion-mnist", "FashionMNIST")])
def test_mnist_format_files_load_as_uint8_tensors(tmp_path, name, folder):
    arrays = _write_mnist(tmp_path, folder)
    ds = load_dataset(name, data_dir=tmp_path)
    assert ds.train.x.dtype == torch.uint8 and ds.train.x.shape == (30, 1, 28, 28)
    assert ds.test.x.shape == (10, 1, 28, 28) and ds.test.y.dtype == torch.int64
    assert np.array_equal(ds.train.x[:, 0].numpy(), arrays["train"][0])
    assert np.array_equal(ds.test.y.numpy(), arrays["t10k"][1])
    assert ds.num_classes == 10 and ds.input_shape == (1, 28, 28) and ds.pixel_max == 255.0


def test_fashion_mnist_has_its_class_names(tmp_path):
    _write_mnist(tmp_path, "FashionMNIST")
    ds = load_dataset("fashion-mnist", data_dir=tmp_path)
    assert ds.classes[0] == "T-shirt/top" and ds.classes[9] == "Ankle boot"


def test_mnist_to_float_uses_255_and_train_statistics(tmp_path):
    _write_mnist(tmp_path, "MNIST")
    ds = load_dataset("mnist", data_dir=tmp_path)
    scaled = ds.train.x.double() / 255.0
    expected = (ds.test.x.double() / 255.0 - scaled.mean()) / scaled.std(correction=0)
    torch.testing.assert_close(ds.to_float(ds.test.x).double(), expected, rtol=1e-6, atol=1e-6)


def test_missing_mnist_files_name_the_folder_and_the_fetch_command(tmp_path):
    with pytest.raises(UserError) as err:
        load_dataset("mnist", data_dir=tmp_path / "nowhere")
    assert err.value.exit_code == 2
    assert err.value.where == str(tmp_path / "nowhere" / "MNIST" / "raw")
    assert f"pa2 sweep --dataset mnist --data-dir {tmp_path / 'nowhere'} --download" in err.value.fix


def test_missing_files_in_the_default_folder_give_the_short_fetch_command(tmp_path, monkeypatch):
    monkeypatch.setenv("PA2_HOME", str(tmp_path))
    with pytest.raises(UserError) as err:
        load_dataset("fashion-mnist")
    assert err.value.where == str(tmp_path / "cache" / "data" / "FashionMNIST" / "raw")
    assert "`pa2 sweep --dataset fashion-mnist --download`" in err.value.fix


def test_one_missing_mnist_file_is_reported_as_missing(tmp_path):
    _write_mnist(tmp_path, "MNIST")
    (tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(UserError, match="not found"):
        load_dataset("mnist", data_dir=tmp_path)


def test_garbled_mnist_file_is_a_user_error_not_a_traceback(tmp_path):
    _write_mnist(tmp_path, "MNIST")
    (tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte").write_bytes(b"\xff" * 16)
    with pytest.raises(UserError, match="unreadable") as err:
        load_dataset("mnist", data_dir=tmp_path)
    assert "--download" in err.value.fix


def test_val_split_works_on_torchvision_data(tmp_path):
    _write_mnist(tmp_path, "MNIST", n_train=40)
    ds = load_dataset("mnist", data_dir=tmp_path, val_split=0.25, seed=0)
    assert len(ds.val) == 10 and len(ds.train) == 30
    assert torch.bincount(ds.val.y, minlength=10).tolist() == [1] * 10


# --- CIFAR-10 in the cifar-10-batches-py layout -------------------------------------------


CIFAR_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _write_cifar(root: Path, per_batch=4, seed=0):
    """Write 5 train batches + test_batch + batches.meta; return the arrays and the md5 table."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    written = {}
    for i, fname in enumerate([f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]):
        rows = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        labels = [(i + j) % 10 for j in range(per_batch)]
        with open(folder / fname, "wb") as f:
            pickle.dump({"batch_label": fname, "data": rows, "labels": labels, "filenames": []}, f)
        written[fname] = (rows, labels)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": CIFAR_NAMES, "num_vis": 3072, "num_cases_per_batch": per_batch}, f)
    md5 = {name: _md5(folder / name) for name in [*written, "batches.meta"]}
    return written, md5


def _cifar_class_knowing(md5: dict) -> type:
    """torchvision's CIFAR10 with the checksums of the files written here in place of the real
    ones. Everything else, the integrity check included, is torchvision's own code."""
    base = torchvision.datasets.CIFAR10

    class TinyCIFAR10(base):
        train_list = [[name, md5[name]] for name, _ in base.train_list]
        test_list = [[name, md5[name]] for name, _ in base.test_list]
        meta = {**base.meta, "md5": md5["batches.meta"]}

    return TinyCIFAR10


def test_cifar_batches_load_as_uint8_chw_tensors(tmp_path, monkeypatch):
    written, md5 = _write_cifar(tmp_path)
    monkeypatch.setattr(torchvision.datasets, "CIFAR10", _cifar_class_knowing(md5))
    ds = load_dataset("cifar10", data_dir=tmp_path)
    assert ds.train.x.dtype == torch.uint8 and ds.train.x.shape == (20, 3, 32, 32)
    assert ds.test.x.shape == (4, 3, 32, 32) and ds.input_shape == (3, 32, 32)
    # CIFAR rows are 1024 red, then 1024 green, then 1024 blue values: exactly CHW
    first_rows, first_labels = written["data_batch_1"]
    assert np.array_equal(ds.train.x[0].numpy().reshape(-1), first_rows[0])
    assert ds.train.y[:4].tolist() == first_labels
    assert ds.classes == tuple(CIFAR_NAMES) and ds.num_classes == 10


def test_cifar_to_float_normalises_each_channel_separately(tmp_path, monkeypatch):
    _, md5 = _write_cifar(tmp_path)
    monkeypatch.setattr(torchvision.datasets, "CIFAR10", _cifar_class_knowing(md5))
    ds = load_dataset("cifar10", data_dir=tmp_path)
    out = ds.to_float(ds.train.x).double()
    for c in range(3):
        assert abs(out[:, c].mean().item()) < 1e-6
        assert abs(out[:, c].std(correction=0).item() - 1) < 1e-6


def test_cifar_files_failing_torchvisions_checksums_are_reported(tmp_path):
    _write_cifar(tmp_path)  # the real CIFAR10 class knows the real checksums: these differ
    with pytest.raises(UserError, match="corrupted") as err:
        load_dataset("cifar10", data_dir=tmp_path)
    assert err.value.where == str(tmp_path / "cifar-10-batches-py")
    assert "--download" in err.value.fix


def test_missing_cifar_files_name_the_folder_and_the_fetch_command(tmp_path):
    with pytest.raises(UserError) as err:
        load_dataset("cifar10", data_dir=tmp_path)
    assert err.value.where == str(tmp_path / "cifar-10-batches-py")
    assert "pa2 sweep --dataset cifar10" in err.value.fix and "--download" in err.value.fix


def test_val_split_too_small_to_hold_out_any_image_is_a_user_error():
    with pytest.raises(UserError, match="holds out no training sample") as err:
        load_dataset("digits", val_split=0.001)
    assert err.value.where == "--val-split"
