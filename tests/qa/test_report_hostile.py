"""`pa2 report` on a sweep folder from someone else: strings in its results.json (and the folder's
name) with terminal control codes. Before: a raw ESC in report.md, and pdflatex stopped at it
("Unicode character ^^[") so `--pdf` failed; LaTeX commands in them must stay text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pa2cli.sweep.store import EpochRow, Run, SweepFolder, SweepResults

from .conftest import one_line_error

EVIL_MODEL = "\\input{/etc/hostname}\\immediate\\write18{touch PWNED}"


def _hostile_sweep(root: Path) -> Path:
    rows = [EpochRow(e, 2.0 / e, 0.5 + 0.1 * e, 2.2 / e, 0.45 + 0.1 * e, 0.2) for e in (1, 2)]
    config = {"dataset": "\x1b[2Jdigits\u202e%$#&{}", "model": EVIL_MODEL, "optimizer": "sgd",
              "lr": 0.05, "batch_size": 64, "epochs": 2, "seed": 0, "seeds": 1}
    folder = root / "runs" / "ev\x1bil"
    SweepFolder(folder).save(SweepResults(config, [Run(wd, 0, "done", rows) for wd in (0.0, 1e-3)]))
    return folder


def test_markdown_report_has_no_control_codes(pa2, tmp_path):
    _hostile_sweep(tmp_path)
    result = pa2("report", "--topics", "huber", "--out", "rep", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "rep" / "report.md").read_text()
    assert "\x1b" not in text and "\u202e" not in text
    # Markdown-escaped: the source \\x1b\[ renders as the text \x1b[
    assert "\\\\x1b\\[2Jdigits\\\\u202e" in text and "`runs/ev\\x1bil`" in text


def test_latex_report_compiles_and_keeps_commands_as_text(pa2, tmp_path, compile_document):
    _hostile_sweep(tmp_path)
    result = pa2("report", "--topics", "huber", "--format", "latex", "--out", "rep", cwd=tmp_path,
                 timeout=120)
    assert result.returncode == 0, result.stderr
    tex = tmp_path / "rep" / "report.tex"
    assert "\x1b" not in tex.read_text() and "\\input{/etc" not in tex.read_text()
    compile_document(tex, runs=1)  # before: "! LaTeX Error: Unicode character ^^[ (U+001B)"
    assert not (tmp_path / "rep" / "PWNED").exists() and not (tmp_path / "PWNED").exists()


def test_report_refuses_a_bad_topic_list_before_writing(pa2, tmp_path):
    result = pa2("report", "--topics", "huber,\x1b[2Jnope", "--out", "rep", cwd=tmp_path)
    assert result.returncode == 2
    assert "\x1b" not in one_line_error(result)
    assert not (tmp_path / "rep").exists()


@pytest.mark.parametrize("fmt, name", [("markdown", "report.md"), ("latex", "report.tex")])
def test_regenerating_keeps_a_report_edited_by_hand(pa2, tmp_path, fmt, name):
    """Before: `pa2 report` run again silently replaced report.md, with the student's own
    discussion written into it. Now an edited file is kept as report.md.~1~; an unedited one
    is replaced without a copy."""
    run = lambda: pa2("report", "--topics", "huber", "--format", fmt, cwd=tmp_path)  # noqa: E731
    assert run().returncode == 0
    document = tmp_path / "report" / name
    again = run()
    assert again.returncode == 0 and "kept" not in again.stderr.decode()
    assert not list(document.parent.glob(f"{name}.~*~"))
    document.write_text(document.read_text() + "\nMy own discussion of the results.\n")
    edited = run()
    assert edited.returncode == 0
    assert f"your version is kept as report/{name}.~1~" in edited.stderr.decode()
    assert "My own discussion" in (document.parent / f"{name}.~1~").read_text()
    assert "My own discussion" not in document.read_text()


def test_a_report_md_that_pa2_did_not_write_is_kept(pa2, tmp_path):
    (tmp_path / "report.md").write_text("# my notes\n")
    result = pa2("report", "--topics", "huber", "--out", ".", cwd=tmp_path)
    assert result.returncode == 0
    assert (tmp_path / "report.md.~1~").read_text() == "# my notes\n"
