"""Shared fixtures for the `pa2 explain` tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pa2cli.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def run():
    """Invoke `pa2 ARGS…` in-process; returns the Click result (stdout and stderr separate)."""

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def fixture_content(monkeypatch):
    """Point the loader at tests/explain/fixtures/content (two tiny topics)."""
    root = FIXTURES / "content"
    monkeypatch.setattr("pa2cli.content.content_dir", lambda: root)
    return root
