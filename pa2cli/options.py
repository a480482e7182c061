"""Click parameter types shared by several commands, so one rule holds everywhere.

`TOLERANCE` (`--rtol`, `--atol` of `pa2 backprop` and `pa2 explain --quiz`): a finite number
>= 0. Click's FloatRange alone lets `nan` and `inf` through (nan compares false with its
bounds): a NaN tolerance fails every answer, an infinite one passes every answer, so both are
refused with one line naming the option. The float options of `pa2 sweep` (`--lr`, `--momentum`,
`--val-split`, `--cpus-per-run`, `--gpus-per-run`) use the same type with their own ranges.
"""

from __future__ import annotations

import math

import click


class FiniteFloatRange(click.FloatRange):
    """A FloatRange that also refuses nan, inf and values that overflow to inf (1e309);
    `example` completes "use e.g. …" in the one-line refusal."""

    name = "finite float range"

    def __init__(self, *args, example: str = "1e-3 (0 for exact)", **kwargs):
        super().__init__(*args, **kwargs)
        self.example = example

    def convert(self, value, param, ctx):
        # nan first: FloatRange's own bounds check lets it through (it compares false)
        number = value if isinstance(value, float) else click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number; use e.g. {self.example}.", param, ctx)
        return super().convert(number, param, ctx)


TOLERANCE = FiniteFloatRange(min=0)
# pa2 sweep: every float option is finite and in its range (nan trained, marked every run
# diverged and wrote "lr": NaN, which is not JSON; nan CPUs were a Ray traceback).
LEARNING_RATE = FiniteFloatRange(0, min_open=True, example="0.05")
MOMENTUM = FiniteFloatRange(0, 1, example="0.9")
VAL_SPLIT = FiniteFloatRange(0, 1, max_open=True, example="0.1")
MAX_CPUS_PER_RUN, MAX_GPUS_PER_RUN = 1024, 64
CPUS_PER_RUN = FiniteFloatRange(0, MAX_CPUS_PER_RUN, min_open=True, example="1")
GPUS_PER_RUN = FiniteFloatRange(0, MAX_GPUS_PER_RUN, example="0.5")
