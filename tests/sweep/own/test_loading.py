"""The student's own split: format detection, ImageFolder decoding and its cache, class order
as torchvision's ImageFolder, the .pth files, normalisation, and every bad-data case as one
line."""

from __future__ import annotations

import os
import pickle
import time

import numpy as np
import pytest
import torch

from pa2cli.errors import UserError
from pa2cli.sweep import imagedata
from pa2cli.sweep.data import load_dataset
from pa2cli.sweep.userdata import detect_format


def _load(kind, folder, **kwargs):
    return load_dataset(kind, folder, **kwargs)


# --- detection -----------------------------------------------------------------------------


def test_detection_names_each_format_and_refuses_a_folder_with_neither(tmp_path, own):
    assert detect_format(own.make_tree(tmp_path / "t")) == "imagefolder"
    assert detect_format(own.make_pth(tmp_path / "p")) == "pth"
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="neither train/ and test/ folders nor train.pth"):
        detect_format(tmp_path / "empty")


# --- ImageFolder ---------------------------------------------------------------------------


def test_the_tree_decodes_in_imagefolders_order_with_its_classes(tmp_path, own):
    from PIL import Image
    from torchvision.datasets import ImageFolder

    root = own.make_tree(tmp_path / "t")
    ds = _load("imagefolder", root)
    for split, ours in (("train", ds.train), ("val", ds.val), ("test", ds.test)):
        reference = ImageFolder(str(root / split))
        assert list(ds.classes) == reference.classes == ["Dog", "bird", "cat"]
        assert ours.y.tolist() == reference.targets
        for i in (0, len(reference) - 1):  # pixels equal to Pillow's own decode
            path, _ = reference.samples[i]
            expected = np.asarray(Image.open(path).convert("RGB")).transpose(2, 0, 1)
            assert torch.equal(ours.x[i], torch.from_numpy(expected.copy()))
    assert ds.train.x.dtype == torch.uint8 and ds.train.x.shape == (18, 3, 16, 16)
    assert ds.input_shape == (3, 16, 16) and ds.num_classes == 3


def test_a_second_load_reads_the_cache_and_an_edited_folder_is_decoded_again(tmp_path, own,
                                                                            monkeypatch):
    root = own.make_tree(tmp_path / "t")
    first = _load("imagefolder", root)
    decoded = []
    real = imagedata.decode_tree
    monkeypatch.setattr(imagedata, "decode_tree", lambda *a: decoded.append(1) or real(*a))
    second = _load("imagefolder", root)
    assert decoded == [] and torch.equal(first.train.x, second.train.x)
    assert any("read from the cache" in n for n in second.notes)
    # edit one image (new content, new mtime): decoded again, with the new pixels
    from PIL import Image

    edited = sorted((root / "train" / "cat").iterdir())[0]
    Image.new("RGB", (16, 16), (255, 0, 0)).save(edited)
    os.utime(edited, ns=(time.time_ns() + 10**9,) * 2)
    third = _load("imagefolder", root)
    assert decoded == [1]
    cat = third.classes.index("cat")
    first_cat = int(torch.nonzero(third.train.y == cat)[0])
    assert third.train.x[first_cat, 0].eq(255).all() and third.train.x[first_cat, 1].eq(0).all()
    assert len(list((tmp_path / "pa2home" / "cache" / "images").glob("*.pt"))) == 1  # replaced


def test_mixed_sizes_need_image_size_and_are_resized_with_it(tmp_path, own):
    from PIL import Image

    root = own.make_tree(tmp_path / "t")
    Image.new("RGB", (20, 24)).save(root / "test" / "cat" / "odd.png")
    with pytest.raises(UserError, match=r"images differ in size: .* is 16×16, test/cat/odd.png "
                                        r"is 20×24") as err:
        _load("imagefolder", root)
    assert "--image-size" in err.value.fix
    ds = _load("imagefolder", root, image_size=12)
    assert ds.test.x.shape[1:] == (3, 12, 12) and ds.input_shape == (3, 12, 12)


