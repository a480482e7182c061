"""The `pa2 notebook [PATH]` command: write the starter notebook for Part A shipped with pa2.

The notebook (`starter.ipynb` beside this module, data rather than code) installs pa2, sets the
student's data folder, model file and sweep settings in one cell, runs `pa2cli.sweep(...)`,
shows the figure and the findings, and writes the report; it runs top to bottom as shipped (on
the bundled digits). An existing file is kept unless --force; the write is atomic.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import click

from pa2cli.errors import UserError

DEFAULT_NAME = "pa2-part-a.ipynb"


def starter_text() -> str:
    """The starter notebook's JSON text, as shipped."""
    return resources.files("pa2cli.notebook").joinpath("starter.ipynb").read_text("utf-8")


def target_path(path: str | None) -> Path:
    """PATH as given, or DEFAULT_NAME inside it when it is a folder (or when none is given)."""
    if path is None:
        return Path(DEFAULT_NAME)
    target = Path(path)
    return target / DEFAULT_NAME if os.path.isdir(target) else target


@click.command()
@click.argument("path", required=False, type=click.Path(dir_okay=True))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def notebook(path, force) -> None:
    """Write a starter notebook for Part A (default: pa2-part-a.ipynb here).

    \b
      pa2 notebook                     # ./pa2-part-a.ipynb
      pa2 notebook work/               # work/pa2-part-a.ipynb

    Open it in Jupyter (jupyter lab pa2-part-a.ipynb) or upload it to Colab (File > Upload
    notebook). It installs pa2, takes your data folder and model class, runs the sweep with
    pa2cli.sweep(...), shows the figures and findings and writes the report.
    """
    from pa2cli import outputs
    from pa2cli.errors import printable

    target = target_path(path)
    if target.suffix != ".ipynb":
        raise UserError("is not a notebook file name", where=printable(str(target)),
                        fix="Give a name ending in .ipynb, or a folder.")
    if os.path.lexists(target) and not force:
        raise UserError("already exists", where=printable(str(target)),
                        fix="Add --force to replace it, or give another PATH.")
    if not os.path.isdir(target.parent):
        raise UserError("its folder does not exist", where=printable(str(target)),
                        fix="Create the folder first, or give a path in an existing one.")
    outputs.write_text(target, starter_text(), fix="Give a writable PATH.")
    click.echo(f"wrote {printable(str(target))}: open it in Jupyter (jupyter lab "
               f"{printable(str(target))}) or upload it to Colab (File > Upload notebook).")
