"""`pa2 report`: one folder with report.md and PNG figures (or report.tex and PDF figures) from a
sweep, topics and a network; a missing input leaves its part out with one line on how to make it;
a bad input is one line and exit 2."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from pa2cli.cli import cli

PNG = b"\x89PNG\r\n\x1a\n"


def report(*args):
    return CliRunner().invoke(cli, ["report", *args])


def test_markdown_report_has_every_part_and_its_images_are_real_pngs(sweep_folder, tmp_path):
    out = tmp_path / "rep"
    result = report("--sweep", str(sweep_folder), "--topics", "huber,ce", "--weights", "--out", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    text = (out / "report.md").read_text()
    for heading in ("## Part A: weight decay", "### Huber loss", "### Cross-entropy loss",
                    "## Part B 3: backpropagation by hand"):
        assert heading in text
    assert "### Sigmoid" not in text  # only the topics asked for
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links == ["wd1.png", "wd2.png", "overlay-test-acc.png", "overlay-test-loss.png", "final.png",
                     "final-loss.png", "figure1.png"]  # the last: Part B 3's network drawn as Figure 1
    part_b = text[text.index("## Part B 3"):]
    assert "![The network, drawn as Figure 1" in part_b and "data:image" not in text
    for link in links:
        data = (out / link).read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width > 500 and height > 300  # the IHDR chunk of a real image
    from pa2cli.sweep.findings import analyse
    from pa2cli.sweep.sentences import sentences
    from pa2cli.sweep.store import load_results

    said = sentences(analyse(load_results(sweep_folder)))  # the report restates `pa2 sweep`'s findings
    assert said and all(f"- {line}" in text.replace("\u2212", "-") for line in said)
    # the table states each weight decay's mean over the two seeds and their range
    assert "| 0 | 79.5 (79.0–80.0) | 74.5 (74.0–75.0) | 2 |" in text


def test_default_sweep_is_the_latest_folder_under_runs(sweep_folder, tmp_path, monkeypatch):
    import os

    older = tmp_path / "runs" / "20250101-000000"
    older.mkdir()
    (older / "results.json").write_text((sweep_folder / "results.json").read_text())
    os.utime(older / "results.json", (1, 1))
    monkeypatch.chdir(tmp_path)
    result = report("--topics", "relu", "--out", "rep")
    assert result.exit_code == 0, result.stderr
    assert "From `runs/20260101-120000`:" in (tmp_path / "rep" / "report.md").read_text()
    assert result.output.splitlines()[0] == ("2 sweeps are under runs/; this report uses the newest, "
                                             "runs/20260101-120000. Choose another with --sweep DIR.")


def test_without_a_sweep_part_a_is_left_out_with_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = report("--topics", "relu", "--out", "rep")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines() == [
        "Part A is left out: no sweep folder under runs/. Run `pa2 sweep --wd 1e-4 1e-3` first, or pass --sweep DIR."]
    text = (tmp_path / "rep" / "report.md").read_text()
    assert "Part A: weight decay" not in text and "pa2 sweep --wd 1e-4 1e-3" in text
    assert "### ReLU" in text and "Part B 3" not in text and not list((tmp_path / "rep").glob("*.png"))


@pytest.mark.parametrize("args, message", [
    (["--sweep", "no/such/folder"], "--sweep no/such/folder: no such folder"),
    (["--topics", "hubber"], "hubber"),
    (["--topics", " , "], "--topics: no topic named"),
    (["--pdf"], "--pdf: --pdf compiles LaTeX"),
])
def test_a_bad_input_is_one_line_and_exit_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = report(*args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "report").exists()  # nothing written before the inputs are valid


def test_a_bad_network_file_is_one_line_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.json").write_text('{"inputs": {"i1": 1}}')
    result = report("--weights", "w.json", "--topics", "relu")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "targets: is missing" in result.stderr


def test_pdf_without_pdflatex_says_so_and_still_writes_the_tex(tmp_path, monkeypatch, sweep_folder):
    monkeypatch.setattr("pa2cli.report.tex.pdflatex", lambda: None)
    out = tmp_path / "rep"
    result = report("--sweep", str(sweep_folder), "--topics", "relu", "--format", "latex", "--pdf",
                    "--out", str(out))
    assert result.exit_code == 0
    assert "pdflatex is not installed, so no PDF was made" in result.stderr
    assert (out / "report.tex").is_file() and (out / "wd1.pdf").read_bytes().startswith(b"%PDF-")
    assert not (out / "report.pdf").exists()
