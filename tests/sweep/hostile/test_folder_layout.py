"""A file where --out keeps a folder, or the reverse: refused in one line before any training."""

from __future__ import annotations

import json
import os

import pytest


@pytest.fixture
def losses_computed(monkeypatch):
    """How many times a loss was computed (every training and evaluation path of the sweep
    calls torch.nn.functional.cross_entropy per batch): 0 means no batch was trained."""
    import torch.nn.functional as F

    calls = []
    real = F.cross_entropy
    monkeypatch.setattr(F, "cross_entropy", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


@pytest.mark.parametrize("resume", [False, True])
def test_checkpoints_as_a_file_is_refused_before_training(tmp_path, sweep_copy, invoke, tiny,
                                                          one_line_error, resume,
                                                          losses_computed):
    if resume:
        out = sweep_copy
        for path in (out / "checkpoints").iterdir():
            path.unlink()
        (out / "checkpoints").rmdir()
        args = ["--out", out, "--resume", "--epochs", "2", "--no-plot"]
    else:
        out = tmp_path / "new"
        out.mkdir()
        args = ["--wd", "1e-3", "--epochs", "1", *tiny, "--out", out]
    (out / "checkpoints").write_text("not a folder")
    result = invoke("sweep", *args)
    assert result.exit_code == 2
    line = one_line_error(result.output)
    assert f"{out / 'checkpoints'}: is a file, where the sweep keeps a folder" in line
    assert losses_computed == []  # no batch was trained first
    if not resume:
        assert not (out / "results.json").exists()
    (out / "checkpoints").unlink()  # the count sees training: the same sweep, now allowed
    assert invoke("sweep", *args).exit_code == 0
    assert losses_computed


def test_results_json_as_a_folder_is_refused_before_training(tmp_path, invoke, tiny,
                                                             one_line_error):
    out = tmp_path / "new"
    (out / "results.json").mkdir(parents=True)
    result = invoke("sweep", "--wd", "1e-3", "--epochs", "1", *tiny, "--out", out)
    assert result.exit_code == 2
    line = one_line_error(result.output)
    assert f"{out / 'results.json'}: is a folder, where the sweep keeps a file" in line
    assert not (out / "checkpoints").exists() and not (out / "results.csv").exists()


def test_a_tmp_folder_in_the_way_of_an_atomic_write_is_refused(sweep_copy, invoke,
                                                               one_line_error):
    (sweep_copy / "results.json.tmp").mkdir()
    result = invoke("sweep", "--out", sweep_copy, "--resume", "--epochs", "2", "--no-plot")
    assert result.exit_code == 2
    assert "results.json.tmp: is a folder" in one_line_error(result.output)


def test_a_fifo_as_a_checkpoint_is_refused_without_blocking(sweep_copy, invoke, one_line_error):
    path = sweep_copy / "checkpoints" / "wd_0.001_seed_0.pt"
    path.unlink()
    os.mkfifo(path)
    result = invoke("sweep", "--out", sweep_copy, "--resume", "--epochs", "2", "--no-plot")
    assert result.exit_code == 2
    assert f"{path}: is a special file" in one_line_error(result.output)


def test_a_stale_tmp_file_of_a_killed_sweep_is_removed_under_the_lock(sweep_copy, invoke):
    stale = sweep_copy / "checkpoints" / "wd_0.001_seed_0.pt.tmp"
    stale.write_bytes(b"half a checkpoint")
    result = invoke("sweep", "--out", sweep_copy, "--resume", "--epochs", "2", "--no-plot")
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    runs = json.loads((sweep_copy / "results.json").read_text())["runs"]
    assert [(r["status"], len(r["epochs"])) for r in runs] == [("done", 2), ("done", 2)]


def test_a_new_sweep_into_a_folder_with_checkpoints_is_refused(tmp_path, sweep_copy, invoke,
                                                               tiny, one_line_error):
    (sweep_copy / "results.json").unlink()
    result = invoke("sweep", "--wd", "1e-3", "--epochs", "1", *tiny, "--out", sweep_copy)
    assert result.exit_code == 2
    assert "checkpoints/ holds checkpoints of another sweep" in one_line_error(result.output)
