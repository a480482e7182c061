"""The derivation checks really catch a typo: every expression of every topic (derivation,
chain-rule and final lines, stage values, local derivatives, adjoints, kink values) is replaced
in turn by a slightly wrong one (×1.001 + 0.0007; a stated NaN by 0), and so is each kink's
subdifferential (its base and each segment), and at least one of the
per-topic tests of test_derivations_verified.py must then fail for that topic.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import pytest

from pa2cli.content import Topic, load_index, load_topic
from pa2cli.expr import Expression, parse

_spec = importlib.util.spec_from_file_location(
    "derivations_verified", Path(__file__).with_name("test_derivations_verified.py"))
verified = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verified)
CHECKS = [getattr(verified, name) for name in dir(verified) if name.startswith("test_")]
INDEX = load_index()


def wrong(expr: Expression) -> Expression:
    if "nan" in expr.names:
        return parse(expr.text.replace("nan", "0"))
    return parse(f"({expr.text}) * 1.001 + 0.0007")


def mutants(topic: Topic):
    """(what was changed, the topic with that one expression wrong) for every expression."""
    r = dataclasses.replace
    d = topic.decomposition
    for field in ("derivation", "final"):
        steps = getattr(topic, field)
        for i, step in enumerate(steps):
            yield f"{field}[{i}]", r(topic, **{field: steps[:i] + (r(step, expr=wrong(step.expr)),) + steps[i + 1:]})
    for i, step in enumerate(d.chain):
        chain = d.chain[:i] + (r(step, expr=wrong(step.expr)),) + d.chain[i + 1:]
        yield f"decomposition.chain[{i}]", r(topic, decomposition=r(d, chain=chain))
    for i, stage in enumerate(d.stages):
        variants = [("expr", r(stage, expr=wrong(stage.expr))), ("adjoint", r(stage, adjoint=wrong(stage.adjoint)))]
        for j, (source, expr) in enumerate(stage.local):
            local = stage.local[:j] + ((source, wrong(expr)),) + stage.local[j + 1:]
            variants.append((f"local[{source}]", r(stage, local=local)))
        for what, changed in variants:
            stages = d.stages[:i] + (changed,) + d.stages[i + 1:]
            yield f"stage {stage.name}.{what}", r(topic, decomposition=r(d, stages=stages))
    for i, kink in enumerate(topic.kinks):
        kinks = topic.kinks[:i] + (r(kink, torch=wrong(kink.torch)),) + topic.kinks[i + 1:]
        yield f"kinks[{i}].torch", r(topic, kinks=kinks)
        if kink.subgradient_base is not None:
            variants = [("from", r(kink, subgradient_base=wrong(kink.subgradient_base)))]
            for j, along in enumerate(kink.subgradient_along):
                changed = kink.subgradient_along[:j] + (wrong(along),) + kink.subgradient_along[j + 1:]
                variants.append((f"along[{j}]", r(kink, subgradient_along=changed)))
            for what, changed in variants:
                yield f"kinks[{i}].subgradients.{what}", r(topic, kinks=topic.kinks[:i] + (changed,) + topic.kinks[i + 1:])


def caught(rel: str, mutant: Topic, monkeypatch) -> bool:
    monkeypatch.setattr(verified, "_topic", lambda _rel: mutant)
    for check in CHECKS:
        try:
            check(rel)
        except AssertionError:
            return True
    return False


@pytest.mark.parametrize("rel", INDEX.topics, ids=[r.split("/")[-1][:-5] for r in INDEX.topics])
def test_one_wrong_expression_anywhere_in_a_topic_fails_its_checks(rel, monkeypatch):
    topic = load_topic(INDEX.root / rel, rel)
    changed = list(mutants(topic))
    assert len(changed) > 10, f"{topic.id}: suspiciously few expressions"
    missed = [what for what, mutant in changed if not caught(rel, mutant, monkeypatch)]
    assert not missed, f"{topic.id}: a wrong expression passes the checks: {missed}"
