"""`pa2 report` on a sweep folder from someone else: strings in its results.json (and the folder's
name) with terminal control codes. Before: a raw ESC in report.md, and pdflatex stopped at it
("Unicode character ^^[") so `--pdf` failed; LaTeX commands in them must stay text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pa2cli.sweep.store import EpochRow, Run, SweepFolder, SweepResults

from .conftest import one_line_error, run_pa2

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
    # in a code span (nothing inside one is Markdown): the text \x1b[ shows as written
    assert "`\\x1b[2Jdigits\\u202e%$#&{}`" in text and "`runs/ev\\x1bil`" in text


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


# `pa2 report` with the moment between writing report.md and recording its hash widened to
# 0.4 s, so the four reports surely overlap there (where the spurious backup came from)
SLOW_REPORT = """
import sys, time
from pa2cli import outputs
from pa2cli.cli import main
real = outputs.record_written
outputs.record_written = lambda path: (time.sleep(0.4), real(path))[1]
sys.argv[0] = "pa2"
main()
"""


def test_four_reports_into_one_folder_at_once_lose_nothing_and_make_one_backup(tmp_path):
    """Before: four concurrent `pa2 report` runs into one folder made a spurious report.md.~1~
    (one took another's fresh output for an edit), and a race between two backups could lose the
    student's file or end in an error. Now the edited file is kept exactly once, every report
    ends with exit 0, and report.md is pa2's."""
    import subprocess
    import sys

    from .conftest import ROOT

    first = run_pa2("report", "--topics", "huber", "--out", "rep", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    document = tmp_path / "rep" / "report.md"
    document.write_text(document.read_text() + "\nMy own discussion of the results.\n")
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
    reports = [subprocess.Popen([sys.executable, "-c", SLOW_REPORT, "report", "--topics", "huber", "--out", "rep",
                                 "--title", f"Report {i}"],  # four different documents
                                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for i in range(4)]
    outcomes = [(r.wait(timeout=240), r.stderr.read().decode()) for r in reports]
    assert [code for code, _ in outcomes] == [0] * 4, outcomes
    backups = sorted(document.parent.glob("report.md.~*~"))
    assert [b.name for b in backups] == ["report.md.~1~"], backups
    assert "My own discussion" in backups[0].read_text()
    assert "My own discussion" not in document.read_text() and document.read_text().startswith("# ")
    assert sum("your version is kept" in err for _, err in outcomes) == 1


def test_the_note_naming_an_unfinished_sweep_folder_is_inert_markdown(tmp_path):
    """Before: the "Part A is left out: DIR has no finished epoch" note reached report.md raw,
    so a folder named `<img src=x onerror=alert(1)>` or holding a backtick became HTML or ended
    its code span. Now the folder is a code span nothing inside can end."""
    folder = tmp_path / "runs" / "a`b<img src=x onerror=alert(1)>"
    SweepFolder(folder).save(SweepResults({"epochs": 2}, [Run(0.0, 0, "partial", [])]))
    result = run_pa2("report", "--sweep", str(folder), "--out", "rep", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "rep" / "report.md").read_text()
    note = next(line for line in text.splitlines() if "has no finished epoch" in line)
    assert "``" in note and "<img" in note  # inside a double-backtick code span: shown, not run
    spans = note.split("``")
    assert all("<img" not in part for part in spans[0::2]), note  # never outside a span
    assert "Part A is left out:" in result.stderr.decode() and "\x1f" not in result.stderr.decode()
