"""How many draws a practice network needs, and how long one takes (docs/practice.md).

For each shape, draws the networks of seeds 0..N-1 as `pa2 backprop --random` does and reports
the draws needed (mean and worst: a draw is redrawn until every |z| <= 2.5 and every gradient is
at least 5e-4) and the CPU time per network. Run: python benchmarks/practice_networks.py [N]
"""

import random
import sys
import time

from pa2cli.backprop import practice
from pa2cli.backprop.engine import solve
from pa2cli.backprop.spec import validate

SHAPES = [(2, 2, 2), (3, 2, 1), (1, 1), (2, 3, 3, 2), (4, 1, 4), (4, 4, 4, 4)]


def draws_needed(seed: int, shape: tuple[int, ...]) -> int:
    rng = random.Random(seed)
    for k in range(1, practice.MAX_DRAWS + 1):
        if practice.readable(solve(validate(practice.draw(rng, shape))).values()):
            return k
    raise RuntimeError(f"seed {seed}: no readable network")


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    for shape in SHAPES:
        start = time.process_time()
        draws = [draws_needed(seed, shape) for seed in range(seeds)]
        per_network = (time.process_time() - start) / seeds * 1000
        print(f"{practice.shape_text(shape):8} draws mean {sum(draws) / seeds:5.2f}  "
              f"worst {max(draws):3d}  cpu per network {per_network:6.2f} ms")


if __name__ == "__main__":
    main()
