"""The vectorised pass (`--vectorize on`) keeps the promises of a sequential sweep when the
input is hostile: a model failing only in training is one line naming the run, epoch and batch;
(further cases below are the defects found by the QA pass)."""

from __future__ import annotations

import json
import textwrap

FAILS_ON_THE_SHORT_LAST_BATCH = """
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            if self.training and x.shape[0] == 22:  # 150 images = 64 + 64 + 22
                raise ValueError("only on the short batch")
            return self.fc(x.flatten(1))
"""


def _model_file(tmp_path, body: str):
    path = tmp_path / "net.py"
    path.write_text("import torch\nfrom torch import nn\n\n" + textwrap.dedent(body))
    return path


def test_a_model_failing_in_vectorised_training_is_one_line_naming_epoch_and_batch(
        tmp_path, pa2, tiny, one_line_error):
    model = _model_file(tmp_path, FAILS_ON_THE_SHORT_LAST_BATCH)
    out = tmp_path / "sweep"
    options = [o for o in tiny if o not in ("--vectorize", "off")]
    # the dry check passes on the first (full) batch; batch 3 of epoch 1 fails for every member
    result = pa2("sweep", "--model", f"{model}:Net", "--wd", "1e-3", "--epochs", "1",
                 *options, "--vectorize", "on", "--out", out)
    assert result.returncode == 2, result.stderr
    line = one_line_error(result.stderr)
    assert line.startswith(f"Error: --model {model}:Net: training failed at wd 0 seed 0, "
                           "epoch 1, batch 3/3 (22 images): ValueError: only on the short "
                           "batch."), line
    assert "--resume" in line
    runs = json.loads((out / "results.json").read_text())["runs"]
    assert [(r["weight_decay"], r["status"], len(r["epochs"])) for r in runs] == [
        (0.0, "partial", 0), (1e-3, "partial", 0)]
