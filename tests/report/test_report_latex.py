"""A full `pa2 report --format latex --pdf` (sweep figures, all nine topics, the built-in network)
compiles with no box overfull by more than 1 pt."""

from __future__ import annotations

from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.report import tex


def test_full_latex_report_compiles_and_fits_the_page(tmp_path, sweep_folder, compile_document):
    out = tmp_path / "rep"
    result = CliRunner().invoke(
        cli, ["report", "--sweep", str(sweep_folder), "--topics", "all", "--weights", "--format", "latex", "--pdf",
              "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF-")
    log = (out / "report.log").read_text(errors="replace")
    overfull = [float(m["pt"]) for m in tex.OVERFULL.finditer(log)]
    assert [pt for pt in overfull if pt > 1.0] == [], [line for line in log.splitlines() if "Overfull" in line]
    text = (out / "report.tex").read_text()
    assert text.count(r"\includegraphics") == 6 and text.count(r"\subsection*{") >= 9
    part_b = text[text.index(r"\section{Part B 3: backpropagation by hand}"):]
    assert r"\begin{picture}" in part_b and r"\subsection*{Given}" in part_b  # Figure 1 drawn
    assert "W_{11\\_1}" in part_b and "sample values" in part_b  # the built-in Figure 1, said so
