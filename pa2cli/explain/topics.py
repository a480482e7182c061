"""Finding topics: ids, aliases, the grouped list, and 'did you mean' suggestions (difflib).

It only reads content through `pa2cli.content` and raises `UserError` for an unknown name; it
never evaluates maths and never prints.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from pa2cli.content import GROUPS, Topic, load_index, load_topic, load_topics
from pa2cli.errors import UserError, excerpt

GROUP_TITLES = {"activation": "Activations", "loss": "Losses"}


def all_topics(root: Path | None = None) -> tuple[Topic, ...]:
    return load_topics(root)


def assignment_topics(root: Path | None = None) -> tuple[Topic, ...]:
    """The topics of the assignment's list (not those the index marks `beyond_assignment`)."""
    index = load_index(root)
    return tuple(load_topic(index.root / rel, rel) for rel in index.assignment_topics)


def grouped(topics: tuple[Topic, ...]) -> list[tuple[str, list[Topic]]]:
    """(group title, topics in index order) for each group that has topics, in GROUPS order."""
    return [(GROUP_TITLES[g], [t for t in topics if t.group == g]) for g in GROUPS
            if any(t.group == g for t in topics)]


def names_table(topics: tuple[Topic, ...]) -> dict[str, Topic]:
    """Every name a user may type (ids and aliases) -> its topic."""
    table: dict[str, Topic] = {}
    for topic in topics:
        for name in (topic.id, *topic.aliases):
            table[name] = topic
    return table


def normalise(name: str) -> str:
    """How a typed name is compared with ids and aliases: `Cross_Entropy` -> `cross-entropy`."""
    return "-".join(name.strip().lower().replace("_", " ").split())


def find_topic(name: str, root: Path | None = None) -> Topic:
    """The topic called `name` (an id or an alias, any case, `_` or a space read as `-`);
    UserError with a suggestion else.

    An id loads only its own file (fast path); an alias or a typo reads every topic.
    """
    wanted = normalise(name)
    index = load_index(root)
    relative = f"topics/{wanted}.toml"
    if relative in index.topics:
        return load_topic(index.root / relative, relative)
    topics = load_topics(root)
    table = names_table(topics)
    if wanted in table:
        return table[wanted]
    # difflib's cost grows with the length of the name: no suggestion for a name no topic has
    fix = _suggestion(wanted, table, topics) if len(wanted) <= 64 else \
        "Run `pa2 explain` to list the topics."
    raise UserError(f"unknown topic {excerpt(name)}", where="pa2 explain", fix=fix)


def _suggestion(wanted: str, table: dict[str, Topic], topics: tuple[Topic, ...]) -> str:
    valid = ", ".join(t.id for t in topics)
    close = difflib.get_close_matches(wanted, list(table), n=1, cutoff=0.5)
    if close:
        target = table[close[0]].id
        hint = close[0] if close[0] == target else f"{close[0]} ({target})"
        return f"Did you mean {hint}? Valid topics: {valid}"
    return f"Valid topics: {valid}"
