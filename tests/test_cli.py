"""The `pa2` group: welcome screen, version, help, and the one-line user-error convention."""

import os
import subprocess
import sys

import click
from click.testing import CliRunner

from pa2cli import __version__
from pa2cli.cli import COMMANDS, cli
from pa2cli.errors import UserError


def test_bare_pa2_welcomes_with_one_command_per_part():
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 0
    for part, command in [("Part A", "pa2 sweep"), ("Part B", "pa2 explain"), ("", "pa2 backprop")]:
        assert part in result.output
        assert command in result.output


def test_version_flag_prints_the_package_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_unknown_command_is_a_usage_error_with_status_2():
    result = CliRunner().invoke(cli, ["sweeep"])
    assert result.exit_code == 2
    assert "No such command 'sweeep'" in result.output


def test_user_error_is_one_line_naming_where_and_how_to_fix():
    @click.command()
    def broken():
        raise UserError("must be a number, not 'abc'", where="edges.w3.value", fix="Write e.g. 0.15.")

    result = CliRunner().invoke(broken, [])
    assert result.exit_code == 2
    assert result.output == "Error: edges.w3.value: must be a number, not 'abc'. Write e.g. 0.15.\n"


def imported_modules(*args: str) -> set[str]:
    """Run `python -X importtime -m pa2cli ARGS` and return the top-level modules it imported."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pa2cli", *args],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    lines = [line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if "|" in line]
    return {name.split(".")[0] for name in lines}


def test_python_dash_m_help_runs_without_importing_torch_or_numpy():
    run = subprocess.run([sys.executable, "-m", "pa2cli", "--help"], capture_output=True, text=True)
    assert run.returncode == 0
    assert "Usage: pa2" in run.stdout
    assert not {"torch", "numpy"} & imported_modules("--help")


def run_pa2(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pa2cli", *args], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, **kwargs)


def test_bad_option_value_is_one_line_naming_the_option_and_the_help():
    run = run_pa2("explain", "huber", "--format", "html")
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "Error: Invalid value for '--format': 'html' is not one of 'markdown', 'latex'. "
        "See `pa2 explain --help`."
    ]


def test_unknown_command_from_the_console_is_one_line():
    run = run_pa2("sweeep")
    assert run.returncode == 2
    assert run.stderr == "Error: No such command 'sweeep'. See `pa2 --help`.\n"


def test_output_into_a_closed_pipe_ends_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `pa2 explain cosine --all | head -0`: nobody reads
    try:
        run = subprocess.run([sys.executable, "-m", "pa2cli", "explain", "cosine", "--all"],
                             stdout=write_end, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write_end)
    assert run.returncode == 1
    assert run.stderr == ""
