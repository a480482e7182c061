"""`pa2 sweep --data-dir DIR --model script.py:Net` end to end, in both formats, as real
processes: detection said, results, findings chosen by val, plots, --resume exact, pa2 plot
and pa2 report; bad data through the CLI is one line, exit 2, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
# one seed, one run at a time (so the resumed numbers compare exactly), CPU, no plots
TINY = ["--wd", "1e-3", "--seeds", "2", "--batch-size", "8", "--lr", "1e-3", "--device",
        "cpu", "--vectorize", "off"]


def _pa2(tmp_path, *args, timeout=240):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "100",
           "PA2_HOME": str(tmp_path / "pa2-home"), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "pa2cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=tmp_path)


def _numbers(out: Path):
    runs = json.loads((out / "results.json").read_text())["runs"]
    return [(r["weight_decay"], r["seed"], r["status"],
             [{k: v for k, v in row.items() if k != "seconds"} for row in r["epochs"]])
            for r in runs]


@pytest.fixture(params=["imagefolder", "pth"])
def split(request, tmp_path, own):
    if request.param == "imagefolder":
        return request.param, own.make_tree(tmp_path / "data")
    return request.param, own.make_pth(tmp_path / "data")


def test_a_sweep_on_the_students_split_runs_end_to_end_and_resumes_exactly(tmp_path, own,
                                                                           split):
    kind, data = split
    net = own.make_net(tmp_path)
    out = tmp_path / "sweep"
    args = ["sweep", "--data-dir", data, "--model", f"{net}:Net", *TINY, "--augment",
            "flip,affine"]
    first = _pa2(tmp_path, *args, "--epochs", "1", "--no-plot", "--out", out)
    assert first.returncode == 0, first.stderr
    text = " ".join(first.stdout.split())  # the console wraps at 100 columns
    name = "an ImageFolder tree" if kind == "imagefolder" else "the course's .pth tensor files"
    assert f"Data: {name} in {data}" in text
    assert "skipped 4 including the import of google.colab (not installed)" in text
    assert "Normalisation: course (the default for your own data)" in text
    assert "val" in text and "Highest mean final validation accuracy" in text
    assert "Its test accuracy, which played no part in the choice" in text
    saved = json.loads((out / "results.json").read_text())
    assert saved["config"]["dataset"] == kind and saved["config"]["train_size"] is None
    assert saved["config"]["augment"] == ["flip", "affine"]
    assert all(row["val_acc"] is not None for r in saved["runs"] for row in r["epochs"])
    # two more epochs by --resume == three epochs in one go
    resumed = _pa2(tmp_path, "sweep", "--out", out, "--resume", "--epochs", "3", "--no-plot")
    assert resumed.returncode == 0, resumed.stderr
    whole = tmp_path / "whole"
    straight = _pa2(tmp_path, *args, "--epochs", "3", "--no-plot", "--out", whole)
    assert straight.returncode == 0, straight.stderr
    assert _numbers(out) == _numbers(whole)
    # the saved sweep redraws, with plots, and makes a report
    plot = _pa2(tmp_path, "plot", out, "--save", tmp_path / "fig.png")
    assert plot.returncode == 0, plot.stderr
    assert (tmp_path / "fig.png").stat().st_size > 1000
    findings = json.loads(_pa2(tmp_path, "plot", out, "--json").stdout)
    assert findings["best"]["chosen_by"] == "validation accuracy"
    best = next(w for w in findings["weight_decays"]
                if w["weight_decay"] == findings["best"]["weight_decay"])
    assert best["test_acc_at_best_val"] is not None


def test_the_report_command_takes_the_sweep(tmp_path, own):
    data = own.make_tree(tmp_path / "data")
    out = tmp_path / "sweep"
    result = _pa2(tmp_path, "sweep", "--data-dir", data, "--model",
                  f"{own.make_net(tmp_path)}:Net", *TINY, "--epochs", "1", "--no-plot",
                  "--out", out)
    assert result.returncode == 0, result.stderr
    report = _pa2(tmp_path, "report", "--sweep", out, "--out", tmp_path / "report",
                  timeout=300)
    assert report.returncode == 0, report.stderr
    text = (tmp_path / "report" / "report.md").read_text()
    assert "imagefolder" in text and "1e-3" in text


def test_a_model_with_the_wrong_number_of_outputs_names_both_numbers(tmp_path, own):
    data = own.make_pth(tmp_path / "data")
    result = _pa2(tmp_path, "sweep", "--data-dir", data, "--model",
                  f"{own.make_net(tmp_path)}:Net", "--model-args", '{"num_classes": 33}',
                  *TINY, "--epochs", "1", "--out", tmp_path / "o")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "gives 33 outputs per image, but the data has 3 classes" in lines[0]
    assert not (tmp_path / "o").exists()


def _break_image(root):
    (root / "train" / "cat" / "img000.png").write_bytes(b"\x89PNG broken")
    return root / "train" / "cat" / "img000.png"


def _extra_class(root):
    (root / "test" / "cow").mkdir()
    (root / "test" / "cat" / "img000.png").rename(root / "test" / "cow" / "x.png")
    return root / "test" / "cow"


def _pickled_code(root):
    import torch

    class Command:
        def __reduce__(self):
            return (os.system, (f"touch {root / 'MARKER'}",))

    data = torch.load(root / "train.pth", weights_only=True)
    data["classes"] = Command()
    torch.save(data, root / "train.pth")
    return root / "train.pth"


def _bad_labels(root):
    import torch

    data = torch.load(root / "test.pth", weights_only=True)
    data["y"][0] = 3
    torch.save(data, root / "test.pth")
    return root / "test.pth"


@pytest.mark.parametrize("kind, spoil, problem", [
    ("tree", _break_image, "cannot be read as an image"),
    ("tree", _extra_class, "class 'cow' is not in train/"),
    ("pth", _pickled_code, "pa2 ran none of it"),
    ("pth", _bad_labels, "label 3 is out of range"),
])
def test_bad_data_through_the_cli_is_one_line_exit_2(tmp_path, own, kind, spoil, problem):
    root = own.make_tree(tmp_path / "d") if kind == "tree" else own.make_pth(tmp_path / "d")
    named = spoil(root)
    result = _pa2(tmp_path, "sweep", "--data-dir", root, "--epochs", "1", "--out", tmp_path / "o")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and problem in lines[0] and str(named) in lines[0], lines
    assert not (root / "MARKER").exists() and not (tmp_path / "o").exists()


def test_a_folder_without_a_split_is_one_line(tmp_path):
    (tmp_path / "d").mkdir()
    result = _pa2(tmp_path, "sweep", "--data-dir", tmp_path / "d", "--out", tmp_path / "o")
    assert result.returncode == 2
    assert "neither train/ and test/ folders nor train.pth and test.pth" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_resume_refuses_another_data_folder(tmp_path, own):
    data = own.make_pth(tmp_path / "data")
    other = own.make_pth(tmp_path / "other", seed=1)
    out = tmp_path / "sweep"
    first = _pa2(tmp_path, "sweep", "--data-dir", data, *TINY, "--epochs", "1", "--no-plot",
                 "--out", out)
    assert first.returncode == 0, first.stderr
    again = _pa2(tmp_path, "sweep", "--data-dir", other, "--out", out, "--resume",
                 "--epochs", "2")
    assert again.returncode == 2 and "--data-dir" in again.stderr
    assert "Traceback" not in again.stderr


def test_sweep_help_lists_the_own_data_options(tmp_path):
    text = _pa2(tmp_path, "sweep", "--help").stdout
    for option in ("--data-dir", "--image-size", "--normalize", "--augment", "--model-args",
                   "imagefolder", "NOTEBOOK.ipynb"):
        assert option in text, option
