"""The Python API: `pa2cli.sweep(**options)` is `pa2 sweep` with keywords for options (same
validation, same one-line messages, same results folder), `pa2cli.load(folder)` reads one back,
and `import pa2cli` stays light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import pa2cli
from pa2cli.api import command_line
from pa2cli.errors import UserError

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**__import__("os").environ,
                                            "PYTHONPATH": str(ROOT)})


def test_import_pa2cli_and_looking_up_the_api_load_no_torch_numpy_or_matplotlib(tmp_path):
    done = _python("import sys, pa2cli; pa2cli.sweep; pa2cli.load; pa2cli.SweepResult; "
                   "print(sorted(m for m in ('torch', 'numpy', 'matplotlib', 'torchvision') "
                   "if m in sys.modules))", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_keywords_become_the_command_line():
    assert command_line({"wd": [1e-4, 1e-3], "epochs": 3, "no_baseline": True, "resume": False,
                         "data_dir": Path("data"), "model": None,
                         "model_args": {"hidden": 8}, "augment": ["flip", "affine"]}) == [
        "--wd=0.0001", "--wd=0.001", "--epochs=3", "--no-baseline", "--data-dir=data",
        '--model-args={"hidden": 8}', "--augment=flip,affine"]
    assert command_line({"wd": 0.1}) == ["--wd=0.1"]
    assert command_line({"wd": "1e-4,1e-3"}) == ["--wd=1e-4,1e-3"]


def test_an_unknown_keyword_is_one_line_naming_the_closest():
    with pytest.raises(UserError) as caught:
        pa2cli.sweep(wdd=[1e-3])
    message = str(caught.value)
    assert message.startswith("keyword 'wdd': not an option of pa2 sweep. Did you mean wd?")
    assert "\n" not in message and "epochs" in message


def test_a_flag_takes_only_true_or_false():
    with pytest.raises(UserError, match=r"^keyword no_baseline \(--no-baseline\): 'yes' is not "
                                        r"True or False"):
        pa2cli.sweep(no_baseline="yes")


@pytest.mark.parametrize("options, argv", [
    ({"epochs": 0}, ["--epochs", "0"]),
    ({"wd": [-1]}, ["--wd", "-1"]),
    ({"device": "tpu"}, ["--device", "tpu"]),
    ({"wd": []}, ["--wd="]),
    ({"jobs": 2, "vectorize": "on"}, ["--jobs", "2", "--vectorize", "on"]),
])
def test_a_bad_value_raises_the_line_the_cli_prints(options, argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli = subprocess.run([sys.executable, "-m", "pa2cli", "sweep", *argv, "--out", "cli"],
                         capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert cli.returncode == 2
    with pytest.raises(UserError) as caught:
        pa2cli.sweep(**options, out="api")
    assert f"Error: {caught.value}" == cli.stderr.strip()
    assert not (tmp_path / "api").exists() and not (tmp_path / "cli").exists()


def test_sweep_writes_the_folder_and_returns_its_runs_findings_and_figure(tmp_path, monkeypatch,
                                                                         capsys):
    monkeypatch.chdir(tmp_path)
    result = pa2cli.sweep(wd=[1e-3], epochs=2, seeds=1, train_size=60, out="api")
    saved = json.loads((tmp_path / "api" / "results.json").read_text())
    assert [(r.weight_decay, r.seed, r.status, [row.to_dict() for row in r.epochs])
            for r in result.runs] == [(r["weight_decay"], r["seed"], r["status"], r["epochs"])
                                      for r in saved["runs"]]
    assert [(r.weight_decay, len(r.epochs)) for r in result.runs] == [(0.0, 2), (1e-3, 2)]
    assert result.config["epochs"] == 2 and result.weight_decays == [0.0, 1e-3]
    assert result.findings.sentences and result.findings.text.startswith("• ")
    assert result.findings.to_dict()["weight_decays"][0]["weight_decay"] == 0.0
    assert "epoch 2/2" in capsys.readouterr().out  # progress as lines, findings printed
    figure = result.figure()
    assert type(figure).__name__ == "Figure" and len(figure.axes) == 5  # 2 x 2 curves + final
    assert pa2cli.load(tmp_path / "api").runs == result.runs
    with pytest.raises(UserError, match="already holds a sweep"):
        pa2cli.sweep(wd=[1e-3], epochs=2, out="api")  # the CLI's check, the CLI's words


def test_load_of_a_missing_folder_is_one_line():
    with pytest.raises(UserError, match="^nowhere: no such folder"):
        pa2cli.load("nowhere")


def test_figure_names_the_kinds(tmp_path):
    from pa2cli.sweep.store import EpochRow, Run, SweepResults
    from pa2cli.sweep_result import SweepResult

    row = EpochRow(1, 0.5, 0.8, 0.6, 0.7, 0.1)
    result = SweepResult(tmp_path, SweepResults({"epochs": 1}, [Run(0.0, 0, "done", [row])]))
    assert len(result.figure("final").axes) == 1
    with pytest.raises(UserError, match="'pie' is not a figure"):
        result.figure("pie")
