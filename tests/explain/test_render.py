"""Rich rendering of an explanation, read back as text from a 100-column console."""

from __future__ import annotations

import io

import numpy as np
from rich.console import Console

from pa2cli.content import load_topic
from pa2cli.explain import render, worked
from pa2cli.explain.listing import topic_list
from pa2cli.paths import content_dir


def text_of(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(renderable)
    return out.getvalue()


def topic(name: str):
    return load_topic(content_dir() / "topics" / f"{name}.toml", f"topics/{name}.toml")


def test_numbers_are_compact_and_vectors_bracketed():
    assert render.number(0.23500371220159) == "0.235004"
    assert render.number(np.array([1.0, -0.5, 0.0])) == "[1, -0.5, 0]"
    assert render.number(np.eye(2)) == "[[1, 0], [0, 1]]"


def test_expressions_read_with_powers_and_dots():
    assert render.pretty("-1 / w**2 * exp(u)") == "-1 / w^2 · exp(u)"


def test_decomposition_block_reveals_one_stage_per_step():
    explanation = worked.explain(topic("tanh"))
    block = next(b for b in render.blocks(explanation) if b.heading.startswith("Decomposition"))
    assert block.size == 5
    two = text_of(block.draw(2))
    assert "p = eˣ" in two and "q = e⁻ˣ" in two and "n = p − q" not in two


def test_stage_rows_hold_the_values_at_the_sample():
    explanation = worked.explain(topic("tanh"))
    x = 0.5
    values = {row.stage.name: float(row.value) for row in explanation.stages}
    assert np.isclose(values["n"], np.exp(x) - np.exp(-x)) and np.isclose(values["t"], np.tanh(x))
    text = text_of(render.document(render.blocks(explanation)))
    assert f"{np.tanh(x):.6g}" in text and f"{1 - np.tanh(x) ** 2:.6g}" in text


def test_content_text_with_brackets_is_not_taken_for_markup():
    text = text_of(render.document(render.blocks(worked.explain(topic("relu")))))
    assert "m = 1[x > 0]" in text


def test_topic_list_shows_aliases_and_summaries():
    relu = topic("relu")
    text = text_of(topic_list([("Activations", [relu])]))
    assert "Activations" in text and "rectifier" in text and "max(0, x)" in text


def test_verify_column_is_torch_autograd_and_matches_the_final_forms_away_from_kinks():
    from pa2cli.content import load_topics

    for each in load_topics():
        explanation = worked.explain(each, verify=True)
        for row in explanation.checks:
            assert row.autograd is not None and row.autograd.shape == row.derived.shape
            if not row.kink:
                assert np.allclose(row.autograd, row.derived, rtol=1e-9, atol=1e-12), (each.id, row)
        for kink in explanation.kinks:
            assert np.allclose(kink.autograd, kink.torch_value, equal_nan=True), (each.id, kink)


def test_plot_series_of_a_vector_loss_uses_the_bound_parameter():
    series = worked.plot_series(topic("huber"))
    assert series.xs[0] < 0 < series.xs[-1] and series.values.shape == series.xs.shape
    assert np.all(np.abs(series.derivative) <= 1 + 1e-12)  # a Huber slope never exceeds δ = 1
