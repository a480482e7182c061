"""--jobs N against --jobs 1: with the same torch threads per process the numbers are identical
to the last bit; only a different thread count per process changes them (the order of float
sums), which a run on the edge of stability can amplify (docs/sweep.md, "--jobs and threads")."""

from __future__ import annotations

from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.sweep.store import load_results

ARGS = ["sweep", "--wd", "1e-3", "--epochs", "2", "--seeds", "1", "--train-size", "300",
        "--batch-size", "16", "--device", "cpu", "--no-plot"]


def _numbers(folder) -> list:
    return [(run.key, run.status, [{k: v for k, v in row.to_dict().items() if k != "seconds"}
                                   for row in run.epochs])
            for run in load_results(folder).runs]


def test_jobs_2_with_the_same_threads_per_process_is_bit_identical_to_jobs_1(tmp_path):
    one = CliRunner().invoke(cli, [*ARGS, "--jobs", "1", "--threads", "1", "--vectorize", "off",
                                   "--out", str(tmp_path / "one")])  # one run at a time, too
    two = CliRunner().invoke(cli, [*ARGS, "--jobs", "2", "--threads", "2",  # 1 per worker
                                   "--out", str(tmp_path / "two")])
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    a, b = _numbers(tmp_path / "one"), _numbers(tmp_path / "two")
    assert len(a) == 2 and a == b  # exact: not approx
