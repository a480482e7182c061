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
    """pdflatex `path` (`runs` passes: longtable needs two) and read the log of the last one.

    It compiles in a fresh temporary folder holding a copy of the document and of the regular
    figure files beside it (never a symlink, a FIFO or a stale report.aux), then copies the PDF
    and the log back atomically (a symlink there is replaced, not written through). A pdflatex
    that runs past `timeout` seconds is stopped and reported as an error line."""
    import stat
    import tempfile

    from pa2cli.outputs import write_bytes

    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="pa2-tex-") as work:
        work = Path(work)
        for item in path.parent.iterdir():
            try:
                mode = item.lstat().st_mode
            except OSError:
                continue
            if stat.S_ISREG(mode) and item.suffix.lower() in (".tex", ".pdf", ".png") \
                    and item.name != path.with_suffix(".pdf").name:
                shutil.copyfile(item, work / item.name)
        command = [pdflatex() or "pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                   path.name]
        done, stopped = None, None
        for _ in range(runs):
            try:
                done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=timeout,
                                      errors="replace", stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                stopped = f"! pdflatex ran past {timeout:g} s and was stopped"
                done = None
                break
            if done.returncode != 0:
                break
        log_path = work / path.with_suffix(".log").name
        log = log_path.read_text(errors="replace") if log_path.exists() else (done.stdout if done else "")
        errors = tuple(line for line in log.splitlines() if line.startswith("!"))
        if stopped:
            errors = (stopped,) + errors
        overfull = tuple((float(m["pt"]), m["where"]) for m in OVERFULL.finditer(log))
        made = work / path.with_suffix(".pdf").name
        ok = done is not None and done.returncode == 0 and made.exists()
        pdf = path.with_suffix(".pdf")
        write_bytes(path.with_suffix(".log"), log.encode("utf-8"), fix="Remove it", follow_links=False)
        if ok:
            write_bytes(pdf, made.read_bytes(), fix="Remove it", follow_links=False)
    return Compiled(ok, pdf if ok else None, errors, overfull)
