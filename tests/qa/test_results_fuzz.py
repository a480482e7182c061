"""A property test (hypothesis): results.json files fuzzed in structure and values go through
the loader, `pa2 plot`, `pa2 plot --save` and `pa2 report`, each bounded in time and memory per
example; every one ends with exit 0, or with exit 2 and exactly one `Error:` line — never a
traceback, a warning or a hang (issue 19).

The files are valid sweeps with hostile values swapped in (extreme and odd numbers, wrong
types, missing or extra keys, strings with control codes) or arbitrary JSON. The loader and the
terminal plot run in this process (many examples, with tracemalloc's peak as the memory bound);
the three commands run as real subprocesses under RLIMIT_AS and a timeout (fewer examples: each
starts Python and matplotlib)."""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ROOT

ODD_NUMBERS = st.sampled_from([0, -0.0, 5e-324, 2.2250738585072014e-308, 1e-300, 0.5, 1, 1.0, 2, 1e6, 1e16, 5e307,
                               -5e307, 1e308, 1.7976931348623157e308, -1, 10 ** 20, 10 ** 400, 2 ** 63, -(2 ** 63)])
ODD_VALUES = st.one_of(
    ODD_NUMBERS, st.floats(allow_nan=False, allow_infinity=False), st.integers(-(10 ** 30), 10 ** 30),
    st.sampled_from([None, True, False, "", "0.1", "\x1b[2J", "\\input{x}", "x" * 5000, "(" * 3000, [], {}, [1, 2],
                     {"a": 1}]),
    st.text(max_size=50))
ACCURACY = st.one_of(st.floats(0, 1), st.sampled_from([0, 1, 0.0, 1.0, -0.0, 5e-324, 1 - 1e-16]))
FINITE_ODD = st.sampled_from([0.0, -0.0, 5e-324, 2.2250738585072014e-308, 1e-300, 1e16, 5e307, -5e307, 1e308,
                              1.7976931348623157e308, 10 ** 20])
LOSS = st.one_of(st.floats(-1e308, 1.7e308, allow_nan=False), st.floats(0, 10), FINITE_ODD, FINITE_ODD, ODD_NUMBERS)
NORM = st.one_of(st.floats(0, 1.7e308), st.floats(0, 100), st.sampled_from([0.0, 5e-324, 1e16, 5e307, 1e308]))
COUNT = st.one_of(st.integers(1, 10 ** 6), st.integers(1, 10 ** 6), st.integers(1, 10 ** 12), ODD_VALUES)


@st.composite
def epoch_rows(draw, n: int):
    rows = []
    for epoch in range(1, n + 1):
        row = {"epoch": epoch, "train_loss": draw(LOSS), "train_acc": draw(ACCURACY), "test_loss": draw(LOSS),
               "test_acc": draw(ACCURACY), "seconds": draw(st.floats(0, 1e9))}
        if draw(st.booleans()):
            row["weight_norm"] = draw(NORM)
        if draw(st.integers(0, 12)) == 0:
            row[draw(st.sampled_from(sorted(row) + ["val_acc", "val_loss", "extra"]))] = draw(ODD_VALUES)
        rows.append(row)
    return rows


@st.composite
def results_files(draw):
    """A results.json text: usually a sweep with hostile values, sometimes any JSON at all."""
    if draw(st.integers(0, 14)) == 0:
        anything = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=10),
                                lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6),
                                                                                            inner, max_size=4),
                                max_leaves=20)
        return json.dumps(draw(anything))
    epochs = draw(st.integers(1, 4))
    decays = draw(st.lists(st.one_of(st.sampled_from([0.0, 1e-4, 1e-3, 0.1]), st.floats(0, 1.7e308), FINITE_ODD),
                           min_size=1, max_size=14, unique_by=lambda v: float(v) if isinstance(v, (int, float))
                           and abs(v) < 1e308 else repr(v)))
    seeds = draw(st.integers(1, 3))
    runs = [{"weight_decay": wd, "seed": seed, "status": draw(st.sampled_from(["done", "partial", "diverged"])),
             "epochs": draw(epoch_rows(draw(st.integers(0, epochs))))} for wd in decays for seed in range(seeds)]
    config = {"dataset": draw(st.one_of(st.just("digits"), ODD_VALUES)), "model": draw(ODD_VALUES),
              "optimizer": draw(st.one_of(st.just("sgd"), ODD_VALUES)), "lr": draw(ODD_VALUES),
              "batch_size": draw(ODD_VALUES), "epochs": epochs, "seed": 0, "seeds": seeds}
    data = {"config": config, "runs": runs}
    if draw(st.booleans()):
        data["data"] = {"train": draw(COUNT), "test": draw(COUNT), "val": None}
    if draw(st.integers(0, 12)) == 0:  # a structural change: a key removed or retyped
        target = draw(st.sampled_from(["config", "runs", "data"]))
        data[target] = draw(st.one_of(st.none(), ODD_VALUES)) if draw(st.booleans()) else data.pop(target, None)
    return json.dumps(data)


SECONDS_IN_PROCESS = 20.0  # CPU seconds per example for the loader and the terminal plot
PEAK_BYTES = 200_000_000  # Python allocations per example (tracemalloc)


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(text=results_files())
def test_the_loader_and_the_terminal_plot_take_any_results_json(tmp_path_factory, text):
    from rich.console import Console

    from pa2cli.errors import UserError
    from pa2cli.sweep import report
    from pa2cli.sweep.store import load_results

    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "results.json").write_text(text)
    tracemalloc.start()
    start = time.process_time()
    try:
        results = load_results(folder)
    except UserError as error:
        assert "\n" not in str(error.message)
        results = None
    if results is not None:
        console = Console(file=io.StringIO(), width=100)
        report.show(console, results, with_plots=True)
        assert "Findings" in console.file.getvalue() or not results.runs
    spent = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert spent < SECONDS_IN_PROCESS and peak < PEAK_BYTES, (spent, peak)


MEMORY_LIMIT = 3 * 1024 ** 3  # address space per command (numpy and matplotlib need ~1 GB)
COMMAND_TIMEOUT = 120


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run(*args, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "error::RuntimeWarning", "COLUMNS": "100",
           "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "pa2cli", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=COMMAND_TIMEOUT, preexec_fn=_limited)


def _exit_0_or_one_line(result: subprocess.CompletedProcess, what: str) -> None:
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr, (what, result.stderr[-2000:])
    assert result.returncode in (0, 2), (what, result.returncode, result.stderr[-2000:])
    if result.returncode == 2:
        lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(lines) == 1 and len(lines[0]) < 600, (what, result.stderr[-2000:])


@settings(max_examples=6, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(text=results_files())
def test_plot_save_and_report_take_any_results_json_within_time_and_memory(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("fuzzcli")
    sweep = folder / "sweep"
    sweep.mkdir()
    (sweep / "results.json").write_text(text)
    _exit_0_or_one_line(_run("plot", str(sweep), "--save", str(folder / "all.png"), cwd=folder), "plot --save")
    _exit_0_or_one_line(_run("report", "--sweep", str(sweep), "--format", "latex", "--out", str(folder / "rep"),
                             cwd=folder), "report")
