"""The statistics behind the sweep's findings: mean, sd, Student's t quantiles, paired intervals.

Plain Python (`math` only; no numpy, no scipy), so every number can be checked by hand:
`mean`, `sample_sd` (n - 1 in the denominator), `binomial_se` (the test set's own standard
error of an accuracy, sqrt(p(1 - p)/n)), `t_quantile` (the exact inverse of Student's t
distribution function, from the regularised incomplete beta function, by bisection) and
`paired_interval`, which turns per-seed differences into their mean, sd, 95 % t interval and a
count of signs. This module must not know about weight decay, files or printing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CONFIDENCE = 0.95


def mean(values) -> float:
    values = list(values)
    if not values:
        raise ValueError("mean of no values")
    try:
        return math.fsum(values) / len(values)
    except OverflowError:  # values near the largest float (a hostile results.json): scaled by
        scale = max(abs(v) for v in values)  # the largest, so no partial sum can overflow
        return scale * (math.fsum(v / scale for v in values) / len(values))


def sample_sd(values) -> float | None:
    """Sample standard deviation (denominator n - 1); None for fewer than 2 values.

    The deviations are scaled by the largest one first, so that values far beyond any real
    loss (1e200, from a hand-edited file) give a finite sd instead of an overflow."""
    values = list(values)
    if len(values) < 2:
        return None
    m = mean(values)
    deviations = [v - m for v in values]
    scale = max(abs(d) for d in deviations)
    if scale == 0 or not math.isfinite(scale):
        return scale
    return scale * math.sqrt(math.fsum((d / scale) ** 2 for d in deviations)
                             / (len(values) - 1))


def binomial_se(p: float, n: int) -> float:
    """Standard error sqrt(p(1-p)/n) of an accuracy p measured on n independent test images."""
    if n < 1:
        raise ValueError("binomial_se needs n >= 1")
    return math.sqrt(max(p * (1 - p), 0.0) / n)


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularised incomplete beta function, for a, b > 0 and 0 <= x <= 1."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1 - x) / b


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t distribution with `df` degrees of freedom."""
    tail = 0.5 * regularized_beta(df / 2, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: int) -> float:
    """The t such that P(T <= t) = p, for 0.5 <= p < 1 (bisection on t_cdf, to 1e-12)."""
    if not 0.5 <= p < 1 or df < 1:
        raise ValueError("t_quantile needs 0.5 <= p < 1 and df >= 1")
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    while high - low > 1e-12 * max(1.0, high):
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@dataclass(frozen=True)
class PairedInterval:
    """Per-seed differences d_i = value(treated) - value(baseline) and what they show.

    `low`/`high` are the 95 % t interval of the mean difference (None with one seed: the
    seed-to-seed noise is then unmeasured). `positive`/`negative` count the seeds with d_i > 0
    and d_i < 0 (ties count in neither).
    """

    seeds: tuple[int, ...]
    differences: tuple[float, ...]
    mean: float
    sd: float | None
    t: float | None
    low: float | None
    high: float | None
    positive: int
    negative: int

    @property
    def n(self) -> int:
        return len(self.differences)

    @property
    def excludes_zero(self) -> bool:
        return self.low is not None and (self.low > 0 or self.high < 0)

    def to_dict(self) -> dict:
        return {"seeds": list(self.seeds), "differences": list(self.differences),
                "mean": self.mean, "sd": self.sd, "t_quantile": self.t, "ci_low": self.low,
                "ci_high": self.high, "confidence": CONFIDENCE, "positive": self.positive,
                "negative": self.negative, "excludes_zero": self.excludes_zero}


def paired_interval(seeds, differences) -> PairedInterval:
    """Mean, sd and 95 % t interval (mean ± t_{0.975, n-1} · sd/√n) of per-seed differences."""
    differences = tuple(float(d) for d in differences)
    m, sd = mean(differences), sample_sd(differences)
    t = low = high = None
    if sd is not None:
        t = t_quantile(0.5 + CONFIDENCE / 2, len(differences) - 1)
        half = t * sd / math.sqrt(len(differences))
        low, high = m - half, m + half
    return PairedInterval(tuple(seeds), differences, m, sd, t, low, high,
                          sum(d > 0 for d in differences), sum(d < 0 for d in differences))