def test_the_split_own_val_is_the_validation_set(tmp_path, own):
    ds = _load("imagefolder", own.make_tree(tmp_path / "t"))
    assert len(ds.val) == 9 and len(ds.train) == 18  # not cut from train
    with pytest.raises(UserError, match="has its own validation set"):
        _load("imagefolder", tmp_path / "t", val_split=0.2)
    without = _load("imagefolder", own.make_tree(tmp_path / "nv", per_class=(6, 0, 3)),
                    val_split=0.34)
    assert len(without.val) == 6 and len(without.train) == 12  # --val-split keeps working


@pytest.mark.parametrize("normalize, mean, std", [
    ("auto", 0.5, 0.5), ("course", 0.5, 0.5), ("none", 0.0, 1.0)])
def test_normalisation_course_is_the_default_for_own_data(tmp_path, own, normalize, mean, std):
    ds = _load("imagefolder", own.make_tree(tmp_path / "t"), normalize=normalize)
    x = ds.train.x[:2]
    expected = (x.double() / 255 - mean) / std
    assert torch.allclose(ds.to_float(x).double(), expected, atol=1e-6)


def test_normalisation_dataset_uses_the_training_split_statistics(tmp_path, own):
    ds = _load("imagefolder", own.make_tree(tmp_path / "t"), normalize="dataset")
    z = ds.to_float(ds.train.x).double()
    assert torch.allclose(z.mean(dim=(0, 2, 3)), torch.zeros(3, dtype=torch.float64), atol=1e-5)
    assert torch.allclose(z.std(dim=(0, 2, 3), unbiased=False), torch.ones(3, dtype=torch.float64),
                          atol=1e-5)


# --- .pth files ----------------------------------------------------------------------------


def test_pth_float_k_over_255_becomes_uint8_with_the_same_values(tmp_path, own):
    root = own.make_pth(tmp_path / "p")
    saved = torch.load(root / "train.pth", weights_only=True)
    ds = _load("pth", root)
    assert ds.train.x.dtype == torch.uint8 and ds.classes == ("a", "b", "c")
    assert torch.allclose(ds.train.x.float() / 255, saved["x"], atol=1e-7)
    assert torch.equal(ds.train.y, saved["y"]) and len(ds.val) == 9 and len(ds.test) == 9
    assert any("a quarter of the memory" in n for n in ds.notes)


def test_already_normalised_pth_data_is_used_as_it_is(tmp_path, own):
    root = own.make_pth(tmp_path / "p")
    for split in ("train", "val", "test"):
        data = torch.load(root / f"{split}.pth", weights_only=True)
        data["x"] = (data["x"] - 0.5) / 0.5
        torch.save(data, root / f"{split}.pth")
    ds = _load("pth", root, normalize="course")
    assert ds.train.x.dtype == torch.float32
    raw = torch.load(root / "train.pth", weights_only=True)["x"]
    assert torch.equal(ds.to_float(ds.train.x), raw)
    assert any("already normalised: used as it is" in n for n in ds.notes)


def test_uint8_pth_data_loads(tmp_path, own):
    ds = _load("pth", own.make_pth(tmp_path / "p", as_float=False))
    assert ds.train.x.dtype == torch.uint8 and ds.train.x.shape == (18, 3, 16, 16)


# --- bad data: one line naming the file and the fix ----------------------------------------


def _one_line(err) -> str:
    message = err.value.message
    assert "\n" not in message and err.value.exit_code == 2
    return message


def test_a_corrupt_image_is_named(tmp_path, own):
    root = own.make_tree(tmp_path / "t")
    bad = root / "train" / "cat" / "img001.png"
    bad.write_bytes(b"not a png at all")
    with pytest.raises(UserError) as err:
        _load("imagefolder", root)
    assert str(bad) in _one_line(err) and "cannot be read as an image" in err.value.message


def test_a_truncated_image_is_named(tmp_path, own):
    root = own.make_tree(tmp_path / "t", ext="jpg", size=(64, 64))
    bad = root / "test" / "bird" / "img002.jpg"
    bad.write_bytes(bad.read_bytes()[:300])
    with pytest.raises(UserError) as err:
        _load("imagefolder", root)
    assert str(bad) in _one_line(err)


