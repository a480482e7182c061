"""How often a 15-run `pa2 sweep --resume` reads results.json, reads checkpoints and builds a
model (issue 14 measured 19, 30 and 17 before the one-engine rework): counted in-process.

    PYTHONPATH=. python benchmarks/sweep_counts.py

Runs a 5-weight-decay x 3-seed sweep of 1 epoch (40 training images, CPU, one at a time),
then resumes it to 2 epochs, counting `store.load_results`, `checkpoints.read_checkpoint`
and `models.build_model` calls during the resume.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.sweep import checkpoints, models, store

OPTIONS = ["--wd", "0", "1e-4", "1e-3", "1e-2", "1e-1", "--seeds", "3", "--train-size", "40",
           "--device", "cpu", "--vectorize", "off", "--no-plot", "--threads", "1"]


def main() -> None:
    out = str(Path(tempfile.mkdtemp(prefix="pa2-counts-")) / "sweep")
    first = CliRunner().invoke(cli, ["sweep", *OPTIONS, "--epochs", "1", "--out", out])
    assert first.exit_code == 0, first.output
    counts = {}
    for module, name in ((store, "load_results"), (checkpoints, "read_checkpoint"),
                         (models, "build_model")):
        original = getattr(module, name)
        counts[name] = 0

        def counted(*args, _original=original, _name=name, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        setattr(module, name, counted)
    resumed = CliRunner().invoke(cli, ["sweep", "--out", out, "--resume", "--epochs", "2",
                                       "--no-plot"])
    assert resumed.exit_code == 0, resumed.output
    print("15-run --resume:", ", ".join(f"{name} {n}" for name, n in counts.items()))


if __name__ == "__main__":
    main()
