"""Every topic's `pa2 explain --format latex` compiles in a default `article` page, with no box
overfull by more than 1 pt, typesets symbols as maths (no machine syntax), and names no internal
label."""

from __future__ import annotations

import re

import pytest

from pa2cli.content import load_index
from pa2cli.report import tex

TOPICS = [rel.removeprefix("topics/").removesuffix(".toml") for rel in load_index().topics]


@pytest.mark.parametrize("verify", [False, True], ids=["", "verify"])
@pytest.mark.parametrize("topic_id", TOPICS)
def test_topic_latex_compiles_and_fits_the_page(run, tmp_path, compile_document, topic_id, verify):
    fragment = run("explain", topic_id, "--format", "latex", *(["--verify"] if verify else [])).output
    (tmp_path / "topic.tex").write_text(fragment)
    document = tmp_path / "doc.tex"
    document.write_text(tex.standalone(r"\input{topic.tex}"))
    result = compile_document(document)
    assert result.overfull_over(1.0) == [], f"{topic_id}: overfull boxes {result.overfull_over(1.0)}"


@pytest.mark.parametrize("topic_id", TOPICS)
def test_topic_latex_has_no_machine_syntax(run, topic_id):
    fragment = run("explain", topic_id, "--format", "latex").output
    assert r"\textasciicircum" not in fragment
    assert r"\mathtt" not in fragment  # every local derivative and adjoint has its LaTeX form
    assert not re.search(r"\b(where|minimum|maximum)\(", fragment)
    assert "**" not in fragment
