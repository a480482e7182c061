"""--train-size: a stratified subset of the training split, drawn with the seed; the test
split is never touched; impossible sizes are one-line errors."""

from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.errors import UserError
from pa2cli.sweep.data import class_quotas, load_dataset


def test_quotas_are_proportional_by_largest_remainder():
    # 5 of (5, 3, 2): exact shares 2.5, 1.5, 1.0 -> floors 2, 1, 1; one left, the tie between
    # the two remainders of 0.5 goes to the lower class
    assert class_quotas([5, 3, 2], 5) == [3, 1, 1]
    assert class_quotas([10, 10, 10], 6) == [2, 2, 2]
    # every class present gets one image even when its share rounds to 0
    assert class_quotas([98, 1, 1], 3) == [1, 1, 1]


def test_subset_keeps_each_class_in_proportion_and_the_test_split_whole(digits):
    small = load_dataset("digits", seed=0, train_size=150)
    assert len(small.train) == 150
    full_counts = torch.bincount(digits.train.y, minlength=10).double()
    small_counts = torch.bincount(small.train.y, minlength=10).double()
    share = full_counts * 150 / len(digits.train)
    assert torch.all((small_counts - share).abs() < 1)  # largest remainder: within one image
    assert torch.equal(small.test.x, digits.test.x) and torch.equal(small.test.y, digits.test.y)


def test_subset_images_come_from_the_training_split_without_repeats(digits):
    small = load_dataset("digits", seed=3, train_size=100)
    flat_full = digits.train.x.reshape(len(digits.train), -1)
    rows = [int(torch.nonzero((flat_full == img.reshape(1, -1)).all(dim=1))[0])
            for img in small.train.x]
    assert len(set(rows)) == 100
    assert torch.equal(digits.train.y[rows], small.train.y)


def test_the_same_seed_draws_the_same_subset_and_another_seed_another():
    a = load_dataset("digits", seed=5, train_size=120)
    b = load_dataset("digits", seed=5, train_size=120)
    c = load_dataset("digits", seed=6, train_size=120)
    assert torch.equal(a.train.x, b.train.x)
    assert not torch.equal(a.train.x, c.train.x)


def test_normalisation_statistics_come_from_the_subset(digits):
    small = load_dataset("digits", seed=0, train_size=50)
    mean = (small.train.x.double() / 16).mean().item()
    assert small.mean[0] == pytest.approx(mean, abs=1e-12)


def test_the_whole_split_is_the_same_as_no_subset(digits):
    whole = load_dataset("digits", train_size=len(digits.train))
    assert torch.equal(whole.train.x, digits.train.x)


@pytest.mark.parametrize("size, text", [(5, "one image of each of the 10 classes"),
                                        (10**6, "more than the 1438 training images")])
def test_impossible_sizes_are_user_errors(size, text):
    with pytest.raises(UserError) as caught:
        load_dataset("digits", train_size=size)
    assert text in caught.value.message and "--train-size" in caught.value.message


@pytest.mark.parametrize("value", ["0", "-3", "lots", "1.5"])
def test_cli_rejects_a_bad_train_size_in_one_line(value, tmp_path):
    result = CliRunner().invoke(cli, ["sweep", "--train-size", value, "--out", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "--train-size" in result.output


def test_cli_all_means_the_whole_split(monkeypatch):
    seen = {}

    def fake_start(config, **kwargs):
        seen["config"] = config
        return 0

    monkeypatch.setattr("pa2cli.sweep.session.start_sweep", fake_start)
    assert CliRunner().invoke(cli, ["sweep", "--train-size", "all"]).exit_code == 0
    assert seen["config"].train_size is None
    assert CliRunner().invoke(cli, ["sweep", "--train-size", "200"]).exit_code == 0
    assert seen["config"].train_size == 200
