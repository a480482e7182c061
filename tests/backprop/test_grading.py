"""Tolerances, significant figures, typed answers and how a wrong answer is described."""

import pytest

from pa2cli.backprop.grading import Tolerance, check_sheet, how_far, read_answer
from pa2cli.expr import ExprError


@pytest.mark.parametrize("given,expected,ok", [
    (0.5933, 0.593269992, True),      # rounded to 4 figures: within rtol 1e-3
    (0.593, 0.593269992, True),
    (0.59, 0.593269992, False),
    (0.0004386, 0.000438568, True),
    (0.0, 0.0, True),
    (5e-7, 0.0, True),                # atol 1e-6 covers a zero answer
    (-0.0380982, 0.0380982, False),   # the sign matters
])
def test_default_tolerance_is_relative_1e_3_with_absolute_1e_6(given, expected, ok):
    assert Tolerance().accepts(given, expected) is ok


@pytest.mark.parametrize("given,sigfig,ok", [
    (0.751, 3, True), (0.7514, 3, True), (0.752, 3, False),
    (0.7514, 4, True), (0.7513, 4, False),  # 0.75136507 rounds to 0.7514 at 4 figures
    (0.75, 2, True), (0.8, 1, True),
])
def test_sigfig_accepts_answers_within_half_a_unit_of_the_last_figure(given, sigfig, ok):
    assert Tolerance(sigfig=sigfig).accepts(given, 0.75136507) is ok


def test_sigfig_handles_tiny_values():
    assert Tolerance(sigfig=3).accepts(0.000439, 0.000438567734)
    assert not Tolerance(sigfig=3).accepts(0.000440, 0.000438567734)


@pytest.mark.parametrize("text,value", [
    ("0.3775", 0.3775), ("3/8", 0.375), ("1/(1+exp(-0.3775))", 0.5932699921),
    ("0.5*(0.01 - 0.75136507)^2", 0.274811083), ("2*3^2", 18.0), ("-2^2", -4.0),
    ("0.4 − 0.5·0.08216704", 0.35891648),
])
def test_answers_may_be_numbers_fractions_or_arithmetic(text, value):
    assert read_answer(text) == pytest.approx(value, rel=1e-8)


@pytest.mark.parametrize("text", ["", "abc", "1/(1+", "__import__('os')", "[1, 2]", "1/0"])
def test_unreadable_answers_raise_expr_error(text):
    with pytest.raises(ExprError):
        read_answer(text)


def test_how_far_restates_answer_and_gives_size_and_direction():
    assert how_far(0.38, 0.3775) == "0.38 is 0.0025 too high (under 1% off)"
    assert how_far(0.3, 0.3775) == "0.3 is 0.0775 too low (20% off)"


def test_how_far_flags_a_sign_error():
    assert how_far(-0.0380982, 0.0380982).endswith("; check the sign")


def test_check_sheet_sorts_answers_into_graded_unknown_and_missing():
    expected = {"z_h1": 0.3775, "a_h1": 0.593269992, "loss": 0.298371109}
    report = check_sheet({"z_h1": 0.3775, "a_h1": 0.5, "zh1": 1.0}, expected, Tolerance())
    assert [(g.name, g.correct) for g in report.graded] == [("z_h1", True), ("a_h1", False)]
    assert report.unknown == ["zh1"]
    assert report.missing == ["loss"]
    assert not report.all_correct


def test_a_decimal_comma_is_refused_with_the_point_form():
    with pytest.raises(ExprError, match="write decimals with a point: 0.3775"):
        read_answer("0,3775")


def test_how_far_says_how_many_times_off_a_far_answer_is():
    assert how_far(5, 0.01) == "5 is 4.99 too high (off by 499 times the correct value)"
    assert how_far(0.686, -0.686) == "0.686 is 1.37 too high (200% off); check the sign"


def test_check_sheet_says_how_far_off_a_wrong_value_is():
    report = check_sheet({"z_h1": 0.38}, {"z_h1": 0.3775}, Tolerance())
    assert report.graded[0].how_far == "0.38 is 0.0025 too high (under 1% off)"


def test_check_sheet_suggests_the_closest_name_for_an_unknown_one():
    expected = {"z_h1": 0.3775, "a_h1": 0.59, "dE_da_o1": 0.74}
    report = check_sheet({"zh1": 0.3775, "dE_do1": 0.74, "banana": 1}, expected, Tolerance())
    assert report.suggestions == {"zh1": "z_h1", "dE_do1": "dE_da_o1"}


def test_a_retry_is_told_how_far_but_never_the_difference():
    """The quiz's and drill's word on a wrong try: the old `0.6 is 0.00673 too high` let the
    student subtract their way to the answer; the retry message names no number but the
    typed one and a rounded percentage."""
    from pa2cli.backprop.grading import how_far_retry

    expected = 0.6 - 0.00673
    said = how_far_retry(0.6, expected)
    assert said == "0.6 is too high by about 1%"
    assert "0.00673" not in said and f"{expected:.4g}" not in said
    assert how_far_retry(0.38, 0.3775) == "0.38 is too high by under 1%"
    assert how_far_retry(0.686, -0.686) == "0.686 is too high by far (more than 100% off)"
    assert how_far_retry(-1, 0) == "-1 is too low"
