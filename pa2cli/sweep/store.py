"""A sweep's folder on disk: results.json, results.csv and one checkpoint per weight decay.

results.json has the shape `{"config": {...}, "runs": [{"weight_decay": float, "status":
"done"|"partial"|"diverged", "epochs": [{"epoch": 1, "train_loss": ..., "train_acc": ...,
"test_loss": ..., "test_acc": ..., "seconds": ...}, ...]}, ...]}` (plus `val_loss`/`val_acc`
per epoch when a validation split is held out); results.csv holds the same rows. Both are
rewritten atomically (temporary file + `os.replace`) after every epoch, so an interrupted sweep
loses no finished epoch. Checkpoints live in `checkpoints.py`. `load_results` validates a saved file and raises `UserError` when it is missing or
malformed. This module must not train or print.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from pa2cli.errors import UserError
from pa2cli.files import write_atomically

RESULTS_FILE = "results.json"
CSV_FILE = "results.csv"
STATUSES = ("done", "partial", "diverged")
METRICS = ("train_loss", "train_acc", "test_loss", "test_acc")
OPTIONAL_METRICS = ("val_loss", "val_acc")
CSV_COLUMNS = ("weight_decay", "status", "epoch", *METRICS, *OPTIONAL_METRICS, "seconds")


def new_results(config: dict, weight_decays) -> dict:
    """The results of a sweep that has not trained yet: every run partial, no epochs."""
    return {"config": config,
            "runs": [{"weight_decay": float(wd), "status": "partial", "epochs": []}
                     for wd in weight_decays]}


def find_run(results: dict, weight_decay: float) -> dict:
    for run in results["runs"]:
        if run["weight_decay"] == weight_decay:
            return run
    raise KeyError(weight_decay)


def csv_text(results: dict) -> str:
    """The epoch rows of every run as CSV (val columns empty when there is no validation)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in results["runs"]:
        for row in run["epochs"]:
            values = {"weight_decay": run["weight_decay"], "status": run["status"], **row}
            writer.writerow([_csv_value(values.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()


def _csv_value(value) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


class SweepFolder:
    """The folder one sweep writes to (`--out DIR`)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @property
    def results_path(self) -> Path:
        return self.path / RESULTS_FILE

    def exists(self) -> bool:
        return self.results_path.is_file()

    def save(self, results: dict) -> None:
        """Rewrite results.csv, then results.json, each atomically."""
        self.path.mkdir(parents=True, exist_ok=True)
        from pa2cli.sweep.checkpoints import full_disk_fix

        fix = full_disk_fix(self.path)
        write_atomically(self.path / CSV_FILE, csv_text(results), full_disk_fix=fix)
        write_atomically(self.results_path, json.dumps(results, indent=2) + "\n",
                         full_disk_fix=fix)

    def load(self) -> dict:
        return load_results(self.path)


def load_results(folder: Path) -> dict:
    """Read and validate `folder/results.json`; `UserError` (exit 2) if missing or malformed."""
    path = Path(folder) / RESULTS_FILE
    if not Path(folder).is_dir():
        raise UserError("no such folder", where=str(folder),
                        fix="Give the --out folder of a sweep (it holds results.json).")
    if not path.is_file():
        raise UserError("no results.json here", where=str(folder),
                        fix="Give the --out folder of a sweep (it holds results.json).")
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"not readable JSON ({exc})", where=str(path),
                        fix="Restore the file or run the sweep again.") from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit integer; 10^5-deep nesting
        problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:100]
        raise UserError(f"not readable JSON ({problem})", where=str(path),
                        fix="Restore the file or run the sweep again.") from None
    _validate(results, path)
    return results


def _validate(results, path: Path) -> None:
    def bad(where: str, problem: str):
        raise UserError(problem, where=f"{path}: {where}",
                        fix="Restore the file or run the sweep again.")

    if not isinstance(results, dict) or not isinstance(results.get("config"), dict):
        bad("config", "missing the 'config' object")
    if not isinstance(results.get("runs"), list):
        bad("runs", "missing the 'runs' list")
    for i, run in enumerate(results["runs"]):
        where = f"runs[{i}]"
        if not isinstance(run, dict):
            bad(where, "not an object")
        if not _is_number(run.get("weight_decay")) or run["weight_decay"] < 0:
            bad(f"{where}.weight_decay", "not a number >= 0")
        if run.get("status") not in STATUSES:
            bad(f"{where}.status", f"not one of {', '.join(STATUSES)}")
        if not isinstance(run.get("epochs"), list):
            bad(f"{where}.epochs", "not a list")
        for j, row in enumerate(run["epochs"]):
            row_where = f"{where}.epochs[{j}]"
            if not isinstance(row, dict) or row.get("epoch") != j + 1:
                bad(row_where, f"not an object with epoch {j + 1}")
            for key in (*METRICS, "seconds"):
                if not _is_number(row.get(key)):
                    bad(f"{row_where}.{key}", "missing or not a finite number")
            for key in OPTIONAL_METRICS:
                if key in row and not _is_number(row[key]):
                    bad(f"{row_where}.{key}", "not a finite number")
            for key in (*METRICS[1::2], *OPTIONAL_METRICS[1::2]):
                if key in row and not 0 <= row[key] <= 1:
                    bad(f"{row_where}.{key}", "an accuracy outside [0, 1]")


def _is_number(value) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False
