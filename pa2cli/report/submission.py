"""`pa2 report --submission ROLLNO`: the course's `ROLLNO_PA2.zip`.

Layout (COURSE.md): `ROLLNO_PA2/report.pdf`, `ROLLNO_PA2/README` (what was run and how to
reproduce it, where the handwritten Part B goes), `ROLLNO_PA2/Code/` (the model file the sweep
trained, the sweep's results.json and results.csv) and, with `--scan`, `ROLLNO_PA2/partB.pdf`.
Every name inside the zip is built here from a checked roll number and fixed names, so paths are
relative and safe. The zip is written atomically. This module prints nothing.
"""

from __future__ import annotations

import io
import re
import shlex
import zipfile
from pathlib import Path

from pa2cli import __version__
from pa2cli.errors import UserError, printable

ROLL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
MAX_SCAN_BYTES = 50_000_000
FLAGS = (("dataset", "--dataset"), ("data_dir", "--data-dir"), ("val_split", "--val-split"),
         ("train_size", "--train-size"), ("model", "--model"), ("optimizer", "--optimizer"),
         ("lr", "--lr"), ("momentum", "--momentum"), ("batch_size", "--batch-size"),
         ("lr_schedule", "--lr-schedule"), ("epochs", "--epochs"), ("seed", "--seed"),
         ("seeds", "--seeds"), ("device", "--device"))  # each a `pa2 sweep` option (tested)


def check_request(roll: str, scan: str | None, fmt: str, pdf: bool) -> None:
    """Refuse, before any work, a submission that cannot be made."""
    from pa2cli.report import tex

    if not ROLL.fullmatch(roll):
        raise UserError(f"{printable(roll)[:60]!r} is not a roll number (letters, digits, - and _, "
                        "at most 40)", where="--submission", fix="Give your roll number, e.g. --submission CS21B001")
    if fmt != "latex" or not pdf:
        raise UserError("the zip holds report.pdf", where="--submission", fix="Add --format latex --pdf")
    if tex.pdflatex() is None:
        raise UserError("pdflatex is not installed, so there is no report.pdf for the zip", where="--submission",
                        fix="Install TeX (e.g. `sudo apt-get install texlive-latex-base`) and run it again")
    if scan is not None:
        path = Path(scan)
        if not path.is_file() or path.stat().st_size > MAX_SCAN_BYTES:
            raise UserError(f"is not a file of at most {MAX_SCAN_BYTES // 1_000_000} MB", where=f"--scan {scan}",
                            fix="Give your scanned Part B as one PDF")
        with path.open("rb") as handle:
            if handle.read(5) != b"%PDF-":
                raise UserError("is not a PDF", where=f"--scan {scan}", fix="Scan Part B to a PDF")


def sweep_command(config: dict, runs=()) -> str:
    """The `pa2 sweep` command line that made a sweep, every option spelled out."""
    words = ["pa2", "sweep"]
    for key, flag in FLAGS:
        value = config.get(key)
        if value is not None:
            words += [flag, str(value)]
    if config.get("decay_bias_norm") is False:
        words.append("--no-decay-bias-norm")
    decays = config.get("weight_decays") or sorted({run.weight_decay for run in runs})
    words += ["--wd", *(repr(float(wd)) for wd in decays)]
    return " ".join(shlex.quote(w) for w in words)


def model_file(config: dict) -> Path | None:
    """The student's model file named in the sweep's --model (None: the built-in CNN)."""
    model = config.get("model")
    if not isinstance(model, str) or ":" not in model:
        return None
    path = Path(model.rsplit(":", 1)[0])
    return path if path.is_file() else None


def readme(roll: str, inputs, scan: bool) -> str:
    config = inputs.sweep.config if inputs.sweep is not None else {}
    model = model_file(config)
    lines = [f"{roll}_PA2: Programming Assignment 2", "",
             f"Made with pa2 {__version__} (pa2 report --submission {roll}).", ""]
    if inputs.sweep is None:
        lines += ["Part A: no sweep was included in this report.", ""]
    else:
        lines += ["Part A: what was run",
                  f"  {sweep_command(config, inputs.sweep.runs)}",
                  f"  data: {printable(str(config.get('dataset')))}, validation split {config.get('val_split', 0)}, "
                  f"training examples {config.get('train_size') or 'the whole split'}",
                  f"  model: {printable(str(config.get('model'))) if config.get('model') else 'the built-in CNN of pa2'}"
                  + (f" (Code/{model.name})" if model else ""),
                  f"  device: {config.get('device', 'auto')}",
                  f"  results: Code/results.json and Code/results.csv (from {printable(str(inputs.sweep_folder))})",
                  "", "How to reproduce",
                  "  pip install PA2_FOLDER (a copy of pa2: it is not on PyPI), then the command above;",
                  "  then: pa2 report --format latex --pdf --sweep DIR", ""]
    lines += ["Part B (handwritten)",
              "  partB.pdf in this folder: the scanned handwritten answers." if scan else
              "  Add your scanned handwritten Part B as partB.pdf in this folder "
              f"(or run pa2 report --submission {roll} --scan partB.pdf).", ""]
    return "\n".join(lines)


def write_zip(roll: str, pdf: Path, inputs, scan: Path | None, where: Path) -> Path:
    """Write `where/ROLL_PA2.zip` and return its path."""
    from pa2cli.outputs import write_bytes
    from pa2cli.sweep.store import CSV_FILE

    root = f"{roll}_PA2"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(pdf, f"{root}/report.pdf")
        archive.writestr(f"{root}/README", readme(roll, inputs, scan is not None))
        if inputs.sweep_folder is not None:
            for name in ("results.json", CSV_FILE):
                if (inputs.sweep_folder / name).is_file():
                    archive.write(inputs.sweep_folder / name, f"{root}/Code/{name}")
            model = model_file(inputs.sweep.config)
            if model is not None:
                archive.write(model, f"{root}/Code/{model.name}")
        if scan is not None:
            archive.write(scan, f"{root}/partB.pdf")
    target = where / f"{root}.zip"
    write_bytes(target, buffer.getvalue(), fix="Remove it or run from another folder", follow_links=False)
    return target
