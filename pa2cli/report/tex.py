"""Running pdflatex on a written document and reading its log: errors and overfull boxes.

Used by `pa2 report --pdf` and by the tests that require every LaTeX output to compile with no
overfull box wider than 1 pt. It runs pdflatex without shell escape, in the document's folder,
with a time limit; it never edits the document.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

OVERFULL = re.compile(r"^Overfull \\[hv]box \((?P<pt>[\d.]+)pt too (?:wide|high)\)(?P<where>.*)$", re.M)
PREAMBLE = r"\usepackage{amsmath,array,longtable,graphicx}"


@dataclass(frozen=True)
class Compiled:
    ok: bool
    pdf: Path | None
    errors: tuple[str, ...]  # the log's "!" lines
    overfull: tuple[tuple[float, str], ...]  # (points, where) of each overfull box

    def overfull_over(self, points: float = 1.0) -> list[str]:
        return [f"{pt:.1f}pt{where}" for pt, where in self.overfull if pt > points]


def pdflatex() -> str | None:
    return shutil.which("pdflatex")


def standalone(body: str, preamble: str = PREAMBLE) -> str:
    """A whole `article` document around a fragment (default page and margins)."""
    return f"\\documentclass{{article}}\n{preamble}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"


def compile_tex(path: Path, runs: int = 2, timeout: float = 120) -> Compiled:
    """pdflatex `path` (`runs` passes: longtable needs two) and read the log of the last one."""
    path = Path(path)
    command = [pdflatex() or "pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
               path.name]
    done = None
    for _ in range(runs):
        done = subprocess.run(command, cwd=path.parent, capture_output=True, text=True, timeout=timeout,
                              errors="replace")
        if done.returncode != 0:
            break
    log_path = path.with_suffix(".log")
    log = log_path.read_text(errors="replace") if log_path.exists() else (done.stdout if done else "")
    errors = tuple(line for line in log.splitlines() if line.startswith("!"))
    overfull = tuple((float(m["pt"]), m["where"]) for m in OVERFULL.finditer(log))
    pdf = path.with_suffix(".pdf")
    ok = done is not None and done.returncode == 0 and pdf.exists()
    return Compiled(ok, pdf if ok else None, errors, overfull)
