"""The user-error line and `excerpt()`: user text is quoted short, escaped, and cheaply."""

from pa2cli.errors import EXCERPT_LENGTH, UserError, excerpt
from tests.work import WatchedText


def test_short_text_is_quoted_whole():
    assert excerpt("z_h1") == "'z_h1'"


def test_long_text_is_cut_and_its_length_said():
    text = "ab" * 500_000
    shown = excerpt(text)
    assert shown.startswith("'" + text[:EXCERPT_LENGTH] + "'…")
    assert "(1000000 characters)" in shown
    assert len(shown) < 100


def test_control_characters_and_lone_surrogates_are_escaped():
    shown = excerpt("a\x1b[31mred\nnext\ud800")
    assert "\x1b" not in shown and "\n" not in shown and "\ud800" not in shown
    assert "\\x1b" in shown and "\\ud800" in shown
    shown.encode("ascii")  # nothing left that an ASCII terminal cannot take


def test_excerpt_of_a_huge_text_costs_no_more_than_of_a_short_one():
    huge = WatchedText("x" * 50_000_000)
    assert excerpt(huge).endswith("… (50000000 characters)")
    assert huge.whole == [] and huge.sliced == EXCERPT_LENGTH  # 40 characters, never the whole
    watched = WatchedText("x" * 100)  # the watch sees whole-text work: a repr of it
    repr(watched)
    assert watched.whole == ["repr"]


def test_numbers_and_containers_are_named_not_dumped():
    assert excerpt(0.5) == "0.5"
    assert excerpt(10**5000) == "a very large integer"
    assert excerpt([0] * 10**6) == "a value of type list"


def test_user_error_stays_one_short_line_even_with_huge_parts():
    error = UserError("bad\nvalue " + "v" * 10_000, where="edges." + "k" * 10_000, fix="Fix it.")
    assert "\n" not in error.message
    assert len(error.message) < 800
    assert error.message.endswith("Fix it.")


def test_an_unknown_topic_is_quoted_as_an_excerpt_with_control_codes_escaped():
    from click.testing import CliRunner

    from pa2cli.cli import cli

    result = CliRunner().invoke(cli, ["explain", "x" * 100_000])
    assert result.exit_code == 2
    assert result.output.startswith("Error: pa2 explain: unknown topic 'xxxx")
    assert "(100000 characters). Run `pa2 explain` to list the topics." in result.output
    assert len(result.output) < 300
    result = CliRunner().invoke(cli, ["explain", "sigmoi\x1b[31m"])
    assert "unknown topic 'sigmoi\\x1b[31m'. Did you mean sigmoid?" in result.output
    assert "\x1b" not in result.output
