"""The report a student hands in (issue 18) and the figure/output hardening of issue 19: the PDF
is read back with pdftotext and pdffonts, the zip is opened, figures are checked on disk."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import pytest
from click.testing import CliRunner

from pa2cli.cli import cli
from pa2cli.sweep.store import EpochRow, Run, SweepFolder, SweepResults

needs_tex = pytest.mark.skipif(not (shutil.which("pdflatex") and shutil.which("pdftotext")
                                    and shutil.which("pdffonts")), reason="needs pdflatex and poppler-utils")


def report(*args):
    return CliRunner().invoke(cli, ["report", *args])


@needs_tex
def test_pdf_has_author_roll_only_chosen_topics_and_no_type3_font(sweep_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("PA2_HOME", str(tmp_path / "home"))
    out = tmp_path / "rep"
    result = report("--sweep", str(sweep_folder), "--topics", "huber", "--format", "latex", "--pdf",
                    "--author", "Asha Student", "--roll", "CS21B001", "--out", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.splitlines()[0].startswith("Part A uses the sweep in")
    text = subprocess.run(["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Asha Student" in text and "CS21B001" in text
    assert "Huber" in text and "Sigmoid" not in text and "backpropagation by hand" not in text
    fonts = subprocess.run(["pdffonts", str(out / "report.pdf")], capture_output=True, text=True).stdout
    assert "Type 3" not in fonts
    for figure in out.glob("*.pdf"):
        if figure.name != "report.pdf":
            assert "Type 3" not in subprocess.run(["pdffonts", str(figure)], capture_output=True, text=True).stdout
    log = (out / "report.log").read_text(errors="replace")
    assert "No \\author given" not in log
    pages = subprocess.run(["pdfinfo", str(out / "report.pdf")], capture_output=True, text=True).stdout
    assert int(next(l.split()[-1] for l in pages.splitlines() if l.startswith("Pages:"))) <= 8  # measured 8 (46 before)
    # remembered under PA2_HOME for the next report
    again = report("--sweep", str(sweep_folder), "--out", str(tmp_path / "rep2"))
    assert again.exit_code == 0 and "Asha Student" in (tmp_path / "rep2" / "report.md").read_text()


def test_figures_print_labels_at_8_pt_or_more_at_their_placed_width(sweep_folder):
    from pa2cli.sweep import figures
    from pa2cli.sweep.store import load_results

    results = load_results(sweep_folder)
    for make in (lambda: figures.weight_decay_figure(results, 0.0), lambda: figures.final_figure(results),
                 lambda: figures.overlay_figure(results, "test_acc"), lambda: figures.final_loss_figure(results)):
        figure = make()
        width = figure.get_figwidth()
        scale = figures.PAGE_WIDTH_IN / width  # \includegraphics[width=\linewidth], 6.5 in text width
        figure.canvas.draw()
        sizes = [t.get_fontsize() for t in figure.findobj(lambda a: hasattr(a, "get_fontsize") and
                                                          hasattr(a, "get_text") and a.get_text())]
        assert sizes and min(sizes) * scale >= 8, (min(sizes), scale)


@needs_tex
def test_submission_zip_has_the_course_layout(sweep_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("PA2_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    scan = tmp_path / "partB.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = report("--sweep", str(sweep_folder), "--format", "latex", "--pdf", "--submission", "CS21B001",
                    "--scan", str(scan), "--out", "rep")
    assert result.exit_code == 0, result.output + result.stderr
    with zipfile.ZipFile(tmp_path / "CS21B001_PA2.zip") as archive:
        names = sorted(archive.namelist())
        assert names == ["CS21B001_PA2/Code/results.csv", "CS21B001_PA2/Code/results.json", "CS21B001_PA2/README",
                         "CS21B001_PA2/partB.pdf", "CS21B001_PA2/report.pdf"]
        assert all(not n.startswith("/") and ".." not in n for n in names)
        readme = archive.read("CS21B001_PA2/README").decode()
        assert archive.read("CS21B001_PA2/report.pdf").startswith(b"%PDF-")
    assert "pa2 sweep --dataset digits" in readme and "--wd 0.0 0.001" in readme and "partB.pdf" in readme


@pytest.mark.parametrize("roll", ["../x", "a/b", ""])
def test_a_bad_roll_number_is_one_line_before_any_work(tmp_path, monkeypatch, roll):
    monkeypatch.chdir(tmp_path)
    result = report("--format", "latex", "--pdf", "--submission", roll)
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "--submission" in result.stderr and not (tmp_path / "report").exists()


def test_submission_without_pdflatex_says_how_to_install_tex(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("pa2cli.report.tex.pdflatex", lambda: None)
    result = report("--format", "latex", "--pdf", "--submission", "CS21B001")
    assert result.exit_code == 2 and "texlive-latex-base" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _same_accuracy_sweep(folder):
    """Three seeds ending at one accuracy whose float mean falls outside [min, max]."""
    acc = 0.1 + 0.2  # 0.30000000000000004: the mean of three lands a hair off
    rows = [EpochRow(1, 1.0, acc, 1.0, acc, 0.1)]
    config = {"dataset": "digits", "optimizer": "sgd", "lr": 0.05, "batch_size": 64, "epochs": 1, "seed": 0,
              "seeds": 3}
    SweepFolder(folder).save(SweepResults(config, [Run(wd, s, "done", rows) for s in range(3) for wd in (0.0, 1e-3)]))
    return folder


def test_equal_seeds_draw_with_nonnegative_error_bars(tmp_path):
    folder = _same_accuracy_sweep(tmp_path / "runs" / "same")
    result = report("--sweep", str(folder), "--out", str(tmp_path / "rep"))
    assert result.exit_code == 0, result.stderr
    result = CliRunner().invoke(cli, ["plot", str(folder), "--save", str(tmp_path / "fig.png")])
    assert result.exit_code == 0, result.stderr


def test_a_figure_symlink_is_replaced_not_written_through(sweep_folder, tmp_path):
    out = tmp_path / "rep"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "final.png").symlink_to(victim)
    (out / ".report.md.pa2-sha256").symlink_to(victim)
    result = report("--sweep", str(sweep_folder), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert victim.read_text() == "keep me"
    assert not (out / "final.png").is_symlink() and (out / "final.png").read_bytes().startswith(b"\x89PNG")


def test_html_and_links_in_a_folder_name_stay_inert_in_markdown(tmp_path):
    folder = _same_accuracy_sweep(tmp_path / "runs" / "<script>x`y[a](javascript:alert(1))")
    result = report("--sweep", str(folder), "--out", str(tmp_path / "rep"))
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "rep" / "report.md").read_text()
    span = f"`` {folder} ``"
    assert span in text  # one code span the backtick cannot end
    outside = text.replace(span, "")
    assert "<script>" not in outside and "](javascript:" not in outside


def test_a_failing_report_leaves_no_empty_out_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.json").write_text("{}")
    result = report("--weights", "w.json", "--out", "fresh")
    assert result.exit_code == 2
    assert not (tmp_path / "fresh").exists()


@needs_tex
def test_stale_aux_fifo_log_and_symlinked_pdf_do_not_reach_pdflatex(sweep_folder, tmp_path):
    import os

    out = tmp_path / "rep"
    out.mkdir()
    (out / "report.aux").write_text("\\bogus{\n\\undefinedcommandthatfails\n")  # stale, crafted
    os.mkfifo(out / "report.log")  # before: pdflatex blocked on it for 120 s, then a traceback
    refused = report("--sweep", str(sweep_folder), "--format", "latex", "--pdf", "--out", str(out))
    assert refused.exit_code == 2 and "report.log: is a pipe (FIFO)" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "report.pdf").symlink_to(victim)
    os.unlink(out / "report.log")
    result = report("--sweep", str(sweep_folder), "--format", "latex", "--pdf", "--out", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    assert victim.read_text() == "keep me"
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF-") and not (out / "report.pdf").is_symlink()
    assert (out / "report.log").is_file()


def test_a_pdflatex_that_hangs_is_stopped_with_one_line(sweep_folder, tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "pdflatex"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    from pa2cli.report import tex

    monkeypatch.setattr(tex, "pdflatex", lambda: str(fake))
    real = tex.compile_tex
    monkeypatch.setattr(tex, "compile_tex", lambda p: real(p, timeout=1))
    result = report("--sweep", str(sweep_folder), "--format", "latex", "--pdf", "--out", str(tmp_path / "rep"))
    assert result.exit_code == 2 and "ran past 1 s" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_submissions_sweep_command_is_one_pa2_sweep_accepts():
    """Every flag the submission README spells out is an option of `pa2 sweep`, and the whole
    command parses with the values a saved config holds (it once named an --eval-batch-size
    that pa2 sweep does not have)."""
    import dataclasses
    import shlex

    from pa2cli.report.submission import FLAGS, sweep_command
    from pa2cli.sweep.command import DEFAULTS, sweep

    options = {name for param in sweep.params for name in param.opts}
    assert {flag for _, flag in FLAGS} <= options
    config = dataclasses.asdict(DEFAULTS)
    config["model"] = None
    words = shlex.split(sweep_command(config))
    assert words[:2] == ["pa2", "sweep"]
    # through the group's context, as `pa2 sweep ...` runs (a bare click.Context would make Click
    # cache a help option without the group's -h on the command, for every later test)
    parent = cli.make_context("pa2", ["sweep"], resilient_parsing=True)
    context = sweep.make_context("sweep", words[2:], parent=parent)
    assert context.params["epochs"] == DEFAULTS.epochs
    assert context.params["lr_schedule"] == DEFAULTS.lr_schedule
    assert tuple(float(w) for w in context.params["wd"]) == tuple(DEFAULTS.weight_decays)
