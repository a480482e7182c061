"""`pa2 notebook [PATH]` writes the shipped starter notebook, a valid nbformat 4 notebook, and
keeps an existing file unless --force."""

from __future__ import annotations

import json

import nbformat
from click.testing import CliRunner

from pa2cli.cli import cli


def _run(*args):
    return CliRunner().invoke(cli, ["notebook", *args])


def test_writes_a_valid_notebook_with_the_sweep_figure_findings_and_report(tmp_path,
                                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run()
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote pa2-part-a.ipynb: open it in Jupyter")
    notebook = nbformat.read(tmp_path / "pa2-part-a.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    for part in ("%pip install", "DATA_DIR = None", "%%writefile my_model.py",
                 "pa2cli.sweep(", "result.figure()", "result.findings", "!pa2 report"):
        assert part in code, part
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "EPOCHS = " in tagged[0].source
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_a_folder_gets_the_default_name_and_an_existing_file_is_kept(tmp_path):
    assert _run(str(tmp_path)).exit_code == 0
    target = tmp_path / "pa2-part-a.ipynb"
    target.write_text("mine")
    kept = _run(str(tmp_path))
    assert kept.exit_code == 2
    assert "already exists. Add --force to replace it" in kept.output
    assert target.read_text() == "mine"
    assert _run(str(target), "--force").exit_code == 0
    assert json.loads(target.read_text())["nbformat"] == 4


def test_a_name_that_is_not_a_notebook_is_one_line(tmp_path):
    result = _run(str(tmp_path / "notes.txt"))
    assert result.exit_code == 2
    assert "is not a notebook file name. Give a name ending in .ipynb" in result.output
    assert not (tmp_path / "notes.txt").exists()
