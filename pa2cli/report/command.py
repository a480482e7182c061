"""The `pa2 report` Click command: parse the options, gather the inputs, write the folder, and
optionally compile it. Thin: document.py assembles, tex.py compiles."""

from __future__ import annotations

from pathlib import Path

import click

from pa2cli.errors import UserError


@click.command()
@click.option("--sweep", "sweep", type=click.Path(file_okay=False),
              help="Part A from this sweep folder (default: the latest under runs/).")
@click.option("--topics", help="Part B 1-2: topics separated by commas, e.g. huber,cross-entropy "
                               "(default: all nine).")
@click.option("--weights", type=click.Path(dir_okay=False),
              help="Part B 3: your network file (default: the built-in Figure 1 network).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "latex"]), default="markdown", show_default=True,
              help="markdown: report.md with PNG figures; latex: report.tex with PDF figures.")
@click.option("--out", "out", type=click.Path(file_okay=False), default="report", show_default=True,
              help="The folder to write the report and its figures into.")
@click.option("--pdf", is_flag=True, help="With --format latex: also run pdflatex (when installed) to make report.pdf.")
def report(sweep, topics, weights, fmt, out, pdf) -> None:
    """Write your report: Part A's figures and findings, Part B's derivations and your hand
    backpropagation, as Markdown or LaTeX.

    \b
      pa2 report                                   # report/report.md + PNG figures
      pa2 report --format latex --pdf              # report/report.tex (+ report.pdf)
      pa2 report --sweep runs/20260101-120000 --topics huber,l2 --weights weights.json
    """
    from pa2cli.report import document, tex

    if pdf and fmt != "latex":
        raise UserError("--pdf compiles LaTeX", where="--pdf", fix="Add --format latex")
    document.check_out(Path(out), fmt)
    inputs = document.gather(sweep, topics, weights)
    for note in inputs.notes:
        click.echo(note, err=True)
    written, kept = document.write(inputs, Path(out), fmt)
    if kept is not None:
        click.echo(f"{written.name} had changed since pa2 wrote it: your version is kept as {kept}",
                   err=True)
    click.echo(f"wrote {written}")
    if pdf:
        if tex.pdflatex() is None:
            click.echo("pdflatex is not installed, so no PDF was made: install a TeX distribution "
                       "(e.g. `apt-get install texlive-latex-base`) or compile report.tex elsewhere.", err=True)
            return
        result = tex.compile_tex(written)
        if not result.ok:
            raise UserError(f"pdflatex failed: {(result.errors or ('see report.log',))[0]}", where=str(written),
                            fix="Read report.log beside it")
        click.echo(f"wrote {result.pdf}")
