"""The strict content loader: a valid tiny topic loads; each kind of mistake is one UserError
that names the file and the offending key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pa2cli.content import load_index, load_topic, load_topics
from pa2cli.errors import UserError

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = FIXTURES / "broken"


def error_for(name: str) -> str:
    with pytest.raises(UserError) as caught:
        load_topic(BROKEN / f"{name}.toml")
    message = caught.value.format_message()
    assert "\n" not in message
    assert caught.value.exit_code == 2
    return message


def test_valid_fixture_topics_load_in_index_order():
    topics = load_topics(FIXTURES / "content")
    assert [t.id for t in topics] == ["square", "absolute"]
    square = topics[0]
    assert square.aliases == ("sq",)
    assert square.derivation[0].check.label == "df/dx"
    assert square.decomposition.stages[0].local[0][0] == "x"
    assert topics[1].kinks[0].at == (("r", 0.0),)


def test_unknown_key_is_rejected_naming_the_key_and_the_file():
    message = error_for("unknown_key")
    assert "unknown key 'rulez'" in message
    assert "unknown_key.toml: derivation[0]" in message


def test_wrong_format_version_is_rejected():
    message = error_for("wrong_version")
    assert "format_version 2" in message and "format_version = 1" in message


def test_missing_field_is_rejected_naming_it():
    message = error_for("missing_field")
    assert "missing_field.toml: summary" in message and "missing field" in message


def test_blank_text_is_rejected():
    assert "derivation[0].rule: empty text" in error_for("empty_text")


def test_expression_outside_the_safe_whitelist_is_rejected():
    message = error_for("bad_expression")
    assert "bad expression" in message and "derivation[0].expr" in message


def test_expression_with_an_undefined_name_is_rejected():
    assert "undefined name 'z'" in error_for("undefined_name")


def test_check_naming_an_unknown_function_is_rejected():
    assert "check 'dg/dx' names no function" in error_for("bad_check")


def test_top_level_key_written_after_a_table_gets_a_hint():
    message = error_for("key_after_table")
    assert "unknown key 'kinks'" in message and "above the first [table]" in message


def test_id_must_equal_the_file_name():
    assert "differs from the file name" in error_for("id_mismatch")


def test_index_listing_a_missing_file_is_a_user_error(tmp_path):
    (tmp_path / "index.toml").write_text('format_version = 1\ntopics = ["topics/nope.toml"]\n')
    with pytest.raises(UserError, match="topics/nope.toml: file not found"):
        load_topics(tmp_path)


def test_index_with_an_unknown_key_is_rejected(tmp_path):
    (tmp_path / "index.toml").write_text('format_version = 1\ntopics = ["topics/a.toml"]\nextra = 1\n')
    with pytest.raises(UserError, match="unknown key 'extra'"):
        load_index(tmp_path)


def test_a_variable_may_name_the_symbol_the_text_writes_it_with():
    from pa2cli.paths import content_dir

    huber = load_topic(content_dir() / "topics" / "huber.toml")
    assert huber.variable("yhat").symbol == "ŷ" and huber.variable("delta").symbol == "δ"
    assert huber.variable("y").symbol == ""  # no symbol: written as its name


def _square_with(tmp_path, extra: str) -> Path:
    text = (FIXTURES / "content" / "topics" / "square.toml").read_text()
    path = tmp_path / "square.toml"
    path.write_text(text.replace('local = { x = "2*x" }\nadjoint = "1"\n',
                                 'local = { x = "2*x" }\nadjoint = "1"\n' + extra))
    return path


def test_local_and_adjoint_latex_load_beside_their_expressions(tmp_path):
    topic = load_topic(_square_with(tmp_path, "local_latex = { x = '2x' }\nadjoint_latex = '1'\n"))
    stage = topic.decomposition.stages[0]
    assert stage.local_latex == (("x", "2x"),) and stage.adjoint_latex == "1"


@pytest.mark.parametrize("extra, expected", [
    ("local_latex = { y = '2y' }\n", "no LaTeX for the local derivative with respect to 'x'"),
    ("local_latex = { x = '2x', y = '1' }\n", "unknown key 'y'"),
    ("local_latex = { x = '' }\n", "empty text"),
    ("adjoint_latex = ''\n", "empty text"),
])
def test_a_wrong_latex_field_of_a_stage_is_one_error_naming_it(tmp_path, extra, expected):
    with pytest.raises(UserError) as caught:
        load_topic(_square_with(tmp_path, extra))
    message = caught.value.format_message()
    assert expected in message and "decomposition.stages[0]" in message and "\n" not in message


def test_a_stage_may_not_take_the_name_of_a_constant(tmp_path):
    text = (FIXTURES / "content" / "topics" / "square.toml").read_text()
    path = tmp_path / "square.toml"
    path.write_text(text.replace('name = "s"', 'name = "e"', 1).replace('expr = "s"', 'expr = "e"'))
    with pytest.raises(UserError) as caught:
        load_topic(path)
    assert "stage name 'e' is a constant in expressions" in caught.value.format_message()


def _absolute_with(tmp_path, old: str, new: str) -> Path:
    text = (FIXTURES / "content" / "topics" / "absolute.toml").read_text()
    assert old in text
    path = tmp_path / "absolute.toml"
    path.write_text(text.replace(old, new))
    return path


def test_a_kink_may_give_its_subdifferential_as_a_base_and_segments(tmp_path):
    topic = load_topic(_absolute_with(tmp_path, 'torch = "0"', 'torch = "0"\nsubgradients = { from = "-1", along = ["2"] }'))
    kink = topic.kinks[0]
    assert kink.subgradient_base.text == "-1" and [e.text for e in kink.subgradient_along] == ["2"]
    assert load_topics(FIXTURES / "content")[1].kinks[0].subgradient_base is None  # optional


@pytest.mark.parametrize("new, expected", [
    ('subgradients = { from = "-1" }', "kinks[0].subgradients.along: missing field"),
    ('subgradients = { from = "-1", along = ["q"] }', "undefined name 'q'"),
    ('subgradients = { from = "-1", along = ["1"], to = "1" }', "unknown key 'to'"),
])
def test_a_wrong_subdifferential_is_one_error_naming_it(tmp_path, new, expected):
    with pytest.raises(UserError) as caught:
        load_topic(_absolute_with(tmp_path, 'torch = "0"', 'torch = "0"\n' + new))
    message = caught.value.format_message()
    assert expected in message and "\n" not in message


def test_a_constant_may_list_the_values_drills_draw_and_nothing_else_may(tmp_path):
    path = _absolute_with(tmp_path, "[variables.r]", '[variables.k]\ndescription = "a constant"\nkind = "constant"\n'
                          'shape = []\nsample = 1.0\nchoices = [0.5, 1.0]\n\n[variables.r]')
    assert load_topic(path).variable("k").choices == (0.5, 1.0)
    path = _absolute_with(tmp_path, "sample = 1.5", "sample = 1.5\nchoices = [1.0]")
    with pytest.raises(UserError, match="only a scalar constant has choices"):
        load_topic(path)


def test_drill_points_load_like_check_points(tmp_path):
    path = _absolute_with(tmp_path, "check_points = [{ r = 1.0 }]", "check_points = [{ r = 1.0 }]\n"
                          "drill_points = [{ r = 2.0 }]")
    assert load_topic(path).drill_points == ((("r", 2.0),),)
