"""Rich rendering of an explanation, read back as text from a 100-column console."""

from __future__ import annotations

import io

import numpy as np
import pytest
from rich.console import Console

from pa2cli.content import load_topic
from pa2cli.explain import render, sections, worked
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
    assert sections.pretty("-1 / w**2 * exp(u)") == "-1 / w^2 · exp(u)"


def test_decomposition_block_reveals_one_stage_per_step():
    explanation = worked.explain(topic("tanh"))
    block = next(b for b in render.blocks(explanation) if b.heading.startswith("Decomposition"))
    assert block.size == 6
    two = text_of(block.draw(2))
    assert "p = eᶻ" in two and "u = −z" in two and "q = e^u" not in two


def test_stage_rows_hold_the_values_at_the_sample():
    explanation = worked.explain(topic("tanh"))
    x = 0.5  # the sample z
    values = {row.stage.name: float(row.value) for row in explanation.stages}
    assert np.isclose(values["s"], np.exp(x) - np.exp(-x)) and np.isclose(values["th"], np.tanh(x))
    text = text_of(render.document(render.blocks(explanation)))
    assert f"{np.tanh(x):.6g}" in text and f"{1 - np.tanh(x) ** 2:.6g}" in text


def test_content_text_with_brackets_is_not_taken_for_markup():
    text = text_of(render.document(render.blocks(worked.explain(topic("relu")))))
    assert "m = 1[z > 0]" in text


def test_topic_list_shows_aliases_and_summaries():
    relu = topic("relu")
    text = text_of(topic_list([("Activations", [relu])]))
    assert "Activations" in text and "rectifier" in text and "max(0, z)" in text


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


def test_gradients_and_points_are_written_in_the_topics_symbols_not_its_identifiers():
    text = text_of(render.document(render.blocks(worked.explain(topic("l2")))))
    assert "∂L_½/∂ŷ" in text and "∂L_sum/∂ŷ" in text and "ŷ = [2.5, 0, 4, -1]" in text
    assert "dh/dyhat" not in text and "yhat = [" not in text


def test_decomposition_is_titled_with_only_the_variables_its_function_uses():
    text = text_of(render.document(render.blocks(worked.explain(topic("cross-entropy")))))
    title = next(line for line in text.splitlines() if "in primitive stages" in line)
    assert "z = [2, 1, 0.1]" in title and "y = [1, 0, 0]" in title and "q =" not in title


def test_rounding_noise_of_the_central_difference_is_shown_as_zero():
    assert render.number(sections.denoised(np.array([-2.776e-17, 1.1e-10, 0.25]))) == "[0, 0, 0.25]"
    assert render.number(sections.denoised(np.array([3e-8]))) == "[3e-08]"


def test_check_table_header_does_not_reuse_the_margin_symbol():
    text = text_of(render.document(render.blocks(worked.explain(topic("hinge")))))
    table = text.split("Numeric check")[1]
    assert "|error|" in table and "|Δ|" not in table


def test_a_function_is_written_by_the_symbol_its_text_defines():
    from pa2cli.explain.symbols import defined_symbol

    assert defined_symbol("L_sum(ŷ, y) = Σᵢ (ŷᵢ − yᵢ)²", "g") == "L_sum"
    assert defined_symbol("σ(x) = 1 / (1 + e^(−x))", "f") == "σ"
    assert defined_symbol("L = f(z, y) = −Σⱼ yⱼ log pⱼ", "f") == "L"
    assert defined_symbol("no equals sign here", "f") == "f"


@pytest.mark.parametrize("topic_id, cell", [("relu", "torch: 0"), ("cosine", "torch: [nan, nan,")])
def test_a_kink_cell_of_the_check_table_is_labelled_as_torchs_value_in_every_format(topic_id, cell):
    from pa2cli.explain.formats import to_latex, to_markdown

    explanation = worked.explain(topic(topic_id))
    table = text_of(render.document(render.blocks(explanation))).split("Numeric check")[1]
    kink_rows = [line for line in table.splitlines() if line.rstrip().endswith(("kink", "undefined"))]
    assert kink_rows and all("torch: " in line and "—" in line for line in kink_rows)  # no bare value, no |error|
    assert cell in table
    assert "torch: " in to_markdown(explanation).split("### Numeric check")[1]
    assert "torch: $" in to_latex(explanation).split("Numeric check")[1]
