"""Small number helpers shared by the sweep and the home screen: a weight decay as people
write it, and whether a JSON value is a finite number. Plain Python: it must not import torch
or the sweep package (the home screen uses it and stays fast)."""

from __future__ import annotations

import math


def wd_label(weight_decay: float) -> str:
    """A weight decay as people write it: 0, 1e-4, 5e-3, 0.1 -> "1e-1"; from 1 to below 100
    plainly: 1, 20, 2.5."""
    if weight_decay == 0:
        return "0"
    mantissa, exponent = f"{weight_decay:.6e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    if int(exponent) in (0, 1):
        return f"{float(f'{mantissa}e{int(exponent)}'):.7g}"
    return f"{mantissa}e{int(exponent)}"


def is_number(value) -> bool:
    """A finite int or float (not a bool); an int too large for a float is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


FIXED_BELOW = 1e6  # larger magnitudes are written in scientific notation (bounded width)


def fixed(value: float, places: int = 4, signed: bool = False) -> str:
    """A number in prose at a bounded width: `places` decimals below FIXED_BELOW, else
    scientific (1.000e+308, never a 309-digit "fixed" number); never "-0.0000"; an int too
    large for a float by its leading digits; inf and nan as words."""
    sign = "+" if signed else ""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= FIXED_BELOW:
        digits = str(abs(value)) if abs(value).bit_length() < 4000 else None  # Python's digit limit
        if digits is None:
            return ("-" if value < 0 else sign) + "a number over 10^1000"
        head = f"{digits[0]}.{digits[1:4].ljust(3, '0')}e+{len(digits) - 1:02d}"
        return ("-" if value < 0 else sign) + head
    value = float(value)
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("-" if value < 0 else sign) + "inf"
    if abs(value) >= FIXED_BELOW:
        return f"{value:{sign}.3e}"
    text = f"{value:{sign}.{places}f}"
    if float(text) == 0:  # -0.0, or a tiny negative rounded to zero
        text = f"{0.0:{sign}.{places}f}"
    return text


def count(n: int) -> str:
    """A whole number of things at a bounded width: 60,000; 1.000e+30 past a billion."""
    return f"{n:,}" if abs(n) < 10 ** 9 else fixed(n)
