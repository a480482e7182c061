"""The statistics against values derived by hand: t quantiles from their closed forms and
published tables, the binomial standard error, and paired intervals worked out on paper."""

from __future__ import annotations

import math

import pytest

from pa2cli.sweep.stats import (binomial_se, mean, paired_interval, sample_sd, t_cdf,
                                t_quantile)


def test_t_quantile_matches_the_closed_forms_for_one_and_two_degrees_of_freedom():
    # df 1 is the Cauchy distribution: t = tan(pi (p - 1/2)); df 2: t = (2p-1)/sqrt(2p(1-p))
    for p in (0.6, 0.9, 0.975, 0.995):
        assert t_quantile(p, 1) == pytest.approx(math.tan(math.pi * (p - 0.5)), rel=1e-9)
        assert t_quantile(p, 2) == pytest.approx((2 * p - 1) / math.sqrt(2 * p * (1 - p)),
                                                 rel=1e-9)


@pytest.mark.parametrize("df, table", [(3, 3.182), (4, 2.776), (5, 2.571), (10, 2.228),
                                       (30, 2.042), (120, 1.980)])
def test_t_quantile_matches_the_printed_table_at_97_5_percent(df, table):
    assert round(t_quantile(0.975, df), 3) == table


def test_t_quantile_tends_to_the_normal_quantile():
    assert t_quantile(0.975, 100000) == pytest.approx(1.959964, abs=1e-4)


def test_t_cdf_is_symmetric_and_one_half_at_zero():
    assert t_cdf(0.0, 7) == 0.5
    assert t_cdf(-1.3, 7) == pytest.approx(1 - t_cdf(1.3, 7), abs=1e-14)


def test_mean_and_sample_sd_use_n_minus_one():
    assert mean([1.0, 2.0, 6.0]) == 3.0
    assert sample_sd([1.0, 2.0, 6.0]) == pytest.approx(math.sqrt((4 + 1 + 9) / 2))
    assert sample_sd([5.0]) is None


def test_binomial_standard_error_of_an_accuracy():
    assert binomial_se(0.9, 400) == pytest.approx(0.015)  # sqrt(0.9 * 0.1 / 400)
    assert binomial_se(1.0, 50) == 0.0


def test_paired_interval_when_every_seed_agrees():
    # differences -0.10, -0.08, -0.12: mean -0.10, sd 0.02, se 0.02/sqrt(3),
    # t(0.975, 2) = 0.95 / sqrt(0.04875) = 4.302653 -> half width 0.049683
    interval = paired_interval([0, 1, 2], [-0.10, -0.08, -0.12])
    assert interval.mean == pytest.approx(-0.10)
    assert interval.sd == pytest.approx(0.02)
    assert interval.low == pytest.approx(-0.149683, abs=1e-6)
    assert interval.high == pytest.approx(-0.050317, abs=1e-6)
    assert interval.excludes_zero and (interval.positive, interval.negative) == (0, 3)


def test_paired_interval_when_the_seeds_split():
    # differences +0.02, -0.01, +0.005: mean 0.005, sd 0.015, half width 4.302653*0.015/sqrt(3)
    interval = paired_interval([0, 1, 2], [0.02, -0.01, 0.005])
    assert interval.mean == pytest.approx(0.005)
    assert interval.sd == pytest.approx(0.015)
    assert (interval.low, interval.high) == pytest.approx((-0.032262, 0.042262), abs=1e-6)
    assert not interval.excludes_zero and (interval.positive, interval.negative) == (2, 1)


def test_one_seed_has_no_interval():
    interval = paired_interval([4], [0.03])
    assert interval.sd is None and interval.low is None and not interval.excludes_zero
