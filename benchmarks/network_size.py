"""How `pa2 backprop` scales with the network: CPU seconds to validate, solve and write each
output for networks of growing size, and the growth factor from one size to the next.

Linear work grows like the size (x4 for 4x the edges); the old validation and engine, where every
node scanned every edge, grew like its square (x16). Usage:
    python benchmarks/network_size.py [--largest]
`--largest` adds the largest network the limits accept in a typical shape (8,000 nodes,
21,600 edges). Times are process CPU seconds, the fastest of three runs (one slow run, a GC or
a busy core, cannot tip a ratio), so other load on the machine inflates them less than wall
time; rendering `--solve` through Rich is by far the slowest step. `lines` is how many lines of
Python validate + solve execute, the machine-independent count that
tests/backprop/test_network_files.py checks for linear growth (this script holds the timing that
test used to do).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.work: the tests' counter
from tests.work import lines_executed  # noqa: E402


def sparse_network(width: int, depth: int, fan: int = 3) -> dict:
    """`depth` layers of `width` nodes, each fed by `fan` nodes of the layer before; one shared
    bias (the shape of tests/backprop/test_network_files.py)."""
    layers = [[f"n{d}x{i}" for i in range(width)] for d in range(depth)]
    edges = {}
    for before, after in zip(layers, layers[1:]):
        for i, node in enumerate(after):
            for k in range(fan):
                edges[f"w{len(edges)}"] = {"from": before[(i + k) % width], "to": node,
                                           "value": 0.05 * ((i + k) % 7 - 3)}
    return {"inputs": {n: 0.1 * (i % 5) for i, n in enumerate(layers[0])},
            "targets": {n: 0.5 for n in layers[-1]}, "edges": edges,
            "biases": {"b": {"to": [n for layer in layers[1:] for n in layer], "value": 0.1}}}


def cpu(work, runs: int = 3) -> tuple[float, object]:
    """The fastest of `runs` runs of work(), in process CPU seconds, and its result."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        result = work()
        best = min(best, time.process_time() - start)
    return best, result


def measure(data: dict) -> dict[str, float]:
    from rich.console import Console

    from pa2cli.backprop import solution as render
    from pa2cli.backprop.engine import solve
    from pa2cli.backprop.spec import parse_network

    text = json.dumps(data)
    times = {}
    times["validate"], network = cpu(lambda: parse_network(text))
    times["solve"], solved = cpu(lambda: solve(network))
    times["--json"], _ = cpu(lambda: render.to_json(solved))
    times["--format latex"], _ = cpu(lambda: render.to_latex_document(solved))
    console = Console(file=io.StringIO(), width=100)
    times["--solve (Rich)"], _ = cpu(lambda: render.print_solution(solved, console), runs=1)
    times["lines"] = lines_executed(lambda: solve(parse_network(text)))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--largest", action="store_true")
    args = parser.parse_args()
    sizes = [(100, 10), (400, 10)] + ([(800, 10)] if args.largest else [])
    previous = None
    for width, depth in sizes:
        data = sparse_network(width, depth)
        times = measure(data)
        nodes, edges = width * depth, len(data["edges"])
        line = ", ".join(f"{k} {v:,}" if k == "lines" else f"{k} {v:.2f} s"
                         for k, v in times.items())
        print(f"{nodes:>6,} nodes {edges:>7,} edges: {line}")
        if previous:
            growth = ", ".join(f"{k} x{times[k] / max(previous[1][k], 1e-9):.1f}" for k in times)
            print(f"        {edges / previous[0]:.0f}x the edges: {growth}")
        previous = (edges, times)


if __name__ == "__main__":
    main()
