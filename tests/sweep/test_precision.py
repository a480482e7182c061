"""`--precision bf16` and `--channels-last`, on the CPU (the GPU is where they pay; unmeasured).

The bf16 evaluation is checked against a float64 evaluation of the same weights (bfloat16 keeps
8 significant bits, so to about 2 %); channels-last against the default memory format (the
same up to float32 rounding); a sweep with both records them in its config, says so in the
header, trains, and a resume that changes them is refused with one line.
"""

from __future__ import annotations

import json

import torch
from click.testing import CliRunner
from torch import nn

from pa2cli.cli import cli
from pa2cli.sweep.config import PRECISION_CHOICES
from pa2cli.sweep.precision import PRECISIONS, autocast, batch_input, prepare_model
from pa2cli.sweep.loop import evaluate

CPU = torch.device("cpu")


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 3))


def _data(n=40):
    gen = torch.Generator().manual_seed(1)
    return (torch.randint(0, 256, (n, 3, 8, 8), dtype=torch.uint8, generator=gen),
            torch.randint(0, 3, (n,), generator=gen))


def _to_float(x):
    return x.to(torch.float32) / 255 - 0.5


def _reference(model, x, y):
    with torch.no_grad():
        logits = model.double().eval()(x.double() / 255 - 0.5)
        model.float()
        return float(nn.functional.cross_entropy(logits, y))


def test_the_choices_agree():
    assert PRECISIONS == PRECISION_CHOICES


def test_bf16_evaluation_is_close_to_float64_and_returns_float32_numbers():
    model, (x, y) = _net(), _data()
    reference = _reference(model, x, y)
    loss, _ = evaluate(model, x, y, _to_float, 16, precision="bf16")
    assert isinstance(loss, float)
    assert abs(loss - reference) < 0.02 * reference
    fp32, _ = evaluate(model, x, y, _to_float, 16)
    assert abs(fp32 - reference) < 1e-5
    assert fp32 != loss  # bf16 really ran in lower precision


def test_autocast_runs_linear_layers_in_bfloat16_and_fp32_leaves_them_alone():
    layer, x = nn.Linear(4, 2), torch.ones(3, 4)
    with autocast(CPU, "bf16"):
        assert layer(x).dtype == torch.bfloat16
    with autocast(CPU, "fp32"):
        assert layer(x).dtype == torch.float32


def test_channels_last_model_and_batches_give_the_same_numbers():
    model, (x, y) = _net(), _data()
    plain = evaluate(model, x, y, _to_float, 16)
    prepare_model(model, True)
    assert model[0].weight.is_contiguous(memory_format=torch.channels_last)
    batch = batch_input(_to_float(x[:4]), True)
    assert batch.is_contiguous(memory_format=torch.channels_last)
    assert batch_input(torch.ones(2, 3), True).shape == (2, 3)  # only 4-D batches change
    nhwc = evaluate(model, x, y, _to_float, 16, channels_last=True)
    assert abs(nhwc[0] - plain[0]) < 1e-5 and nhwc[1] == plain[1]


def test_a_sweep_with_bf16_and_channels_last_trains_says_so_and_keeps_them_on_resume(tmp_path):
    out = tmp_path / "out"
    args = ["sweep", "--wd", "1e-3", "--epochs", "1", "--seeds", "1", "--vectorize", "on",
            "--train-size", "40", "--device", "cpu", "--no-plot", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--precision", "bf16", "--channels-last"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Computing with forward passes in bfloat16" in text
    assert "channels-last (NHWC)" in text
    assert "not vectorised: the vectorised pass has no --precision bf16 or --channels-last" in text
    saved = json.loads((out / "results.json").read_text())
    assert saved["config"]["precision"] == "bf16" and saved["config"]["channels_last"] is True
    for run in saved["runs"]:  # wd 0 and 1e-3
        row = run["epochs"][0]
        assert 0 < row["test_loss"] < 10 and 0 <= row["test_acc"] <= 1
    resumed = CliRunner().invoke(cli, ["sweep", "--out", str(out), "--resume", "--epochs", "2",
                                       "--precision", "fp32", "--no-plot"])
    assert resumed.exit_code == 2
    assert "--precision" in resumed.output and "bf16" in resumed.output
    assert "Traceback" not in resumed.output


def test_an_unknown_precision_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["sweep", "--precision", "fp16", "--out",
                                      str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "fp16" in result.output and "Traceback" not in result.output
