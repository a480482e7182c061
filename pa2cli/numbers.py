"""Small number helpers shared by the sweep and the home screen: a weight decay as people
write it, and whether a JSON value is a finite number. Plain Python: it must not import torch
or the sweep package (the home screen uses it and stays fast)."""

from __future__ import annotations

import math


def wd_label(weight_decay: float) -> str:
    """A weight decay as people write it: 0, 1e-4, 5e-3, 0.1 -> "1e-1"."""
    if weight_decay == 0:
        return "0"
    mantissa, exponent = f"{weight_decay:.6e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def is_number(value) -> bool:
    """A finite int or float (not a bool); an int too large for a float is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False
