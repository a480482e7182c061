"""The evaluator bounds its work before doing it and says why in plain words (issue 7, item 5)."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
import warnings
from pathlib import Path

import pytest

from pa2cli.expr import MAX_ELEMENTS, MAX_LENGTH, NEGATIVE_POWER, ExprError, evaluate_number
from tests.work import WatchedText, counted_pa2

ROOT = Path(__file__).resolve().parents[1]


def reason(text: str) -> str:
    with pytest.raises(ExprError) as caught:
        evaluate_number(text)
    return str(caught.value)


def test_length_limit_applies_before_anything_reads_the_text():
    text = WatchedText("1+" * 5_000_000 + "1")  # 10 MB; it took 428 s when it was echoed
    message = reason(text)
    assert message == f"expression longer than {MAX_LENGTH} characters ({len(text)})"
    assert text.whole == [] and text.sliced == 0  # only its length was looked at


def test_no_message_quotes_more_than_an_excerpt_of_the_answer():
    text = "exp(" + "x" * 900 + ")"
    message = reason(text)
    assert len(message) < 200 and "characters)" in message


def nested_broadcast(widths=(100, 100, 60)) -> str:
    """`[0,…]+[[0],…]+[[[0]],…]`: three short lists whose sum broadcasts to 100·100·60 numbers."""
    parts = ["[" + ",".join("0" for _ in range(widths[0])) + "]",
             "[" + ",".join("[0]" for _ in range(widths[1])) + "]",
             "[" + ",".join("[[0]]" for _ in range(widths[2])) + "]"]
    return "+".join(parts)


def test_broadcast_beyond_the_cap_is_refused_before_numpy_allocates():
    text = nested_broadcast()
    assert len(text) < MAX_LENGTH
    tracemalloc.start()
    try:
        message = reason(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "60 x 100 x 100 = 600000 numbers" in message and str(MAX_ELEMENTS) in message
    assert peak < 1_000_000  # the 4.8 MB result was never allocated (16 GiB in the issue)


def test_sum_that_would_need_gigabytes_is_refused_in_a_process_capped_at_512_mib():
    """The issue's shape, eight levels deep: uncapped, the last sum would be 11^8 float64s
    (1.7 GB); with the address space capped the old evaluator died with a MemoryError."""
    deep = "+".join("[" + ",".join(["[" * k + "0" + "]" * k] * 11) + "]" for k in range(8))
    assert len(deep) < MAX_LENGTH
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))\n"
            "from pa2cli.expr import evaluate_number, ExprError\n"
            "try:\n    evaluate_number(sys.argv[1])\nexcept ExprError as e:\n    print(e)")
    result = subprocess.run([sys.executable, "-c", code, deep], capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"},
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("a step would build an array of 11 x 11 x 11 x 11 = 14641")


@pytest.mark.parametrize("text", ["(-0.5)^0.5", "(-8)**(1/3)", "[-1, 2]^[0.5, 2]"])
def test_negative_number_to_a_fractional_power_has_a_plain_reason(text):
    assert reason(text).endswith(NEGATIVE_POWER)


def test_negative_number_to_a_whole_power_is_fine():
    assert evaluate_number("(-2)^3") == -8.0
    assert evaluate_number("(-8)**(-1)") == -0.125


@pytest.mark.parametrize("text, expected", [
    ("where(1)", "where takes 3 arguments, as in where(condition, a, b); got 1"),
    ("dot([1, 2])", "dot takes 2 arguments, as in dot(a, b); got 1"),
    ("exp(1, 2)", "exp takes 1 argument, as in exp(x); got 2"),
    ("max(1, 2, 3)", "max takes 1 or 2 arguments, as in max(x) or max(a, b); got 3"),
    ("clip(0.5)", "clip takes 3 arguments, as in clip(x, low, high); got 1"),
])
def test_wrong_number_of_arguments_is_named_with_the_usage(text, expected):
    assert reason(text) == expected


@pytest.mark.parametrize("text", ["mean([])", "sum([])", "max([])", "mean([[]])"])
def test_empty_lists_are_a_reason_not_a_numpy_warning(text):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning reaching the user fails the test
        message = reason(text)
    assert message == "an empty list [] has no value"


@pytest.mark.parametrize("text", ["[1, 2] + [1, 2, 3]", "dot([1, 2], [1, 2, 3])", "[1, 2][5]",
                                  "0.5[0]", "[[1, 2], [3]]", "[1,2] @ 3"])
def test_numpy_failures_are_one_plain_line_without_internals(text):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message = reason(text)
    assert "\n" not in message and "site-packages" not in message and ".py" not in message
    assert "numpy" not in message.lower() and len(message) < 200


def test_square_root_of_a_negative_number_says_why():
    assert "has no real value" in reason("sqrt(-1)")


def test_dot_of_two_tables_whose_product_is_too_large_is_refused_first():
    column = "[" + ",".join(["[1]"] * 120) + "]"  # 120 x 1
    row = "[[" + ",".join(["1"] * 120) + "]]"  # 1 x 120: the product is 120 x 120
    message = reason(f"sum(dot({column}, {row}))")
    assert "14400 numbers" in message


def test_a_ten_megabyte_answer_line_through_the_quiz_is_bounded(tmp_path):
    """The whole line used to be echoed twice before the limit applied (428 s for 10 MB)."""

    def quiz(line: bytes, home: str):
        return counted_pa2("backprop", input=line, capture_output=True, lines=True,
                           env={"PA2_HOME": str(tmp_path / home)})

    result, counts = quiz(b"1+" * 5_000_000 + b"1\n", "long")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) < 20_000  # an excerpt, not 10 MB, on the screen
    assert b"(10000001 characters)" in result.stdout
    assert b"longer than 1000 characters" in result.stdout
    short, short_counts = quiz(b"1+1\n", "short")
    assert short.returncode == 0, short.stderr
    # reading the line is bounded chunks: measured 5,800 lines more than for "1+1", where a
    # loop over its characters (or echoing it through Rich) runs millions
    assert counts["lines"] - short_counts["lines"] < 100_000, (counts, short_counts)


@pytest.mark.parametrize("text, expected", [
    ("[1, 2][1e300]", "index 1e+300 is outside a list of 2 (the first is 0)"),
    ("[1, 2][2]", "index 2 is outside a list of 2 (the first is 0)"),
    ("[1, 2][1.5]", "an index must be a whole number, as in [1, 2][0]"),
    ("[1, 2][nan]", "an index must be a whole number, as in [1, 2][0]"),
    ("[1, 2][[0]]", "an index must be a whole number, as in [1, 2][0]"),
    ("0.5[0]", "only a list can be indexed, as in [1, 2][0]"),
    ("sum([[1, 2], [3]])", "the items of a list must have the same shape (all numbers, or all "
                           "lists of the same length)"),
])
def test_indexing_and_ragged_lists_have_plain_reasons(text, expected):
    assert reason(text) == expected


def test_indexing_still_works():
    assert evaluate_number("[[1, 2], [3, 4]][1][0]") == 3.0
    assert evaluate_number("[1, 2][-1]") == 2.0
