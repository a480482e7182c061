"""--resume trusts a checkpoint only when it is safe to read and belongs to its run: checked
against the run's weight decay, seed, model and optimiser and the epochs results.json records.
Damaged, foreign or malicious checkpoints exit 2 naming the file; none can run code."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pa2cli.sweep.store import load_results

CKPT_0 = "checkpoints/wd_0.0_seed_0.pt"
CKPT_1 = "checkpoints/wd_0.001_seed_0.pt"


def _resume(invoke, folder, *extra):
    return invoke("sweep", "--out", folder, "--resume", "--epochs", "2", "--no-plot", *extra)


def _results(folder: Path) -> dict:
    return json.loads((folder / "results.json").read_text())


def _refused(result, folder: Path, name: str, one_line_error) -> str:
    assert result.exit_code == 2, result.output
    line = one_line_error(result.output)
    assert str(folder / name) in line, line
    assert "--resume" in line and "--out" in line, line  # says what to do
    return line


def test_another_weight_decays_checkpoint_is_refused_and_nothing_is_replaced(
        sweep_copy, invoke, one_line_error):
    before = _results(sweep_copy)
    shutil.copy(sweep_copy / CKPT_0, sweep_copy / CKPT_1)
    line = _refused(_resume(invoke, sweep_copy), sweep_copy, CKPT_1, one_line_error)
    assert "weight_decay is 0, this run's is 1e-3" in line
    assert _results(sweep_copy) == before


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage", "folder", "fifo"])
def test_a_damaged_checkpoint_exits_2_naming_the_file(sweep_copy, invoke, one_line_error,
                                                       damage):
    path = sweep_copy / CKPT_1
    data = path.read_bytes()
    path.unlink()
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "truncated":
        path.write_bytes(data[:len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(os.urandom(4096))
    elif damage == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)  # would block a plain open() forever
    before = _results(sweep_copy)
    _refused(_resume(invoke, sweep_copy), sweep_copy, CKPT_1, one_line_error)
    assert _results(sweep_copy) == before


def test_a_checkpoint_of_another_model_is_refused(sweep_copy, invoke, one_line_error):
    import torch

    path = sweep_copy / CKPT_1
    checkpoint = torch.load(path, weights_only=True)
    name = next(iter(checkpoint["model"]))
    checkpoint["model"][name] = torch.zeros(3, 3)  # the same identity, another shape
    torch.save(checkpoint, path)
    line = _refused(_resume(invoke, sweep_copy), sweep_copy, CKPT_1, one_line_error)
    assert "does not fit this run's model" in line and name in line


def test_a_checkpoint_of_another_optimiser_is_refused(sweep_copy, invoke, one_line_error):
    import torch

    path = sweep_copy / CKPT_1
    checkpoint = torch.load(path, weights_only=True)
    checkpoint["identity"]["optimizer"] = "adam"
    torch.save(checkpoint, path)
    line = _refused(_resume(invoke, sweep_copy), sweep_copy, CKPT_1, one_line_error)
    assert "its optimizer is 'adam', this run's is 'adamw'" in line


def test_a_checkpoint_holding_other_epochs_is_refused(tmp_path, sweep_copy, invoke, tiny,
                                                      one_line_error):
    longer = tmp_path / "longer"
    result = invoke("sweep", "--wd", "1e-3", "--epochs", "3", *tiny, "--out", longer)
    assert result.exit_code == 0, result.output
    shutil.copy(longer / CKPT_1, sweep_copy / CKPT_1)  # same run, 3 epochs; results.json: 1
    line = _refused(_resume(invoke, sweep_copy, "--epochs", "5"), sweep_copy, CKPT_1,
                    one_line_error)
    assert "holds 3 epochs that do not continue the 1" in line


def test_a_missing_checkpoint_is_said_plainly_and_the_run_is_trained_again(
        tmp_path, sweep_copy, invoke, tiny, without_seconds):
    (sweep_copy / CKPT_1).unlink()
    result = _resume(invoke, sweep_copy)
    assert result.exit_code == 0, result.output
    expected = (f"wd 1e-3 seed 0: its checkpoint {sweep_copy / CKPT_1} is missing, so its 1 saved "
                "epochs cannot be continued: it is trained again from epoch 1")
    assert "".join(expected.split()) in "".join(result.output.split())  # Rich folds long paths
    whole = tmp_path / "whole"
    assert invoke("sweep", "--wd", "1e-3", "--epochs", "2", *tiny, "--out", whole).exit_code == 0
    resumed = without_seconds(load_results(sweep_copy))
    fresh = without_seconds(load_results(whole))
    assert [r[:2] for r in resumed] == [r[:2] for r in fresh]
    for (_, _, rows_a), (_, _, rows_b) in zip(resumed, fresh):  # trained again from its seed
        assert rows_a == [pytest.approx(row, rel=1e-5) for row in rows_b]  # (stacked or not)


def test_a_checkpoint_ahead_of_results_json_is_continued(tmp_path, invoke, tiny):
    """Killed before results.json caught up with the checkpoints: nothing is lost."""
    folder = tmp_path / "sweep"
    assert invoke("sweep", "--wd", "1e-3", "--epochs", "3", *tiny, "--out", folder).exit_code == 0
    whole = _results(folder)
    cut = _results(folder)
    del cut["runs"][1]["epochs"][1:]  # results.json: 1 epoch; the checkpoint holds 3
    cut["runs"][1]["status"] = "partial"
    (folder / "results.json").write_text(json.dumps(cut))
    result = _resume(invoke, folder, "--epochs", "3")
    assert result.exit_code == 0, result.output
    assert _results(folder)["runs"] == whole["runs"]


class _Payload:
    """Unpickling this calls open(marker, 'w'): code that a checkpoint must never run."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("form", ["torch.save", "plain pickle"])
def test_a_malicious_checkpoint_runs_no_code(sweep_copy, tmp_path, pa2, env, form,
                                             one_line_error):
    import torch

    marker = tmp_path / "pwned"
    path = sweep_copy / CKPT_1
    checkpoint = torch.load(path, weights_only=True)
    checkpoint["model"] = _Payload(marker)
    if form == "torch.save":
        torch.save(checkpoint, path)
    else:
        path.write_bytes(pickle.dumps(checkpoint))
    # the payload is live: a plain unpickler in another process does create the marker
    probe = tmp_path / "probe.pt"
    probe.write_bytes(pickle.dumps(_Payload(tmp_path / "probe-ran")))
    subprocess.run([sys.executable, "-c", "import pickle,sys; pickle.load(open(sys.argv[1], "
                    "'rb'))", str(probe)], check=True, env=env)
    assert (tmp_path / "probe-ran").exists()

    result = pa2("sweep", "--out", sweep_copy, "--resume", "--epochs", "2", "--no-plot")
    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert str(path) in line and "can be read safely" in line
    assert not marker.exists()


def test_torch_load_is_never_called_with_weights_only_false():
    root = Path(__file__).resolve().parents[3]
    unsafe = "weights_only=" + "False"
    hits = [str(p) for p in (root / "pa2cli").rglob("*.py") if unsafe in p.read_text()]
    hits += [str(p) for p in (root / "tests").rglob("*.py") if unsafe in p.read_text()]
    assert hits == []
    sources = [p.read_text() for p in (root / "pa2cli").rglob("*.py")]
    calls = sum(text.count("torch.load(") for text in sources)
    safe = sum(text.count("weights_only=True") for text in sources)
    assert calls >= 1 and calls <= safe
