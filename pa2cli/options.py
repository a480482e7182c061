"""Click parameter types shared by several commands, so one rule holds everywhere.

`TOLERANCE` (`--rtol`, `--atol` of `pa2 backprop` and `pa2 explain --quiz`): a finite number
>= 0. Click's FloatRange alone lets `nan` and `inf` through (nan compares false with its
bounds): a NaN tolerance fails every answer, an infinite one passes every answer, so both are
refused with one line naming the option.
"""

from __future__ import annotations

import math

import click


class FiniteFloatRange(click.FloatRange):
    """A FloatRange that also refuses nan, inf and values that overflow to inf (1e309)."""

    name = "finite float range"

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number; use e.g. 1e-3 (0 for exact).", param, ctx)
        return number


TOLERANCE = FiniteFloatRange(min=0)
