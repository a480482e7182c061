"""`--backend ray` against a real Ray head on 127.0.0.1 (started by .ci/run, named by
RAY_ADDRESS): the same results.json as a local sweep, Ctrl-C keeps the finished epochs and
--resume completes them, a missing Ray exits 2 naming the extra, and only this path imports
Ray. In CI (CI=true) a missing cluster fails these tests instead of skipping them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from rich.console import Console

from pa2cli.cli import cli
from pa2cli.sweep.config import SweepConfig

CONFIG = SweepConfig(epochs=2, weight_decays=(0.0, 1e-3), seeds=2, device="cpu")


@pytest.fixture(scope="module")
def ray_cluster():
    """A driver connection to the head at RAY_ADDRESS, shared by this module's tests."""
    address = os.environ.get("RAY_ADDRESS")
    try:
        import ray
    except ImportError:
        ray = None
    if ray is None or not address:
        why = "Ray is not installed" if ray is None else "RAY_ADDRESS is not set"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why}: .ci/run must install the test extra and start a Ray head")
        pytest.skip(f"{why} (CI starts a local head)")
    from pa2cli.sweep.ray_backend import RayOptions, _connect

    connected = _connect(ray, RayOptions(address=address))
    yield ray
    if connected:
        ray.shutdown()


def _numbers(results):
    """(key, status, rows without seconds) of every run of a SweepResults or its JSON dict."""
    runs = results["runs"] if isinstance(results, dict) else [r.to_dict() for r in results.runs]
    return [((run["weight_decay"], run["seed"]), run["status"],
             [{k: v for k, v in row.items() if k != "seconds"} for row in run["epochs"]])
            for run in runs]


@pytest.fixture(scope="module")
def small_digits():
    """The digits as the CLI loads them by default (a 150-image training subset)."""
    from pa2cli.sweep.data import load_dataset

    return load_dataset("digits", seed=CONFIG.seed, train_size=CONFIG.train_size)


@pytest.fixture(scope="module")
def local(tmp_path_factory, small_digits):
    """The same sweep trained locally, one run at a time."""
    import torch

    from pa2cli.sweep.runner import run_sweep
    from pa2cli.sweep.store import SweepFolder

    results, _ = run_sweep(CONFIG, SweepFolder(tmp_path_factory.mktemp("local")), small_digits,
                           torch.device("cpu"), console=Console(file=io.StringIO()))
    return results


def _close(a, b):
    assert [r[:2] for r in a] == [r[:2] for r in b]
    for (_, _, rows_a), (_, _, rows_b) in zip(a, b):
        assert len(rows_a) == len(rows_b)
        for x, y in zip(rows_a, rows_b):
            assert x == pytest.approx(y, rel=1e-6, abs=1e-9)


