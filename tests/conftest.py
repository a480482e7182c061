"""Fixtures shared across test folders.

`pa2_home` (automatic): every test keeps pa2's saved state (quiz places, progress) in its own
PA2_HOME, never in the user's data folder; subprocesses and pseudo-terminals inherit it through
the environment.

`compile_document`: pdflatex for the compile tests, skipped only on a developer machine without
TeX; in CI (the CI variable set) a missing pdflatex fails, so a compile test never passes by
skipping there.
"""

from __future__ import annotations

import os

import pytest

from pa2cli.report import tex


@pytest.fixture(autouse=True)
def pa2_home(tmp_path, monkeypatch):
    home = tmp_path / "pa2home"
    monkeypatch.setenv("PA2_HOME", str(home))
    return home


@pytest.fixture
def compile_document():
    if tex.pdflatex() is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing in CI: .ci/run installs texlive-latex-base")
        pytest.skip("pdflatex is not installed (CI installs it)")

    def compile_it(path, runs: int = 2) -> tex.Compiled:
        result = tex.compile_tex(path, runs=runs)
        assert result.ok, f"{path.name} does not compile: {result.errors[:3]}"
        return result

    return compile_it
