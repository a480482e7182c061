"""The `run` fixture of the compile tests (`compile_document` is in tests/conftest.py)."""

from __future__ import annotations

import pytest



@pytest.fixture
def run():
    """Invoke `pa2 ARGS…` in-process; returns the Click result."""
    from click.testing import CliRunner

    from pa2cli.cli import cli

    def invoke(*args: str):
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    return invoke
