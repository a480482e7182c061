"""Every test keeps pa2's saved state (quiz places, progress) in its own PA2_HOME, never in the
user's data folder; subprocesses and pseudo-terminals inherit it through the environment."""

import pytest


@pytest.fixture(autouse=True)
def pa2_home(tmp_path, monkeypatch):
    home = tmp_path / "pa2home"
    monkeypatch.setenv("PA2_HOME", str(home))
    return home