def test_ray_sweep_writes_the_results_of_a_local_sweep(ray_cluster, tmp_path, local):
    out = tmp_path / "ray"
    result = CliRunner().invoke(cli, ["sweep", "--wd", "1e-3", "--epochs", "2", "--seeds", "2",
                                      "--no-plot", "--device", "cpu", "--backend", "ray",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Ray cluster: " in result.output
    saved = json.loads((out / "results.json").read_text())
    assert saved["config"] == local.config
    _close(_numbers(saved), _numbers(local))
    assert (out / "results.csv").read_text().count("\n") == 1 + 4 * 2  # 4 runs x 2 epochs
    assert len(list((out / "checkpoints").iterdir())) == 4


def test_interrupted_ray_sweep_keeps_finished_epochs_and_resumes(ray_cluster, tmp_path,
                                                                 small_digits, local):
    import torch

    from pa2cli.sweep.ray_backend import RayOptions
    from pa2cli.sweep.runner import run_sweep
    from pa2cli.sweep.store import SweepFolder

    def interrupt(key, row):
        raise KeyboardInterrupt  # Ctrl-C as the first epoch is recorded

    def run(**kwargs):
        return run_sweep(CONFIG, SweepFolder(tmp_path), small_digits, torch.device("cpu"),
                         console=Console(file=io.StringIO()), ray_options=RayOptions(),
                         **kwargs)

    with pytest.raises(KeyboardInterrupt):
        run(after_epoch=interrupt)
    saved = json.loads((tmp_path / "results.json").read_text())
    kept = [len(run["epochs"]) for run in saved["runs"]]
    assert sum(kept) >= 1 and all(n < 2 for n in kept)
    resumed, _ = run(resume=True)
    _close(_numbers(resumed), _numbers(local))


def test_a_worker_without_the_model_file_trains_the_shipped_source(tmp_path, monkeypatch):
    """What a Ray task does when the --model path does not exist where it runs (no cluster
    needed: the task body is a plain generator)."""
    from pa2cli.sweep.ray_backend import model_source, train_one

    source_file = tmp_path / "net.py"
    source_file.write_text("import torch.nn as nn\n"
                           "def Net(num_classes=10):\n"
                           "    return nn.Sequential(nn.Flatten(), nn.Linear(64, num_classes))\n")
    config = CONFIG.with_changes(epochs=1, model=f"{source_file}:Net")
    shipped = model_source(config)
    elsewhere = tmp_path / "worker"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    moved = config.with_changes(model="not/on/this/worker/net.py:Net")
    from pa2cli.sweep.events import Batch, CheckpointReady, EpochDone, Ended, Started

    events = list(train_one(moved.to_dict(), (1e-3, 0), None, shipped, 1, False))
    kinds = [type(e) for e in events if not isinstance(e, Batch)]
    assert kinds == [Started, CheckpointReady, EpochDone, Ended]
    batches = [e for e in events if isinstance(e, Batch)]
    assert batches and isinstance(batches[-1].loss_sum, float)  # read before it is sent
    assert batches[-1].batch == batches[-1].n_batches  # an epoch's last batch always goes
    done = next(e for e in events if isinstance(e, EpochDone))
    assert events[-1].status == "done" and done.row.epoch == 1
    assert 0 <= done.row.test_acc <= 1


def test_asking_for_more_gpus_than_the_cluster_has_is_one_line(ray_cluster, tmp_path):
    result = CliRunner().invoke(cli, ["sweep", "--backend", "ray", "--gpus-per-run", "1",
                                      "--epochs", "1", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "--gpus-per-run 1: 1 is more than the cluster's 0 GPUs" in result.output
    assert not (tmp_path / "o" / "results.json").exists()  # said before any result is written


def test_missing_ray_exits_2_naming_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    result = CliRunner().invoke(cli, ["sweep", "--backend", "ray", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "pip install 'ray>=2.9'" in result.output and "--backend ray" in result.output
    assert not (tmp_path / "o").exists()  # said before anything is written


@pytest.mark.parametrize("args,where", [
    (["--address", "127.0.0.1:1"], "--address"),
    (["--backend", "ray", "--jobs", "2"], "--backend ray"),
    (["--backend", "ray", "--vectorize", "on"], "--backend ray"),
    (["--backend", "ray", "--device", "cuda"], "--gpus-per-run 1"),
])
def test_ray_option_conflicts_are_one_line_errors(args, where):
    result = CliRunner().invoke(cli, ["sweep", *args])
    assert result.exit_code == 2 and where in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [["explain", "huber"], ["backprop", "--help"],
                                  ["sweep", "--help"]])
def test_only_the_ray_backend_imports_ray(args):
    code = ("import runpy, sys\nsys.argv = ['pa2'] + sys.argv[1:]\n"
            "try:\n    runpy.run_module('pa2cli', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print('RAY' if 'ray' in sys.modules else 'NO-RAY', file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    assert run.stderr.strip().splitlines()[-1] == "NO-RAY", run.stderr


def test_a_ray_task_trains_a_cosine_schedule_as_a_local_run(small_digits):
    """The task runs the sweep's one epoch loop over all its epochs (it once trained epoch by
    epoch with `epochs` set to the epoch, which bent the cosine schedule): its rows are those
    of the same run trained here."""
    import torch

    from pa2cli.sweep.events import EpochDone
    from pa2cli.sweep.loop import to_device, train_run
    from pa2cli.sweep.ray_backend import train_one
    from pa2cli.sweep.runs import new_run

    config = CONFIG.with_changes(epochs=3, lr_schedule="cosine")
    events = list(train_one(config.to_dict(), (1e-3, 0), None, None, 1, False))
    remote = [e.row for e in events if isinstance(e, EpochDone)]
    here = new_run(config, small_digits, 1e-3, 0, torch.device("cpu"))
    train_run(here, to_device(small_digits, torch.device("cpu")), config)
    assert len(remote) == len(here.rows) == 3
    for theirs, mine in zip(remote, here.rows):
        assert {k: v for k, v in theirs.to_dict().items() if k != "seconds"} == \
            {k: v for k, v in mine.to_dict().items() if k != "seconds"}
