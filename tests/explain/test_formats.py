"""Markdown and LaTeX output helpers, and that every topic's prose can be typeset."""

from __future__ import annotations

import pytest

from pa2cli.content import load_index, load_topic
from pa2cli.explain.formats import align_at_equals
from pa2cli.explain.prose import latex_text, unmapped_characters

INDEX = load_index()


def test_a_maths_run_in_prose_becomes_one_inline_formula():
    assert latex_text("σ′ = σ(1 − σ).") == r"$\sigma' = \sigma (1 - \sigma)$."
    assert latex_text("x ∈ ℝ") == r"$x \in \mathbf{R}$"
    assert latex_text("e⁻¹ and w₁₂") == r"$e^{-1}$ and $w_{12}$"


def test_powers_and_subscripts_written_with_underscores_and_carets_are_grouped():
    assert latex_text("pⱼ = e^(zⱼ) / S") == r"$p_{j} = e^{z_{j}} / S$"
    assert latex_text("the score s_yᵢ of the class") == r"the score $s_{y_{i}}$ of the class"
    assert latex_text("L_sum = Σᵢ |rᵢ|") == r"$L_{\mathrm{sum}} = \sum_{i} |r_{i}|$"
    assert "textasciicircum" not in latex_text("w^(−1) and e^x")


def test_words_and_punctuation_stay_outside_the_maths():
    out = latex_text("for a one-hot y (yⱼ = 1 for the correct class c, 0 elsewhere); then")
    assert r"($y_{j} = 1$ for the correct class" in out and out.endswith("elsewhere); then")


def test_library_calls_are_code_not_maths():
    out = latex_text("torch.nn.HuberLoss(delta=δ, reduction='sum') and half_sse")
    assert out.startswith(r"\texttt{torch.") and r"$\delta$" in out and r"\texttt{half\_sse}" in out


def test_accented_and_styled_letters_are_derived_from_unicode_data():
    assert latex_text("ŷ") == r"$\hat{y}$"
    assert latex_text("𝟙[x]") == r"$\mathbf{1}[x]$"
    assert latex_text("eˣ") == r"$e^{x}$"
    assert unmapped_characters("ο☃") == {"ο", "☃"}  # omicron and a snowman have no maths command


def test_latex_special_characters_are_escaped():
    assert latex_text("50% & $5 #1 {c}") == r"50\% \& \$5 \#1 \{c\}"


def test_alignment_goes_before_the_first_top_level_equals():
    assert align_at_equals(r"\frac{a=b}{c} = d = e") == r"\frac{a=b}{c} &= d = e"
    assert align_at_equals(r"\begin{cases} a = 1 \end{cases}") == r"&\begin{cases} a = 1 \end{cases}"


@pytest.mark.parametrize("rel", INDEX.topics)
def test_topic_prose_only_uses_characters_latex_output_can_typeset(rel):
    if not (INDEX.root / rel).exists():
        pytest.skip(f"{rel} does not exist yet")
    topic = load_topic(INDEX.root / rel, rel)
    prose = [topic.title, topic.summary, topic.smooth, *topic.definition,
             *(v.description for v in topic.variables)]
    for step in (*topic.derivation, *topic.decomposition.chain, *topic.final):
        prose += [step.text, step.rule, step.note]
    prose += [k.text for k in topic.kinks] + [s.op for s in topic.decomposition.stages]
    unknown = {c: text for text in prose for c in unmapped_characters(text)}
    assert not unknown, f"{topic.id}: characters without a LaTeX mapping: {unknown}"


def test_markdown_prose_puts_maths_runs_in_dollars_and_keeps_words():
    from pa2cli.explain.prose import markdown_text

    out = markdown_text("pⱼ = e^(zⱼ) / S for the loss torch.nn.CrossEntropyLoss (50% of it)")
    assert out == r"$p_{j} = e^{z_{j}} / S$ for the loss `torch.nn.CrossEntropyLoss` (50% of it)"


def test_content_latex_reads_as_unicode_on_the_terminal():
    from pa2cli.explain.prose import unicode_maths

    assert unicode_maths(r"-\frac{d\,\lVert b\rVert}{2\sqrt{q}\,w^{2}}") == "−d ‖b‖/(2√q w²)"
    assert unicode_maths(r"\operatorname{clip}(r_i, -\delta, \delta)") == "clip(rᵢ, −δ, δ)"
    assert unicode_maths(r"\frac{1}{d} - \frac{n}{d^{2}}") == "1/d − n/d²"
    assert unicode_maths(r"\mathbf{1}[z_j = m]") == "𝟙[zⱼ = m]"
    assert unicode_maths(r"\begin{cases} a \end{cases}") is None  # unknown: the caller falls back


def test_a_lone_letter_is_a_symbol_but_the_article_a_is_a_word():
    assert latex_text("a wrong class j costs nothing") == "a wrong class $j$ costs nothing"
