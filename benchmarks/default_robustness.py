"""Are `pa2 sweep`'s default verdicts robust? The default sweep over seed windows x threads x paths.

Each cell is one real `pa2 sweep --no-plot` process (the CLI, so whatever the sweep does
internally is what is measured) with `--seed W` (W = 0, 1000, 2000, 3000, 4000: each window
draws its own training subset and its own initial weights), `--threads T` (1 and 2: a second
thread changes float summation order, and so the chaotic small-data trajectories) and
`--vectorize on|off` (all runs in one vectorised pass, or one run at a time). From the
results.json it wrote, the sweep's own findings (`findings.analyse`) are read back as verdicts:

    helps/hurts WD METRIC   the paired 95 % interval against wd 0 excludes 0 (test loss/acc)
    same sign WD METRIC     every seed moved the same way by a large amount, interval incl. 0
    underfits WD (k/n)      the penalty's underfitting, in k of n seeds
    collapsed WD (k/n)      k of n seeds ended at chance; diverged WD: a run diverged

A cell is **robust** (the issue's rule) when some weight decay helps beyond seed noise (test
loss or accuracy), some weight decay underfits in every seed, and no run collapses or diverges.
The table (window x threads x path -> verdicts, wall and CPU seconds of the process) is
printed as Markdown rows as each cell finishes, and appended to --table if given, so a partial
grid is never lost.

    .venv/bin/python benchmarks/default_robustness.py                      # the default sweep
    .venv/bin/python benchmarks/default_robustness.py --windows 0 --paths on --threads 1 \
        -- --lr-schedule cosine --wd 1e-3 1e-2 5e-2                         # a candidate
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pa2cli.sweep.config import wd_label  # noqa: E402
from pa2cli.sweep.findings import analyse  # noqa: E402
from pa2cli.sweep.store import load_results  # noqa: E402

WINDOWS = (0, 1000, 2000, 3000, 4000)


def verdicts(found) -> list[str]:
    """The findings as short verdict strings, in a fixed order (so cells compare as lists)."""
    out = []
    for c in found.comparisons:
        if c.metric not in ("test_loss", "test_acc"):
            continue
        if c.verdict in ("helps", "hurts", "same sign"):
            out.append(f"{c.verdict} {wd_label(c.weight_decay)} {c.metric}")
        elif c.verdict == "collapsed" and c.rest is not None and \
                c.rest.verdict in ("helps", "hurts", "same sign"):
            out.append(f"{c.rest.verdict} {wd_label(c.weight_decay)} {c.metric} (rest)")
    for s in found.summaries:
        if s.weight_decay in found.underfitting:
            out.append(f"underfits {wd_label(s.weight_decay)} ({len(s.underfit_seeds)}/{s.n})")
        if s.collapsed:
            out.append(f"collapsed {wd_label(s.weight_decay)} ({len(s.collapsed)}/{s.n})")
    out += [f"diverged {wd_label(wd)} seed {seed}" for wd, seed, _ in found.diverged]
    if not found.converged:
        out.append("not converged")
    return out


def robust(found) -> bool:
    helps = any(c.verdict == "helps" for c in found.comparisons
                if c.metric in ("test_loss", "test_acc"))
    underfits_everywhere = any(s.weight_decay in found.underfitting and len(s.underfit_seeds) == s.n
                               for s in found.summaries)
    steady = not found.diverged and not any(s.collapsed for s in found.summaries)
    return helps and underfits_everywhere and steady


def numbers(found) -> str:
    """Mean final test loss / accuracy / train accuracy per weight decay."""
    return " · ".join(f"{wd_label(s.weight_decay)}: {s.final_test_loss.mean:.3f}, "
                      f"{s.final_test_acc.mean:.1%}, train {s.final_train_acc.mean:.0%}"
                      for s in found.summaries)


def per_weight_decay(found) -> str:
    """Every weight decay's own fit, whether or not the findings' underfitting tail names it:
    seeds underfitting (more than the margin below that seed's best fit), seeds collapsed, and
    the mean final train accuracy. A run does not depend on the others trained beside it, so
    one wide sweep measures each value as if it were swept alone."""
    return " · ".join(f"{wd_label(s.weight_decay)}: under {len(s.underfit_seeds)}/{s.n}"
                      f"{f', collapsed {len(s.collapsed)}/{s.n}' if s.collapsed else ''}, "
                      f"train {s.final_train_acc.mean:.0%}"
                      for s in found.summaries if s.weight_decay != 0)


def run_cell(window: int, threads: int, path: str, extra: list[str],
             keep: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sweep" if keep is None else \
            keep / f"seed{window}-threads{threads}-{path}"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PA2_HOME": str(Path(tmp) / "home"),
               "COLUMNS": "80"}
        env.pop("OMP_NUM_THREADS", None)
        command = [sys.executable, "-m", "pa2cli", "sweep", "--no-plot", "--seed", str(window),
                   "--threads", str(threads), "--vectorize", path, "--out", str(out), *extra]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        load = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            return {"window": window, "threads": threads, "path": path, "wall": wall,
                    "cpu": cpu, "load": load, "error": (done.stderr or done.stdout)[-300:]}
        found = analyse(load_results(out))
    return {"window": window, "threads": threads, "path": path, "wall": wall, "cpu": cpu,
            "load": load, "verdicts": verdicts(found), "robust": robust(found),
            "numbers": numbers(found), "per_wd": per_weight_decay(found)}


def row(cell: dict) -> str:
    path = "vectorised" if cell["path"] == "on" else "one at a time"
    if "error" in cell:
        return (f"| {cell['window']} | {cell['threads']} | {path} | failed: "
                f"{cell['error'].strip().splitlines()[-1]} | | {cell['wall']:.1f} | "
                f"{cell['cpu']:.1f} | {cell['load']:.1f} |")
    return (f"| {cell['window']} | {cell['threads']} | {path} | "
            f"{'; '.join(cell['verdicts']) or 'nothing beyond noise'} | "
            f"{'yes' if cell['robust'] else 'no'} | {cell['wall']:.1f} | {cell['cpu']:.1f} | "
            f"{cell['load']:.1f} |")


HEADER = ("| window (`--seed`) | threads | path | verdicts | robust | wall s | CPU s | load |\n"
          "|---|---|---|---|---|---|---|---|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, nargs="+", default=list(WINDOWS))
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--paths", nargs="+", choices=("on", "off"), default=["on", "off"])
    parser.add_argument("--table", type=Path, help="append each finished row to this file")
    parser.add_argument("--jsonl", type=Path, help="append each finished cell as JSON")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep each cell's sweep folder in DIR (seedW-threadsT-PATH)")
    parser.add_argument("--per-wd", action="store_true",
                        help="after each row, every weight decay's underfit/collapsed seeds")
    parser.add_argument("extra", nargs="*", help="options passed on to pa2 sweep (after --)")
    args = parser.parse_args()
    print(f"pa2 sweep {' '.join(args.extra) or '(defaults)'}; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    print(HEADER, flush=True)
    cells = []
    for path in args.paths:
        for threads in args.threads:
            for window in args.windows:
                cell = run_cell(window, threads, path, args.extra, args.keep)
                cells.append(cell)
                print(row(cell), flush=True)
                if args.per_wd and "per_wd" in cell:
                    print(f"|   | per weight decay: {cell['per_wd']} |", flush=True)
                if args.table:
                    with args.table.open("a", encoding="utf-8") as f:
                        f.write(row(cell) + "\n")
                if args.jsonl:
                    with args.jsonl.open("a", encoding="utf-8") as f:
                        f.write(json.dumps({**cell, "extra": args.extra}) + "\n")
    good = [c for c in cells if c.get("robust")]
    same = len({tuple(c.get("verdicts", ["failed"])) for c in cells}) == 1
    print(f"robust in {len(good)} of {len(cells)} cells; verdicts "
          f"{'the same in every cell' if same else 'differ between cells'}; "
          f"wall {min(c['wall'] for c in cells):.1f}-{max(c['wall'] for c in cells):.1f} s, "
          f"CPU {min(c['cpu'] for c in cells):.1f}-{max(c['cpu'] for c in cells):.1f} s",
          flush=True)


if __name__ == "__main__":
    main()
