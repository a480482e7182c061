"""The typeset local derivatives and adjoints (`local_latex`, `adjoint_latex`) say the same as the
checked expressions: each is read back (through its Unicode form) into an expression and
evaluated at the topic's sample point, and must give the checked expression's value there."""

from __future__ import annotations

import re

import numpy as np
import pytest

from pa2cli.content import load_index, load_topic
from pa2cli.explain import checks, worked
from pa2cli.explain.prose import unicode_maths
from pa2cli.expr import parse

INDEX = load_index()
SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵘˣᶻ", "0123456789-uxz")


def as_expression(unicode: str) -> str:
    """The terminal form of a typeset formula back in pa2cli.expr syntax (indices dropped)."""
    text = unicode.replace("−", "-").replace("ᵢ", "").replace("ⱼ", "").replace("δ", "delta")
    text = re.sub(r"𝟙\[(\w+) = (\w+)\]", r"where(\1 == \2, 1, 0)", text)
    text = re.sub(r"𝟙\[(\w+) > 0\]", r"where(\1 > 0, 1, 0)", text)
    text = re.sub(r"Σ\s*(\(.*)$", r"sum(\1)", text)
    text = re.sub(r"e\^\((.+?)\)", r"exp(\1)", text)
    text = re.sub(r"e([⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵘˣᶻ]+)", lambda m: f"exp({m[1].translate(SUPERSCRIPT)})", text)
    text = re.sub(r"(\w)²", r"\1**2", text)
    text = re.sub(r"‖(\w)‖", r"norm(\1)", text)
    text = re.sub(r"√(\w)", r"sqrt(\1)", text)
    text = text.replace("min(", "minimum(")
    text = re.sub(r"(\d)\s*([a-z(])", r"\1*\2", text)  # 2a, 2 r
    for _ in range(2):  # twice: `σ b w²` has overlapping pairs
        text = re.sub(r"(\w|\))\s+(\w|\(|norm|sqrt|where)", r"\1*\2", text)  # products written side by side
    return text


CASES = []
for rel in INDEX.topics:
    topic = load_topic(INDEX.root / rel, rel)
    for stage in topic.decomposition.stages:
        for source, latex in stage.local_latex:
            CASES.append((topic, stage, source, latex))
        CASES.append((topic, stage, None, stage.adjoint_latex))


@pytest.mark.parametrize("topic, stage, source, latex", CASES,
                         ids=[f"{t.id}-{s.name}-{src or 'adjoint'}" for t, s, src, _ in CASES])
def test_typeset_formula_gives_the_checked_value_at_the_sample(topic, stage, source, latex):
    rows, env = worked.stage_rows(topic, checks.sample_point(topic))
    row = next(r for r in rows if r.stage.name == stage.name)
    expected = dict((s, v) for s, _, v in row.local)[source] if source else row.adjoint
    env.setdefault("n", np.asarray(env[topic.decomposition.wrt]).size)  # n: the number of components
    text = as_expression(unicode_maths(latex)).replace("ℓ", "l").replace("σ", "s")  # stages named l, s
    got = checks.evaluate(parse(text), env)
    assert np.allclose(np.broadcast_to(got, np.shape(expected)), expected), (latex, text, got, expected)