@pytest.mark.parametrize("change, problem", [
    (lambda r: __import__("shutil").rmtree(r / "train"), "has no train/ folder"),
    (lambda r: __import__("shutil").rmtree(r / "test"), "has no test/ folder"),
    (lambda r: (r / "test" / "horse").mkdir() or (r / "test" / "cat" / "img000.png").rename(
        r / "test" / "horse" / "a.png"), "class 'horse' is not in train/"),
    (lambda r: __import__("shutil").rmtree(r / "val" / "bird"),
     "has no folder for class 'bird', which train/ has"),
    (lambda r: [p.unlink() for p in (r / "train" / "Dog").iterdir()],
     "class 'Dog' has no image files"),
])
def test_a_bad_tree_is_one_line(tmp_path, own, change, problem):
    root = own.make_tree(tmp_path / "t")
    change(root)
    with pytest.raises(UserError) as err:
        _load("imagefolder", root)
    assert problem in _one_line(err), err.value.message


class _Command:
    """Unpickling this runs a shell command that creates a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pth_holding_a_pickled_command_runs_nothing(tmp_path, own):
    root = own.make_pth(tmp_path / "p")
    marker = tmp_path / "MARKER"
    data = torch.load(root / "train.pth", weights_only=True)
    data["split"] = _Command(marker)
    torch.save(data, root / "train.pth")
    with pytest.raises(UserError) as err:
        _load("pth", root)
    line = _one_line(err)
    assert str(root / "train.pth") in line and "pa2 ran none of it" in line
    assert "posix.system" in line or "nt.system" in line
    assert not marker.exists()
    pickle.loads(pickle.dumps(_Command(marker)))  # the payload is real: unpickling runs it
    assert marker.exists()


def _rewrite(root, file="train", **changes):
    data = torch.load(root / f"{file}.pth", weights_only=True)
    data.update(changes)
    torch.save(data, root / f"{file}.pth")


@pytest.mark.parametrize("changes, problem", [
    ({"y": torch.tensor([0, 1, 7] * 6)}, "label 7 is out of range: 3 classes take labels 0 to 2"),
    ({"y": torch.tensor([0, -1, 2] * 6)}, "label -1 is out of range"),
    ({"x": torch.zeros(18, 16, 16)}, "x is a tensor of shape (18, 16, 16), not N×C×H×W"),
    ({"x": torch.full((18, 3, 16, 16), float("nan"))}, "x holds NaN or infinite values"),
    ({"x": torch.zeros(18, 3, 16, 16, dtype=torch.int32)}, "x has dtype torch.int32"),
    ({"y": torch.zeros(17, dtype=torch.int64)}, "has 18 images but 17 labels"),
    ({"y": torch.zeros(18)}, "not a 1-D tensor of integer labels"),
    ({"classes": "abc"}, "classes is not a list of class names"),
    ({"split": "test"}, "says its split is 'test', but it is train.pth"),
])
def test_bad_pth_contents_are_one_line_naming_the_file(tmp_path, own, changes, problem):
    root = own.make_pth(tmp_path / "p")
    _rewrite(root, **changes)
    with pytest.raises(UserError) as err:
        _load("pth", root)
    line = _one_line(err)
    assert problem in line and str(root / "train.pth") in line, line


def test_pth_classes_differing_between_splits_are_named(tmp_path, own):
    root = own.make_pth(tmp_path / "p")
    _rewrite(root, "test", classes=["a", "b", "z"])
    with pytest.raises(UserError, match="its classes differ from train.pth's") as err:
        _load("pth", root)
    assert str(root / "test.pth") in _one_line(err)


@pytest.mark.parametrize("payload, problem", [
    ([torch.zeros(2)], "holds a list, not a dict of tensors"),
    ({"images": torch.zeros(2)}, "has no 'x' entry"),
])
def test_a_pth_that_is_not_a_dict_of_tensors_is_one_line(tmp_path, own, payload, problem):
    root = own.make_pth(tmp_path / "p")
    torch.save(payload, root / "test.pth")
    with pytest.raises(UserError, match=problem) as err:
        _load("pth", root)
    assert str(root / "test.pth") in _one_line(err)


def test_a_pth_that_is_not_a_torch_file_is_one_line(tmp_path, own):
    root = own.make_pth(tmp_path / "p")
    (root / "val.pth").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(UserError, match="is not a readable torch.save file") as err:
        _load("pth", root)
    assert str(root / "val.pth") in _one_line(err)
