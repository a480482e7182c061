"""Practice networks on demand: `pa2 backprop --random [--seed N] [--shape 2-2-2]`.

A practice network is drawn in the style of the assignment's Figure 1: layers fully connected,
sigmoid hidden and output units, the ½-sum-of-squares loss, weights on the edges, one shared
bias per layer, learning rate 0.5. Names follow the figure: inputs i1…, hidden nodes h1… (numbered
on across hidden layers), outputs o1…, weights w1… grouped by the node they feed, biases b1… one
per layer.

Every number has two decimals, and a draw is kept only if the network is pleasant to work by
hand (`readable`): every net input |z| ≤ Z_MAX, so each sigmoid stays in its steep middle part
(a between 0.08 and 0.92), and every gradient is at least MIN_GRADIENT in size, so none rounds
to 0.000. Rejected draws are redrawn from the same stream, so a seed always yields one network.

Portability: the only source of randomness is `random.Random(seed).random()`, whose sequence
Python guarantees across versions and platforms for an integer seed; each number is a whole
number of hundredths picked with integer arithmetic, so the same seed writes the same file on
every machine. This module builds the JSON dict only; validation and maths stay in spec.py and
engine.py, and it prints nothing.
"""

from __future__ import annotations

import math
import random
import re
import secrets
from typing import Any

from pa2cli.errors import UserError

SHAPE_HELP = "2 to 4 layer widths joined by '-', each 1 to 4, e.g. 2-2-2 (the default) or 3-2-1"
DEFAULT_SHAPE = (2, 2, 2)
MAX_LAYERS, MAX_WIDTH = 4, 4
MAX_SEED = 2**63 - 1
Z_MAX = 2.5  # |z| bound: sigmoid(2.5) = 0.924, its slope stays above 0.07
MIN_GRADIENT = 5e-4  # every dE/dp at least this in size: readable to 3 decimals
MAX_DRAWS = 10_000  # more than enough: tests show every seed in 0..999 succeeds within a few
LEARNING_RATE = 0.5

# Ranges in hundredths, inclusive: (low, high).
INPUTS = (5, 100)  # 0.05 … 1.00
WEIGHTS = (-80, 80)  # −0.80 … 0.80, never 0
BIASES = (-50, 60)
TARGETS = (1, 99)  # 0.01 … 0.99, as in the figure


def parse_shape(text: str) -> tuple[int, ...]:
    """`2-3-1` -> (2, 3, 1); a UserError naming --shape for anything else."""
    if not re.fullmatch(r"\d{1,2}(-\d{1,2}){1,9}", text.strip()):
        raise UserError(f"{text!r} is not a shape", where="--shape", fix=f"Use {SHAPE_HELP}.")
    widths = tuple(int(part) for part in text.strip().split("-"))
    if not 2 <= len(widths) <= MAX_LAYERS or not all(1 <= w <= MAX_WIDTH for w in widths):
        raise UserError(f"{text!r} is outside the limits", where="--shape",
                        fix=f"Use {SHAPE_HELP}.")
    return widths


def shape_text(shape: tuple[int, ...]) -> str:
    return "-".join(map(str, shape))


def new_seed() -> int:
    """A fresh seed for `--random` without `--seed`: four digits, easy to note and retype."""
    return secrets.randbelow(10_000)


def check_seed(seed: int) -> int:
    if not 0 <= seed <= MAX_SEED:
        raise UserError(f"{seed} is out of range", where="--seed",
                        fix=f"Use a whole number from 0 to {MAX_SEED}.")
    return seed


def _hundredths(rng: random.Random, low: int, high: int, *, nonzero: bool = False) -> float:
    """A number with two decimals, uniform on low/100 … high/100 (integer arithmetic)."""
    while True:
        k = low + min(int(rng.random() * (high - low + 1)), high - low)
        if not (nonzero and k == 0):
            return k / 100


def layer_names(shape: tuple[int, ...]) -> list[list[str]]:
    """[[i1, i2], [h1, h2], [o1, o2]]: hidden nodes are numbered on across hidden layers."""
    names = [[f"i{k}" for k in range(1, shape[0] + 1)]]
    hidden = 0
    for width in shape[1:-1]:
        names.append([f"h{hidden + k}" for k in range(1, width + 1)])
        hidden += width
    names.append([f"o{k}" for k in range(1, shape[-1] + 1)])
    return names


def draw(rng: random.Random, shape: tuple[int, ...]) -> dict[str, Any]:
    """One candidate network file (not yet checked for readability)."""
    layers = layer_names(shape)
    edges, biases, count = {}, {}, 0
    for depth, layer in enumerate(layers[1:], start=1):
        for node in layer:
            for source in layers[depth - 1]:
                count += 1
                edges[f"w{count}"] = {"from": source, "to": node,
                                      "value": _hundredths(rng, *WEIGHTS, nonzero=True)}
        biases[f"b{depth}"] = {"to": list(layer), "value": _hundredths(rng, *BIASES)}
    return {
        "inputs": {name: _hundredths(rng, *INPUTS) for name in layers[0]},
        "targets": {name: _hundredths(rng, *TARGETS) for name in layers[-1]},
        "edges": edges,
        "biases": biases,
        "activation": "sigmoid",
        "loss": "half_sse",
        "learning_rate": LEARNING_RATE,
    }


def readable(values: dict[str, float]) -> bool:
    """Every sigmoid in its middle part, and no gradient that rounds away to 0 at 3 decimals."""
    for name, value in values.items():
        if name.startswith("z_") and abs(value) > Z_MAX:
            return False
        if name.startswith("grad_") and abs(value) < MIN_GRADIENT:
            return False
        if not math.isfinite(value):
            return False
    return True


def random_network_data(seed: int, shape: tuple[int, ...] = DEFAULT_SHAPE) -> dict[str, Any]:
    """The practice network file of `seed` and `shape` (the same on every machine)."""
    from pa2cli.backprop.engine import solve
    from pa2cli.backprop.spec import validate

    rng = random.Random(check_seed(seed))
    for _ in range(MAX_DRAWS):
        data = draw(rng, shape)
        if readable(solve(validate(data)).values()):
            return data
    raise UserError(f"no readable network found for seed {seed}", where="--seed",
                    fix="Try another seed.")  # pragma: no cover - never seen for any tested seed


def label(seed: int, shape: tuple[int, ...]) -> str:
    return f"practice network (seed {seed}, shape {shape_text(shape)})"
