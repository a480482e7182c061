"""Hostile option and answer values: --rtol/--atol must be finite (nan failed every right answer,
inf passed every wrong one); a lone surrogate in an answer is named as such."""

from __future__ import annotations

import json

import pytest

from pa2cli.backprop.engine import solve
from pa2cli.backprop.spec import read_network
from pa2cli.paths import content_dir

from .conftest import one_line_error


@pytest.fixture
def sheets(tmp_path):
    network = read_network(content_dir() / "networks" / "example.json")
    values = {name: step.value for name, step in solve(network).steps.items()}
    right = tmp_path / "right.json"
    right.write_text(json.dumps(values))
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({name: value * 1.5 + 1 for name, value in values.items()}))
    return right, wrong


@pytest.mark.parametrize("option", ["--rtol", "--atol"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e309", "NaN"])
def test_backprop_check_refuses_a_non_finite_tolerance(pa2, sheets, option, value):
    right, wrong = sheets
    for sheet in (right, wrong):
        result = pa2("backprop", "--check", str(sheet), option, value)
        assert result.returncode == 2
        line = one_line_error(result)
        assert option in line and ("finite" in line or "x>=0" in line), line


@pytest.mark.parametrize("option", ["--rtol", "--atol"])
def test_explain_quiz_refuses_a_non_finite_tolerance(pa2, option):
    result = pa2("explain", "huber", "--quiz", "--seed", "1", option, "nan", input=b"")
    assert result.returncode == 2
    assert option in result.stderr.decode() and "finite" in result.stderr.decode()


def test_finite_tolerances_still_grade(pa2, sheets):
    right, wrong = sheets
    assert pa2("backprop", "--check", str(right), "--rtol", "0", "--atol", "1e-12").returncode == 0
    assert pa2("backprop", "--check", str(wrong), "--rtol", "0.1").returncode == 1


@pytest.mark.parametrize("text", ["\udfff", "1+\ud800"])
def test_a_lone_surrogate_in_an_answer_is_named_as_such(text):
    """Before: "expression nested too deeply" (ast.parse's UnicodeEncodeError read as depth)."""
    from pa2cli.expr import ExprError, evaluate_number

    with pytest.raises(ExprError, match="lone surrogate"):
        evaluate_number(text)


def test_a_sheet_value_with_a_lone_surrogate_is_one_line(pa2, tmp_path):
    sheet = tmp_path / "s.json"
    sheet.write_text('{"a_h1": "\\udfff"}')
    result = pa2("backprop", "--check", str(sheet))
    assert result.returncode == 2
    line = one_line_error(result)
    assert "a_h1" in line and "lone surrogate" in line


@pytest.mark.parametrize("shape", ["", " ", "-"])
def test_an_empty_shape_is_refused_not_read_as_the_default(pa2, shape):
    """Before: `--shape ''` was silently the default 2-2-2 (an empty string is falsy)."""
    result = pa2("backprop", "--random", "--seed", "1", "--shape", shape, "--solve")
    assert result.returncode == 2
    line = one_line_error(result)
    assert "--shape" in line and "is not a shape" in line, line
