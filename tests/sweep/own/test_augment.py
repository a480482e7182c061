"""`--augment flip,affine`: per-image draws from (seed, epoch, batch) alone, the same batches for
every weight decay of a seed, training batches only, vectorised = sequential, resume exact."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pytest
import torch
from torchvision.transforms.v2 import InterpolationMode
from torchvision.transforms.v2 import functional as TF

from pa2cli.sweep import augment, loop
from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.store import SweepFolder
from pa2cli.sweep.events import EpochDone
from pa2cli.sweep.loop import DeviceData, train_run
from pa2cli.sweep.runs import new_run

CPU = torch.device("cpu")


def _images(n=16, size=16, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, size, size), dtype=torch.uint8, generator=gen)


def test_the_draw_depends_only_on_seed_epoch_and_batch_and_leaves_the_global_rng():
    x = _images()
    state = torch.get_rng_state()
    a = augment.augment_batch(x, ("flip", "affine"), 3, 2, 5)
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(12345)  # whatever the global RNG holds
    b = augment.augment_batch(x, ("flip", "affine"), 3, 2, 5)
    assert torch.equal(a, b)
    for other in ((4, 2, 5), (3, 3, 5), (3, 2, 6)):
        assert not torch.equal(a, augment.augment_batch(x, ("flip", "affine"), *other))
    assert torch.equal(x, _images())  # the input is not changed


def test_flip_flips_exactly_the_drawn_images():
    x = _images(64)
    params = augment.draw(64, 16, 16, ("flip",), 1, 1, 1)
    out = augment.augment_batch(x, ("flip",), 1, 1, 1)
    flipped = params["flip"]
    assert 10 < int(flipped.sum()) < 54  # p = 0.5
    assert torch.equal(out[flipped], x[flipped].flip(-1))
    assert torch.equal(out[~flipped], x[~flipped])


def test_affine_parameters_follow_assignment_1a_ranges_and_torchvision_applies_them():
    n = 2000
    p = augment.draw(n, 64, 64, ("affine",), 0, 1, 1)
    assert p["angle"].abs().max() <= 10 and p["angle"].abs().max() > 9.5
    assert p["tx"].abs().max() <= round(0.1 * 64) and set(p["tx"].unique().tolist()) >= {-6, 6}
    assert p["scale"].min() >= 0.8 and p["scale"].max() <= 1.2
    assert abs(float(p["scale"].mean()) - 1.0) < 0.01
    x = _images(4, 32)
    out = augment.augment_batch(x, ("affine",), 0, 1, 1)
    q = augment.draw(4, 32, 32, ("affine",), 0, 1, 1)
    for i in range(4):  # each image with its own parameters, as RandomAffine would
        expected = TF.affine(x[i], angle=float(q["angle"][i]),
                             translate=[int(q["tx"][i]), int(q["ty"][i])],
                             scale=float(q["scale"][i]), shear=[0.0, 0.0],
                             interpolation=InterpolationMode.NEAREST, fill=0)
        assert torch.equal(out[i], expected)


def _data(digits):
    return DeviceData((digits.train.x[:96], digits.train.y[:96]),
                      (digits.test.x[:64], digits.test.y[:64]), None, digits.to_float)


def test_every_weight_decay_of_a_seed_sees_the_same_augmented_batches(digits, monkeypatch):
    seen = {}
    real = augment.augment_batch

    def record(x, names, seed, epoch, batch):
        out = real(x, names, seed, epoch, batch)
        seen.setdefault(current[0], []).append(out.clone())
        return out

    monkeypatch.setattr(loop, "augment_batch", record)
    config = SweepConfig(epochs=2, batch_size=32, augment=("flip", "affine"), device="cpu")
    current = [None]
    for wd in (0.0, 1e-2):
        current[0] = wd
        train_run(new_run(config, digits, wd, 7, CPU), _data(digits), config)
    assert len(seen[0.0]) == 6  # 3 batches × 2 epochs; evaluation is never augmented
    assert all(torch.equal(a, b) for a, b in zip(seen[0.0], seen[1e-2]))


def test_augmentation_changes_training_but_not_evaluation(digits):
    plain = SweepConfig(epochs=1, batch_size=32, device="cpu")
    augmented = plain.with_changes(augment=("flip", "affine"))
    a = new_run(plain, digits, 0.0, 0, CPU)
    b = new_run(augmented, digits, 0.0, 0, CPU)
    assert all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters()))
    train_run(a, _data(digits), plain)
    train_run(b, _data(digits), augmented)
    assert a.rows[0].train_loss != b.rows[0].train_loss
    # evaluation alone: the same trained model gives the same test numbers either way
    loss_a = loop.evaluate(b.model, *_data(digits).test, digits.to_float, 1024)
    loss_b = loop.evaluate(b.model, *_data(digits).test, digits.to_float, 1024)
    assert loss_a == loss_b


def test_vectorised_training_with_augmentation_equals_one_run_at_a_time(digits):
    from pa2cli.sweep.vectorized import train_vectorized

    config = SweepConfig(epochs=2, batch_size=32, augment=("flip", "affine"), device="cpu")
    data = DeviceData((digits.train.x[:96], digits.train.y[:96]),
                      (digits.test.x[:64], digits.test.y[:64]), None,
                      lambda x: digits.to_float(x).to(torch.float64))
    members = [(0.0, 0), (1e-2, 0), (1e-2, 1)]
    rows = {m: [] for m in members}

    def emit(event):
        if isinstance(event, EpochDone):
            rows[event.key].append(event.row)

    folder = SweepFolder(Path(tempfile.mkdtemp(prefix="pa2-aug-")))
    assert train_vectorized(config, digits, data, members, CPU, folder, False, emit,
                            dtype=torch.float64) is None
    for member in members:
        state = new_run(config, digits, *member, CPU)
        state.model.to(torch.float64)
        train_run(state, data, config)
        for mine, theirs in zip(rows[member], state.rows, strict=True):
            assert math.isclose(mine.train_loss, theirs.train_loss, abs_tol=1e-9, rel_tol=0)
            assert math.isclose(mine.test_loss, theirs.test_loss, abs_tol=1e-9, rel_tol=0)


def test_a_resumed_augmented_run_repeats_an_uninterrupted_one(digits):
    from pa2cli.sweep.runs import checkpoint_of, restore

    config = SweepConfig(epochs=3, batch_size=32, augment=("flip", "affine"), device="cpu")
    whole = new_run(config, digits, 1e-2, 3, CPU)
    train_run(whole, _data(digits), config)
    part = new_run(config, digits, 1e-2, 3, CPU)
    train_run(part, _data(digits), config.with_changes(epochs=1))
    saved = checkpoint_of(part)
    torch.manual_seed(999)  # a new process: other global RNG state
    again = new_run(config, digits, 1e-2, 3, CPU)
    restore(again, saved)
    train_run(again, _data(digits), config)
    assert [r.to_dict() | {"seconds": 0} for r in again.rows] == \
        [r.to_dict() | {"seconds": 0} for r in whole.rows]


@pytest.mark.parametrize("text, expected", [
    ("flip", ("flip",)), ("affine,flip", ("flip", "affine")), (" FLIP , affine ", ("flip", "affine")),
    ("", ())])
def test_the_option_parses_names(text, expected):
    from pa2cli.sweep.command import parse_augment

    assert parse_augment(text) == expected


def test_an_unknown_augmentation_is_one_line():
    from pa2cli.errors import UserError
    from pa2cli.sweep.command import parse_augment

    with pytest.raises(UserError, match="'rotate' is not an augmentation") as err:
        parse_augment("flip,rotate")
    assert err.value.where == "--augment"
