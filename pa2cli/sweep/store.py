"""A sweep's results as typed data, and its folder on disk (results.json, results.csv, checkpoints).

The model: `SweepResults` holds the saved `config` (a plain dict, as `SweepConfig.to_dict`
wrote it) and one `Run` per (weight decay, seed), each with its `EpochRow`s. Runs are found by
`run_key(weight_decay, seed)`; every seed trains every weight decay from the same initial
weights and batch order, so runs with the same seed are *paired*.

results.json has the shape `{"config": {...}, "runs": [{"weight_decay": float, "seed": int,
"status": "done"|"partial"|"diverged", "epochs": [{"epoch": 1, "train_loss": ..., "train_acc":
..., "test_loss": ..., "test_acc": ..., "seconds": ...}, ...]}, ...]}` (plus `val_loss`/
`val_acc` per epoch when a validation split is held out, and `weight_norm`, the L2 norm of the
decayed parameters after the epoch, absent in older files), and `"data": {"train": n, "test":
n, "val": n or null}`, the images per split (absent in older files). Files written before
seeds existed have no "seed" per run: their runs load with the sweep's single seed,
`config.seed`.
results.csv holds the same rows. Both are rewritten atomically (temporary file + `os.replace`)
after every epoch, so an interrupted sweep loses no finished epoch; checkpoints
(`checkpoints/wd_<value>_seed_<seed>.pt`) are saved, checked and loaded by `checkpoints.py`.

`load_results` is the one validating loader: it raises `UserError` naming the field when a
file is missing or malformed. This module must not train or print.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from pa2cli.errors import UserError
from pa2cli.files import write_atomically
from pa2cli.numbers import is_number

RESULTS_FILE = "results.json"
CSV_FILE = "results.csv"
CHECKPOINT_FOLDER = "checkpoints"
STATUSES = ("done", "partial", "diverged")
METRICS = ("train_loss", "train_acc", "test_loss", "test_acc")
OPTIONAL_METRICS = ("val_loss", "val_acc")
ACCURACIES = ("train_acc", "test_acc", "val_acc")
CSV_COLUMNS = ("weight_decay", "seed", "status", "epoch", *METRICS, *OPTIONAL_METRICS,
               "weight_norm", "seconds")
MAX_SEED = 2**63 - 1  # torch.manual_seed accepts seeds in [-2**63, 2**64); we keep >= 0

RunKey = tuple[float, int]


def full_disk_fix(out: Path) -> str:
    """What to do when the disk of the sweep folder `out` fills up mid-write."""
    return ("Free some space there (or move the folder to another disk), then continue with: "
            f"pa2 sweep --out {out} --resume (every epoch saved so far is intact).")


def run_key(weight_decay: float, seed: int) -> RunKey:
    """The identity of one run: (weight decay as float, seed as int); -0.0 becomes 0.0."""
    return (float(weight_decay) + 0.0, int(seed))


@dataclass(frozen=True)
class EpochRow:
    """The metrics measured after one epoch (losses are data losses, accuracies in [0, 1])."""

    epoch: int
    train_loss: float
    train_acc: float
    test_loss: float
    test_acc: float
    seconds: float
    val_loss: float | None = None
    val_acc: float | None = None
    # L2 norm of the parameters weight decay acts on, after the epoch (None: an older file)
    weight_norm: float | None = None

    def to_dict(self) -> dict:
        data = {"epoch": self.epoch, "train_loss": self.train_loss, "train_acc": self.train_acc,
                "test_loss": self.test_loss, "test_acc": self.test_acc}
        if self.val_loss is not None:
            data["val_loss"], data["val_acc"] = self.val_loss, self.val_acc
        if self.weight_norm is not None:
            data["weight_norm"] = self.weight_norm
        data["seconds"] = self.seconds
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "EpochRow":
        """From a trusted dict (the training loop's); files go through `load_results`."""
        return cls(**{k: data[k] for k in ("epoch", *METRICS, "seconds")},
                   val_loss=data.get("val_loss"), val_acc=data.get("val_acc"),
                   weight_norm=data.get("weight_norm"))

    def metric(self, name: str) -> float | None:
        return getattr(self, name)


@dataclass
class Run:
    """One training run: one weight decay trained from one seed."""

    weight_decay: float
    seed: int
    status: str = "partial"
    epochs: list[EpochRow] = field(default_factory=list)

    @property
    def key(self) -> RunKey:
        return run_key(self.weight_decay, self.seed)

    @property
    def last(self) -> EpochRow | None:
        return self.epochs[-1] if self.epochs else None

    def to_dict(self) -> dict:
        return {"weight_decay": self.weight_decay, "seed": self.seed, "status": self.status,
                "epochs": [row.to_dict() for row in self.epochs]}


@dataclass
class SweepResults:
    """Everything results.json holds: the config dict, the runs in training order, and the
    number of images per split (`data`: {"train": n, "test": n, "val": n or None}; None in
    files written before it was recorded)."""

    config: dict
    runs: list[Run] = field(default_factory=list)
    data: dict | None = None

    @classmethod
    def new(cls, config: dict, weight_decays, seeds, data: dict | None = None) -> "SweepResults":
        """A sweep that has not trained yet: one partial run per (seed, weight decay)."""
        return cls(config, [Run(*run_key(wd, seed)) for seed in seeds for wd in weight_decays],
                   data)

    def run(self, weight_decay: float, seed: int) -> Run:
        key = run_key(weight_decay, seed)
        for run in self.runs:
            if run.key == key:
                return run
        raise KeyError(key)

    def add_missing(self, weight_decays, seeds) -> None:
        """Add a partial run for every (weight decay, seed) not here yet (a resume with more)."""
        have = {run.key for run in self.runs}
        for seed in seeds:
            for wd in weight_decays:
                if run_key(wd, seed) not in have:
                    self.runs.append(Run(*run_key(wd, seed)))

    @property
    def weight_decays(self) -> list[float]:
        return sorted({run.weight_decay for run in self.runs})

    @property
    def seeds(self) -> list[int]:
        return sorted({run.seed for run in self.runs})

    def runs_of(self, weight_decay: float) -> list[Run]:
        """The runs of one weight decay, by seed."""
        return sorted((r for r in self.runs if r.weight_decay == weight_decay),
                      key=lambda r: r.seed)

    def to_dict(self) -> dict:
        data = {"config": self.config}
        if self.data is not None:
            data["data"] = self.data
        data["runs"] = [run.to_dict() for run in self.runs]
        return data


def json_text(results: SweepResults) -> str:
    """results.json's text: the config indented, then one line per run header and per epoch
    row (written with the C encoder, ~4x faster than `indent=2` on a sweep of many seeds)."""
    def dump(value) -> str:
        return json.dumps(value, allow_nan=False)

    config = json.dumps(results.config, indent=2, allow_nan=False)  # never a NaN literal
    parts = ['{\n  "config": ' + config.replace("\n", "\n  ")]
    if results.data is not None:
        parts.append('  "data": ' + dump(results.data))
    runs = []
    for run in results.runs:
        head = (f'    {{"weight_decay": {dump(run.weight_decay)}, "seed": {dump(run.seed)}, '
                f'"status": {dump(run.status)}, "epochs": [')
        rows = ",\n".join("      " + dump(row.to_dict()) for row in run.epochs)
        runs.append(head + ("\n" + rows + "\n    ]}" if rows else "]}"))
    parts.append('  "runs": [' + ("\n" + ",\n".join(runs) + "\n  ]" if runs else "]"))
    return ",\n".join(parts) + "\n}\n"


def csv_text(results: SweepResults) -> str:
    """The epoch rows of every run as CSV (val columns empty when there is no validation)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in results.runs:
        for row in run.epochs:
            values = {"weight_decay": run.weight_decay, "seed": run.seed, "status": run.status,
                      **row.to_dict()}
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
        try:
            return self.results_path.is_file()
        except OSError:  # a path the system refuses (too long): creating it says why
            return False

    def save(self, results: SweepResults) -> None:
        """Rewrite results.csv, then results.json, each atomically."""
        self.path.mkdir(parents=True, exist_ok=True)
        fix = full_disk_fix(self.path)
        write_atomically(self.path / CSV_FILE, csv_text(results), full_disk_fix=fix)
        write_atomically(self.results_path, json_text(results), full_disk_fix=fix)

    def load(self) -> SweepResults:
        return load_results(self.path)


# a sweep of 100 runs x 1,000 epochs writes about 20 MB; anything larger is not pa2's
MAX_RESULTS_BYTES = 64 * 1024 * 1024


def load_results(folder: Path) -> SweepResults:
    """Read and validate `folder/results.json`; `UserError` (exit 2) if missing or malformed."""
    path = Path(folder) / RESULTS_FILE
    try:
        is_dir, is_file = Path(folder).is_dir(), path.is_file()
    except OSError as exc:  # a name too long, a loop of links
        raise UserError(f"cannot be read ({exc.strerror or exc})", where=str(folder)[:100],
                        fix="Give the --out folder of a sweep (it holds results.json).") from None
    if not is_dir:
        raise UserError("no such folder", where=str(folder),
                        fix="Give the --out folder of a sweep (it holds results.json).")
    if not is_file:
        raise UserError("no results.json here", where=str(folder),
                        fix="Give the --out folder of a sweep (it holds results.json).")
    size = path.stat().st_size
    if size > MAX_RESULTS_BYTES:  # refused before it is read: a sweep writes well under this
        raise UserError(f"{size:,} bytes, more than a sweep writes (at most "
                        f"{MAX_RESULTS_BYTES:,})", where=str(path),
                        fix="Restore the file or run the sweep again.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"not readable JSON ({exc})", where=str(path),
                        fix="Restore the file or run the sweep again.") from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit integer; 10^5-deep nesting
        problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:100]
        raise UserError(f"not readable JSON ({problem})", where=str(path),
                        fix="Restore the file or run the sweep again.") from None
    return parse_results(data, str(path))


def parse_results(data, source: str = "results.json") -> SweepResults:
    """Validate the JSON form of results and build the typed model; `UserError` naming the field.

    A run without "seed" (a file from before seeds existed) gets the config's "seed" (0 if the
    config has none); two runs with the same (weight decay, seed) are an error.
    """
    def bad(where: str, problem: str):
        raise UserError(problem, where=f"{source}: {where}",
                        fix="Restore the file or run the sweep again.")

    if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
        bad("config", "missing the 'config' object")
    config = data["config"]
    if not isinstance(data.get("runs"), list):
        bad("runs", "missing the 'runs' list")
    legacy_seed = config.get("seed", 0)
    if not _is_int(legacy_seed) or not 0 <= legacy_seed <= MAX_SEED:
        bad("config.seed", "not a whole number >= 0")
    sizes = data.get("data")
    if sizes is not None:
        if not isinstance(sizes, dict):
            bad("data", "not an object")
        for split in ("train", "test", "val"):
            value = sizes.get(split)
            if value is not None and (not _is_int(value) or value < 1):
                bad(f"data.{split}", "not a whole number >= 1")
        if sizes.get("train") is None or sizes.get("test") is None:
            bad("data", "needs the train and test image counts")
        sizes = {split: sizes.get(split) for split in ("train", "test", "val")}
    max_epochs = config.get("epochs")
    runs, seen = [], set()
    for i, run in enumerate(data["runs"]):
        where = f"runs[{i}]"
        if not isinstance(run, dict):
            bad(where, "not an object")
        if not is_number(run.get("weight_decay")) or run["weight_decay"] < 0:
            bad(f"{where}.weight_decay", "not a number >= 0")
        seed = run.get("seed", legacy_seed)
        if not _is_int(seed) or not 0 <= seed <= MAX_SEED:
            bad(f"{where}.seed", "not a whole number >= 0")
        if run.get("status") not in STATUSES:
            bad(f"{where}.status", f"not one of {', '.join(STATUSES)}")
        if not isinstance(run.get("epochs"), list):
            bad(f"{where}.epochs", "not a list")
        if _is_int(max_epochs) and len(run["epochs"]) > max_epochs:  # bound the work first
            bad(f"{where}.epochs", f"{len(run['epochs'])} epochs, more than the "
                f"{max_epochs} of config.epochs")
        rows = [_parse_row(row, j, f"{where}.epochs[{j}]", bad)
                for j, row in enumerate(run["epochs"])]
        key = run_key(run["weight_decay"], seed)
        if key in seen:
            bad(where, f"a second run for weight decay {key[0]!r} and seed {key[1]}")
        seen.add(key)
        runs.append(Run(key[0], key[1], run["status"], rows))
    return SweepResults(config, runs, sizes)


def _parse_row(row, j: int, where: str, bad) -> EpochRow:
    if not isinstance(row, dict) or row.get("epoch") != j + 1 or not _is_int(row.get("epoch")):
        bad(where, f"not an object with epoch {j + 1}")
    for key in (*METRICS, "seconds"):
        if not is_number(row.get(key)):
            bad(f"{where}.{key}", "missing or not a finite number")
    for key in OPTIONAL_METRICS:
        if key in row and not is_number(row[key]):
            bad(f"{where}.{key}", "not a finite number")
    if "weight_norm" in row and not (is_number(row["weight_norm"]) and row["weight_norm"] >= 0):
        bad(f"{where}.weight_norm", "not a finite number >= 0")
    if ("val_loss" in row) != ("val_acc" in row):
        bad(where, "has only one of val_loss and val_acc")
    for key in ACCURACIES:
        if key in row and not 0 <= row[key] <= 1:
            bad(f"{where}.{key}", "an accuracy outside [0, 1]")
    return EpochRow(epoch=j + 1, **{k: float(row[k]) for k in (*METRICS, "seconds")},
                    val_loss=_float_or_none(row.get("val_loss")),
                    val_acc=_float_or_none(row.get("val_acc")),
                    weight_norm=_float_or_none(row.get("weight_norm")))


def _float_or_none(value) -> float | None:
    return None if value is None else float(value)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
