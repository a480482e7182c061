"""Finding a topic by id or alias, and the suggestion for a near miss."""

from __future__ import annotations

import pytest

from pa2cli.errors import UserError
from pa2cli.explain.topics import all_topics, find_topic, grouped


def test_id_and_alias_find_the_same_topic(fixture_content):
    assert find_topic("square").id == find_topic("SQ").id == "square"


def test_near_miss_suggests_the_closest_name_and_lists_valid_ids(fixture_content):
    with pytest.raises(UserError) as caught:
        find_topic("sqare")
    assert "Did you mean square?" in caught.value.format_message()
    assert "Valid topics: square, absolute" in caught.value.format_message()


def test_far_miss_lists_the_valid_topics_without_a_guess(fixture_content):
    with pytest.raises(UserError) as caught:
        find_topic("zzzzzz")
    assert "Did you mean" not in caught.value.format_message()
    assert "Valid topics: square, absolute" in caught.value.format_message()


def test_groups_come_in_order_activation_then_loss(fixture_content):
    assert [(title, [t.id for t in ts]) for title, ts in grouped(all_topics())] == [
        ("Activations", ["square"]), ("Losses", ["absolute"])]


@pytest.mark.parametrize("typed, topic_id", [("cross_entropy", "cross-entropy"), ("smooth_l1", "huber"),
                                             ("Cosine Similarity", "cosine"), (" MSE ", "l2")])
def test_underscores_spaces_and_case_are_read_as_the_hyphenated_name(typed, topic_id):
    assert find_topic(typed).id == topic_id
