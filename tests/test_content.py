"""Lint of the shipped content/: the topics of the assignment are all listed and present, ids
and aliases are unique, nothing is empty, every expression line has its LaTeX, no stray files.

A listed file that does not exist yet fails `test_every_listed_topic_file_exists` (and only it);
the other checks cover the files that exist.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from pa2cli.content import Function, Stage, Step, Topic, load_index, load_topic

INDEX = load_index()
ASSIGNMENT_TOPICS = {"sigmoid", "tanh", "relu", "cross-entropy", "hinge", "l1", "huber", "l2", "cosine"}
BEYOND_ASSIGNMENT = {"bce"}  # binary cross-entropy on a sigmoid output: pairs with Figure 1
REQUIRED_ALIASES = {"logistic": "sigmoid", "ce": "cross-entropy", "xent": "cross-entropy", "mse": "l2",
                    "mae": "l1", "smooth-l1": "huber", "cos": "cosine", "cosine-similarity": "cosine"}
TOPICS_DIR = INDEX.root / "topics"


def present_topics() -> list[Topic]:
    return [load_topic(INDEX.root / rel, rel) for rel in INDEX.topics if (INDEX.root / rel).exists()]


def test_index_lists_exactly_the_nine_topics_of_the_assignment_and_marks_the_one_beyond():
    stems = {rel.removeprefix("topics/").removesuffix(".toml") for rel in INDEX.topics}
    assert stems == ASSIGNMENT_TOPICS | BEYOND_ASSIGNMENT
    beyond = {rel.removeprefix("topics/").removesuffix(".toml") for rel in INDEX.beyond}
    assert beyond == BEYOND_ASSIGNMENT
    assert len(INDEX.topics) == len(set(INDEX.topics)), "a topic is listed twice"


def test_every_listed_topic_file_exists():
    missing = [rel for rel in INDEX.topics if not (INDEX.root / rel).is_file()]
    assert not missing, f"listed in content/index.toml but missing: {missing}"


def test_no_stray_files_in_content_topics():
    listed = {INDEX.root / rel for rel in INDEX.topics}
    stray = sorted(p.name for p in TOPICS_DIR.iterdir() if p not in listed)
    assert not stray, f"files in content/topics not listed in content/index.toml: {stray}"


def test_topic_ids_equal_file_stems_and_are_unique():
    topics = present_topics()
    for topic in topics:
        assert topic.path == f"topics/{topic.id}.toml"
    ids = [t.id for t in topics]
    assert len(ids) == len(set(ids))


def test_aliases_are_unique_lowercase_and_never_an_id():
    topics = present_topics()
    ids = {t.id for t in topics}
    seen: dict[str, str] = {}
    for topic in topics:
        for alias in topic.aliases:
            assert alias == alias.lower(), f"{topic.id}: alias {alias!r} is not lowercase"
            assert alias not in ids, f"{topic.id}: alias {alias!r} is also a topic id"
            assert alias not in seen, f"alias {alias!r} is declared by {seen[alias]} and {topic.id}"
            seen[alias] = topic.id


@pytest.mark.parametrize("alias, topic_id", sorted(REQUIRED_ALIASES.items()))
def test_required_alias_is_declared_by_its_topic(alias, topic_id):
    path = INDEX.root / "topics" / f"{topic_id}.toml"
    if not path.exists():
        pytest.fail(f"{topic_id}.toml does not exist yet, so alias {alias!r} is missing")
    assert alias in load_topic(path, f"topics/{topic_id}.toml").aliases


def _strings(value, where: str):
    """Every string inside a loaded topic, with where it is."""
    if isinstance(value, str):
        yield where, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name), f"{where}.{field.name}")
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]")


OPTIONAL_TEXT = ("note", "smooth", "xlabel", "latex", "rule", "symbol")  # checked separately below


def test_no_required_text_is_empty():
    for topic in present_topics():
        for where, text in _strings(topic, topic.id):
            if where.rsplit(".", 1)[-1] in OPTIONAL_TEXT:
                continue
            assert text.strip(), f"{where} is empty"


def test_every_line_with_an_expression_has_latex_and_derivation_lines_have_rules():
    for topic in present_topics():
        lines = [*topic.functions, *topic.derivation, *topic.decomposition.stages,
                 *topic.decomposition.chain, *topic.final]
        for line in lines:
            assert isinstance(line, (Function, Step, Stage))
            assert line.latex.strip(), f"{topic.id}: {line.text!r} has no latex"
        for step in (*topic.derivation, *topic.decomposition.chain):
            assert step.rule.strip(), f"{topic.id}: {step.text!r} has no rule"


def test_topics_without_kinks_say_why_they_are_smooth():
    for topic in present_topics():
        assert topic.kinks or topic.smooth.strip(), f"{topic.id}: no kinks and no `smooth` sentence"


def test_every_local_derivative_and_adjoint_has_its_latex_and_no_machine_syntax():
    for topic in present_topics():
        for stage in topic.decomposition.stages:
            written = dict(stage.local_latex)
            assert set(written) == {source for source, _ in stage.local}, f"{topic.id}: stage {stage.name}"
            assert stage.adjoint_latex, f"{topic.id}: stage {stage.name} has no adjoint_latex"
            for latex in (*written.values(), stage.adjoint_latex):
                for machine in ("where(", "minimum(", "maximum(", "**", "step(", "norm(", "*"):
                    assert machine not in latex, f"{topic.id}: stage {stage.name}: {latex!r} has {machine!r}"


def test_prose_names_no_internal_function_id():
    import re

    for topic in present_topics():
        for where, text in _strings(topic, topic.id):
            if where.rsplit(".", 1)[-1] in ("latex", "expr", "id", "function", "check"):
                continue
            assert not re.search(r"\b(?:main|first|second|third)? ?function [a-z]\b", text), f"{where}: {text!r}"


# A partial derivative is a number (or vector), never a set: where a function has no derivative,
# the content writes the subdifferential (`g ∈ ∂L(s)`, `∂relu(0) = [0, 1]`), as ReLU's kink does.
_SET_VALUED_PARTIAL = (
    re.compile(r"[∂d][^\s/]*/[∂d][^\s=]*\s*[∈⊂⊆]"),  # ∂L/∂s₀ ∈ [0, 1]
    re.compile(r"\\frac\{\\?(?:partial|d)[^{}]*(?:\{[^{}]*\}[^{}]*)*\}\{\\?(?:partial|d)[^{}]*(?:\{[^{}]*\}[^{}]*)*\}\s*\\(?:in|subset|subseteq)\b"),
    re.compile(r"\\partial_\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}\s*\w+\s*\\(?:in|subset|subseteq)\b"),  # \partial_{x} L \in
)


def set_valued_partials(text: str) -> list[str]:
    return [m.group(0) for pattern in _SET_VALUED_PARTIAL for m in pattern.finditer(text)]


@pytest.mark.parametrize("text", [
    "so ∂L/∂s₀ ∈ [0, 1] here", r"\frac{\partial L}{\partial s_0} \in [0, 1]",
    r"\frac{\partial \ell}{\partial x} \in [-1, 0]", r"\partial_{\hat{y}_0} L \in \left[-1, 1\right]",
])
def test_the_set_valued_partial_rule_catches_what_it_should(text):
    assert set_valued_partials(text)


@pytest.mark.parametrize("text", [
    r"\partial\operatorname{relu}(0) = [0, 1]", "g ∈ ∂L(s) exactly when g₀ ∈ [0, 1]",
    r"g \in \partial L(s) \iff g_0 \in [0, 1]", "∂ℓ(x) = [−1, 0]", "d relu/dx = 1[x > 0]",
])
def test_the_set_valued_partial_rule_lets_subdifferentials_through(text):
    assert not set_valued_partials(text)


def test_no_partial_derivative_is_written_as_a_set():
    for topic in present_topics():
        for where, text in _strings(topic, topic.id):
            assert not set_valued_partials(text), f"{where}: {text!r} writes a partial derivative " \
                "as a set; write the subdifferential, g ∈ ∂L(s) with g₀ ∈ [0, 1]"


# The notation content/index.toml states once (`notation`), held to by every topic.
def test_the_index_states_the_notation_once_and_the_listing_prints_it():
    from click.testing import CliRunner

    from pa2cli.cli import cli

    assert INDEX.notation and any("net input" in line for line in INDEX.notation)
    out = " ".join(CliRunner().invoke(cli, ["explain"]).output.split())
    assert "Notation" in out and " ".join(INDEX.notation[0].split()) in out


def test_an_activation_topic_calls_the_net_input_z():
    for topic in present_topics():
        if topic.group == "activation":
            assert [v.name for v in topic.variables] == ["z"], f"{topic.id}: the net input is z"


def test_n_is_only_ever_the_number_of_components():
    for topic in present_topics():
        names = [v.name for v in topic.variables] + [s.name for s in topic.decomposition.stages]
        assert "n" not in names, f"{topic.id}: a variable or stage named n (n counts components)"


@pytest.mark.parametrize("reversed_order", ["t − a", "t − o", "o − t", "y − ŷ", "y_i − ŷ", "t - a"])
def test_residuals_are_prediction_minus_target(reversed_order):
    for topic in present_topics():
        for where, text in _strings(topic, topic.id):
            assert reversed_order not in text, f"{where}: {text!r} writes {reversed_order!r}"


def test_a_topic_beyond_the_assignment_is_explained_but_not_counted_or_reported_by_default():
    from pa2cli.explain.topics import all_topics, assignment_topics
    from pa2cli.home import overview

    assert "bce" in {t.id for t in all_topics()} and "bce" not in {t.id for t in assignment_topics()}
    assert set(overview().topics) == ASSIGNMENT_TOPICS


def test_the_index_rejects_a_beyond_topic_it_does_not_list(tmp_path):
    from pa2cli.errors import UserError

    (tmp_path / "index.toml").write_text('format_version = 1\ntopics = ["topics/a.toml"]\n'
                                         'beyond_assignment = ["topics/b.toml"]\n')
    with pytest.raises(UserError, match="'topics/b.toml' is not in topics"):
        load_index(tmp_path)


def _topic(topic_id: str) -> Topic:
    return load_topic(INDEX.root / "topics" / f"{topic_id}.toml", f"topics/{topic_id}.toml")


def test_a_case_split_at_a_kink_says_undefined_in_text_and_latex_alike():
    hinge = _topic("hinge")
    binary = [s for s in hinge.derivation if s.check.label == "dg/dx"][-1]
    for written in (binary.text, binary.latex):
        assert "undefined" in written and "subgradients between" in written, written
    multiclass, binary_final = hinge.final
    assert "where no margin term" in multiclass.text and "where no margin term" in multiclass.latex
    assert "t·x ≠ 1" in binary_final.text and r"t\,x \neq 1" in binary_final.latex
    assert "undefined at z = 0" in _topic("relu").final[0].text


def test_the_hinge_writes_the_one_hot_target_as_y_capital_and_keeps_y_i_for_the_label():
    hinge = _topic("hinge")
    assert "Y" in {v.name for v in hinge.variables} and "y" not in {v.name for v in hinge.variables}
    for where, text in _strings(hinge, hinge.id):
        assert not re.search(r"(?<![A-Za-z_])y(?:ⱼ|ₖ|·| ·|_j|_k)", text), f"{where}: {text!r} uses y for the one-hot vector"
