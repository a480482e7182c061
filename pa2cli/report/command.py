"""The `pa2 report` Click command: parse the options, gather the inputs, write the folder, and
optionally compile it. Thin: document.py assembles, tex.py compiles."""

from __future__ import annotations

from pathlib import Path

import click

from pa2cli.errors import UserError


@click.command()
@click.option("--sweep", "sweep", type=click.Path(file_okay=False),
              help="Part A from this sweep folder (default: the latest under runs/).")
@click.option("--topics", help="Add Part B 1-2's typeset derivations (a study companion; the course "
                               "wants Part B handwritten): topics separated by commas, e.g. huber,cross-entropy, or all.")
@click.option("--weights", is_flag=False, flag_value="last", type=click.Path(dir_okay=False),
              help="Add Part B 3's worked check for this network file; --weights alone: the network you quizzed last.")
@click.option("--author", help="Your name, on the title page (remembered for the next report).")
@click.option("--roll", help="Your roll number, on the title page (remembered for the next report).")
@click.option("--title", help="The report's title (remembered; default: Programming Assignment 2: report).")
@click.option("--submission", metavar="ROLLNO",
              help="With --format latex --pdf: also write ROLLNO_PA2.zip as the course asks.")
@click.option("--scan", type=click.Path(dir_okay=False, exists=True),
              help="With --submission: your scanned handwritten Part B (a PDF) to add to the zip.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "latex"]), default="markdown", show_default=True,
              help="markdown: report.md with PNG figures; latex: report.tex with PDF figures.")
@click.option("--out", "out", type=click.Path(file_okay=False), default="report", show_default=True,
              help="The folder to write the report and its figures into.")
@click.option("--pdf", is_flag=True, help="With --format latex: also run pdflatex (when installed) to make report.pdf.")
def report(sweep, topics, weights, author, roll, title, submission, scan, fmt, out, pdf) -> None:
    """Write your report: Part A's figures and findings, Part B's derivations and your hand
    backpropagation, as Markdown or LaTeX.

    \b
      pa2 report                                   # report/report.md + PNG figures
      pa2 report --format latex --pdf              # report/report.tex (+ report.pdf)
      pa2 report --sweep runs/20260101-120000 --topics huber,l2 --weights weights.json
      pa2 report --format latex --pdf --author "A. Student" --roll CS21B001 --submission CS21B001

    Part A (your sweep) is the default; Part B is handwritten in the course, so its typeset
    derivations (--topics) and worked check (--weights) are added only when you ask.
    """
    from pa2cli.report import document, identity, submission as packing, tex

    if pdf and fmt != "latex":
        raise UserError("--pdf compiles LaTeX", where="--pdf", fix="Add --format latex")
    if submission is not None:
        packing.check_request(submission, scan, fmt, pdf)
    elif scan is not None:
        raise UserError("--scan goes into the submission zip", where="--scan", fix="Add --submission ROLLNO")
    document.check_out(Path(out), fmt)
    who = identity.resolve(author, roll or submission, title)
    inputs = document.gather(sweep, topics, weights, who)
    for line in inputs.used:
        click.echo(document.plain(line))
    for note in inputs.notes:
        click.echo(note, err=True)
    written, kept = document.write(inputs, Path(out), fmt)
    if kept is not None:
        click.echo(f"{written.name} had changed since pa2 wrote it: your version is kept as {kept}",
                   err=True)
    click.echo(f"wrote {written}")
    if pdf:
        if tex.pdflatex() is None:
            if submission is not None:
                raise UserError("pdflatex is not installed, so no report.pdf for the zip", where="--submission",
                                fix="Install TeX (e.g. `apt-get install texlive-latex-base`) and run it again")
            click.echo("pdflatex is not installed, so no PDF was made: install a TeX distribution "
                       "(e.g. `apt-get install texlive-latex-base`) or compile report.tex elsewhere.", err=True)
            return
        result = tex.compile_tex(written)
        if not result.ok:
            raise UserError(f"pdflatex failed: {(result.errors or ('see report.log',))[0]}", where=str(written),
                            fix="Read report.log beside it")
        click.echo(f"wrote {result.pdf}")
        if submission is not None:
            zipped = packing.write_zip(submission, result.pdf, inputs, Path(scan) if scan else None, Path("."))
            click.echo(f"wrote {zipped}")
