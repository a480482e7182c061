"""Files the user names for output (`explain -o`, `report --out`): a FIFO hung forever, a symlink
to /dev/zero swallowed the output while saying "wrote"; now one line, exit 2, nothing waited on."""

from __future__ import annotations

import os

import pytest

from pa2cli import outputs
from pa2cli.errors import UserError

from .conftest import one_line_error


@pytest.fixture
def specials(tmp_path):
    fifo = tmp_path / "fifo.tex"
    os.mkfifo(fifo)
    device = tmp_path / "zero.tex"
    device.symlink_to("/dev/zero")
    return fifo, device


def test_explain_output_into_a_fifo_or_device_is_refused_without_waiting(pa2, tmp_path, specials):
    for target, word in zip(specials, ("pipe (FIFO)", "device")):
        result = pa2("explain", "huber", "--format", "latex", "-o", str(target), cwd=tmp_path,
                     timeout=30)  # before the fix: blocked on the FIFO until killed
        assert result.returncode == 2
        line = one_line_error(result)
        assert target.name in line and word in line and "-o" in line
    assert os.path.islink(specials[1]) and os.readlink(specials[1]) == "/dev/zero"


def test_explain_output_replaces_a_file_atomically_and_follows_a_link(pa2, tmp_path):
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    result = pa2("explain", "huber", "--format", "markdown", "-o", str(link), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and real.read_text().startswith("#")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_report_refuses_a_fifo_in_its_folder_before_any_work(pa2, tmp_path):
    out = tmp_path / "rep"
    out.mkdir()
    os.mkfifo(out / "report.md")
    result = pa2("report", "--topics", "huber", "--out", str(out), cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert err.count("\n") == 1, err  # the error alone: no "Part A is left out" before it
    assert "report.md" in one_line_error(result) and "pipe" in err


def test_report_out_that_is_a_fifo_is_not_a_folder(pa2, tmp_path, specials):
    result = pa2("report", "--topics", "huber", "--out", str(specials[0]), cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert "not a folder" in one_line_error(result)


def test_write_text_leaves_the_old_file_when_the_folder_is_gone(tmp_path):
    with pytest.raises(UserError, match="cannot write"):
        outputs.write_text(tmp_path / "missing" / "x.md", "text")


def test_write_text_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "x.md"
    target.write_text("old")
    target.chmod(0o600)
    outputs.write_text(target, "new")
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o600


def test_explain_output_dash_is_stdout_not_a_file_named_dash(pa2, tmp_path):
    result = pa2("explain", "huber", "--format", "markdown", "-o", "-", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.decode().startswith("#") and not (tmp_path / "-").exists()


def test_commands_run_from_a_deleted_folder_end_in_one_line(tmp_path):
    """Before: FileNotFoundError tracebacks from os.getcwd() (`pa2 progress`, `explain -o`)."""
    gone = tmp_path / "gone"
    gone.mkdir()
    code = ("import os, subprocess, sys\nos.chdir(sys.argv[1]); os.rmdir(sys.argv[1])\n"
            "for args in (['progress'], ['progress', '--json'],\n"
            "             ['explain', 'huber', '--format', 'latex', '-o', 'x.tex']):\n"
            "    r = subprocess.run([sys.executable, '-m', 'pa2cli', *args], capture_output=True)\n"
            "    print(r.returncode, r.stderr.decode().strip().splitlines()[-1:] or [''])\n")
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code, str(gone)], env=env, capture_output=True,
                         timeout=120).stdout.decode().splitlines()
    assert out[0].startswith("0 ") and out[1].startswith("0 ")
    assert out[2].startswith("2 ") and "x.tex: cannot write" in out[2]
    assert "Traceback" not in "".join(out)
