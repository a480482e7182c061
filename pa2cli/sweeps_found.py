"""The sweeps saved under `runs/` of the current folder, summarised for the home screen.

Each `runs/<name>/results.json` (pa2cli.sweep.store) is read leniently and briefly: weight
decays, seeds, epochs done of epochs asked, finished or interrupted, and the command that
resumes it. A folder that is not a readable sweep is listed as such, never raised. Bounded work:
at most MAX_SWEEPS folders, files up to MAX_BYTES. It imports neither torch nor the sweep
package (so `pa2` stays fast) and prints nothing.
"""

from __future__ import annotations

import json
import math
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pa2cli.numbers import wd_label

RUNS = "runs"
RESULTS = "results.json"
MAX_SWEEPS = 50
MAX_BYTES = 20_000_000


@dataclass(frozen=True)
class SweepFound:
    folder: str  # as typed from the current folder, e.g. runs/2026-11-30-1012
    weight_decays: tuple[float, ...] = ()
    seeds: tuple[int, ...] = ()
    epochs_done: int = 0
    epochs_asked: int = 0
    finished: bool = False
    problem: str | None = None  # why it could not be read
    runs: int = 0

    @property
    def resume_command(self) -> str:
        return f"pa2 sweep --out {shlex.quote(self.folder)} --resume"

    def to_json_dict(self) -> dict[str, Any]:
        data = {"folder": self.folder, "weight_decays": list(self.weight_decays),
                "seeds": list(self.seeds), "epochs_done": self.epochs_done,
                "epochs_asked": self.epochs_asked, "finished": self.finished}
        if self.problem:
            data["problem"] = self.problem
        elif not self.finished:
            data["resume"] = self.resume_command
        return data


def _numbers(value: Any, kind=float) -> tuple:
    """The finite numbers in `value` (one or a list) as `kind`; NaN, Infinity (which JSON
    files from elsewhere may hold), booleans and, for int, fractions are left out."""
    items = value if isinstance(value, list) else [value]
    return tuple(kind(v) for v in items
                 if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                 and (kind is not int or v == int(v)))


def read_sweep(folder: Path, shown: str) -> SweepFound:
    path = folder / RESULTS
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError("results.json is too large")
        data = json.loads(path.read_text(encoding="utf-8"))
        config, runs = data["config"], data["runs"]
        if not isinstance(config, dict) or not isinstance(runs, list):
            raise ValueError("not a pa2 sweep")
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        return SweepFound(shown, problem=f"cannot be read ({str(exc)[:60] or type(exc).__name__})")
    runs = [run for run in runs if isinstance(run, dict)]
    epochs = config.get("epochs")
    epochs = epochs if isinstance(epochs, int) and not isinstance(epochs, bool) else 0
    seeds = _seeds(config, runs)
    decays = tuple(dict.fromkeys(wd for run in runs for wd in _numbers(run.get("weight_decay"))))
    done = [len(run["epochs"]) if isinstance(run.get("epochs"), list) else 0 for run in runs]
    finished = bool(runs) and all(
        run.get("status") == "diverged" or (run.get("status") == "done" and n >= epochs)
        for run, n in zip(runs, done))
    return SweepFound(shown, decays, seeds, sum(done),
                      epochs * len(runs), finished, runs=len(runs))


def _seeds(config: dict, runs: list) -> tuple[int, ...]:
    """The seeds the runs used, in order. `config.seeds` is a count (5), not a seed, and
    `config.seed` the first seed; a run without "seed" (an older file) used `config.seed`."""
    first = _numbers(config.get("seed", 0), int)
    first = first[0] if first else 0
    used = [s for run in runs for s in (_numbers(run["seed"], int) if "seed" in run else (first,))]
    if not runs:  # no runs yet: the seeds the config asks for (none when the count is unusable)
        count = _numbers(config.get("seeds", 1), int)
        used = list(range(first, first + min(max(count[0], 0), 100))) if count else []
    return tuple(sorted(set(used)))


def seeds_label(seeds) -> str:
    """Seeds as people write them: "0-4" for a run of consecutive seeds, else "0, 3, 7"."""
    seeds = list(seeds)
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(map(str, seeds))


def sweeps_found(root: Path | None = None) -> list[SweepFound]:
    """Every sweep folder under runs/ (newest name last), at most MAX_SWEEPS."""
    try:
        base = (root or Path.cwd()) / RUNS  # Path.cwd() raises when the folder was deleted
        folders = sorted(p for p in base.iterdir() if (p / RESULTS).is_file())
    except OSError:
        return []
    return [read_sweep(folder, f"{RUNS}/{folder.name}") for folder in folders[-MAX_SWEEPS:]]
