"""`pa2 explain` through Click: listing, lookup, sections, formats and user errors."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

SECTIONS = ["definition", "Direct derivation", "Decomposition into primitive operations",
            "Chain rule through the stages", "Final form", "Non-differentiable points",
            "Numeric check (computed now)"]


def test_listing_shows_every_topic_grouped_with_its_summary(run):
    result = run("explain")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("Activations") < out.index("sigmoid") < out.index("Losses") < out.index("huber")
    for topic in ("sigmoid", "tanh", "relu", "cross-entropy", "bce", "hinge", "l1", "huber", "l2", "cosine"):
        assert topic in out
    assert "squashes any real number" in out  # sigmoid's summary


def test_listing_puts_each_topic_under_its_group(run, fixture_content):
    out = run("explain").output
    assert out.index("Activations") < out.index("square") < out.index("Losses") < out.index("absolute")
    assert "x² for tests." in out and "abs-loss" in out


def test_unknown_topic_exits_2_with_one_line_naming_the_closest_and_the_valid_ones(run):
    result = run("explain", "sigmod")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "unknown topic 'sigmod'" in line and "Did you mean sigmoid?" in line
    assert "Valid topics: sigmoid, tanh, relu, cross-entropy, bce, hinge, l1, huber, l2, cosine" in line


def test_unknown_topic_suggests_an_alias_with_its_topic(run, fixture_content):
    result = run("explain", "abs-los")
    assert result.exit_code == 2
    assert "Did you mean abs-loss (absolute)?" in result.stderr
    assert "Valid topics: square, absolute" in result.stderr


def test_alias_and_any_case_resolve_to_the_topic(run):
    by_alias = run("explain", "logistic", "--all")
    assert by_alias.exit_code == 0
    assert "Sigmoid (logistic function) — definition" in by_alias.output
    assert "ReLU (rectified linear unit)" in run("explain", "ReLU", "--all").output


@pytest.mark.parametrize("topic", ["sigmoid", "relu"])
def test_all_prints_every_section_in_order(run, topic):
    out = run("explain", topic, "--all").output
    positions = [out.index(section) for section in SECTIONS]
    assert positions == sorted(positions)


def test_output_that_is_not_a_terminal_gets_everything_without_all(run):
    out = run("explain", "tanh").output
    assert all(section in out for section in SECTIONS)
    assert "step 1 of" not in out


def test_decomposition_table_shows_stage_values_at_the_sample(run):
    out = run("explain", "sigmoid", "--all").output
    x = 0.5  # sigmoid.toml's sample
    for value in (math.exp(-x), 1 + math.exp(-x), 1 / (1 + math.exp(-x)), -1 / (1 + math.exp(-x)) ** 2):
        assert f"{value:.6g}" in out


def test_relu_kink_states_the_value_torch_returns(run):
    out = run("explain", "relu", "--all").output
    assert "at z = 0:" in out and "torch autograd returns d relu/dz = 0" in out
    assert "kink" in out


def test_verify_adds_the_autograd_column(run):
    out = run("explain", "relu", "--all", "--verify").output
    assert "torch autograd" in out and "(measured now: 0)" in out


def test_markdown_contains_every_line_in_latex(run):
    from pa2cli.content import load_topic
    from pa2cli.paths import content_dir

    topic = load_topic(content_dir() / "topics" / "tanh.toml")
    out = run("explain", "tanh", "--format", "markdown").output
    for step in (*topic.derivation, *topic.decomposition.chain, *topic.final):
        assert step.latex in out
    assert "### Numeric check" in out and "| stage | op |" in out


def test_latex_uses_balanced_align_environments(run):
    out = run("explain", "sigmoid", "--format", "latex").output
    assert out.count(r"\begin{align}") == out.count(r"\end{align}") >= 2
    assert out.count(r"\begin{align*}") == out.count(r"\end{align*}") >= 1
    assert r"\sigma(z) &= \left(1 + e^{-z}\right)^{-1}" in out  # aligned at its first "="


def test_output_option_writes_the_file(run, tmp_path):
    target = tmp_path / "relu.md"
    result = run("explain", "relu", "--format", "markdown", "--output", str(target))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("## ReLU")
    assert f"wrote {target}" in result.stderr


@pytest.mark.parametrize("args, needle", [
    (["relu", "--output", "x.md"], "--output: needs --format"),
    (["relu", "--plot", "--format", "latex"], "cannot go into --format output"),
    (["--verify"], "no topic given"),
])
def test_option_mistakes_are_one_line_user_errors(run, args, needle):
    result = run("explain", *args)
    assert result.exit_code == 2
    assert needle in result.stderr and result.stderr.count("\n") == 1


def test_plot_draws_the_function_and_its_derivative(run):
    out = run("explain", "tanh", "--all", "--plot").output
    assert "• tanh   x d tanh/dz" in out  # the legend in the title, in the topic's own symbols
    assert "x" in out.split("Plot")[-1] and "┤" in out  # plotext drew an axis


def test_explain_never_imports_torch_or_plotext():
    code = ("import sys, runpy; sys.argv = ['pa2', 'explain', 'relu', '--all']\n"
            "try:\n    runpy.run_module('pa2cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchvision', 'plotext'))\n"
            "print('IMPORTED', bad, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "IMPORTED []" in done.stderr, done.stderr[-500:]
