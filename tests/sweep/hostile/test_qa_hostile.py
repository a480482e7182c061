"""The vectorised pass (`--vectorize on`) keeps the promises of a sequential sweep when the
input is hostile (a model failing only in training, or only in evaluation, is one line naming
the run, epoch and batch or split), and hostile option values, paths and results.json files
are one line too."""

from __future__ import annotations

import json
import textwrap

import pytest

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


def test_a_first_seed_past_torchs_range_is_one_line(invoke):
    for args in (["--seed", str(2 ** 70)], ["--seed", str(2 ** 63 - 1), "--seeds", "2"]):
        result = invoke("sweep", *args, "--no-plot")
        assert result.exit_code == 2, (args, result.output)
        assert "--seed" in result.output and "Traceback" not in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            result.exception


def test_a_weight_decay_past_float32_is_refused_not_blamed_on_the_model(invoke):
    result = invoke("sweep", "--wd", "1e308", "--no-plot")
    assert result.exit_code == 2, result.output
    assert "--wd: 1e308 is too large a weight decay (at most 3.4e+38" in result.output, \
        result.output


def test_a_saved_config_whose_seeds_pass_torchs_range_is_refused(finished_sweep, tmp_path,
                                                                  invoke, one_line_error):
    import shutil

    folder = tmp_path / "sweep"
    shutil.copytree(finished_sweep, folder)
    data = json.loads((folder / "results.json").read_text())
    data["config"]["seed"], data["config"]["seeds"] = 2 ** 63 - 1, 3
    (folder / "results.json").write_text(json.dumps(data))
    result = invoke("sweep", "--out", folder, "--resume", "--no-plot")
    assert result.exit_code == 2, result.output
    assert "config.seed" in result.output and "Traceback" not in result.output, result.output


def test_a_million_threads_is_refused_before_torch_tries_to_start_them(invoke):
    result = invoke("sweep", "--threads", "1000000", "--no-plot")
    assert result.exit_code == 2, result.output
    assert "--threads" in result.output and "1000000" in result.output, result.output


def test_an_out_path_too_long_for_the_system_is_one_line(tmp_path, pa2, tiny, one_line_error):
    long_name = tmp_path / ("a" * 300)  # one name over NAME_MAX (255)
    result = pa2("sweep", "--epochs", "1", "--wd", "1e-3", *tiny, "--out", long_name)
    assert result.returncode == 2, result.stderr
    assert "File name too long" in one_line_error(result.stderr)
    for command in (["sweep", "--resume", "--no-plot", "--out", long_name],
                    ["plot", long_name, "--no-plot"]):
        result = pa2(*command)
        assert result.returncode == 2, (command, result.stderr)
        assert "File name too long" in one_line_error(result.stderr), command


def test_a_results_json_with_more_epochs_than_its_config_is_refused_before_plotting(
        finished_sweep, tmp_path, invoke):
    import shutil

    folder = tmp_path / "sweep"
    shutil.copytree(finished_sweep, folder)
    data = json.loads((folder / "results.json").read_text())
    row = data["runs"][0]["epochs"][0]
    # 20,000 well-formed rows for a 1-epoch sweep: plotting them took minutes before
    data["runs"][0]["epochs"] = [dict(row, epoch=i + 1) for i in range(20_000)]
    (folder / "results.json").write_text(json.dumps(data))
    for command in (["plot", folder], ["sweep", "--out", folder, "--resume", "--no-plot"]):
        result = invoke(*command)
        assert result.exit_code == 2, (command, result.output)
        assert "runs[0].epochs: 20000 epochs, more than the 1 of config.epochs" in \
            result.output, result.output


FAILS_ONLY_WHEN_EVALUATED = """
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            if not self.training and x.shape[0] > 2:  # the load-time dry pass uses 2 images
                raise RuntimeError("only in eval mode")
            return self.fc(x.flatten(1))
"""


@pytest.mark.parametrize("vectorize", ["on", "off"])
def test_a_model_failing_only_when_evaluated_is_one_line_naming_the_split(
        tmp_path, pa2, tiny, one_line_error, vectorize):
    model = _model_file(tmp_path, FAILS_ONLY_WHEN_EVALUATED)
    options = [o for o in tiny if o not in ("--vectorize", "off")]
    result = pa2("sweep", "--model", f"{model}:Net", "--wd", "1e-3", "--epochs", "1",
                 *options, "--vectorize", vectorize, "--out", tmp_path / "sweep")
    assert result.returncode == 2, result.stderr
    line = one_line_error(result.stderr)
    assert line.startswith(f"Error: --model {model}:Net: evaluation failed at wd 0 seed 0, "
                           "epoch 1, on the train split (eval mode"), line
    assert "RuntimeError: only in eval mode" in line and "--resume" in line, line


def test_an_oversized_results_json_is_refused_before_it_is_read(tmp_path, invoke):
    from pa2cli.sweep.store import MAX_RESULTS_BYTES

    folder = tmp_path / "sweep"
    folder.mkdir()
    with open(folder / "results.json", "wb") as handle:  # sparse: no disk is used
        handle.truncate(MAX_RESULTS_BYTES + 1)
    result = invoke("plot", folder, "--no-plot")
    assert result.exit_code == 2
    assert "more than a sweep writes" in result.output and "Traceback" not in result.output
