"""Huge option values and lists are refused quickly, quoted as short excerpts.

Before: `report --topics huber,huber,…` (20,000 names) ran past 30 s (every name looked up);
`report --out <5,000 characters>` was an OSError traceback (File name too long); Click's own
messages ("Invalid value for '--rtol': '999…'") quoted a 100,000-character value whole."""

from __future__ import annotations

import pytest

from .conftest import one_line_error


def test_a_long_topic_list_is_bounded(pa2, tmp_path):
    same = pa2("report", "--topics", "huber," * 20000, "--out", "rep", cwd=tmp_path, timeout=60)
    assert same.returncode == 0, same.stderr  # one topic, named 20,000 times
    many = pa2("report", "--topics", ",".join(f"x{i}" for i in range(10000)), "--out", "rep2",
               cwd=tmp_path, timeout=60)
    assert many.returncode == 2
    line = one_line_error(many)
    assert "--topics" in line and "10,000 different names" in line and len(line) < 300


def test_a_topic_named_20000_times_is_looked_up_once(monkeypatch):
    from pa2cli.explain import topics
    from pa2cli.report import document

    looked_up = []
    real = topics.find_topic
    monkeypatch.setattr(topics, "find_topic", lambda name: looked_up.append(name) or real(name))
    assert [t.id for t in document._topics("huber," * 20000)] == ["huber"]
    assert looked_up == ["huber"]  # before: 20,000 look-ups


@pytest.mark.parametrize("out", ["x" * 5000, "file.txt/sub"])
def test_report_out_that_cannot_be_a_folder_is_one_line(pa2, tmp_path, out):
    (tmp_path / "file.txt").write_text("x")
    result = pa2("report", "--topics", "huber", "--out", out, cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot write the report here" in one_line_error(result)


@pytest.mark.parametrize("args", [
    ["backprop", "--rtol", "9" * 100000, "--check", "x.json"],
    ["explain", "huber", "--quiz", "--seed", "9" * 100000],
    ["backprop", "--weights", "x" * 5000],
    ["report", "--format", "y" * 100000],
])
def test_click_messages_quote_a_huge_value_as_an_excerpt(pa2, tmp_path, args):
    (tmp_path / "x.json").write_text('{"z_h1": 0.3775}')
    result = pa2(*args, cwd=tmp_path)
    assert result.returncode == 2
    line = one_line_error(result)
    assert len(line) < 400 and "characters)" in line, line[:500]


@pytest.mark.parametrize("args", [["explain", "huber", "--all"], ["backprop", "--solve"]])
def test_a_huge_columns_value_is_clamped(pa2, tmp_path, args):
    """Before: COLUMNS=99999999 ran past 30 s (Rich laid out 10^8-character lines). The work
    is bounded by the width Rich lays out, which the longest line shows."""
    result = pa2(*args, cwd=tmp_path, env={"COLUMNS": "99999999"}, timeout=60)
    assert result.returncode == 0
    assert max(map(len, result.stdout.decode().splitlines())) <= 1000


@pytest.mark.parametrize("value", ["0", "-5", "abc"])
def test_a_columns_value_that_is_not_a_width_counts_as_unset(pa2, tmp_path, value):
    result = pa2("backprop", "--solve", cwd=tmp_path, env={"COLUMNS": value})
    assert result.returncode == 0
    assert max(map(len, result.stdout.decode().splitlines())) > 20  # not one character wide
