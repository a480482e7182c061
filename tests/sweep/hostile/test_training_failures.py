"""A model that fails only in training: one line naming the model, the run, epoch and batch and
the likely fix, with every finished epoch kept; a model file that exits says so."""

from __future__ import annotations

import json
import textwrap

import pytest


def _model_file(tmp_path, body: str):
    path = tmp_path / "net.py"
    path.write_text("import torch\nfrom torch import nn\n\n" + textwrap.dedent(body))
    return path


FAILS_AT_THIRD_TRAINING_BATCH = """
    CALLS = [0]  # pa2 loads the file's definitions once per process

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            if self.training:
                CALLS[0] += 1
                if CALLS[0] == 3:
                    raise ValueError("only in training")
            return self.fc(x.flatten(1))
"""


def test_a_model_failing_in_training_names_run_epoch_batch_and_keeps_other_runs(
        tmp_path, pa2, one_line_error):
    model = _model_file(tmp_path, FAILS_AT_THIRD_TRAINING_BATCH)
    out = tmp_path / "sweep"
    # 2 batches per epoch (--batch-size 720): wd 0 trains epoch 1, wd 1e-3 fails at batch 1
    result = pa2("sweep", "--model", f"{model}:Net", "--wd", "1e-3", "--epochs", "1",
                 "--batch-size", "720", "--seeds", "1", "--train-size", "all", "--device",
                 "cpu", "--no-plot", "--out", out)
    assert result.returncode == 2, result.stderr
    line = one_line_error(result.stderr)
    assert line.startswith(f"Error: --model {model}:Net: training failed at wd 1e-3 seed 0, "
                           "epoch 1, batch 1/2 (720 images): ValueError: only in training."), line
    assert "training mode" in line and "--resume" in line
    runs = json.loads((out / "results.json").read_text())["runs"]
    assert [(r["weight_decay"], r["status"], len(r["epochs"])) for r in runs] == [
        (0.0, "done", 1), (1e-3, "partial", 0)]


def test_batch_norm_with_a_last_batch_of_one_is_refused_before_training(
        tmp_path, invoke, one_line_error):
    model = _model_file(tmp_path, """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 10)
                self.norm = nn.BatchNorm1d(10)

            def forward(self, x):
                return self.norm(self.fc(x.flatten(1)))
    """)
    out = tmp_path / "sweep"
    # 1438 training images = 3 * 479 + 1
    result = invoke("sweep", "--model", f"{model}:Net", "--batch-size", "479", "--seeds", "1",
                    "--train-size", "all", "--epochs", "1",
                    "--no-plot", "--out", out)
    assert result.exit_code == 2
    line = one_line_error(result.output)
    assert "last batch of each epoch would hold 1 image (1438 training images, --batch-size " \
           "479) and batch norm needs 2 or more" in line and "--batch-size" in line
    assert not out.exists()


def test_batch_norm_called_functionally_fails_at_the_last_batch_with_the_fix(
        tmp_path, invoke, one_line_error):
    model = _model_file(tmp_path, """
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 10)

            def forward(self, x):
                return F.batch_norm(self.fc(x.flatten(1)), None, None, training=True)
    """)
    result = invoke("sweep", "--model", f"{model}:Net", "--batch-size", "479", "--seeds", "1",
                    "--train-size", "all", "--epochs", "1",
                    "--no-baseline", "--wd", "0", "--no-plot", "--out", tmp_path / "sweep")
    assert result.exit_code == 2
    line = one_line_error(result.stderr)  # after the header on stdout
    assert "epoch 1, batch 4/4 (1 image)" in line and "--batch-size" in line, line


def test_a_model_without_trainable_parameters_is_refused_before_training(
        tmp_path, invoke, one_line_error):
    model = _model_file(tmp_path, """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 10).requires_grad_(False)

            def forward(self, x):
                return self.fc(x.flatten(1))
    """)
    result = invoke("sweep", "--model", f"{model}:Net", "--no-plot", "--out", tmp_path / "s")
    assert result.exit_code == 2
    assert "has no trainable parameters" in one_line_error(result.output)


@pytest.mark.parametrize("where, body", [
    ("while it was imported", "import sys\n\nclass Net:\n    sys.exit(3)\n"),
    ("when Net was called", "import sys\n\ndef Net():\n    sys.exit(3)\n"),
])
def test_a_model_file_that_exits_says_so(tmp_path, pa2, where, body, one_line_error):
    model = _model_file(tmp_path, body)
    result = pa2("sweep", "--model", f"{model}:Net", "--no-plot", "--out", tmp_path / "s")
    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert f"the model file exited {where} (sys.exit(3))" in line, line
